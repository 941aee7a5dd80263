/*
 * fuzz_pam_args.c - the module arguments of pam_jwt.so (pam_jwt/args.c),
 * which come from a PAM service file, and the configuration they make
 * (the core's jwtc_config_set and jwtc_config_finish, as pjwt_args_config
 * calls them).  The input is the argument list, one argument a line.
 * config= is never followed: the target reads no file.  Each line is also
 * given to the checks the module applies to a conversation reply
 * (pjwt_is_part, pjwt_looks_like_jws, pjwt_looks_truncated).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pam_jwt.h"

#define MAX_LINES (PJWT_MAX_ARGS + 2)

/* The promises of an accepted argument list. */
static void
check_args(const pjwt_args *a)
{
	char name[PJWT_MAX_CLAIM_NAME + 1], env[PJWT_MAX_CLAIM_NAME + 8];
	const char *cur = a->export_claims;
	size_t i, n = 0;

	if (a->use_first_pass && a->try_first_pass)
		abort();
	if (a->n_settings > PJWT_MAX_ARGS ||
	    (a->n_settings > 0 && !a->has_issuer))
		abort();
	for (i = 0; i < a->n_settings; i++)
		if (a->settings[i].key[0] == '\0' ||
		    strlen(a->settings[i].key) > PJWT_MAX_KEY ||
		    a->settings[i].value == NULL)
			abort();
	while (pjwt_next_claim(&cur, name, sizeof(name))) {
		if (name[0] == '\0' || ++n > PJWT_MAX_EXPORTS ||
		    pjwt_env_name(name, env, sizeof(env)) != 0 ||
		    strncmp(env, "JWT_", 4) != 0)
			abort();
	}
	if (a->export_claims != NULL && n == 0)
		abort();
}

/* The configuration the settings make, without config=. */
static void
make_config(const pjwt_args *a)
{
	pjwt_args copy = *a;
	jwtc_config *cfg = NULL;
	jwtc_error err;

	if (!copy.has_issuer)
		return;         /* would load the default file */
	copy.config = NULL;
	memset(&err, 0, sizeof(err));
	if (pjwt_args_config(&copy, &cfg, &err) == JWTC_OK) {
		if (cfg == NULL || jwtc_config_count(cfg) == 0)
			abort();
		jwtc_config_free(cfg);
	} else if (cfg != NULL) {
		abort();
	}
}

static void
reply_checks(const char *s, size_t len)
{
	bool part = pjwt_is_part(s, len);
	bool jws = pjwt_looks_like_jws(s, len);

	if (part && (len < 2 || s[len - 1] != '\\'))
		abort();
	if (pjwt_looks_truncated(s, len) && !jws)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[MAX_LINES];
	char *buf, *p, *end;
	char why[PJWT_MSG_MAX];
	pjwt_args *a;
	int argc = 0;

	buf = malloc(size + 1);
	a = malloc(sizeof(*a));
	if (buf == NULL || a == NULL)
		goto out;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* one argument a line; a NUL inside ends that argument early, as
	 * it would in the argv libpam builds */
	for (p = buf; p < buf + size && argc < MAX_LINES; p = end + 1) {
		end = memchr(p, '\n', (size_t)(buf + size - p));
		if (end == NULL)
			end = buf + size;
		*end = '\0';
		reply_checks(p, strlen(p));
		argv[argc++] = p;
	}
	why[0] = '\0';
	if (pjwt_args_parse(argc, argv, a, why, sizeof(why)) == 0) {
		check_args(a);
		make_config(a);
	} else if (why[0] == '\0' || memchr(why, '\0', sizeof(why)) == NULL) {
		abort();
	}
out:
	free(a);
	free(buf);
	return 0;
}
