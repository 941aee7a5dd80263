/*
 * jwt-mint - make keys, JWKS files and signed tokens for the shell tests
 * and the README demo.  A test tool, never installed: it signs whatever it
 * is given.
 *
 *   jwt-mint genkey TYPE OUT.pem
 *   jwt-mint jwks [--kid K] [--alg A] KEY.pem...
 *   jwt-mint sign (--key KEY.pem | --hmac-secret-file F) --alg ALG
 *       [--kid K] [--typ T] [--header JSON] [--exp-in SECONDS] [--iat-now]
 *       [--now SECONDS] CLAIMS_JSON
 *   jwt-mint hmac-secret OUT
 *
 * Exit status: 0 done, 1 failed, 2 usage error.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "mintlib.h"

#define EXIT_USAGE 2
#define SECRET_BYTES 64
#define MAX_SECONDS 315360000LL   /* ten years, for --exp-in */

static const char usage_text[] =
    "usage: jwt-mint genkey TYPE OUT.pem\n"
    "       jwt-mint jwks [--kid K] [--alg A] KEY.pem...\n"
    "       jwt-mint sign (--key KEY.pem | --hmac-secret-file FILE) --alg ALG\n"
    "                [--kid K] [--typ T] [--header JSON] [--exp-in SECONDS]\n"
    "                [--iat-now] [--now SECONDS] CLAIMS_JSON\n"
    "       jwt-mint hmac-secret OUT\n"
    "TYPE: rsa2048 rsa3072 rsa4096 ec256 ec384 ec521 ed25519 ed448\n"
    "jwks: --kid and --alg apply to the KEY.pem that follows them.\n"
    "sign: CLAIMS_JSON is used byte for byte unless --exp-in or --iat-now\n"
    "      adds exp/iat to it; an \"alg\" in --header is written instead\n"
    "      of ALG (the token is still signed with ALG).\n";

static const char *const key_types[] = {
	"rsa2048", "rsa3072", "rsa4096", "ec256", "ec384", "ec521",
	"ed25519", "ed448"
};

static int
usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fputs("jwt-mint: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int
fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("jwt-mint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

/* A whole decimal number in [min, max]. */
static bool
parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == NULL || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- genkey ------------------------------------------------------------ */

static int
cmd_genkey(int argc, char **argv)
{
	EVP_PKEY *key = NULL;
	bool known = false;
	size_t i;
	int ret = EXIT_FAILURE;

	if (argc != 3)
		return usage("genkey takes TYPE and OUT.pem");
	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++) {
		if (strcmp(argv[1], key_types[i]) == 0)
			known = true;
	}
	if (!known)
		return usage("unknown key type %s", argv[1]);
	if ((key = mint_key_gen(argv[1])) == NULL) {
		ret = fail("cannot generate a %s key", argv[1]);
		goto out;
	}
	if (mint_key_save(key, argv[2]) != 0) {
		ret = fail("cannot write %s: %s", argv[2], strerror(errno));
		goto out;
	}
	ret = EXIT_SUCCESS;
 out:
	mint_key_free(key);
	return ret;
}

/* ---- jwks ----------------------------------------------------------------- */

static int
cmd_jwks(int argc, char **argv)
{
	mint_jwks_entry *keys = NULL;
	EVP_PKEY **owned = NULL;
	const char *kid = NULL, *alg = NULL;
	char *doc = NULL;
	size_t n = 0, i;
	int a, ret = EXIT_FAILURE;

	keys = calloc((size_t)argc, sizeof(*keys));
	owned = calloc((size_t)argc, sizeof(*owned));
	if (keys == NULL || owned == NULL) {
		ret = fail("out of memory");
		goto out;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--kid") == 0 ||
		    strcmp(argv[a], "--alg") == 0) {
			if (a + 1 >= argc) {
				ret = usage("%s needs a value", argv[a]);
				goto out;
			}
			if (argv[a][2] == 'k')
				kid = argv[a + 1];
			else
				alg = argv[a + 1];
			a++;
			continue;
		}
		if (argv[a][0] == '-') {
			ret = usage("unknown option %s", argv[a]);
			goto out;
		}
		if ((owned[n] = mint_key_load(argv[a])) == NULL) {
			ret = fail("cannot read a private key from %s",
			    argv[a]);
			goto out;
		}
		keys[n].key = owned[n];
		keys[n].opts.kid = kid;
		keys[n].opts.alg = alg;
		kid = alg = NULL;
		n++;
	}
	if (n == 0) {
		ret = usage("jwks needs at least one KEY.pem");
		goto out;
	}
	if (kid != NULL || alg != NULL) {
		ret = usage("--kid or --alg after the last KEY.pem");
		goto out;
	}
	if ((doc = mint_jwks(keys, n)) == NULL) {
		ret = fail("cannot export the public keys");
		goto out;
	}
	printf("%s\n", doc);
	ret = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
 out:
	for (i = 0; owned != NULL && i < n; i++)
		mint_key_free(owned[i]);
	free(owned);
	free(keys);
	free(doc);
	return ret;
}

/* ---- sign ----------------------------------------------------------------- */

typedef struct sign_args {
	const char *key_path;
	const char *secret_path;
	const char *alg;
	const char *kid;
	const char *typ;
	const char *header;
	const char *claims;
	bool exp_set;
	long long exp_in;
	bool iat_now;
	bool now_set;
	long long now;
} sign_args;

/* The option that takes a value at argv[*a], stored in sa.  0, or an exit
 * status for a usage error. */
static int
sign_option(sign_args *sa, int argc, char **argv, int *a)
{
	const char *opt = argv[*a], *val;

	if (strcmp(opt, "--iat-now") == 0) {
		sa->iat_now = true;
		return 0;
	}
	if (*a + 1 >= argc)
		return usage("%s needs a value", opt);
	val = argv[++*a];
	if (strcmp(opt, "--key") == 0)
		sa->key_path = val;
	else if (strcmp(opt, "--hmac-secret-file") == 0)
		sa->secret_path = val;
	else if (strcmp(opt, "--alg") == 0)
		sa->alg = val;
	else if (strcmp(opt, "--kid") == 0)
		sa->kid = val;
	else if (strcmp(opt, "--typ") == 0)
		sa->typ = val;
	else if (strcmp(opt, "--header") == 0)
		sa->header = val;
	else if (strcmp(opt, "--exp-in") == 0) {
		if (!parse_ll(val, -MAX_SECONDS, MAX_SECONDS, &sa->exp_in))
			return usage("--exp-in: bad number of seconds %s", val);
		sa->exp_set = true;
	} else if (strcmp(opt, "--now") == 0) {
		if (!parse_ll(val, 0, 4102444800LL, &sa->now))
			return usage("--now: bad time %s", val);
		sa->now_set = true;
	} else
		return usage("unknown option %s", opt);
	return 0;
}

static int
sign_parse(sign_args *sa, int argc, char **argv)
{
	int a, r;

	memset(sa, 0, sizeof(*sa));
	for (a = 1; a < argc; a++) {
		if (strncmp(argv[a], "--", 2) == 0 && argv[a][2] != '\0') {
			if ((r = sign_option(sa, argc, argv, &a)) != 0)
				return r;
			continue;
		}
		if (sa->claims != NULL)
			return usage("sign takes one CLAIMS_JSON");
		sa->claims = argv[a];
	}
	if (sa->alg == NULL)
		return usage("sign needs --alg");
	if (sa->claims == NULL)
		return usage("sign needs CLAIMS_JSON");
	if (strncmp(sa->alg, "HS", 2) == 0) {
		if (sa->secret_path == NULL || sa->key_path != NULL)
			return usage("%s needs --hmac-secret-file and no --key",
			    sa->alg);
	} else if (sa->key_path == NULL || sa->secret_path != NULL)
		return usage("%s needs --key and no --hmac-secret-file",
		    sa->alg);
	return 0;
}

/* The claims text: as given, or with exp/iat set relative to now. */
static char *
sign_claims(const sign_args *sa)
{
	json_t *obj = NULL;
	json_error_t jerr;
	long long now;
	char *ret = NULL;

	if (!sa->exp_set && !sa->iat_now)
		return strdup(sa->claims);
	now = sa->now_set ? sa->now : (long long)time(NULL);
	obj = json_loads(sa->claims, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		fprintf(stderr, "jwt-mint: CLAIMS_JSON is not a JSON object\n");
		goto out;
	}
	if (sa->exp_set && json_object_set_new(obj, "exp",
	    json_integer((json_int_t)(now + sa->exp_in))) != 0)
		goto out;
	if (sa->iat_now &&
	    json_object_set_new(obj, "iat", json_integer((json_int_t)now)) != 0)
		goto out;
	ret = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
 out:
	json_decref(obj);
	return ret;
}

/* The header text: --header (or {}) with kid and typ from the options and
 * "alg" added when the header has none. */
static char *
sign_header(const sign_args *sa)
{
	json_t *obj = NULL;
	json_error_t jerr;
	char *text = NULL, *ret = NULL;

	obj = json_loads(sa->header != NULL ? sa->header : "{}",
	    JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		fprintf(stderr, "jwt-mint: --header is not a JSON object\n");
		goto out;
	}
	if (sa->kid != NULL &&
	    json_object_set_new(obj, "kid", json_string(sa->kid)) != 0)
		goto out;
	if (sa->typ != NULL &&
	    json_object_set_new(obj, "typ", json_string(sa->typ)) != 0)
		goto out;
	if ((text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		goto out;
	ret = mint_header(sa->alg, text, false);
 out:
	free(text);
	json_decref(obj);
	return ret;
}

static int
cmd_sign(int argc, char **argv)
{
	sign_args sa;
	mint_sign_opts o;
	EVP_PKEY *key = NULL;
	unsigned char *secret = NULL;
	size_t secretlen = 0;
	char *claims = NULL, *header = NULL, *token = NULL;
	int r, ret = EXIT_FAILURE;

	if ((r = sign_parse(&sa, argc, argv)) != 0)
		return r;
	memset(&o, 0, sizeof(o));
	o.header_verbatim = true;
	if (sa.secret_path != NULL) {
		secret = mint_secret_load(sa.secret_path, &secretlen);
		if (secret == NULL) {
			ret = fail("cannot read an HMAC secret from %s",
			    sa.secret_path);
			goto out;
		}
		o.secret = secret;
		o.secretlen = secretlen;
	} else if ((key = mint_key_load(sa.key_path)) == NULL) {
		ret = fail("cannot read a private key from %s", sa.key_path);
		goto out;
	}
	if ((claims = sign_claims(&sa)) == NULL ||
	    (header = sign_header(&sa)) == NULL)
		goto out;
	if ((token = mint_sign_ex(key, sa.alg, header, claims, &o)) == NULL) {
		ret = fail("cannot sign with %s (unknown algorithm, or a key "
		    "of another type)", sa.alg);
		goto out;
	}
	printf("%s\n", token);
	ret = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
 out:
	mint_free_secret(secret, secretlen);
	mint_key_free(key);
	free(claims);
	free(header);
	free(token);
	return ret;
}

/* ---- hmac-secret ---------------------------------------------------------- */

static int
cmd_hmac_secret(int argc, char **argv)
{
	unsigned char raw[SECRET_BYTES];
	char *text = NULL, *line = NULL;
	size_t len = 0;
	int ret = EXIT_FAILURE;

	if (argc != 2)
		return usage("hmac-secret takes OUT");
	if (mint_random(raw, sizeof(raw)) != 0 ||
	    (text = mint_b64url(raw, sizeof(raw))) == NULL) {
		ret = fail("cannot make a secret");
		goto out;
	}
	len = strlen(text);
	if ((line = malloc(len + 2)) == NULL)
		goto out;
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	if (mint_write_file(argv[1], line, len + 1, 0600) != 0) {
		ret = fail("cannot write %s: %s", argv[1], strerror(errno));
		goto out;
	}
	ret = EXIT_SUCCESS;
 out:
	mint_free_secret((unsigned char *)text, len);
	mint_free_secret((unsigned char *)line, len + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	return ret;
}

int
main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage(NULL);
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_text, stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(cmd, "genkey") == 0)
		return cmd_genkey(argc - 1, argv + 1);
	if (strcmp(cmd, "jwks") == 0)
		return cmd_jwks(argc - 1, argv + 1);
	if (strcmp(cmd, "sign") == 0)
		return cmd_sign(argc - 1, argv + 1);
	if (strcmp(cmd, "hmac-secret") == 0)
		return cmd_hmac_secret(argc - 1, argv + 1);
	return usage("unknown command %s", cmd);
}
