/*
 * pam_jwt.c - the entry points of pam_jwt.so, the only symbols it exports
 * (pam_jwt.sym).  Each is the whole of one PAM call: module.c does the
 * work.
 *
 * auth and account are what SPEC.md promises; setcred succeeds, as a
 * module that gives no credentials of its own must for the stack to go on.
 * There are no session or password entry points: a session or password
 * line naming pam_jwt.so is a mistake libpam reports.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <security/pam_modules.h>

#include "pam_jwt.h"

#define PJWT_EXPORT __attribute__((visibility("default")))

PJWT_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	return pjwt_authenticate(pamh, flags, argc, argv);
}

PJWT_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PJWT_EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return pjwt_acct_mgmt(pamh, flags, argc, argv);
}
