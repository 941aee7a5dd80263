/*
 * doc-pam-args - print the names of the module arguments of pam_jwt.so,
 * one a line, from the module's own table (pam_jwt/args.c), for
 * tests/test_man_options.sh: pam_jwt(8) must describe each.  A test tool,
 * never installed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>

#include "pam_jwt.h"

int
main(void)
{
	size_t i;

	for (i = 0; i < pjwt_args_count(); i++)
		printf("%s\n", pjwt_args_name(i));
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
}
