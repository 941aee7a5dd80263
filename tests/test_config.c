/*
 * test_config.c - the configuration file, module-style settings, the
 * option table and the trust rules for the files the configuration reads.
 *
 * Most cases are refusals: each breaks one rule once and checks both the
 * result and the words of the message (the line and the key).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "internal.h"

#ifndef JWTC_LOCALSTATEDIR
#define JWTC_LOCALSTATEDIR "/var"
#endif

#define HDR "[issuer corp]\n"
#define ISS "issuer = https://idp.example.com\n"
#define AUD "audience = api\n"
#define BASE HDR ISS AUD        /* lines 1-3: the next line is line 4 */

#define A16 "aaaaaaaaaaaaaaaa"
#define A64 A16 A16 A16 A16

/* ---- helpers ------------------------------------------------------------ */

static void
expect_error(jwtc_rc rc, const jwtc_error *err, const char *w1,
    const char *w2)
{
	if (rc != JWTC_ERR_CONFIG || strstr(err->msg, w1) == NULL ||
	    (w2 != NULL && strstr(err->msg, w2) == NULL))
		print_error("rc %d, message '%s'; wanted '%s' and '%s'\n",
		    (int)rc, err->msg, w1, w2 != NULL ? w2 : "");
	assert_int_equal(rc, JWTC_ERR_CONFIG);
	assert_int_equal(err->rc, JWTC_ERR_CONFIG);
	assert_non_null(strstr(err->msg, w1));
	if (w2 != NULL)
		assert_non_null(strstr(err->msg, w2));
}

static void
parse_fails(const char *text, size_t len, const char *w1, const char *w2)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	rc = jwtc_config_parse("t.conf", text, len, &cfg, &err);
	expect_error(rc, &err, w1, w2);
	assert_null(cfg);
}

static jwtc_config *
parse_ok(const char *text, size_t len)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	rc = jwtc_config_parse("t.conf", text, len, &cfg, &err);
	if (rc != JWTC_OK)
		print_error("unexpected refusal: %s\n", err.msg);
	assert_int_equal(rc, JWTC_OK);
	assert_non_null(cfg);
	assert_true(cfg->finished);
	return cfg;
}

static jwtc_config *
parse_str_ok(const char *text)
{
	return parse_ok(text, strlen(text));
}

static const jwtc_issuer_cfg *
section_named(const jwtc_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_issuers; i++) {
		if (strcmp(cfg->issuers[i].name, name) == 0)
			return &cfg->issuers[i];
	}
	fail_msg("no section %s", name);
	return NULL;
}

static uint64_t
bit(const char *name)
{
	const jwtc_option *o = jwtc_option_find(name);

	assert_non_null(o);
	return (uint64_t)1 << (size_t)(o - jwtc_options);
}

/* ---- refusals of the file format, one rule each --------------------------- */

struct neg {
	const char *name;
	const char *text;
	size_t len;          /* 0: strlen(text) */
	const char *want1;
	const char *want2;   /* may be NULL */
};

static const struct neg negs[] = {
	/* keys */
	{ "unknown key", BASE "colour = red\n", 0,
	  "t.conf:4:", "unknown key 'colour'" },
	{ "key names are case-sensitive", BASE "Leeway = 5\n", 0,
	  "t.conf:4:", "unknown key 'Leeway'" },
	{ "duplicate key", BASE "audience = other\n", 0,
	  "t.conf:4:", "key 'audience': duplicate key in [issuer corp]" },
	{ "duplicate key in global", "[global]\nleeway = 5\nleeway = 6\n" BASE,
	  0, "t.conf:3:", "key 'leeway': duplicate key in [global]" },
	{ "duplicate key with other spacing", BASE "leeway=5\nleeway  =  5\n",
	  0, "t.conf:5:", "duplicate key" },
	/* sections */
	{ "duplicate section", BASE BASE, 0,
	  "t.conf:4:", "duplicate section [issuer corp]" },
	{ "global twice", "[global]\n[global]\n" BASE, 0,
	  "t.conf:2:", "duplicate section [global]" },
	{ "global after issuer", BASE "[global]\n", 0,
	  "t.conf:4:", "[global] must come before any issuer section" },
	{ "section name with slash", "[issuer co/rp]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header '[issuer co/rp]'" },
	{ "section name with two spaces", "[issuer  corp]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "section name with tab", "[issuer\tcorp]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "issuer section without name", "[issuer]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "issuer section with empty name", "[issuer ]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "section name too long", "[issuer " A64 "a]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "Global capitalised", "[Global]\n" BASE, 0,
	  "t.conf:1:", "bad section header '[Global]'" },
	{ "spaces inside brackets", "[ global ]\n" BASE, 0,
	  "t.conf:1:", "bad section header" },
	{ "unclosed header", "[issuer corp\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "text after header", "[issuer corp] x\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "comment after header", "[global] # defaults\n" BASE, 0,
	  "t.conf:1:", "bad section header" },
	{ "unknown section kind", "[server corp]\n" ISS AUD, 0,
	  "t.conf:1:", "bad section header" },
	{ "key outside a section", "leeway = 5\n" BASE, 0,
	  "t.conf:1:", "key 'leeway' outside a section" },
	/* lines */
	{ "NUL byte in a value", BASE "leeway = 6\0" "0\n", sizeof(BASE) + 12,
	  "t.conf:4:", "NUL byte" },
	{ "NUL byte in a comment", "# a\0b\n" BASE, 6 + sizeof(BASE) - 1,
	  "t.conf:1:", "NUL byte" },
	{ "inline # comment is part of the value",
	  BASE "leeway = 60 # one minute\n", 0,
	  "t.conf:4:", "key 'leeway': '60 # one minute' is not a whole number" },
	{ "inline ; comment is part of the value",
	  BASE "replay_protection = yes ; on\n", 0,
	  "t.conf:4:", "'yes ; on' is not yes or no" },
	{ "missing =", BASE "leeway 60\n", 0,
	  "t.conf:4:", "expected 'key = value'" },
	{ "no continuation lines", BASE "required_claims = email \\\n"
	  "    name\n", 0, "t.conf:5:", "expected 'key = value'" },
	{ "empty value", BASE "leeway =\n", 0,
	  "t.conf:4:", "key 'leeway': empty value" },
	{ "value of blanks", BASE "leeway = \t \n", 0,
	  "t.conf:4:", "key 'leeway': empty value" },
	{ "missing key", BASE "= 5\n", 0,
	  "t.conf:4:", "missing key before '='" },
	{ "control character in a value", BASE "username_claim = a\001b\n", 0,
	  "t.conf:4:", "key 'username_claim': value contains a control" },
	{ "carriage return inside a value", BASE "username_claim = a\rb\n", 0,
	  "t.conf:4:", "control character" },
	{ "tab between list items", HDR ISS "audience = api\tmail\n", 0,
	  "t.conf:3:", "key 'audience': value contains a control character" },
	{ "escape sequence in a value", BASE "groups_claim = \033[31m\n", 0,
	  "t.conf:4:", "control character" },
	/* numbers */
	{ "http_timeout below 1", BASE "http_timeout = 0\n", 0,
	  "t.conf:4:", "key 'http_timeout': '0' out of range 1-60" },
	{ "http_timeout above 60", BASE "http_timeout = 61\n", 0,
	  "t.conf:4:", "key 'http_timeout': '61' out of range 1-60" },
	{ "leeway above 600", BASE "leeway = 601\n", 0,
	  "t.conf:4:", "key 'leeway': '601' out of range 0-600" },
	{ "leeway negative", BASE "leeway = -1\n", 0,
	  "t.conf:4:", "key 'leeway': '-1' is not a whole number" },
	{ "max_token_size below 1024",
	  "[global]\nmax_token_size = 1023\n" BASE, 0,
	  "t.conf:2:", "key 'max_token_size': '1023' out of range 1024-65536" },
	{ "max_token_size above 65536",
	  "[global]\nmax_token_size = 65537\n" BASE, 0,
	  "t.conf:2:", "'65537' out of range 1024-65536" },
	{ "cache_ttl_min below 1", BASE "cache_ttl_min = 0\n", 0,
	  "t.conf:4:", "key 'cache_ttl_min': '0' out of range 1-604800" },
	{ "cache_ttl_min above 604800", BASE "cache_ttl_min = 604801\n", 0,
	  "t.conf:4:", "key 'cache_ttl_min': '604801' out of range" },
	{ "cache_ttl_default below 1", BASE "cache_ttl_default = 0\n", 0,
	  "t.conf:4:", "key 'cache_ttl_default': '0' out of range 1-604800" },
	{ "cache_ttl_default above 604800",
	  BASE "cache_ttl_default = 604801\n", 0,
	  "t.conf:4:", "key 'cache_ttl_default': '604801' out of range" },
	{ "cache_ttl_max below 1", BASE "cache_ttl_max = 0\n", 0,
	  "t.conf:4:", "key 'cache_ttl_max': '0' out of range 1-604800" },
	{ "cache_ttl_max above 604800", BASE "cache_ttl_max = 604801\n", 0,
	  "t.conf:4:", "key 'cache_ttl_max': '604801' out of range" },
	{ "stale_max above 2592000", BASE "stale_max = 2592001\n", 0,
	  "t.conf:4:", "key 'stale_max': '2592001' out of range 0-2592000" },
	{ "stale_max negative", BASE "stale_max = -1\n", 0,
	  "t.conf:4:", "key 'stale_max': '-1' is not a whole number" },
	{ "kid_refetch_interval below 1", BASE "kid_refetch_interval = 0\n", 0,
	  "t.conf:4:", "key 'kid_refetch_interval': '0' out of range 1-3600" },
	{ "kid_refetch_interval above 3600",
	  BASE "kid_refetch_interval = 3601\n", 0,
	  "t.conf:4:", "'3601' out of range 1-3600" },
	{ "max_token_age above a year", BASE "max_token_age = 31536001\n", 0,
	  "t.conf:4:", "key 'max_token_age': '31536001' out of range "
	  "0-31536000" },
	{ "max_token_age negative", BASE "max_token_age = -5\n", 0,
	  "t.conf:4:", "key 'max_token_age': '-5' is not a whole number" },
	{ "number with letters", BASE "leeway = abc\n", 0,
	  "t.conf:4:", "'abc' is not a whole number" },
	{ "number with unit", BASE "http_timeout = 5s\n", 0,
	  "t.conf:4:", "'5s' is not a whole number" },
	{ "number with exponent", BASE "leeway = 1e2\n", 0,
	  "t.conf:4:", "'1e2' is not a whole number" },
	{ "number in hex", BASE "leeway = 0x10\n", 0,
	  "t.conf:4:", "'0x10' is not a whole number" },
	{ "number with plus sign", BASE "leeway = +5\n", 0,
	  "t.conf:4:", "'+5' is not a whole number" },
	{ "number with inner space", BASE "leeway = 5 0\n", 0,
	  "t.conf:4:", "'5 0' is not a whole number" },
	{ "number with decimals", BASE "leeway = 1.5\n", 0,
	  "t.conf:4:", "'1.5' is not a whole number" },
	{ "number beyond long", BASE "leeway = 99999999999999999999999\n", 0,
	  "t.conf:4:", "'99999999999999999999999' out of range 0-600" },
	/* booleans */
	{ "bool true", BASE "replay_protection = true\n", 0,
	  "t.conf:4:", "key 'replay_protection': 'true' is not yes or no" },
	{ "bool Yes", BASE "replay_protection = Yes\n", 0,
	  "t.conf:4:", "'Yes' is not yes or no" },
	{ "bool 1", BASE "replay_protection = 1\n", 0,
	  "t.conf:4:", "'1' is not yes or no" },
	{ "bool on", BASE "replay_protection = on\n", 0,
	  "t.conf:4:", "'on' is not yes or no" },
	/* cache_ttl ordering */
	{ "cache_ttl_min above default", BASE "cache_ttl_min = 4000\n", 0,
	  "t.conf:1: [issuer corp]", "'cache_ttl_min' (4000) greater than "
	  "'cache_ttl_default' (3600)" },
	{ "cache_ttl_default above max", BASE "cache_ttl_default = 90000\n", 0,
	  "t.conf:1: [issuer corp]", "'cache_ttl_default' (90000) greater "
	  "than 'cache_ttl_max' (86400)" },
	{ "cache_ttl_max below inherited default",
	  "[global]\ncache_ttl_default = 600\n" BASE "cache_ttl_max = 500\n",
	  0, "t.conf:3: [issuer corp]", "'cache_ttl_default' (600) greater "
	  "than 'cache_ttl_max' (500)" },
	{ "cache_ttl ordering broken in global",
	  "[global]\ncache_ttl_max = 100\n" BASE, 0,
	  "t.conf:1: [global]", "'cache_ttl_default' (3600) greater than "
	  "'cache_ttl_max' (100)" },
	/* issuer */
	{ "http:// issuer", HDR "issuer = http://idp.example.com\n" AUD, 0,
	  "t.conf:1: [issuer corp]", "key 'issuer': 'http://idp.example.com' "
	  "is not an https:// URL" },
	{ "issuer that is no URL", HDR "issuer = corp\n" AUD, 0,
	  "t.conf:1: [issuer corp]", "'corp' is not an https:// URL" },
	{ "issuer https:// without host", HDR "issuer = https://\n" AUD, 0,
	  "t.conf:1:", "is not an https:// URL" },
	{ "issuer https:///path", HDR "issuer = https:///path\n" AUD, 0,
	  "t.conf:1:", "is not an https:// URL" },
	{ "issuer with a space", HDR "issuer = https://idp.example.com/a b\n"
	  AUD, 0, "t.conf:1:", "is not an https:// URL" },
	/* algorithms */
	{ "alg none", BASE "algorithms = none\n", 0,
	  "t.conf:4:", "key 'algorithms': algorithm 'none' is never accepted" },
	{ "alg NONE among others", BASE "algorithms = RS256 NONE\n", 0,
	  "t.conf:4:", "algorithm 'NONE' is never accepted" },
	{ "alg nOnE", BASE "algorithms = nOnE\n", 0,
	  "t.conf:4:", "algorithm 'nOnE' is never accepted" },
	{ "unknown alg", BASE "algorithms = RS256 XS256\n", 0,
	  "t.conf:4:", "key 'algorithms': unknown algorithm 'XS256'" },
	{ "alg names are case-sensitive", BASE "algorithms = rs256\n", 0,
	  "t.conf:4:", "unknown algorithm 'rs256'" },
	{ "algs separated by commas in the file", BASE
	  "algorithms = RS256,ES256\n", 0,
	  "t.conf:4:", "unknown algorithm 'RS256,ES256'" },
	{ "HS256 without hmac_secret_file", BASE "algorithms = HS256\n", 0,
	  "t.conf:1: [issuer corp]", "lists HS256, HS384 or HS512 but "
	  "hmac_secret_file is not set" },
	{ "HS512 among RSA algs without hmac_secret_file",
	  BASE "algorithms = RS256 HS512\n", 0,
	  "t.conf:1: [issuer corp]", "hmac_secret_file is not set" },
	{ "hmac_secret_file without HS alg",
	  BASE "hmac_secret_file = /etc/jwt/secret\n", 0,
	  "t.conf:1: [issuer corp]", "key 'hmac_secret_file' is set but "
	  "'algorithms' lists none of HS256" },
	/* paths */
	{ "relative jwks_file", BASE "jwks_file = keys.json\n", 0,
	  "t.conf:4:", "key 'jwks_file': 'keys.json' is not an absolute path" },
	{ "relative ca_file", BASE "ca_file = ./ca.pem\n", 0,
	  "t.conf:4:", "key 'ca_file': './ca.pem' is not an absolute path" },
	{ "relative x5c_ca_file", BASE "x5c_ca_file = ca.pem\n", 0,
	  "t.conf:4:", "key 'x5c_ca_file': 'ca.pem' is not an absolute" },
	{ "relative hmac_secret_file",
	  BASE "algorithms = HS256\nhmac_secret_file = secret\n", 0,
	  "t.conf:5:", "key 'hmac_secret_file': 'secret' is not an absolute" },
	{ "relative cache_dir", "[global]\ncache_dir = var/cache\n" BASE, 0,
	  "t.conf:2:", "key 'cache_dir': 'var/cache' is not an absolute" },
	{ "relative state_dir", "[global]\nstate_dir = ~/state\n" BASE, 0,
	  "t.conf:2:", "key 'state_dir': '~/state' is not an absolute" },
	/* URLs */
	{ "http:// discovery_url",
	  BASE "discovery_url = http://idp.example.com/.well-known/x\n", 0,
	  "t.conf:4:", "key 'discovery_url': 'http://idp.example.com/" },
	{ "ftp jwks_uri", BASE "jwks_uri = ftp://idp.example.com/keys\n", 0,
	  "t.conf:4:", "key 'jwks_uri': 'ftp://idp.example.com/keys' is not "
	  "an https:// URL" },
	{ "jwks_uri with a space", BASE "jwks_uri = https://a.example/k s\n",
	  0, "t.conf:4:", "is not an https:// URL" },
	{ "jwks_uri without host", BASE "jwks_uri = https://\n", 0,
	  "t.conf:4:", "key 'jwks_uri': 'https://' is not an https:// URL" },
	{ "proxy without scheme", BASE "http_proxy = proxy.example:3128\n", 0,
	  "t.conf:4:", "key 'http_proxy': 'proxy.example:3128' is not a proxy" },
	{ "proxy with ftp scheme", BASE "http_proxy = ftp://proxy.example\n", 0,
	  "t.conf:4:", "is not a proxy URL" },
	{ "jwks_file together with jwks_uri", BASE "jwks_file = /etc/k.json\n"
	  "jwks_uri = https://idp.example.com/keys\n", 0,
	  "t.conf:1: [issuer corp]", "key 'jwks_uri': not allowed together "
	  "with jwks_file" },
	/* scopes */
	{ "cache_dir in an issuer", BASE "cache_dir = /var/cache/x\n", 0,
	  "t.conf:4:", "key 'cache_dir': only allowed in [global], not in "
	  "[issuer corp]" },
	{ "state_dir in an issuer", BASE "state_dir = /var/lib/x\n", 0,
	  "t.conf:4:", "key 'state_dir': only allowed in [global]" },
	{ "max_token_size in an issuer", BASE "max_token_size = 2048\n", 0,
	  "t.conf:4:", "key 'max_token_size': only allowed in [global]" },
	{ "audience in global", "[global]\naudience = api\n" BASE, 0,
	  "t.conf:2:", "key 'audience': only allowed in an issuer section" },
	{ "issuer in global", "[global]\n" ISS BASE, 0,
	  "t.conf:2:", "key 'issuer': only allowed in an issuer section" },
	{ "algorithms in global", "[global]\nalgorithms = RS256\n" BASE, 0,
	  "t.conf:2:", "key 'algorithms': only allowed in an issuer section" },
	/* required keys and sections */
	{ "missing issuer", HDR AUD, 0,
	  "t.conf:1: [issuer corp]", "missing required key 'issuer'" },
	{ "missing audience", HDR ISS, 0,
	  "t.conf:1: [issuer corp]", "missing required key 'audience'" },
	{ "missing audience in the second section",
	  BASE "[issuer b]\n" ISS, 0,
	  "t.conf:4: [issuer b]", "missing required key 'audience'" },
	{ "empty file", "", 0, "t.conf: no [issuer ...] section", NULL },
	{ "only a global section", "[global]\nleeway = 5\n", 0,
	  "t.conf: no [issuer ...] section", NULL },
	{ "only comments", "# nothing\n; here\n\n", 0,
	  "t.conf: no [issuer ...] section", NULL },
	/* other values */
	{ "username_domain with a space",
	  BASE "username_domain = example .com\n", 0,
	  "t.conf:4:", "key 'username_domain': 'example .com' is not a domain" },
	{ "username_domain with @", BASE "username_domain = u@example.com\n", 0,
	  "t.conf:4:", "'u@example.com' is not a domain name" },
	{ "username_domain label starting with -",
	  BASE "username_domain = -bad.example\n", 0,
	  "t.conf:4:", "is not a domain name" },
	{ "username_domain with empty label", BASE "username_domain = a..b\n",
	  0, "t.conf:4:", "'a..b' is not a domain name" },
	{ "username_domain with trailing dot",
	  BASE "username_domain = example.com.\n", 0,
	  "t.conf:4:", "is not a domain name" },
	{ "username_domain with underscore",
	  BASE "username_domain = ex_ample.com\n", 0,
	  "t.conf:4:", "is not a domain name" },
	{ "claim_values without =", BASE "claim_values = azp\n", 0,
	  "t.conf:4:", "key 'claim_values': 'azp' is not NAME=VALUE" },
	{ "claim_values without name", BASE "claim_values = =x\n", 0,
	  "t.conf:4:", "'=x' is not NAME=VALUE" },
	{ "claim_values without value", BASE "claim_values = azp=\n", 0,
	  "t.conf:4:", "'azp=' is not NAME=VALUE" },
	{ "claim_values second item broken",
	  BASE "claim_values = azp=cli tid\n", 0,
	  "t.conf:4:", "'tid' is not NAME=VALUE" },
	{ "username_claim with a space", BASE "username_claim = user name\n", 0,
	  "t.conf:4:", "key 'username_claim': 'user name' is not a claim name" },
	{ "groups_claim with a space", BASE "groups_claim = a b\n", 0,
	  "t.conf:4:", "key 'groups_claim': 'a b' is not a claim name" },
};

#define N_NEGS (sizeof(negs) / sizeof(negs[0]))

static void
test_neg_row(void **state)
{
	const struct neg *n = *state;

	parse_fails(n->text, n->len != 0 ? n->len : strlen(n->text),
	    n->want1, n->want2);
}

/* ---- refusals that need generated text ------------------------------------- */

/* BASE, then "required_claims = " padded with x to a line of linelen. */
static char *
config_with_line(size_t linelen)
{
	static const char key[] = "required_claims = ";
	size_t base = sizeof(BASE) - 1, klen = sizeof(key) - 1;
	char *buf = malloc(base + linelen + 2);

	assert_non_null(buf);
	assert_true(linelen > klen);
	memcpy(buf, BASE, base);
	memcpy(buf + base, key, klen);
	memset(buf + base + klen, 'x', linelen - klen);
	buf[base + linelen] = '\n';
	buf[base + linelen + 1] = '\0';
	return buf;
}

static void
test_line_4097_refused(void **state)
{
	char *buf = config_with_line(JWTC_MAX_CONFIG_LINE + 1);

	(void)state;
	parse_fails(buf, strlen(buf), "t.conf:4:", "line longer than 4096 "
	    "bytes");
	free(buf);
}

static void
test_line_4096_accepted(void **state)
{
	char *buf = config_with_line(JWTC_MAX_CONFIG_LINE);
	jwtc_config *cfg = parse_ok(buf, strlen(buf));

	(void)state;
	assert_int_equal(cfg->issuers[0].required_claims.n, 1);
	assert_int_equal(strlen(cfg->issuers[0].required_claims.v[0]),
	    JWTC_MAX_CONFIG_LINE - strlen("required_claims = "));
	jwtc_config_free(cfg);
	free(buf);
}

/* BASE with "audience" replaced by a list of n items. */
static char *
config_with_audiences(size_t n)
{
	size_t cap = 64 + n * 8, len, i;
	char *buf = malloc(cap);

	assert_non_null(buf);
	len = (size_t)snprintf(buf, cap, "%s%saudience =", HDR, ISS);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, " a%zu", i);
	snprintf(buf + len, cap - len, "\n");
	return buf;
}

static void
test_too_many_list_items(void **state)
{
	char *buf = config_with_audiences(JWTC_MAX_LIST_ITEMS + 1);

	(void)state;
	parse_fails(buf, strlen(buf), "t.conf:3:",
	    "key 'audience': more than 64 items");
	free(buf);
}

static void
test_max_list_items_accepted(void **state)
{
	char *buf = config_with_audiences(JWTC_MAX_LIST_ITEMS);
	jwtc_config *cfg = parse_ok(buf, strlen(buf));

	(void)state;
	assert_int_equal(cfg->issuers[0].audience.n, JWTC_MAX_LIST_ITEMS);
	assert_string_equal(cfg->issuers[0].audience.v[63], "a63");
	jwtc_config_free(cfg);
	free(buf);
}

/* n issuer sections of three lines each. */
static char *
config_with_issuers(size_t n)
{
	size_t cap = 16 + n * 80, len = 0, i;
	char *buf = malloc(cap);

	assert_non_null(buf);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "[issuer s%zu]\n%s%s", i, ISS, AUD);
	return buf;
}

static void
test_too_many_issuers(void **state)
{
	char *buf = config_with_issuers(JWTC_MAX_ISSUERS + 1);

	(void)state;
	/* The 65th header is on line 64 * 3 + 1. */
	parse_fails(buf, strlen(buf), "t.conf:193:",
	    "more than 64 issuer sections");
	free(buf);
}

static void
test_max_issuers_accepted(void **state)
{
	char *buf = config_with_issuers(JWTC_MAX_ISSUERS);
	jwtc_config *cfg = parse_ok(buf, strlen(buf));

	(void)state;
	assert_int_equal(cfg->n_issuers, JWTC_MAX_ISSUERS);
	assert_string_equal(cfg->issuers[63].name, "s63");
	assert_int_equal(cfg->issuers[63].line, 190);
	jwtc_config_free(cfg);
	free(buf);
}

static void
test_text_too_large(void **state)
{
	size_t len = JWTC_MAX_CONFIG_SIZE + 1;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	memset(buf, '\n', len);
	memcpy(buf, BASE, sizeof(BASE) - 1);
	parse_fails(buf, len, "t.conf: larger than 262144 bytes", NULL);
	free(buf);
}

/* ---- accepted files ----------------------------------------------------- */

static void
test_defaults(void **state)
{
	jwtc_config *cfg = parse_str_ok(BASE);
	const jwtc_issuer_cfg *s = &cfg->issuers[0];

	(void)state;
	assert_string_equal(cfg->path, "t.conf");
	assert_string_equal(cfg->cache_dir, JWTC_LOCALSTATEDIR
	    "/cache/jwt-auth");
	assert_string_equal(cfg->state_dir, JWTC_LOCALSTATEDIR
	    "/lib/jwt-auth");
	assert_int_equal(cfg->max_token_size, 16384);
	assert_int_equal(cfg->n_issuers, 1);
	assert_string_equal(s->name, "corp");
	assert_int_equal(s->line, 1);
	assert_int_equal(s->set, bit("issuer") | bit("audience"));
	assert_string_equal(s->issuer, "https://idp.example.com");
	assert_int_equal(s->audience.n, 1);
	assert_string_equal(s->audience.v[0], "api");
	assert_int_equal(s->algorithms, JWTC_ALGS_DEFAULT);
	assert_string_equal(s->username_claim, "sub");
	assert_string_equal(s->groups_claim, "groups");
	assert_int_equal(s->max_token_age, -1);
	assert_int_equal(s->leeway, 60);
	assert_int_equal(s->http_timeout, 5);
	assert_int_equal(s->cache_ttl_min, 300);
	assert_int_equal(s->cache_ttl_default, 3600);
	assert_int_equal(s->cache_ttl_max, 86400);
	assert_int_equal(s->stale_max, 86400);
	assert_int_equal(s->kid_refetch_interval, 60);
	assert_false(s->replay_protection);
	assert_null(s->ca_file);
	assert_null(s->http_proxy);
	assert_null(s->discovery_url);
	assert_null(s->jwks_uri);
	assert_null(s->jwks_file);
	assert_null(s->hmac_secret_file);
	assert_null(s->username_domain);
	assert_null(s->x5c_ca_file);
	assert_int_equal(s->allowed_groups.n, 0);
	assert_int_equal(s->required_scope.n, 0);
	assert_int_equal(s->token_types.n, 0);
	assert_int_equal(s->required_claims.n, 0);
	assert_int_equal(s->n_claim_values, 0);
	jwtc_config_free(cfg);
}

static void
test_global_inheritance(void **state)
{
	jwtc_config *cfg = parse_str_ok(
	    "[global]\n"
	    "leeway = 30\n"
	    "http_timeout = 10\n"
	    "ca_file = /etc/ssl/corp.pem\n"
	    "http_proxy = http://proxy.example:3128\n"
	    "max_token_size = 8192\n"
	    "cache_dir = /srv/cache\n"
	    "state_dir = /srv/state\n"
	    "cache_ttl_min = 60\n"
	    "[issuer a]\n" ISS AUD
	    "leeway = 5\n"
	    "ca_file = /etc/ssl/a.pem\n"
	    "[issuer b]\n" ISS AUD);
	const jwtc_issuer_cfg *a = section_named(cfg, "a");
	const jwtc_issuer_cfg *b = section_named(cfg, "b");

	(void)state;
	assert_int_equal(cfg->max_token_size, 8192);
	assert_string_equal(cfg->cache_dir, "/srv/cache");
	assert_string_equal(cfg->state_dir, "/srv/state");
	assert_int_equal(a->leeway, 5);
	assert_int_equal(b->leeway, 30);
	assert_int_equal(a->http_timeout, 10);
	assert_int_equal(b->http_timeout, 10);
	assert_int_equal(a->cache_ttl_min, 60);
	assert_int_equal(b->cache_ttl_default, 3600);
	assert_string_equal(a->ca_file, "/etc/ssl/a.pem");
	assert_string_equal(b->ca_file, "/etc/ssl/corp.pem");
	/* a deep copy, not the global pointer */
	assert_ptr_not_equal(b->ca_file, cfg->global.ca_file);
	assert_string_equal(b->http_proxy, "http://proxy.example:3128");
	assert_int_equal(a->line, 10);
	assert_int_equal(b->line, 15);
	assert_true((a->set & bit("leeway")) != 0);
	assert_true((b->set & bit("leeway")) == 0);
	jwtc_config_free(cfg);
}

static void
test_lists_and_values(void **state)
{
	jwtc_config *cfg = parse_str_ok(
	    "[issuer x]\n"
	    "issuer = https://idp.example.com/tenant\n"
	    "discovery_url = https://idp.example.com/tenant/.well-known/"
	    "openid-configuration\n"
	    "jwks_uri = https://idp.example.com/tenant/keys\n"
	    "audience = api   mail web\n"
	    "algorithms = ES256 EdDSA HS384\n"
	    "hmac_secret_file = /etc/jwt-auth/x.secret\n"
	    "username_claim = preferred_username\n"
	    "username_domain = Example.ORG\n"
	    "groups_claim = https://example.org/groups\n"
	    "allowed_groups = admins ops\n"
	    "required_scope = login ssh\n"
	    "token_types = JWT at+jwt\n"
	    "required_claims = email jti\n"
	    "claim_values = azp=client1 email_verified=true x=a=b\n"
	    "max_token_age = 0\n"
	    "replay_protection = yes\n"
	    "x5c_ca_file = /etc/jwt-auth/ca.pem\n"
	    "stale_max = 0\n"
	    "cache_ttl_min = 1\n"
	    "cache_ttl_default = 1\n"
	    "cache_ttl_max = 1\n");
	const jwtc_issuer_cfg *s = &cfg->issuers[0];

	(void)state;
	assert_string_equal(s->discovery_url, "https://idp.example.com/tenant/"
	    ".well-known/openid-configuration");
	assert_string_equal(s->jwks_uri, "https://idp.example.com/tenant/keys");
	assert_int_equal(s->audience.n, 3);
	assert_string_equal(s->audience.v[0], "api");
	assert_string_equal(s->audience.v[1], "mail");
	assert_string_equal(s->audience.v[2], "web");
	assert_int_equal(s->algorithms, JWTC_ALG_BIT(JWTC_ALG_ES256) |
	    JWTC_ALG_BIT(JWTC_ALG_EDDSA) | JWTC_ALG_BIT(JWTC_ALG_HS384));
	assert_string_equal(s->hmac_secret_file, "/etc/jwt-auth/x.secret");
	assert_string_equal(s->username_claim, "preferred_username");
	assert_string_equal(s->username_domain, "Example.ORG");
	assert_string_equal(s->groups_claim, "https://example.org/groups");
	assert_int_equal(s->allowed_groups.n, 2);
	assert_string_equal(s->allowed_groups.v[1], "ops");
	assert_int_equal(s->required_scope.n, 2);
	assert_string_equal(s->required_scope.v[0], "login");
	assert_int_equal(s->token_types.n, 2);
	assert_string_equal(s->token_types.v[1], "at+jwt");
	assert_int_equal(s->required_claims.n, 2);
	assert_string_equal(s->required_claims.v[1], "jti");
	assert_int_equal(s->n_claim_values, 3);
	assert_string_equal(s->claim_values[0].name, "azp");
	assert_string_equal(s->claim_values[0].value, "client1");
	assert_string_equal(s->claim_values[1].name, "email_verified");
	assert_string_equal(s->claim_values[1].value, "true");
	assert_string_equal(s->claim_values[2].name, "x");
	assert_string_equal(s->claim_values[2].value, "a=b");
	assert_int_equal(s->max_token_age, 0);
	assert_true(s->replay_protection);
	assert_string_equal(s->x5c_ca_file, "/etc/jwt-auth/ca.pem");
	assert_int_equal(s->stale_max, 0);
	assert_int_equal(s->cache_ttl_min, 1);
	assert_int_equal(s->cache_ttl_max, 1);
	jwtc_config_free(cfg);
}

static void
test_hash_is_part_of_value(void **state)
{
	jwtc_config *cfg = parse_str_ok(HDR ISS
	    "audience = api#1 ;x\n"
	    "groups_claim = grp#x\n");
	const jwtc_issuer_cfg *s = &cfg->issuers[0];

	(void)state;
	assert_int_equal(s->audience.n, 2);
	assert_string_equal(s->audience.v[0], "api#1");
	assert_string_equal(s->audience.v[1], ";x");
	assert_string_equal(s->groups_claim, "grp#x");
	jwtc_config_free(cfg);
}

static void
test_syntax_tolerated(void **state)
{
	/* comments with leading blanks, ';' comments, blank lines, CRLF,
	 * tabs around '=', no newline at the end */
	jwtc_config *cfg = parse_str_ok(
	    "# jwt-auth.conf\r\n"
	    "   ; indented comment\n"
	    "\t# tab-indented comment\n"
	    "\n"
	    "   \n"
	    "[global]\r\n"
	    "leeway\t=\t10\r\n"
	    "  [issuer a.b_c-D9]  \n"
	    "issuer=https://idp.example.com\n"
	    "audience =api\r\n"
	    "replay_protection = no");
	const jwtc_issuer_cfg *s = &cfg->issuers[0];

	(void)state;
	assert_string_equal(s->name, "a.b_c-D9");
	assert_int_equal(s->line, 8);
	assert_int_equal(s->leeway, 10);
	assert_string_equal(s->issuer, "https://idp.example.com");
	assert_string_equal(s->audience.v[0], "api");
	assert_false(s->replay_protection);
	assert_int_equal(cfg->global.line, 6);
	jwtc_config_free(cfg);
}

static void
test_local_issuers(void **state)
{
	/* without network keys the issuer need not be a URL */
	jwtc_config *cfg = parse_str_ok(
	    "[issuer files]\n"
	    "issuer = corp-files\n"
	    "audience = api\n"
	    "jwks_file = /etc/jwt-auth/keys.json\n"
	    "[issuer hmac]\n"
	    "issuer = corp-hmac\n"
	    "audience = api\n"
	    "algorithms = HS256\n"
	    "hmac_secret_file = /etc/jwt-auth/secret\n"
	    "[issuer Corp]\n"
	    "issuer = https://idp.example.com\n"
	    "audience = api\n"
	    "[issuer corp]\n"
	    "issuer = https://idp.example.com\n"
	    "audience = other\n"
	    "[issuer " A64 "]\n"
	    "issuer = https://idp.example.com\n"
	    "audience = long\n");

	(void)state;
	assert_int_equal(cfg->n_issuers, 5);
	assert_int_equal(strlen(cfg->issuers[4].name), 64);
	assert_string_equal(section_named(cfg, "files")->issuer, "corp-files");
	assert_int_equal(section_named(cfg, "hmac")->algorithms,
	    JWTC_ALG_BIT(JWTC_ALG_HS256));
	/* section names are case-sensitive */
	assert_string_equal(section_named(cfg, "corp")->audience.v[0],
	    "other");
	jwtc_config_free(cfg);
}

/* ---- jwtc_config_set ------------------------------------------------------ */

static jwtc_config *
new_config(void)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_config_new(&cfg, &err), JWTC_OK);
	assert_non_null(cfg);
	return cfg;
}

static void
set_ok(jwtc_config *cfg, const char *section, const char *key,
    const char *value)
{
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	rc = jwtc_config_set(cfg, section, key, value, ",", "argument", &err);
	if (rc != JWTC_OK)
		print_error("%s=%s: %s\n", key, value, err.msg);
	assert_int_equal(rc, JWTC_OK);
}

static void
test_set_inline(void **state)
{
	jwtc_config *cfg = new_config();
	const jwtc_issuer_cfg *s;
	jwtc_error err;

	(void)state;
	memset(&err, 0, sizeof(err));
	set_ok(cfg, NULL, "leeway", "20");
	set_ok(cfg, NULL, "max_token_size", "4096");
	set_ok(cfg, "inline", "issuer", "https://idp.example.com");
	set_ok(cfg, "inline", "audience", "api,mail,,web");
	set_ok(cfg, "inline", "algorithms", "RS256,ES256");
	set_ok(cfg, "inline", "claim_values", "azp=cli,tid=t 1");
	assert_false(cfg->finished);
	assert_int_equal(jwtc_config_finish(cfg, &err), JWTC_OK);
	assert_true(cfg->finished);
	/* idempotent */
	assert_int_equal(jwtc_config_finish(cfg, &err), JWTC_OK);
	assert_int_equal(cfg->n_issuers, 1);
	s = &cfg->issuers[0];
	assert_string_equal(s->name, "inline");
	assert_int_equal(s->line, 0);
	assert_int_equal(cfg->max_token_size, 4096);
	assert_int_equal(s->leeway, 20);
	assert_int_equal(s->audience.n, 3);
	assert_string_equal(s->audience.v[2], "web");
	assert_int_equal(s->algorithms, JWTC_ALG_BIT(JWTC_ALG_RS256) |
	    JWTC_ALG_BIT(JWTC_ALG_ES256));
	assert_int_equal(s->n_claim_values, 2);
	assert_string_equal(s->claim_values[1].value, "t 1");
	assert_string_equal(s->username_claim, "sub");
	assert_int_equal(s->max_token_age, -1);

	/* a later global value reaches the section that did not set it */
	set_ok(cfg, NULL, "http_timeout", "9");
	assert_false(cfg->finished);
	assert_int_equal(jwtc_config_finish(cfg, &err), JWTC_OK);
	assert_int_equal(cfg->issuers[0].http_timeout, 9);
	jwtc_config_free(cfg);
}

static void
test_set_refusals(void **state)
{
	jwtc_config *cfg = new_config();
	jwtc_error err;
	jwtc_rc rc;
	char *big;

	(void)state;
	memset(&err, 0, sizeof(err));
	rc = jwtc_config_set(cfg, "inline", "colour", "red", ",", "argument "
	    "'colour=red'", &err);
	expect_error(rc, &err, "argument 'colour=red': unknown key 'colour'",
	    NULL);
	rc = jwtc_config_set(cfg, "inline", "leeway", "700", ",", "argument "
	    "'leeway=700'", &err);
	expect_error(rc, &err, "argument 'leeway=700': key 'leeway': '700' "
	    "out of range 0-600", NULL);
	rc = jwtc_config_set(cfg, "inline", "audience", ",,", ",", "arg",
	    &err);
	expect_error(rc, &err, "arg: key 'audience': empty list", NULL);
	rc = jwtc_config_set(cfg, "inline", "audience", "", ",", "arg", &err);
	expect_error(rc, &err, "arg: key 'audience': empty value", NULL);
	rc = jwtc_config_set(cfg, "inline", "cache_dir", "/x", ",", "arg",
	    &err);
	expect_error(rc, &err, "key 'cache_dir': only allowed in [global], "
	    "not in [issuer inline]", NULL);
	rc = jwtc_config_set(cfg, NULL, "audience", "api", ",", "arg", &err);
	expect_error(rc, &err, "key 'audience': only allowed in an issuer "
	    "section", NULL);
	rc = jwtc_config_set(cfg, "bad name", "audience", "api", ",", "arg",
	    &err);
	expect_error(rc, &err, "arg: bad section name 'bad name'", NULL);
	rc = jwtc_config_set(cfg, "", "audience", "api", ",", "arg", &err);
	expect_error(rc, &err, "bad section name", NULL);
	rc = jwtc_config_set(cfg, "inline", "algorithms", "RS256,none", ",",
	    "arg", &err);
	expect_error(rc, &err, "algorithm 'none' is never accepted", NULL);
	set_ok(cfg, "inline", "audience", "api");
	rc = jwtc_config_set(cfg, "inline", "audience", "api", ",", "arg",
	    &err);
	expect_error(rc, &err, "key 'audience': duplicate key in [issuer "
	    "inline]", NULL);
	big = malloc(JWTC_MAX_CONFIG_LINE + 2);
	assert_non_null(big);
	memset(big, 'a', JWTC_MAX_CONFIG_LINE + 1);
	big[JWTC_MAX_CONFIG_LINE + 1] = '\0';
	rc = jwtc_config_set(cfg, "inline", "required_claims", big, ",", "arg",
	    &err);
	expect_error(rc, &err, "key 'required_claims': value longer than "
	    "4096 bytes", NULL);
	free(big);
	/* the section exists but issuer is missing */
	rc = jwtc_config_finish(cfg, &err);
	expect_error(rc, &err, "[issuer inline]: missing required key "
	    "'issuer'", NULL);
	assert_false(cfg->finished);
	jwtc_config_free(cfg);

	cfg = new_config();
	rc = jwtc_config_finish(cfg, &err);
	expect_error(rc, &err, "configuration: no [issuer ...] section", NULL);
	jwtc_config_free(cfg);
	jwtc_config_free(NULL);
}

/* ---- the option table ------------------------------------------------------ */

static const char *const spec_global_keys[] = {
	"cache_dir", "state_dir", "ca_file", "http_timeout", "http_proxy",
	"leeway", "max_token_size", "cache_ttl_min", "cache_ttl_default",
	"cache_ttl_max", "stale_max", "kid_refetch_interval",
};
static const char *const spec_issuer_keys[] = {
	"issuer", "discovery_url", "jwks_uri", "jwks_file", "audience",
	"algorithms", "hmac_secret_file", "username_claim", "username_domain",
	"groups_claim", "allowed_groups", "required_scope", "token_types",
	"required_claims", "claim_values", "max_token_age",
	"replay_protection", "x5c_ca_file",
};

static void
test_table_shape(void **state)
{
	const jwtc_option *o;
	size_t i;

	(void)state;
	assert_int_equal(jwtc_n_options, sizeof(spec_global_keys) /
	    sizeof(spec_global_keys[0]) + sizeof(spec_issuer_keys) /
	    sizeof(spec_issuer_keys[0]));
	assert_true(jwtc_n_options <= 64);
	for (i = 1; i < jwtc_n_options; i++) {
		if (strcmp(jwtc_options[i - 1].name, jwtc_options[i].name) >= 0)
			fail_msg("table not sorted or not unique at %s",
			    jwtc_options[i].name);
	}
	for (i = 0; i < jwtc_n_options; i++) {
		o = &jwtc_options[i];
		assert_non_null(o->doc);
		assert_true(strlen(o->doc) > 10);
		assert_ptr_equal(jwtc_option_find(o->name), o);
		if (o->type == JWTC_OPT_SECONDS || o->type == JWTC_OPT_SIZE)
			assert_true(o->min >= 0 && o->min < o->max);
	}
	for (i = 0; i < sizeof(spec_global_keys) / sizeof(*spec_global_keys);
	    i++) {
		o = jwtc_option_find(spec_global_keys[i]);
		if (o == NULL)
			fail_msg("SPEC key %s missing", spec_global_keys[i]);
		if (strcmp(o->name, "cache_dir") == 0 ||
		    strcmp(o->name, "state_dir") == 0 ||
		    strcmp(o->name, "max_token_size") == 0)
			assert_int_equal(o->scope, JWTC_SCOPE_GLOBAL);
		else
			assert_int_equal(o->scope, JWTC_SCOPE_BOTH);
		assert_false(o->required);
	}
	for (i = 0; i < sizeof(spec_issuer_keys) / sizeof(*spec_issuer_keys);
	    i++) {
		o = jwtc_option_find(spec_issuer_keys[i]);
		if (o == NULL)
			fail_msg("SPEC key %s missing", spec_issuer_keys[i]);
		assert_int_equal(o->scope, JWTC_SCOPE_ISSUER);
		assert_int_equal(o->required, strcmp(o->name, "issuer") == 0 ||
		    strcmp(o->name, "audience") == 0);
	}
	assert_null(jwtc_option_find("nonexistent"));
	assert_null(jwtc_option_find(""));
	assert_null(jwtc_option_find(NULL));
	assert_null(jwtc_option_find("Leeway"));
	/* ranges of SPEC.md */
	o = jwtc_option_find("leeway");
	assert_int_equal(o->min, 0);
	assert_int_equal(o->max, 600);
	o = jwtc_option_find("http_timeout");
	assert_int_equal(o->min, 1);
	assert_int_equal(o->max, 60);
	o = jwtc_option_find("stale_max");
	assert_int_equal(o->max, 2592000);
	o = jwtc_option_find("max_token_size");
	assert_int_equal(o->min, 1024);
	assert_int_equal(o->max, 65536);
}

/* A value that the setter must accept for each option. */
static const char *
sample_value(const jwtc_option *o)
{
	if (o->def != NULL)
		return o->def;
	switch (o->type) {
	case JWTC_OPT_PATH:
		return "/etc/jwt-auth/sample";
	case JWTC_OPT_URL:
		return "https://idp.example.com/sample";
	case JWTC_OPT_PROXY:
		return "http://proxy.example:3128";
	case JWTC_OPT_SECONDS:
	case JWTC_OPT_SIZE:
		return "0";
	case JWTC_OPT_CLAIMVALUES:
		return "a=b";
	default:
		return "example.com";
	}
}

static void
test_table_defaults_parse(void **state)
{
	const jwtc_option *o;
	jwtc_config *cfg;
	jwtc_error err;
	jwtc_rc rc;
	size_t i;

	(void)state;
	for (i = 0; i < jwtc_n_options; i++) {
		o = &jwtc_options[i];
		cfg = new_config();
		memset(&err, 0, sizeof(err));
		rc = jwtc_config_set(cfg,
		    o->scope == JWTC_SCOPE_ISSUER ? "t" : NULL, o->name,
		    sample_value(o), " ", "default", &err);
		if (rc != JWTC_OK)
			fail_msg("%s = %s: %s", o->name, sample_value(o),
			    err.msg);
		if (o->scope == JWTC_SCOPE_ISSUER)
			assert_true((cfg->issuers[0].set & bit(o->name)) != 0);
		else
			assert_true((cfg->global.set & bit(o->name)) != 0);
		jwtc_config_free(cfg);
	}
	/* the defaults in a fresh section equal their table text */
	cfg = new_config();
	set_ok(cfg, "t", "issuer", "https://idp.example.com");
	assert_int_equal(cfg->issuers[0].algorithms, JWTC_ALGS_DEFAULT);
	assert_string_equal(cfg->issuers[0].groups_claim,
	    jwtc_option_find("groups_claim")->def);
	assert_int_equal(cfg->global.leeway,
	    strtol(jwtc_option_find("leeway")->def, NULL, 10));
	assert_int_equal(cfg->global.stale_max,
	    strtol(jwtc_option_find("stale_max")->def, NULL, 10));
	jwtc_config_free(cfg);
}

/* ---- trusted files ----------------------------------------------------- */

static char tmpdir[256];

static int
make_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (base == NULL || base[0] != '/')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/jwtc-config-XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return chmod(tmpdir, 0700);
}

static int
remove_tmpdir(void **state)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	(void)state;
	d = opendir(tmpdir);
	if (d == NULL)
		return -1;
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		if (unlink(path) != 0)
			rc = -1;
	}
	closedir(d);
	if (rmdir(tmpdir) != 0)
		rc = -1;
	return rc;
}

/* Create tmpdir/name holding text with mode; returns the path. */
static char *
make_file(const char *name, const char *text, mode_t mode)
{
	char *path = malloc(512);
	size_t len = strlen(text);
	int fd;

	assert_non_null(path);
	snprintf(path, 512, "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static void
load_fails(const char *path, const char *w1, const char *w2)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;

	memset(&err, 0, sizeof(err));
	expect_error(jwtc_config_load(path, &cfg, &err), &err, w1, w2);
	assert_null(cfg);
}

static void
read_fails(const char *path, size_t max, bool secret, const char *w1,
    const char *w2)
{
	jwtc_error err;
	char *out = NULL;
	size_t outlen = 0;

	memset(&err, 0, sizeof(err));
	expect_error(jwtc_read_trusted_file(path, max, secret, &out, &outlen,
	    &err), &err, w1, w2);
	assert_null(out);
}

static void
test_load_ok(void **state)
{
	char *path = make_file("good.conf", BASE, 0644);
	jwtc_config *cfg = NULL;
	jwtc_error err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_config_load(path, &cfg, &err), JWTC_OK);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->issuers[0].audience.v[0], "api");
	jwtc_config_free(cfg);
	free(path);
}

static void
test_load_names_file_and_line(void **state)
{
	char *path = make_file("bad.conf", BASE "leeway = 70000\n", 0644);
	char want[600];

	(void)state;
	snprintf(want, sizeof(want), "%s:4: key 'leeway': '70000' out of "
	    "range 0-600", path);
	load_fails(path, want, NULL);
	free(path);
}

static void
test_load_symlink(void **state)
{
	char *target = make_file("target.conf", BASE, 0644);
	char link[512];

	(void)state;
	snprintf(link, sizeof(link), "%s/link.conf", tmpdir);
	unlink(link);
	assert_int_equal(symlink(target, link), 0);
	load_fails(link, link, "is a symbolic link");
	free(target);
}

static void
test_load_group_writable(void **state)
{
	char *path = make_file("gw.conf", BASE, 0664);

	(void)state;
	load_fails(path, path, "writable by group");
	free(path);
}

static void
test_load_other_writable(void **state)
{
	char *path = make_file("ow.conf", BASE, 0646);

	(void)state;
	load_fails(path, path, "writable by others");
	free(path);
}

static void
test_load_directory(void **state)
{
	(void)state;
	load_fails(tmpdir, tmpdir, "is a directory");
}

static void
test_load_missing(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	load_fails(path, path, "cannot open");
}

static void
test_load_fifo(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo.conf", tmpdir);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* refused without waiting for a writer */
	load_fails(path, path, "is a named pipe");
}

static void
test_load_other_owner(void **state)
{
	char *path;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: changing a file's owner needs root\n");
		skip();
	}
	path = make_file("owner.conf", BASE, 0644);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fchown(fd, 65534, (gid_t)-1), 0);
	close(fd);
	load_fails(path, path, "owned by uid 65534");
	free(path);
}

static void
test_secret_other_readable(void **state)
{
	char *path = make_file("secret", "c2VjcmV0\n", 0644);

	(void)state;
	read_fails(path, JWTC_MAX_SECRET_FILE, true, path,
	    "readable by others");
	free(path);
}

static void
test_secret_ok(void **state)
{
	char *path = make_file("secret-ok", "c2VjcmV0\n", 0640);
	jwtc_error err;
	char *out = NULL;
	size_t outlen = 0;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_read_trusted_file(path, JWTC_MAX_SECRET_FILE,
	    true, &out, &outlen, &err), JWTC_OK);
	assert_int_equal(outlen, 9);
	assert_string_equal(out, "c2VjcmV0\n");
	free(out);
	free(path);
}

static void
test_read_size_bound(void **state)
{
	char *path = make_file("ten", "0123456789", 0600);
	jwtc_error err;
	char *out = NULL;
	size_t outlen = 0;

	(void)state;
	read_fails(path, 9, false, path, "larger than 9 bytes");
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_read_trusted_file(path, 10, false, &out,
	    &outlen, &err), JWTC_OK);
	assert_int_equal(outlen, 10);
	assert_int_equal(out[10], '\0');
	assert_memory_equal(out, "0123456789", 10);
	free(out);
	free(path);
}

static void
test_fd_trusted_dirs(void **state)
{
	char why[160];
	char *path = make_file("plain", "x", 0600);
	int fd;

	(void)state;
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(jwtc_fd_trusted(fd, true, false, why, sizeof(why)));
	assert_false(jwtc_fd_trusted(fd, false, false, why, sizeof(why)));
	assert_non_null(strstr(why, "is a directory"));
	assert_int_equal(chmod(tmpdir, 0777), 0);
	assert_false(jwtc_fd_trusted(fd, true, false, why, sizeof(why)));
	assert_non_null(strstr(why, "writable by"));
	assert_int_equal(chmod(tmpdir, 0700), 0);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_false(jwtc_fd_trusted(fd, true, false, why, sizeof(why)));
	assert_non_null(strstr(why, "not a directory"));
	assert_true(jwtc_fd_trusted(fd, false, true, why, sizeof(why)));
	close(fd);
	free(path);
}

/* ---- main ----------------------------------------------------------------- */

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_line_4097_refused),
	cmocka_unit_test(test_line_4096_accepted),
	cmocka_unit_test(test_too_many_list_items),
	cmocka_unit_test(test_max_list_items_accepted),
	cmocka_unit_test(test_too_many_issuers),
	cmocka_unit_test(test_max_issuers_accepted),
	cmocka_unit_test(test_text_too_large),
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_global_inheritance),
	cmocka_unit_test(test_lists_and_values),
	cmocka_unit_test(test_hash_is_part_of_value),
	cmocka_unit_test(test_syntax_tolerated),
	cmocka_unit_test(test_local_issuers),
	cmocka_unit_test(test_set_inline),
	cmocka_unit_test(test_set_refusals),
	cmocka_unit_test(test_table_shape),
	cmocka_unit_test(test_table_defaults_parse),
};

static const struct CMUnitTest file_tests[] = {
	cmocka_unit_test(test_load_ok),
	cmocka_unit_test(test_load_names_file_and_line),
	cmocka_unit_test(test_load_symlink),
	cmocka_unit_test(test_load_group_writable),
	cmocka_unit_test(test_load_other_writable),
	cmocka_unit_test(test_load_directory),
	cmocka_unit_test(test_load_missing),
	cmocka_unit_test(test_load_fifo),
	cmocka_unit_test(test_load_other_owner),
	cmocka_unit_test(test_secret_other_readable),
	cmocka_unit_test(test_secret_ok),
	cmocka_unit_test(test_read_size_bound),
	cmocka_unit_test(test_fd_trusted_dirs),
};

int
main(void)
{
	struct CMUnitTest negatives[N_NEGS];
	size_t i;
	int failed = 0;

	for (i = 0; i < N_NEGS; i++) {
		memset(&negatives[i], 0, sizeof(negatives[i]));
		negatives[i].name = negs[i].name;
		negatives[i].test_func = test_neg_row;
		negatives[i].initial_state = (void *)(uintptr_t)&negs[i];
	}
	failed += cmocka_run_group_tests_name("config refusals", negatives,
	    NULL, NULL);
	failed += cmocka_run_group_tests_name("config", fixed_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("trusted files", file_tests,
	    make_tmpdir, remove_tmpdir);
	return failed == 0 ? 0 : 1;
}
