/*
 * fuzz_token.c - the compact JWS splitter, strict base64url and the JSON
 * reader, as a token reaches them from a client; then the claim rules
 * (common/claims.c) of two issuer sections, one with every rule and one
 * with the fewest, applied to what parsed (the signature is not checked:
 * the rules must hold up against any claims, signed or not).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"

/* A fixed time, so that a replayed input takes the same path. */
#define NOW ((int64_t)1800000000)

static const char conf_text[] =
    "[issuer strict]\n"
    "issuer = https://idp.example\n"
    "audience = api host.example\n"
    "jwks_file = /nonexistent/jwks.json\n"
    "username_claim = preferred_username\n"
    "username_domain = example.com\n"
    "allowed_groups = admins staff\n"
    "groups_claim = groups\n"
    "required_scope = login mail\n"
    "required_claims = sub jti\n"
    "claim_values = azp=client1 email_verified=true\n"
    "token_types = JWT at+jwt\n"
    "max_token_age = 3600\n"
    "leeway = 30\n"
    "\n"
    "[issuer lax]\n"
    "issuer = https://idp.example\n"
    "audience = api\n"
    "jwks_file = /nonexistent/jwks.json\n";

static jwtc_config *cfg;

static void
rules(const jwtc_token *t)
{
	jwtc_error err;
	char *user;
	size_t i;

	for (i = 0; i < cfg->n_issuers; i++) {
		user = NULL;
		if (jwtc_claims_check(&cfg->issuers[i], t, NOW, &user, &err) ==
		    JWTC_OK) {
			if (user == NULL || user[0] == '\0')
				abort();
			free(user);
		} else if (user != NULL) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jwtc_token t;
	jwtc_error err;

	if (cfg == NULL && jwtc_config_parse("fuzz.conf", conf_text,
	    sizeof(conf_text) - 1, &cfg, &err) != JWTC_OK)
		abort();
	memset(&t, 0, sizeof(t));
	if (jwtc_token_parse((const char *)data, size, 65536, &t, &err) ==
	    JWTC_OK) {
		/* what the parser promises of an accepted token */
		if (t.header == NULL || t.claims == NULL ||
		    t.alg == JWTC_ALG_UNKNOWN || t.signing_input_len >= size)
			abort();
		rules(&t);
	}
	jwtc_token_clear(&t);
	return 0;
}
