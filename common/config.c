/*
 * config.c - the configuration: strict INI text and module arguments.
 *
 * The file format (SPEC.md) is small enough to parse directly: whole-line
 * comments, [global] and [issuer NAME] headers, key = value lines.  Every
 * value, from the file, from module arguments or from the option table's
 * default text, goes through one setter (set_value) that parses it by the
 * option's type.  jwtc_config_finish then copies [global] values into the
 * issuer sections that did not set them and checks the rules that involve
 * more than one key.  Every message names the source (file:line, or what
 * the caller passed as WHERE) and the key.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define SECTION_NAME_MAX 64    /* bytes of NAME in [issuer NAME] */
#define SECTION_HEADER_MAX (SECTION_NAME_MAX + 16) /* "[issuer NAME]" */
#define SHOW_MAX 64            /* bytes of a value quoted in a message */
#define WHERE_MAX 320          /* "file:line" */
#define PROBLEM_MAX 256

/*
 * Where each option's value lives.  Keyed by the option's name so that the
 * option table stays the only place that says what a key is; a key of the
 * table without a row here is reported as an internal error by the setter
 * (and caught by the unit test that sets every option's default).
 */
enum home { IN_SECTION, IN_CONFIG };

typedef bool (*check_fn)(const char *value);

struct field {
	const char *name;
	enum home home;
	size_t off;        /* of the value */
	size_t off_n;      /* claim_values only: of the count */
	check_fn check;    /* extra check of a string value, or NULL */
};

static bool plausible_domain(const char *s);

#define SEC(n, f) { n, IN_SECTION, offsetof(jwtc_issuer_cfg, f), 0, NULL }
#define CFG(n, f) { n, IN_CONFIG, offsetof(struct jwtc_config, f), 0, NULL }

static const struct field fields[] = {
	SEC("algorithms", algorithms),
	SEC("allowed_groups", allowed_groups),
	SEC("audience", audience),
	SEC("ca_file", ca_file),
	CFG("cache_dir", cache_dir),
	SEC("cache_ttl_default", cache_ttl_default),
	SEC("cache_ttl_max", cache_ttl_max),
	SEC("cache_ttl_min", cache_ttl_min),
	{ "claim_values", IN_SECTION, offsetof(jwtc_issuer_cfg, claim_values),
	  offsetof(jwtc_issuer_cfg, n_claim_values), NULL },
	SEC("discovery_url", discovery_url),
	SEC("groups_claim", groups_claim),
	SEC("hmac_secret_file", hmac_secret_file),
	SEC("http_proxy", http_proxy),
	SEC("http_timeout", http_timeout),
	SEC("issuer", issuer),
	SEC("jwks_file", jwks_file),
	SEC("jwks_uri", jwks_uri),
	SEC("kid_refetch_interval", kid_refetch_interval),
	SEC("leeway", leeway),
	SEC("max_token_age", max_token_age),
	CFG("max_token_size", max_token_size),
	SEC("replay_protection", replay_protection),
	SEC("required_claims", required_claims),
	SEC("required_scope", required_scope),
	SEC("stale_max", stale_max),
	CFG("state_dir", state_dir),
	SEC("token_types", token_types),
	SEC("username_claim", username_claim),
	{ "username_domain", IN_SECTION,
	  offsetof(jwtc_issuer_cfg, username_domain), 0, plausible_domain },
	SEC("x5c_ca_file", x5c_ca_file),
};

/* A parsed value before it is stored. */
struct value {
	char *str;
	long num;
	bool flag;
	unsigned algs;
	jwtc_list list;
	size_t n_cv;
	jwtc_claim_value *cv;
};

static const struct field *
field_of(const jwtc_option *opt)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].name, opt->name) == 0)
			return &fields[i];
	}
	return NULL;
}

static uint64_t
opt_bit(const jwtc_option *opt)
{
	return (uint64_t)1 << (size_t)(opt - jwtc_options);
}

/* ---- small helpers ------------------------------------------------------ */

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool
has_ctl(const char *s)
{
	for (; *s != '\0'; s++) {
		if (is_ctl((unsigned char)*s))
			return true;
	}
	return false;
}

/* A value quoted in a message: control characters escaped, bounded. */
static const char *
show(char *buf, size_t len, const char *s)
{
	jwtc_sanitize(buf, len, s, SHOW_MAX);
	return buf;
}

static bool
name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool
valid_section_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!name_char(s[i]))
			return false;
	}
	return true;
}

/* "[global]" or "[issuer NAME]" for messages. */
static const char *
section_label(const jwtc_issuer_cfg *sec, char *buf, size_t len)
{
	if (sec->name == NULL)
		snprintf(buf, len, "[global]");
	else
		snprintf(buf, len, "[issuer %s]", sec->name);
	return buf;
}

/* Bytes allowed in a URL: printable ASCII without space. */
static bool
url_chars_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

/* scheme "://" host...: the scheme matched case-insensitively. */
static bool
url_with_scheme(const char *s, const char *scheme)
{
	size_t n = strlen(scheme);
	char c;

	if (strncasecmp(s, scheme, n) != 0 || strncmp(s + n, "://", 3) != 0)
		return false;
	c = s[n + 3];
	if (c == '\0' || c == '/' || c == '?' || c == '#' || c == '@' ||
	    c == ':')
		return false;
	return url_chars_ok(s);
}

static bool
https_url(const char *s)
{
	return url_with_scheme(s, "https");
}

static bool
proxy_url(const char *s)
{
	static const char *const schemes[] = {
		"http", "https", "socks4", "socks4a", "socks5", "socks5h"
	};
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (url_with_scheme(s, schemes[i]))
			return true;
	}
	return false;
}

/* Labels of letters, digits and '-' (not at either end), 1-63 bytes each,
 * joined by single dots; 253 bytes at most. */
static bool
plausible_domain(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

/* Printable ASCII without space: what a claim name may hold here. */
static bool
claim_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 256)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

/* ---- values --------------------------------------------------------------- */

static void
list_clear(jwtc_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
claim_values_free(jwtc_claim_value *cv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(cv[i].name);
		free(cv[i].value);
	}
	free(cv);
}

static void
value_clear(struct value *v)
{
	free(v->str);
	list_clear(&v->list);
	claim_values_free(v->cv, v->n_cv);
	memset(v, 0, sizeof(*v));
}

/*
 * Split text at any of seps into non-empty words.  Returns JWTC_OK,
 * JWTC_ERR_CONFIG with problem set, or JWTC_ERR_NO_MEMORY.
 */
static jwtc_rc
split_list(const char *text, const char *seps, jwtc_list *out,
    char *problem, size_t plen)
{
	jwtc_list l = { 0, NULL };
	const char *p = text;
	size_t n;
	jwtc_rc rc = JWTC_ERR_CONFIG;

	l.v = calloc(JWTC_MAX_LIST_ITEMS, sizeof(*l.v));
	if (l.v == NULL) {
		rc = JWTC_ERR_NO_MEMORY;
		goto out;
	}
	for (;;) {
		p += strspn(p, seps);
		if (*p == '\0')
			break;
		n = strcspn(p, seps);
		if (l.n == JWTC_MAX_LIST_ITEMS) {
			snprintf(problem, plen, "more than %d items",
			    JWTC_MAX_LIST_ITEMS);
			goto out;
		}
		l.v[l.n] = jwtc_strndup(p, n);
		if (l.v[l.n] == NULL) {
			rc = JWTC_ERR_NO_MEMORY;
			goto out;
		}
		l.n++;
		p += n;
	}
	if (l.n == 0) {
		snprintf(problem, plen, "empty list");
		goto out;
	}
	*out = l;
	l.v = NULL;
	l.n = 0;
	rc = JWTC_OK;
 out:
	list_clear(&l);
	return rc;
}

static jwtc_rc
parse_number(const jwtc_option *opt, const char *text, long *out,
    char *problem, size_t plen)
{
	char sbuf[SHOW_MAX + 8];
	char *end = NULL;
	size_t len = strlen(text);
	long n;

	if (len == 0 || strspn(text, "0123456789") != len) {
		snprintf(problem, plen, "'%s' is not a whole number",
		    show(sbuf, sizeof(sbuf), text));
		return JWTC_ERR_CONFIG;
	}
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || end != text + len || n < opt->min || n > opt->max) {
		snprintf(problem, plen, "'%s' out of range %ld-%ld",
		    show(sbuf, sizeof(sbuf), text), opt->min, opt->max);
		return JWTC_ERR_CONFIG;
	}
	*out = n;
	return JWTC_OK;
}

static jwtc_rc
parse_algs(const char *text, const char *seps, unsigned *out,
    char *problem, size_t plen)
{
	char sbuf[SHOW_MAX + 8];
	jwtc_list l = { 0, NULL };
	unsigned mask = 0;
	jwtc_alg a;
	size_t i;
	jwtc_rc rc;

	rc = split_list(text, seps, &l, problem, plen);
	if (rc != JWTC_OK)
		goto out;
	rc = JWTC_ERR_CONFIG;
	for (i = 0; i < l.n; i++) {
		if (strcasecmp(l.v[i], "none") == 0) {
			snprintf(problem, plen, "algorithm '%s' is never "
			    "accepted", show(sbuf, sizeof(sbuf), l.v[i]));
			goto out;
		}
		a = jwtc_alg_from_name(l.v[i]);
		if (a == JWTC_ALG_UNKNOWN) {
			snprintf(problem, plen, "unknown algorithm '%s'",
			    show(sbuf, sizeof(sbuf), l.v[i]));
			goto out;
		}
		mask |= JWTC_ALG_BIT(a);
	}
	*out = mask;
	rc = JWTC_OK;
 out:
	list_clear(&l);
	return rc;
}

static jwtc_rc
parse_claim_values(const char *text, const char *seps,
    jwtc_claim_value **out, size_t *n_out, char *problem, size_t plen)
{
	char sbuf[SHOW_MAX + 8];
	jwtc_list l = { 0, NULL };
	jwtc_claim_value *cv = NULL;
	size_t i, n = 0;
	const char *eq;
	jwtc_rc rc;

	rc = split_list(text, seps, &l, problem, plen);
	if (rc != JWTC_OK)
		goto out;
	cv = calloc(l.n, sizeof(*cv));
	if (cv == NULL) {
		rc = JWTC_ERR_NO_MEMORY;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		eq = strchr(l.v[i], '=');
		if (eq == NULL || eq[1] == '\0' ||
		    !claim_name_ok(l.v[i], (size_t)(eq - l.v[i]))) {
			snprintf(problem, plen, "'%s' is not NAME=VALUE",
			    show(sbuf, sizeof(sbuf), l.v[i]));
			rc = JWTC_ERR_CONFIG;
			goto out;
		}
		cv[n].name = jwtc_strndup(l.v[i], (size_t)(eq - l.v[i]));
		cv[n].value = jwtc_strdup(eq + 1);
		n++;
		if (cv[n - 1].name == NULL || cv[n - 1].value == NULL) {
			rc = JWTC_ERR_NO_MEMORY;
			goto out;
		}
	}
	*out = cv;
	*n_out = n;
	cv = NULL;
	n = 0;
	rc = JWTC_OK;
 out:
	claim_values_free(cv, n);
	list_clear(&l);
	return rc;
}

/* A single string value, checked by type. */
static jwtc_rc
parse_string(const jwtc_option *opt, const struct field *f,
    const char *text, char **out, char *problem, size_t plen)
{
	char sbuf[SHOW_MAX + 8];
	const char *bad = NULL;

	switch (opt->type) {
	case JWTC_OPT_PATH:
		if (text[0] != '/')
			bad = "is not an absolute path";
		break;
	case JWTC_OPT_URL:
		if (!https_url(text))
			bad = "is not an https:// URL";
		break;
	case JWTC_OPT_PROXY:
		if (!proxy_url(text))
			bad = "is not a proxy URL (http, https, socks4, "
			    "socks4a, socks5 or socks5h://host:port)";
		break;
	case JWTC_OPT_CLAIMNAME:
		if (!claim_name_ok(text, strlen(text)))
			bad = "is not a claim name";
		break;
	default:
		break;
	}
	if (bad == NULL && f->check != NULL && !f->check(text))
		bad = "is not a domain name";
	if (bad != NULL) {
		snprintf(problem, plen, "'%s' %s",
		    show(sbuf, sizeof(sbuf), text), bad);
		return JWTC_ERR_CONFIG;
	}
	*out = jwtc_strdup(text);
	return *out == NULL ? JWTC_ERR_NO_MEMORY : JWTC_OK;
}

/* Parse text as a value of opt's type into v. */
static jwtc_rc
parse_value(const jwtc_option *opt, const struct field *f, const char *text,
    const char *seps, struct value *v, char *problem, size_t plen)
{
	char sbuf[SHOW_MAX + 8];

	switch (opt->type) {
	case JWTC_OPT_STRING:
	case JWTC_OPT_PATH:
	case JWTC_OPT_URL:
	case JWTC_OPT_PROXY:
	case JWTC_OPT_CLAIMNAME:
		return parse_string(opt, f, text, &v->str, problem, plen);
	case JWTC_OPT_SECONDS:
	case JWTC_OPT_SIZE:
		return parse_number(opt, text, &v->num, problem, plen);
	case JWTC_OPT_BOOL:
		if (strcmp(text, "yes") == 0 || strcmp(text, "no") == 0) {
			v->flag = strcmp(text, "yes") == 0;
			return JWTC_OK;
		}
		snprintf(problem, plen, "'%s' is not yes or no",
		    show(sbuf, sizeof(sbuf), text));
		return JWTC_ERR_CONFIG;
	case JWTC_OPT_LIST:
		return split_list(text, seps, &v->list, problem, plen);
	case JWTC_OPT_ALGS:
		return parse_algs(text, seps, &v->algs, problem, plen);
	case JWTC_OPT_CLAIMVALUES:
		return parse_claim_values(text, seps, &v->cv, &v->n_cv,
		    problem, plen);
	}
	snprintf(problem, plen, "option type %d unknown", (int)opt->type);
	return JWTC_ERR_INTERNAL;
}

/* Move v into the field at base; the old value there is freed. */
static void
store_value(const jwtc_option *opt, const struct field *f, void *base,
    struct value *v)
{
	char *p = (char *)base + f->off;

	switch (opt->type) {
	case JWTC_OPT_STRING:
	case JWTC_OPT_PATH:
	case JWTC_OPT_URL:
	case JWTC_OPT_PROXY:
	case JWTC_OPT_CLAIMNAME:
		free(*(char **)(void *)p);
		*(char **)(void *)p = v->str;
		v->str = NULL;
		break;
	case JWTC_OPT_SECONDS:
	case JWTC_OPT_SIZE:
		*(long *)(void *)p = v->num;
		break;
	case JWTC_OPT_BOOL:
		*(bool *)(void *)p = v->flag;
		break;
	case JWTC_OPT_LIST:
		list_clear((jwtc_list *)(void *)p);
		*(jwtc_list *)(void *)p = v->list;
		v->list.n = 0;
		v->list.v = NULL;
		break;
	case JWTC_OPT_ALGS:
		*(unsigned *)(void *)p = v->algs;
		break;
	case JWTC_OPT_CLAIMVALUES:
		claim_values_free(*(jwtc_claim_value **)(void *)p,
		    *(size_t *)(void *)((char *)base + f->off_n));
		*(jwtc_claim_value **)(void *)p = v->cv;
		*(size_t *)(void *)((char *)base + f->off_n) = v->n_cv;
		v->cv = NULL;
		v->n_cv = 0;
		break;
	}
}

static jwtc_rc
copy_list(const jwtc_list *src, jwtc_list *dst)
{
	jwtc_list l = { 0, NULL };
	jwtc_rc rc = JWTC_ERR_NO_MEMORY;

	if (src->n == 0) {
		*dst = l;
		return JWTC_OK;
	}
	l.v = calloc(src->n, sizeof(*l.v));
	if (l.v == NULL)
		goto out;
	for (l.n = 0; l.n < src->n; l.n++) {
		l.v[l.n] = jwtc_strdup(src->v[l.n]);
		if (l.v[l.n] == NULL)
			goto out;
	}
	*dst = l;
	l.v = NULL;
	l.n = 0;
	rc = JWTC_OK;
 out:
	list_clear(&l);
	return rc;
}

/* A deep copy of the field of src as a value to store. */
static jwtc_rc
copy_value(const jwtc_option *opt, const struct field *f, const void *src,
    struct value *v)
{
	const char *p = (const char *)src + f->off;
	const jwtc_claim_value *cv;
	size_t n, i;

	switch (opt->type) {
	case JWTC_OPT_STRING:
	case JWTC_OPT_PATH:
	case JWTC_OPT_URL:
	case JWTC_OPT_PROXY:
	case JWTC_OPT_CLAIMNAME:
		if (*(char *const *)(const void *)p == NULL)
			return JWTC_OK;
		v->str = jwtc_strdup(*(char *const *)(const void *)p);
		return v->str == NULL ? JWTC_ERR_NO_MEMORY : JWTC_OK;
	case JWTC_OPT_SECONDS:
	case JWTC_OPT_SIZE:
		v->num = *(const long *)(const void *)p;
		return JWTC_OK;
	case JWTC_OPT_BOOL:
		v->flag = *(const bool *)(const void *)p;
		return JWTC_OK;
	case JWTC_OPT_LIST:
		return copy_list((const jwtc_list *)(const void *)p, &v->list);
	case JWTC_OPT_ALGS:
		v->algs = *(const unsigned *)(const void *)p;
		return JWTC_OK;
	case JWTC_OPT_CLAIMVALUES:
		cv = *(jwtc_claim_value *const *)(const void *)p;
		n = *(const size_t *)(const void *)((const char *)src +
		    f->off_n);
		if (n == 0)
			return JWTC_OK;
		v->cv = calloc(n, sizeof(*v->cv));
		if (v->cv == NULL)
			return JWTC_ERR_NO_MEMORY;
		for (i = 0; i < n; i++) {
			v->n_cv = i + 1;
			v->cv[i].name = jwtc_strdup(cv[i].name);
			v->cv[i].value = jwtc_strdup(cv[i].value);
			if (v->cv[i].name == NULL || v->cv[i].value == NULL)
				return JWTC_ERR_NO_MEMORY;
		}
		return JWTC_OK;
	}
	return JWTC_ERR_INTERNAL;
}

/* ---- sections --------------------------------------------------------- */

static void
section_clear(jwtc_issuer_cfg *s)
{
	free(s->name);
	free(s->ca_file);
	free(s->http_proxy);
	free(s->issuer);
	free(s->discovery_url);
	free(s->jwks_uri);
	free(s->jwks_file);
	list_clear(&s->audience);
	free(s->hmac_secret_file);
	free(s->username_claim);
	free(s->username_domain);
	free(s->groups_claim);
	list_clear(&s->allowed_groups);
	list_clear(&s->required_scope);
	list_clear(&s->token_types);
	list_clear(&s->required_claims);
	claim_values_free(s->claim_values, s->n_claim_values);
	free(s->x5c_ca_file);
	memset(s, 0, sizeof(*s));
}

/*
 * Set opt to text in sec (the global template or an issuer section).
 * where names the source in messages.  When explicit, the key is recorded
 * as set in the section and setting it twice is an error; defaults are
 * not explicit.
 */
static jwtc_rc
set_value(jwtc_config *cfg, jwtc_issuer_cfg *sec, const char *key,
    const char *text, const char *seps, const char *where, bool explicit,
    jwtc_error *err)
{
	char problem[PROBLEM_MAX], label[SECTION_HEADER_MAX], kbuf[SHOW_MAX + 8];
	const jwtc_option *opt;
	const struct field *f;
	struct value v;
	bool global = sec == &cfg->global;
	jwtc_rc rc;

	memset(&v, 0, sizeof(v));
	opt = jwtc_option_find(key);
	if (opt == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: unknown key '%s'",
		    where, show(kbuf, sizeof(kbuf), key));
		goto out;
	}
	f = field_of(opt);
	if (f == NULL || (f->home == IN_CONFIG) !=
	    (opt->scope == JWTC_SCOPE_GLOBAL)) {
		rc = jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "%s: key '%s': no place to store it", where, key);
		goto out;
	}
	if (opt->scope == JWTC_SCOPE_GLOBAL && !global) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key '%s': only "
		    "allowed in [global], not in %s", where, key,
		    section_label(sec, label, sizeof(label)));
		goto out;
	}
	if (opt->scope == JWTC_SCOPE_ISSUER && global) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key '%s': only "
		    "allowed in an issuer section, not in [global]", where,
		    key);
		goto out;
	}
	if (explicit && (sec->set & opt_bit(opt)) != 0) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key '%s': "
		    "duplicate key in %s", where, key,
		    section_label(sec, label, sizeof(label)));
		goto out;
	}
	if (text[0] == '\0') {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: key '%s': empty value", where, key);
		goto out;
	}
	if (strnlen(text, JWTC_MAX_CONFIG_LINE + 1) > JWTC_MAX_CONFIG_LINE) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key '%s': value "
		    "longer than %d bytes", where, key, JWTC_MAX_CONFIG_LINE);
		goto out;
	}
	if (has_ctl(text)) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key '%s': value "
		    "contains a control character", where, key);
		goto out;
	}
	problem[0] = '\0';
	rc = parse_value(opt, f, text, seps, &v, problem, sizeof(problem));
	if (rc == JWTC_ERR_NO_MEMORY) {
		rc = jwtc_seterr(err, rc, "%s: key '%s': out of memory",
		    where, key);
		goto out;
	}
	if (rc != JWTC_OK) {
		rc = jwtc_seterr(err, rc, "%s: key '%s': %s", where, key,
		    problem);
		goto out;
	}
	store_value(opt, f, f->home == IN_CONFIG ? (void *)cfg : (void *)sec,
	    &v);
	if (explicit)
		sec->set |= opt_bit(opt);
	rc = JWTC_OK;
 out:
	value_clear(&v);
	return rc;
}

/* Apply the table's defaults for the keys that live in sec. */
static jwtc_rc
apply_defaults(jwtc_config *cfg, jwtc_issuer_cfg *sec, jwtc_error *err)
{
	bool global = sec == &cfg->global;
	const jwtc_option *opt;
	size_t i;
	jwtc_rc rc;

	for (i = 0; i < jwtc_n_options; i++) {
		opt = &jwtc_options[i];
		if (opt->def == NULL ||
		    (global && opt->scope == JWTC_SCOPE_ISSUER) ||
		    (!global && opt->scope != JWTC_SCOPE_ISSUER))
			continue;
		rc = set_value(cfg, sec, opt->name, opt->def, " ",
		    "built-in default", false, err);
		if (rc == JWTC_ERR_CONFIG)
			rc = jwtc_seterr(err, JWTC_ERR_INTERNAL, "built-in "
			    "default of key '%s' is invalid", opt->name);
		if (rc != JWTC_OK)
			return rc;
	}
	return JWTC_OK;
}

static jwtc_issuer_cfg *
find_issuer(jwtc_config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->n_issuers; i++) {
		if (strlen(cfg->issuers[i].name) == len &&
		    memcmp(cfg->issuers[i].name, name, len) == 0)
			return &cfg->issuers[i];
	}
	return NULL;
}

/* Append an issuer section with its defaults; *out is its index. */
static jwtc_rc
add_issuer(jwtc_config *cfg, const char *name, size_t len, unsigned line,
    const char *where, size_t *out, jwtc_error *err)
{
	jwtc_issuer_cfg *v, *sec;
	jwtc_rc rc;

	if (cfg->n_issuers >= JWTC_MAX_ISSUERS)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: more than %d "
		    "issuer sections", where, JWTC_MAX_ISSUERS);
	v = realloc(cfg->issuers, (cfg->n_issuers + 1) * sizeof(*v));
	if (v == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "%s: out of memory", where);
	cfg->issuers = v;
	sec = &cfg->issuers[cfg->n_issuers];
	memset(sec, 0, sizeof(*sec));
	sec->max_token_age = -1;
	sec->line = line;
	sec->name = jwtc_strndup(name, len);
	if (sec->name == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "%s: out of memory", where);
	rc = apply_defaults(cfg, sec, err);
	if (rc != JWTC_OK) {
		section_clear(sec);
		return rc;
	}
	*out = cfg->n_issuers++;
	return JWTC_OK;
}

/* ---- public: building a configuration ----------------------------------- */

jwtc_rc
jwtc_config_new(jwtc_config **out, jwtc_error *err)
{
	jwtc_config *cfg = NULL;
	jwtc_rc rc;

	if (out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "config_new: missing argument");
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	cfg->global.max_token_age = -1;
	rc = apply_defaults(cfg, &cfg->global, err);
	if (rc != JWTC_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
 out:
	jwtc_config_free(cfg);
	return rc;
}

void
jwtc_config_free(jwtc_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_issuers; i++)
		section_clear(&cfg->issuers[i]);
	free(cfg->issuers);
	section_clear(&cfg->global);
	free(cfg->path);
	free(cfg->cache_dir);
	free(cfg->state_dir);
	free(cfg);
}

jwtc_rc
jwtc_config_set(jwtc_config *cfg, const char *section, const char *key,
    const char *value, const char *seps, const char *where, jwtc_error *err)
{
	char sbuf[SHOW_MAX + 8];
	jwtc_issuer_cfg *sec;
	size_t idx, len;
	bool created = false;
	jwtc_rc rc;

	if (cfg == NULL || key == NULL || value == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "config_set: missing argument");
	if (seps == NULL || seps[0] == '\0')
		seps = " ";
	if (where == NULL)
		where = "configuration";
	if (section == NULL) {
		sec = &cfg->global;
	} else {
		len = strnlen(section, SECTION_NAME_MAX + 1);
		if (len > SECTION_NAME_MAX ||
		    !valid_section_name(section, len))
			return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: bad "
			    "section name '%s' (letters, digits, '.', '_', "
			    "'-')", where, show(sbuf, sizeof(sbuf), section));
		sec = find_issuer(cfg, section, len);
		if (sec == NULL) {
			rc = add_issuer(cfg, section, len, 0, where, &idx,
			    err);
			if (rc != JWTC_OK)
				return rc;
			sec = &cfg->issuers[idx];
			created = true;
		}
	}
	rc = set_value(cfg, sec, key, value, seps, where, true, err);
	if (rc == JWTC_OK) {
		cfg->finished = false;
	} else if (created) {
		/* a refused setting leaves no empty section behind */
		section_clear(sec);
		cfg->n_issuers--;
	}
	return rc;
}

/* ---- the file format ------------------------------------------------------ */

enum { CUR_NONE = -2, CUR_GLOBAL = -1 };

struct parser {
	jwtc_config *cfg;
	const char *name;      /* for messages */
	unsigned line;
	long cur;              /* CUR_NONE, CUR_GLOBAL or an issuer index */
	bool seen_global;
	char where[WHERE_MAX];
};

static jwtc_rc
parse_header(struct parser *p, const char *t, size_t len, jwtc_error *err)
{
	char sbuf[SHOW_MAX + 8];
	const char *name;
	size_t nlen, idx;
	jwtc_rc rc;

	if (len == 8 && memcmp(t, "[global]", 8) == 0) {
		if (p->seen_global)
			return jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "%s: duplicate section [global]", p->where);
		if (p->cfg->n_issuers > 0)
			return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: [global] "
			    "must come before any issuer section", p->where);
		p->seen_global = true;
		p->cfg->global.line = p->line;
		p->cur = CUR_GLOBAL;
		return JWTC_OK;
	}
	name = t + 8;
	nlen = len >= 9 ? len - 9 : 0;
	if (len < 9 || memcmp(t, "[issuer ", 8) != 0 || t[len - 1] != ']' ||
	    nlen > SECTION_NAME_MAX || !valid_section_name(name, nlen))
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: bad section "
		    "header '%s' (expected [global] or [issuer NAME], NAME of "
		    "letters, digits, '.', '_', '-')", p->where,
		    show(sbuf, sizeof(sbuf), t));
	if (find_issuer(p->cfg, name, nlen) != NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: duplicate "
		    "section %s", p->where, show(sbuf, sizeof(sbuf), t));
	rc = add_issuer(p->cfg, name, nlen, p->line, p->where, &idx, err);
	if (rc != JWTC_OK)
		return rc;
	p->cur = (long)idx;
	return JWTC_OK;
}

static char *
trim(char *s)
{
	size_t n;

	while (is_ws(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_ws(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static jwtc_rc
parse_line(struct parser *p, const char *raw, size_t rawlen, jwtc_error *err)
{
	char buf[JWTC_MAX_CONFIG_LINE + 1], kbuf[SHOW_MAX + 8];
	char *t, *eq, *key, *value;
	jwtc_issuer_cfg *sec;

	snprintf(p->where, sizeof(p->where), "%s:%u", p->name, p->line);
	if (rawlen > JWTC_MAX_CONFIG_LINE)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: line longer "
		    "than %d bytes", p->where, JWTC_MAX_CONFIG_LINE);
	if (memchr(raw, '\0', rawlen) != NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: NUL byte in line", p->where);
	memcpy(buf, raw, rawlen);
	buf[rawlen] = '\0';
	t = trim(buf);
	if (t[0] == '\0' || t[0] == '#' || t[0] == ';')
		return JWTC_OK;
	if (t[0] == '[')
		return parse_header(p, t, strlen(t), err);
	eq = strchr(t, '=');
	if (eq == NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: expected "
		    "'key = value' or a section header, got '%s'", p->where,
		    show(kbuf, sizeof(kbuf), t));
	*eq = '\0';
	key = trim(t);
	value = trim(eq + 1);
	if (key[0] == '\0')
		return jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: missing key before '='", p->where);
	if (p->cur == CUR_NONE)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key '%s' outside "
		    "a section ([global] or [issuer NAME] must come first)",
		    p->where, show(kbuf, sizeof(kbuf), key));
	sec = p->cur == CUR_GLOBAL ? &p->cfg->global :
	    &p->cfg->issuers[p->cur];
	return set_value(p->cfg, sec, key, value, " ", p->where, true, err);
}

jwtc_rc
jwtc_config_parse(const char *name, const char *buf, size_t len,
    jwtc_config **out, jwtc_error *err)
{
	struct parser p;
	const char *nl;
	size_t pos = 0, linelen;
	jwtc_config *cfg = NULL;
	jwtc_rc rc = JWTC_ERR_INTERNAL;

	if (out == NULL || (buf == NULL && len != 0))
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "config_parse: missing argument");
	if (name == NULL)
		name = "configuration";
	if (len > JWTC_MAX_CONFIG_SIZE)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: larger than %d "
		    "bytes", name, JWTC_MAX_CONFIG_SIZE);
	rc = jwtc_config_new(&cfg, err);
	if (rc != JWTC_OK)
		goto out;
	cfg->path = jwtc_strdup(name);
	if (cfg->path == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = name;
	p.cur = CUR_NONE;
	while (pos < len) {
		if (p.line == UINT_MAX) {
			rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "%s: too many lines", name);
			goto out;
		}
		p.line++;
		nl = memchr(buf + pos, '\n', len - pos);
		linelen = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		rc = parse_line(&p, buf + pos, linelen, err);
		if (rc != JWTC_OK)
			goto out;
		pos += linelen + (nl != NULL ? 1 : 0);
	}
	rc = jwtc_config_finish(cfg, err);
	if (rc != JWTC_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
 out:
	jwtc_config_free(cfg);
	return rc;
}

jwtc_rc
jwtc_config_load(const char *path, jwtc_config **out, jwtc_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	jwtc_rc rc;

	if (path == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "config_load: missing argument");
	rc = jwtc_read_trusted_file(path, JWTC_MAX_CONFIG_SIZE, false, &buf,
	    &len, err);
	if (rc != JWTC_OK)
		goto out;
	rc = jwtc_config_parse(path, buf, len, out, err);
 out:
	free(buf);
	return rc;
}

/* ---- cross-key rules ------------------------------------------------------ */

/* "file:line: [issuer NAME]" (or less, when there is no file or line). */
static const char *
section_where(const jwtc_config *cfg, const jwtc_issuer_cfg *sec,
    char *buf, size_t len)
{
	char label[SECTION_HEADER_MAX];

	section_label(sec, label, sizeof(label));
	if (cfg->path != NULL && sec->line > 0)
		snprintf(buf, len, "%s:%u: %s", cfg->path, sec->line, label);
	else if (cfg->path != NULL)
		snprintf(buf, len, "%s: %s", cfg->path, label);
	else
		snprintf(buf, len, "%s", label);
	return buf;
}

static jwtc_rc
check_ttls(const jwtc_config *cfg, const jwtc_issuer_cfg *sec,
    jwtc_error *err)
{
	char w[WHERE_MAX];

	if (sec->cache_ttl_min > sec->cache_ttl_default)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key "
		    "'cache_ttl_min' (%ld) greater than 'cache_ttl_default' "
		    "(%ld)", section_where(cfg, sec, w, sizeof(w)),
		    sec->cache_ttl_min, sec->cache_ttl_default);
	if (sec->cache_ttl_default > sec->cache_ttl_max)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key "
		    "'cache_ttl_default' (%ld) greater than 'cache_ttl_max' "
		    "(%ld)", section_where(cfg, sec, w, sizeof(w)),
		    sec->cache_ttl_default, sec->cache_ttl_max);
	return JWTC_OK;
}

/* Copy [global] values into sec for the keys sec did not set. */
static jwtc_rc
resolve_section(const jwtc_config *cfg, jwtc_issuer_cfg *sec,
    jwtc_error *err)
{
	const jwtc_option *opt;
	const struct field *f;
	struct value v;
	size_t i;
	jwtc_rc rc = JWTC_OK;

	for (i = 0; i < jwtc_n_options && rc == JWTC_OK; i++) {
		opt = &jwtc_options[i];
		if (opt->scope != JWTC_SCOPE_BOTH ||
		    (sec->set & opt_bit(opt)) != 0)
			continue;
		f = field_of(opt);
		if (f == NULL)
			return jwtc_seterr(err, JWTC_ERR_INTERNAL,
			    "key '%s': no place to store it", opt->name);
		memset(&v, 0, sizeof(v));
		rc = copy_value(opt, f, &cfg->global, &v);
		if (rc == JWTC_OK)
			store_value(opt, f, sec, &v);
		else
			rc = jwtc_seterr(err, rc, "out of memory");
		value_clear(&v);
	}
	return rc;
}

static jwtc_rc
check_section(const jwtc_config *cfg, const jwtc_issuer_cfg *sec,
    jwtc_error *err)
{
	char w[WHERE_MAX], sbuf[SHOW_MAX + 8];
	const jwtc_option *opt;
	size_t i;
	jwtc_rc rc;

	section_where(cfg, sec, w, sizeof(w));
	for (i = 0; i < jwtc_n_options; i++) {
		opt = &jwtc_options[i];
		if (opt->required && (sec->set & opt_bit(opt)) == 0)
			return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: missing "
			    "required key '%s'", w, opt->name);
	}
	rc = check_ttls(cfg, sec, err);
	if (rc != JWTC_OK)
		return rc;
	if (sec->jwks_file == NULL && sec->hmac_secret_file == NULL &&
	    !https_url(sec->issuer))
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key 'issuer': "
		    "'%s' is not an https:// URL (required unless jwks_file "
		    "or hmac_secret_file is set)", w,
		    show(sbuf, sizeof(sbuf), sec->issuer));
	if ((sec->algorithms & JWTC_ALGS_HMAC) != 0 &&
	    sec->hmac_secret_file == NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key 'algorithms' "
		    "lists HS256, HS384 or HS512 but hmac_secret_file is not "
		    "set", w);
	if (sec->hmac_secret_file != NULL &&
	    (sec->algorithms & JWTC_ALGS_HMAC) == 0)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key "
		    "'hmac_secret_file' is set but 'algorithms' lists none of "
		    "HS256, HS384, HS512", w);
	if (sec->jwks_file != NULL && sec->jwks_uri != NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: key 'jwks_uri': "
		    "not allowed together with jwks_file (a local JWKS never "
		    "uses the network)", w);
	return JWTC_OK;
}

jwtc_rc
jwtc_config_finish(jwtc_config *cfg, jwtc_error *err)
{
	size_t i;
	jwtc_rc rc;

	if (cfg == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "config_finish: missing argument");
	if (cfg->finished)
		return JWTC_OK;
	if (cfg->n_issuers == 0)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: no [issuer ...] "
		    "section", cfg->path != NULL ? cfg->path :
		    "configuration");
	rc = check_ttls(cfg, &cfg->global, err);
	if (rc != JWTC_OK)
		return rc;
	for (i = 0; i < cfg->n_issuers; i++) {
		rc = resolve_section(cfg, &cfg->issuers[i], err);
		if (rc != JWTC_OK)
			return rc;
		rc = check_section(cfg, &cfg->issuers[i], err);
		if (rc != JWTC_OK)
			return rc;
	}
	cfg->finished = true;
	return JWTC_OK;
}

size_t
jwtc_config_count(const jwtc_config *cfg)
{
	return cfg == NULL ? 0 : cfg->n_issuers;
}

const char *
jwtc_config_section(const jwtc_config *cfg, size_t i)
{
	return cfg == NULL || i >= cfg->n_issuers ? NULL :
	    cfg->issuers[i].name;
}
