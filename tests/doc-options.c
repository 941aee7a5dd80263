/*
 * doc-options - what tests/test_man_options.sh compares the man pages
 * with: the option table of the core (common/options.c), and the parser of
 * the configuration, for the examples of the pages.  A test tool, never
 * installed.
 *
 *   doc-options table
 *       one line per key of the table, fields separated by a tab:
 *       NAME  SECTION  DEFAULT  RANGE  REQUIRED
 *       SECTION is global, both or issuer; DEFAULT the default as a
 *       distribution build has it (localstatedir /var), or "-" for none;
 *       RANGE "MIN to MAX" for numbers, else "-"; REQUIRED yes or no.
 *   doc-options parse FILE
 *       parse FILE as a configuration (syntax and the rules between keys;
 *       no file it names is read): exit 0, or 1 with the error on stderr.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef JWTC_LOCALSTATEDIR
#define JWTC_LOCALSTATEDIR "/var"
#endif

#define DIST_LOCALSTATEDIR "/var"
#define MAX_EXAMPLE (256 * 1024)

static const char *
scope_name(jwtc_opt_scope s)
{
	switch (s) {
	case JWTC_SCOPE_GLOBAL:
		return "global";
	case JWTC_SCOPE_BOTH:
		return "both";
	case JWTC_SCOPE_ISSUER:
		return "issuer";
	}
	return "?";
}

static int
print_table(void)
{
	const size_t plen = strlen(JWTC_LOCALSTATEDIR);
	const jwtc_option *o;
	size_t i;

	for (i = 0; i < jwtc_n_options; i++) {
		o = &jwtc_options[i];
		printf("%s\t%s\t", o->name, scope_name(o->scope));
		if (o->def == NULL)
			printf("-");
		else if (o->type == JWTC_OPT_PATH &&
		    strncmp(o->def, JWTC_LOCALSTATEDIR, plen) == 0 &&
		    o->def[plen] == '/')
			printf("%s%s", DIST_LOCALSTATEDIR, o->def + plen);
		else
			printf("%s", o->def);
		if (o->type == JWTC_OPT_SECONDS || o->type == JWTC_OPT_SIZE)
			printf("\t%ld to %ld", o->min, o->max);
		else
			printf("\t-");
		printf("\t%s\n", o->required ? "yes" : "no");
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
}

static int
parse_file(const char *path)
{
	static char buf[MAX_EXAMPLE + 1];
	jwtc_config *cfg = NULL;
	jwtc_error err;
	size_t len;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		perror(path);
		return 2;
	}
	len = fread(buf, 1, sizeof(buf), f);
	if (ferror(f) || len > MAX_EXAMPLE) {
		fprintf(stderr, "%s: unreadable or too large\n", path);
		fclose(f);
		return 2;
	}
	fclose(f);
	memset(&err, 0, sizeof(err));
	if (jwtc_config_parse(path, buf, len, &cfg, &err) != JWTC_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	jwtc_config_free(cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "table") == 0)
		return print_table();
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return parse_file(argv[2]);
	fprintf(stderr, "usage: doc-options table | parse FILE\n");
	return 2;
}
