/*
 * args.c - the module arguments of pam_jwt.so.
 *
 * One sorted table holds the module's own arguments; every other KEY=VALUE
 * argument is a key of the configuration file and defines the issuer
 * section "inline" (keys that only [global] may hold go to [global]).
 * Parsing only sorts the arguments; the core checks every configuration
 * value, with messages that name the argument.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pam_jwt.h"

#ifndef JWTC_SYSCONFDIR
#define JWTC_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG JWTC_SYSCONFDIR "/jwt-auth.conf"

typedef enum arg_kind {
	ARG_FLAG,       /* NAME alone */
	ARG_TEXT        /* NAME=VALUE, VALUE not empty */
} arg_kind;

/* The module's own arguments, sorted by name (bsearch). */
static const struct arg_def {
	const char *name;
	arg_kind kind;
	size_t off;     /* of a bool (flag) or a const char * (text) */
	const char *doc;
} arg_defs[] = {
	{ "config", ARG_TEXT, offsetof(pjwt_args, config),
	    "configuration file (default " DEFAULT_CONFIG ")" },
	{ "debug", ARG_FLAG, offsetof(pjwt_args, debug),
	    "log each step at LOG_DEBUG" },
	{ "export_claims", ARG_TEXT, offsetof(pjwt_args, export_claims),
	    "after success, put these claims in the PAM environment as "
	    "JWT_<CLAIM>" },
	{ "issuers", ARG_TEXT, offsetof(pjwt_args, issuers),
	    "only these issuer sections are trusted (default: all)" },
	{ "prompt", ARG_TEXT, offsetof(pjwt_args, prompt),
	    "conversation prompt (default \"" PJWT_DEFAULT_PROMPT "\")" },
	{ "try_first_pass", ARG_FLAG, offsetof(pjwt_args, try_first_pass),
	    "PAM_AUTHTOK of an earlier module first, then ask" },
	{ "use_first_pass", ARG_FLAG, offsetof(pjwt_args, use_first_pass),
	    "only PAM_AUTHTOK of an earlier module" },
};
#define N_ARG_DEFS (sizeof(arg_defs) / sizeof(arg_defs[0]))

size_t
pjwt_args_count(void)
{
	return N_ARG_DEFS;
}

const char *
pjwt_args_name(size_t i)
{
	return i < N_ARG_DEFS ? arg_defs[i].name : NULL;
}

static int
arg_cmp(const void *key, const void *elem)
{
	const struct arg_def *d = elem;

	return strcmp(key, d->name);
}

const char *
pjwt_shown(char *buf, size_t len, const char *s, size_t n)
{
	size_t i, j = 0;

	if (len == 0)
		return "";
	if (s == NULL)
		s = "(none)";
	for (i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (j + 4 >= len) {
			(void)snprintf(buf + j, len - j, "...");
			return buf;
		}
		buf[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[j] = '\0';
	return buf;
}

#define shown pjwt_shown

bool
pjwt_next_claim(const char **cur, char *name, size_t namelen)
{
	const char *p = *cur, *end;
	size_t len;

	if (p == NULL || *p == '\0')
		return false;
	end = strchr(p, ',');
	len = end != NULL ? (size_t)(end - p) : strlen(p);
	if (len >= namelen)
		return false;
	memcpy(name, p, len);
	name[len] = '\0';
	*cur = end != NULL ? end + 1 : p + len;
	return true;
}

/* export_claims=: 1 to PJWT_MAX_EXPORTS names of 1 to PJWT_MAX_CLAIM_NAME
 * printable characters other than ',' and '='. */
static int
check_claims(const char *list, char *why, size_t whylen)
{
	const char *p = list, *end;
	size_t n = 0, len, i;

	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len == 0 || len > PJWT_MAX_CLAIM_NAME) {
			(void)snprintf(why, whylen, "argument export_claims: "
			    "claim names are 1 to %d bytes, separated by ','",
			    PJWT_MAX_CLAIM_NAME);
			return -1;
		}
		for (i = 0; i < len; i++) {
			if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '=') {
				(void)snprintf(why, whylen, "argument "
				    "export_claims: bad character in a claim "
				    "name");
				return -1;
			}
		}
		if (++n > PJWT_MAX_EXPORTS) {
			(void)snprintf(why, whylen, "argument export_claims: "
			    "more than %d claims", PJWT_MAX_EXPORTS);
			return -1;
		}
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* Store one NAME or NAME=VALUE argument.  0 or -1 with why. */
static int
parse_one(pjwt_args *a, const char *arg, char *why, size_t whylen)
{
	const struct arg_def *d;
	const char *eq = strchr(arg, '=');
	size_t klen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	char key[PJWT_MAX_KEY + 1], sbuf[80];
	const char **text;
	bool *flag;

	if (klen == 0 || klen > PJWT_MAX_KEY) {
		(void)snprintf(why, whylen, "bad argument \"%s\"",
		    shown(sbuf, sizeof(sbuf), arg, strlen(arg)));
		return -1;
	}
	memcpy(key, arg, klen);
	key[klen] = '\0';
	d = bsearch(key, arg_defs, N_ARG_DEFS, sizeof(arg_defs[0]), arg_cmp);
	if (d == NULL) {
		/* a configuration key: the core knows them */
		if (eq == NULL) {
			(void)snprintf(why, whylen, "unknown argument \"%s\"",
			    shown(sbuf, sizeof(sbuf), key, klen));
			return -1;
		}
		if (a->n_settings >= PJWT_MAX_ARGS) {
			(void)snprintf(why, whylen, "more than %d arguments",
			    PJWT_MAX_ARGS);
			return -1;
		}
		memcpy(a->settings[a->n_settings].key, key, klen + 1);
		a->settings[a->n_settings].value = eq + 1;
		a->n_settings++;
		if (strcmp(key, "issuer") == 0)
			a->has_issuer = true;
		return 0;
	}
	if (d->kind == ARG_FLAG) {
		if (eq != NULL) {
			(void)snprintf(why, whylen, "argument %s takes no "
			    "value", d->name);
			return -1;
		}
		flag = (bool *)(void *)((char *)a + d->off);
		*flag = true;
		return 0;
	}
	if (eq == NULL || eq[1] == '\0') {
		(void)snprintf(why, whylen, "argument %s needs a value "
		    "(%s=...)", d->name, d->name);
		return -1;
	}
	text = (const char **)(void *)((char *)a + d->off);
	if (*text != NULL) {
		(void)snprintf(why, whylen, "argument %s given twice",
		    d->name);
		return -1;
	}
	*text = eq + 1;
	return 0;
}

int
pjwt_args_parse(int argc, const char **argv, pjwt_args *out, char *why,
    size_t whylen)
{
	pjwt_args a;
	int i;

	memset(&a, 0, sizeof(a));
	if (argc < 0 || (argc > 0 && argv == NULL)) {
		(void)snprintf(why, whylen, "bad argument vector");
		return -1;
	}
	if (argc > PJWT_MAX_ARGS) {
		(void)snprintf(why, whylen, "more than %d arguments",
		    PJWT_MAX_ARGS);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (argv[i] == NULL) {
			(void)snprintf(why, whylen, "bad argument vector");
			return -1;
		}
		if (parse_one(&a, argv[i], why, whylen) != 0)
			return -1;
	}
	if (a.use_first_pass && a.try_first_pass) {
		(void)snprintf(why, whylen, "use_first_pass and try_first_pass "
		    "exclude each other");
		return -1;
	}
	if (a.export_claims != NULL &&
	    check_claims(a.export_claims, why, whylen) != 0)
		return -1;
	if (a.n_settings > 0 && !a.has_issuer) {
		(void)snprintf(why, whylen, "argument %s: configuration keys "
		    "as arguments define an inline issuer and need issuer=",
		    a.settings[0].key);
		return -1;
	}
	*out = a;
	return 0;
}

/* Add the settings to cfg: the section "inline", and [global] for the keys
 * only [global] may hold. */
static jwtc_rc
add_settings(jwtc_config *cfg, const pjwt_args *a, jwtc_error *err)
{
	char where[PJWT_MAX_KEY + 16];
	const char *section;
	size_t i;
	jwtc_rc rc;

	for (i = 0; i < jwtc_config_count(cfg); i++) {
		if (strcmp(jwtc_config_section(cfg, i),
		    PJWT_INLINE_SECTION) == 0) {
			if (err != NULL) {
				err->rc = JWTC_ERR_CONFIG;
				(void)snprintf(err->msg, sizeof(err->msg),
				    "%s has a section named %s, which the "
				    "issuer= argument defines", a->config,
				    PJWT_INLINE_SECTION);
			}
			return JWTC_ERR_CONFIG;
		}
	}
	for (i = 0; i < a->n_settings; i++) {
		const pjwt_setting *s = &a->settings[i];

		(void)snprintf(where, sizeof(where), "argument %s", s->key);
		section = pjwt_key_global_only(s->key) ? NULL :
		    PJWT_INLINE_SECTION;
		rc = jwtc_config_set(cfg, section, s->key, s->value, ",",
		    where, err);
		if (rc != JWTC_OK)
			return rc;
	}
	return JWTC_OK;
}

jwtc_rc
pjwt_args_config(const pjwt_args *a, jwtc_config **out, jwtc_error *err)
{
	jwtc_config *cfg = NULL;
	jwtc_rc rc;

	if (!a->has_issuer)
		return jwtc_config_load(a->config != NULL ? a->config :
		    DEFAULT_CONFIG, out, err);
	if (a->config != NULL)
		rc = jwtc_config_load(a->config, &cfg, err);
	else
		rc = jwtc_config_new(&cfg, err);
	if (rc != JWTC_OK)
		goto out;
	rc = add_settings(cfg, a, err);
	if (rc != JWTC_OK)
		goto out;
	rc = jwtc_config_finish(cfg, err);
	if (rc != JWTC_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
out:
	jwtc_config_free(cfg);
	return rc;
}
