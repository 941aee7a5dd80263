/*
 * options.c - the option table: one row per configuration key.
 *
 * This table is the single source for what the configuration file, the
 * module arguments and the documentation accept: the key's name, the type
 * of its value, where it may appear, its default (as text, parsed by the
 * same code as a value from the file), the range of numbers, whether an
 * issuer section must set it, and one line of documentation.
 *
 * The table is sorted by name.  A row's index is the bit that records, in
 * jwtc_issuer_cfg.set, that the key was set explicitly in that section:
 * (uint64_t)1 << (opt - jwtc_options).  The index of each row is noted in
 * the comment before it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef JWTC_LOCALSTATEDIR
#define JWTC_LOCALSTATEDIR "/var"
#endif

const jwtc_option jwtc_options[] = {
	/* 0 */
	{ "algorithms", JWTC_OPT_ALGS, JWTC_SCOPE_ISSUER,
	  "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA",
	  0, 0, false,
	  "the only algorithms accepted; none is never accepted; "
	  "HS256/HS384/HS512 only together with hmac_secret_file" },
	/* 1 */
	{ "allowed_groups", JWTC_OPT_LIST, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "when set, the token must carry at least one of these groups" },
	/* 2 */
	{ "audience", JWTC_OPT_LIST, JWTC_SCOPE_ISSUER, NULL, 0, 0, true,
	  "tokens must carry at least one of these in aud (string or array)" },
	/* 3 */
	{ "ca_file", JWTC_OPT_PATH, JWTC_SCOPE_BOTH, NULL, 0, 0, false,
	  "CA bundle for HTTPS to the issuer (default: the system trust "
	  "store)" },
	/* 4 */
	{ "cache_dir", JWTC_OPT_PATH, JWTC_SCOPE_GLOBAL,
	  JWTC_LOCALSTATEDIR "/cache/jwt-auth", 0, 0, false,
	  "where fetched discovery documents and JWKS are kept, shared by "
	  "every process on the host" },
	/* 5 */
	{ "cache_ttl_default", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "3600",
	  1, 604800, false,
	  "seconds fetched keys count as fresh when the issuer sends no "
	  "max-age (1-604800)" },
	/* 6 */
	{ "cache_ttl_max", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "86400",
	  1, 604800, false,
	  "upper clamp in seconds of the issuer's max-age (1-604800)" },
	/* 7 */
	{ "cache_ttl_min", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "300",
	  1, 604800, false,
	  "lower clamp in seconds of the issuer's max-age (1-604800)" },
	/* 8 */
	{ "claim_values", JWTC_OPT_CLAIMVALUES, JWTC_SCOPE_ISSUER, NULL,
	  0, 0, false,
	  "NAME=VALUE pairs: each claim must equal VALUE, or contain it when "
	  "it is an array" },
	/* 9 */
	{ "discovery_url", JWTC_OPT_URL, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "https:// URL of the discovery document (default: issuer + "
	  "/.well-known/openid-configuration)" },
	/* 10 */
	{ "groups_claim", JWTC_OPT_CLAIMNAME, JWTC_SCOPE_ISSUER, "groups",
	  0, 0, false,
	  "claim holding the token's groups (array of strings or a "
	  "space-separated string)" },
	/* 11 */
	{ "hmac_secret_file", JWTC_OPT_PATH, JWTC_SCOPE_ISSUER, NULL,
	  0, 0, false,
	  "a local HMAC secret, one line of base64url, not readable by "
	  "others" },
	/* 12 */
	{ "http_proxy", JWTC_OPT_PROXY, JWTC_SCOPE_BOTH, NULL, 0, 0, false,
	  "proxy for fetches; proxy variables in the environment are "
	  "ignored" },
	/* 13 */
	{ "http_timeout", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "5", 1, 60, false,
	  "seconds for one whole key refresh (1-60)" },
	/* 14 */
	{ "issuer", JWTC_OPT_STRING, JWTC_SCOPE_ISSUER, NULL, 0, 0, true,
	  "the exact iss value; an https:// URL unless jwks_file or "
	  "hmac_secret_file is set" },
	/* 15 */
	{ "jwks_file", JWTC_OPT_PATH, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "a local JWKS: the issuer then never uses the network" },
	/* 16 */
	{ "jwks_uri", JWTC_OPT_URL, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "https:// URL of the JWKS; set it to skip discovery" },
	/* 17 */
	{ "kid_refetch_interval", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "60",
	  1, 3600, false,
	  "at most one refetch per issuer in this many seconds for an "
	  "unknown kid (1-3600)" },
	/* 18 */
	{ "leeway", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "60", 0, 600, false,
	  "seconds of clock skew allowed on exp, nbf, iat and max_token_age "
	  "(0-600)" },
	/* 19 */
	{ "max_token_age", JWTC_OPT_SECONDS, JWTC_SCOPE_ISSUER, NULL,
	  0, 31536000, false,
	  "seconds (0-31536000, none by default); iat must be present and "
	  "now - iat <= max_token_age + leeway" },
	/* 20 */
	{ "max_token_size", JWTC_OPT_SIZE, JWTC_SCOPE_GLOBAL, "16384",
	  JWTC_MAX_TOKEN_SIZE_MIN, JWTC_MAX_TOKEN_SIZE_MAX, false,
	  "bytes (1024-65536); longer input is rejected before any parsing" },
	/* 21 */
	{ "replay_protection", JWTC_OPT_BOOL, JWTC_SCOPE_ISSUER, "no",
	  0, 0, false,
	  "yes: a token's jti is accepted once on this host until the token "
	  "expires" },
	/* 22 */
	{ "required_claims", JWTC_OPT_LIST, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "claims that must be present (exp is always required)" },
	/* 23 */
	{ "required_scope", JWTC_OPT_LIST, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "every one of these must appear in scope or scp" },
	/* 24 */
	{ "stale_max", JWTC_OPT_SECONDS, JWTC_SCOPE_BOTH, "86400",
	  0, 2592000, false,
	  "seconds past freshness cached keys still serve while the issuer "
	  "cannot be reached (0-2592000)" },
	/* 25 */
	{ "state_dir", JWTC_OPT_PATH, JWTC_SCOPE_GLOBAL,
	  JWTC_LOCALSTATEDIR "/lib/jwt-auth", 0, 0, false,
	  "where replay_protection records used jti values" },
	/* 26 */
	{ "token_types", JWTC_OPT_LIST, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "allowed typ header values (case-insensitive, optional "
	  "application/ prefix); default any" },
	/* 27 */
	{ "username_claim", JWTC_OPT_CLAIMNAME, JWTC_SCOPE_ISSUER, "sub",
	  0, 0, false,
	  "the claim that names the local user" },
	/* 28 */
	{ "username_domain", JWTC_OPT_STRING, JWTC_SCOPE_ISSUER, NULL,
	  0, 0, false,
	  "when set, the user claim must be user@DOMAIN; the user is the part "
	  "before @" },
	/* 29 */
	{ "x5c_ca_file", JWTC_OPT_PATH, JWTC_SCOPE_ISSUER, NULL, 0, 0, false,
	  "when set, only keys whose x5c chain verifies to this CA are used" },
};

/* Each row needs a bit in jwtc_issuer_cfg.set. */
_Static_assert(sizeof(jwtc_options) / sizeof(jwtc_options[0]) <= 64,
    "too many options for the set mask");

const size_t jwtc_n_options = sizeof(jwtc_options) / sizeof(jwtc_options[0]);

static int
option_cmp(const void *key, const void *elem)
{
	const jwtc_option *o = elem;

	return strcmp(key, o->name);
}

const jwtc_option *
jwtc_option_find(const char *name)
{
	if (name == NULL)
		return NULL;
	return bsearch(name, jwtc_options, jwtc_n_options,
	    sizeof(jwtc_options[0]), option_cmp);
}
