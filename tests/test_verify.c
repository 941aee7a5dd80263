/*
 * test_verify.c - end-to-end tests of jwtc_verify through the public API:
 * configuration text -> jwtc_ctx_new -> jwtc_verify with a fixed clock.
 *
 * Keys are made when the tests start; JWKS and secret files are written to
 * a private temporary directory.  Every case is a row of a table: how to
 * make the token (signer, algorithm, header, claims, one mutation) and the
 * exact result with a piece of the reason.  Each row also checks that the
 * outcome was logged in exactly one line and that neither the log nor the
 * error message holds the token or its signature.
 */
#include "unit.h"

#include <openssl/evp.h>

#include "internal.h"
#include "mintlib.h"

/* The fixed clock: 2023-11-14T22:13:20Z. */
#define NOW 1700000000LL

#define ISS(s) "https://" s ".example"

/* ---- keys ----------------------------------------------------------------- */

enum {
	K_DEFAULT = 0,  /* K_EC256 */
	K_RSA, K_RSA_E3, K_RSA1024, K_EC256, K_EC384, K_EC521, K_ED25519,
	K_ED448,
	K_ATK_RSA, K_ATK_EC, /* the attacker's: in no JWKS */
	K_A, K_B,            /* kid "shared" in sections a and b */
	/* HMAC secrets */
	K_HS,                /* hmac_secret_file of section hmac */
	K_HS2,               /* hmac_secret_file of section rsahmac */
	K_PEM, K_DER, K_JWKTEXT, /* section rsaonly's RSA public key */
	K_COUNT
};

static const struct keydef {
	const char *type;   /* mint_key_gen type; NULL for secrets */
	const char *kid;    /* the kid a token names by default */
} keydefs[K_COUNT] = {
	[K_RSA] = { "rsa2048", "rsa1" },
	[K_RSA_E3] = { "rsa2048e3", "rsa-e3" },
	[K_RSA1024] = { "rsa1024", "rsa1024" },
	[K_EC256] = { "ec256", "ec256" },
	[K_EC384] = { "ec384", "ec384" },
	[K_EC521] = { "ec521", "ec521" },
	[K_ED25519] = { "ed25519", "ed25519" },
	[K_ED448] = { "ed448", "ed448" },
	[K_ATK_RSA] = { "rsa2048", NULL },
	[K_ATK_EC] = { "ec256", NULL },
	[K_A] = { "ec256", "shared" },
	[K_B] = { "ec256", "shared" },
};

enum { CTX_ALL = 0, CTX_MAIN_ONLY, CTX_NET, CTX_COUNT };

static struct world {
	char *dir;
	EVP_PKEY *key[K_COUNT];
	unsigned char secret[64];   /* section hmac */
	unsigned char secret2[32];  /* section rsahmac */
	char *pub_pem;
	size_t pub_pem_len;
	unsigned char *pub_der;
	size_t pub_der_len;
	char *pub_jwk;
	jwtc_ctx *ctx[CTX_COUNT];
	unit_log log;
	int64_t now;
	size_t n_pos, n_neg;        /* cases run */
	size_t seq;                 /* numbers the jti of each token */
} W;

/* A kid of 300 and of 257 bytes, and one of exactly 256 (the limit). */
static char kid300[301], kid257[258], kid256[257];
static char sub300[301];

/* ---- the configuration ------------------------------------------------------- */

static const char conf_text[] =
    "# jwt-auth test configuration\n"
    "[global]\n"
    "leeway = 60\n"
    "\n"
    "[issuer main]\n"
    "issuer = " ISS("main") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api urn:other\n"
    "\n"
    "[issuer hmac]\n"
    "issuer = " ISS("hmac") "\n"
    "hmac_secret_file = @DIR@/hmac.secret\n"
    "algorithms = HS256 HS384 HS512\n"
    "audience = api\n"
    "\n"
    "[issuer rsaonly]\n"
    "issuer = " ISS("rsaonly") "\n"
    "jwks_file = @DIR@/rsa.jwks\n"
    "audience = api\n"
    "\n"
    "[issuer rsahmac]\n"
    "issuer = " ISS("rsahmac") "\n"
    "jwks_file = @DIR@/rsa.jwks\n"
    "hmac_secret_file = @DIR@/rsahmac.secret\n"
    "algorithms = RS256 HS256\n"
    "audience = api\n"
    "\n"
    "[issuer a]\n"
    "issuer = " ISS("a") "\n"
    "jwks_file = @DIR@/a.jwks\n"
    "audience = api\n"
    "\n"
    "[issuer b]\n"
    "issuer = " ISS("b") "\n"
    "jwks_file = @DIR@/b.jwks\n"
    "audience = api\n"
    "\n"
    "[issuer odd]\n"
    "issuer = " ISS("odd") "\n"
    "jwks_file = @DIR@/odd.jwks\n"
    "audience = api\n"
    "\n"
    "[issuer es]\n"
    "issuer = " ISS("es") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "algorithms = ES256\n"
    "audience = api\n"
    "\n"
    "[issuer noleeway]\n"
    "issuer = " ISS("noleeway") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "leeway = 0\n"
    "\n"
    "[issuer typ]\n"
    "issuer = " ISS("typ") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "token_types = at+jwt\n"
    "\n"
    "[issuer rules]\n"
    "issuer = " ISS("rules") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "required_claims = jti email\n"
    "claim_values = azp=client1 email_verified=true tid=t1\n"
    "\n"
    "[issuer age]\n"
    "issuer = " ISS("age") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "max_token_age = 300\n"
    "\n"
    "[issuer groups]\n"
    "issuer = " ISS("groups") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "allowed_groups = admins ops\n"
    "\n"
    "[issuer roles]\n"
    "issuer = " ISS("roles") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "groups_claim = roles\n"
    "allowed_groups = admins\n"
    "\n"
    "[issuer scope]\n"
    "issuer = " ISS("scope") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "required_scope = read write\n"
    "\n"
    "[issuer domain]\n"
    "issuer = " ISS("domain") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "username_claim = email\n"
    "username_domain = example.com\n"
    "\n"
    "[issuer uname]\n"
    "issuer = " ISS("uname") "\n"
    "jwks_file = @DIR@/main.jwks\n"
    "audience = api\n"
    "username_claim = preferred_username\n";

/* A section whose keys come from the network only. */
static const char conf_net[] =
    "[global]\n"
    "cache_dir = @DIR@/cache\n"
    "http_timeout = 1\n"
    "\n"
    "[issuer net]\n"
    "issuer = " ISS("net") "\n"
    "jwks_uri = https://127.0.0.1:1/jwks\n"   /* loopback, refused */
    "audience = api\n";

/* ---- a small string builder ------------------------------------------------- */

typedef struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
} sbuf;

static void
sb_addn(sbuf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = (b->len + n + 1) * 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_add(sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void
sb_addf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_addf(sbuf *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		b->failed = true;
		return;
	}
	sb_addn(b, buf, (size_t)n);
}

/* The built text (the caller frees it), or NULL after a failure. */
static char *
sb_take(sbuf *b)
{
	char *p = b->p;

	if (b->failed || p == NULL) {
		free(b->p);
		memset(b, 0, sizeof(*b));
		return NULL;
	}
	memset(b, 0, sizeof(*b));
	return p;
}

/* text with every "@DIR@" replaced by dir. */
static char *
expand_dir(const char *text, const char *dir)
{
	sbuf b = { 0 };
	const char *p = text, *at;

	while ((at = strstr(p, "@DIR@")) != NULL) {
		sb_addn(&b, p, (size_t)(at - p));
		sb_add(&b, dir);
		p = at + 5;
	}
	sb_add(&b, p);
	return sb_take(&b);
}

/* ---- the cases ------------------------------------------------------------------ */

/* Mutations of the token.  The ones marked "re-signed" change the header
 * or payload segment before signing, so the signature is good for what the
 * verifier sees: only the encoding rule can refuse them. */
enum mutation {
	M_NONE = 0,
	/* the signature segment */
	M_SIG_FLIP,     /* one character in the middle changed */
	M_SIG_EMPTY,    /* "h.p." */
	M_SIG_ZERO,     /* all-zero bytes of the same length (ES: r=0, s=0) */
	M_SIG_TRUNC,    /* last byte dropped */
	M_SIG_EXTEND,   /* a zero byte appended */
	M_SIG_PAD,      /* '=' padding */
	M_SIG_PLUS,     /* a '-' written as '+' */
	M_SIG_SLASH,    /* a '_' written as '/' */
	M_SIG_TRAIL,    /* non-zero trailing bits */
	M_SIG_LEN1,     /* length 1 mod 4 */
	M_SIG_NL,       /* newline inside */
	/* header and payload, re-signed */
	M_HDR_PAD, M_PAY_PAD,
	M_HDR_PLUS, M_PAY_PLUS, M_PAY_SLASH,
	M_HDR_TAB, M_PAY_SP, M_PAY_NL,
	M_HDR_TRAIL, M_PAY_TRAIL,
	M_PAY_STAR, M_PAY_HIGH, M_PAY_LEN1,
	M_EMPTY_PAY,    /* "h..s" */
	/* the whole token */
	M_END_NL, M_END_CRLF, M_LEAD_SP, M_END_SP,
	M_NUL_MID,      /* a NUL byte inside the payload, counted in len */
	M_2SEG, M_4SEG, M_TRAIL_DOT, M_EMPTY_HDR, M_ALL_EMPTY, M_EMPTY,
	M_ONE_SEG, M_5SEG, M_JSON_SERIAL,
	M_HDR_SWAP,     /* header replaced (tamper members added), old sig */
	M_PAY_SWAP,     /* payload replaced (tamper claims), old signature */
	M_SIZE,         /* padded with a filler claim to exactly .size bytes */
	M_HUGE,         /* one MiB */
	M_GARBAGE       /* 16385 bytes that are no token at all */
};

enum { E_NONE = 0, E_JWK, E_X5C };

/* PSS salt lengths: 0 in the table means the hash length. */
#define SALT(n) ((n) + 1000)

typedef struct vcase {
	const char *name;
	int ctx;              /* CTX_* */
	const char *sec;      /* section (and iss ISS(sec)); NULL: main */
	int key;              /* signer: K_* */
	const char *alg;      /* signing algorithm; NULL: ES256 */
	const char *label;    /* header alg instead of alg */
	const char *kid;      /* NULL: the signer's kid; "-": none */
	const char *hdr;      /* header members (a JSON object) */
	bool hdr_verbatim;    /* hdr is the whole header, as is */
	int embed;            /* E_JWK, E_X5C: the signer's public key */
	const char *iss;      /* iss instead of ISS(sec) */
	const char *claims;   /* claim members, replacing defaults */
	const char *omit;     /* default claims left out */
	const char *payload;  /* the whole payload text instead */
	const char *tamper;   /* M_HDR_SWAP, M_PAY_SWAP: what is added */
	int mut;              /* enum mutation */
	int salt;             /* SALT(n) */
	bool der;             /* ES*: DER signature */
	size_t size;          /* M_SIZE */
	const char *user;     /* expected_user */
	jwtc_rc want;
	const char *why;      /* a piece of err.msg (refusals) */
	const char *want_user;/* the user of an accepted token; NULL: alice */
} vcase;

typedef struct built {
	char *token;
	size_t len;
	char *sig;            /* the signature segment as signed */
	const char *kid;      /* the kid in the header, NULL for none */
	char jti[32];         /* the default jti, "" when not used */
} built;

static void
built_clear(built *b)
{
	free(b->token);
	free(b->sig);
	memset(b, 0, sizeof(*b));
}

static int
case_key(const vcase *c)
{
	return c->key == K_DEFAULT ? K_EC256 : c->key;
}

static const char *
case_alg(const vcase *c)
{
	return c->alg != NULL ? c->alg : "ES256";
}

static const char *
case_sec(const vcase *c)
{
	return c->sec != NULL ? c->sec : "main";
}

/* Whether word is one of the space-separated words of list. */
static bool
word_in(const char *list, const char *word)
{
	size_t wl = strlen(word), n;
	const char *p = list;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == wl && n > 0 && memcmp(p, word, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Whether the default claim name is left out or given by the case. */
static bool
default_dropped(const vcase *c, const char *extra, const char *name)
{
	char pat[40];

	if (c->omit != NULL && word_in(c->omit, name))
		return true;
	(void)snprintf(pat, sizeof(pat), "\"%s\":", name);
	return extra != NULL && strstr(extra, pat) != NULL;
}

static char *
build_payload(const vcase *c, const char *extra, int pad, size_t fill,
    built *b)
{
	sbuf s = { 0 };
	char iss[160];
	bool first = true;
	size_t i;

	if (c->payload != NULL)
		return strdup(c->payload);
	sb_add(&s, "{");
	for (i = 0; i < (size_t)pad; i++)
		sb_add(&s, " ");
#define MEMBER(name, ...) do { \
	if (!default_dropped(c, extra, name)) { \
		sb_add(&s, first ? "" : ","); \
		sb_addf(&s, __VA_ARGS__); \
		first = false; \
	} \
} while (0)
	if (c->iss != NULL)
		(void)snprintf(iss, sizeof(iss), "%s", c->iss);
	else
		(void)snprintf(iss, sizeof(iss), "https://%s.example",
		    case_sec(c));
	MEMBER("iss", "\"iss\":\"%s\"", iss);
	MEMBER("sub", "\"sub\":\"alice\"");
	MEMBER("aud", "\"aud\":\"api\"");
	MEMBER("exp", "\"exp\":%lld", NOW + 3600);
	MEMBER("iat", "\"iat\":%lld", NOW - 10);
	b->jti[0] = '\0';
	if (!default_dropped(c, extra, "jti")) {
		(void)snprintf(b->jti, sizeof(b->jti), "jti-%zu", W.seq);
		MEMBER("jti", "\"jti\":\"%s\"", b->jti);
	}
#undef MEMBER
	if (extra != NULL && *extra != '\0') {
		sb_add(&s, first ? "" : ",");
		sb_add(&s, extra);
		first = false;
	}
	if (fill > 0) {
		sb_add(&s, first ? "\"fill\":\"" : ",\"fill\":\"");
		for (i = 0; i < fill; i++)
			sb_add(&s, "x");
		sb_add(&s, "\"");
	}
	sb_add(&s, "}");
	return sb_take(&s);
}

/* Standard base64 (for x5c). */
static char *
b64_std(const unsigned char *der, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out == NULL || len > 0x7fffffff)
		return out;
	(void)EVP_EncodeBlock((unsigned char *)out, der, (int)len);
	return out;
}

static json_t *
x5c_of(const EVP_PKEY *k)
{
	unsigned char *der;
	size_t len = 0;
	char *b64;
	json_t *arr = NULL;

	if ((der = mint_pubkey_der(k, &len)) == NULL)
		return NULL;
	if ((b64 = b64_std(der, len)) != NULL)
		arr = json_pack("[s]", b64);
	free(der);
	free(b64);
	return arr;
}

static char *
build_header(const vcase *c, bool tampered, int pad, built *b)
{
	json_t *obj = NULL;
	json_error_t jerr;
	const char *kid, *alg = case_alg(c);
	char *text = NULL, *hdr = NULL, *ret = NULL;
	sbuf s = { 0 };
	int k = case_key(c), i;

	b->kid = NULL;
	if (c->hdr_verbatim)
		return strdup(c->hdr != NULL ? c->hdr : "");
	obj = json_loads(c->hdr != NULL ? c->hdr : "{}", 0, &jerr);
	if (obj == NULL || !json_is_object(obj))
		goto out;
	if (c->embed == E_JWK && json_object_set_new(obj, "jwk",
	    mint_jwk_object(W.key[k], NULL)) != 0)
		goto out;
	if (c->embed == E_X5C &&
	    json_object_set_new(obj, "x5c", x5c_of(W.key[k])) != 0)
		goto out;
	if (tampered && c->tamper != NULL) {
		json_t *t = json_loads(c->tamper, 0, &jerr);

		if (t == NULL || json_object_update(obj, t) != 0) {
			json_decref(t);
			goto out;
		}
		json_decref(t);
	}
	if (json_object_get(obj, "kid") == NULL) {
		kid = c->kid != NULL ? c->kid : keydefs[k].kid;
		if (kid != NULL && strcmp(kid, "-") != 0) {
			if (json_object_set_new(obj, "kid",
			    json_string(kid)) != 0)
				goto out;
			b->kid = kid;
		}
	} else if (json_is_string(json_object_get(obj, "kid")))
		b->kid = c->kid; /* only used for accepted tokens */
	if ((text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL)
		goto out;
	hdr = mint_header(c->label != NULL ? c->label : alg, text,
	    c->label != NULL);
	if (hdr == NULL)
		goto out;
	sb_add(&s, "{");
	for (i = 0; i < pad; i++)
		sb_add(&s, " ");
	sb_add(&s, hdr + 1);
	ret = sb_take(&s);
 out:
	json_decref(obj);
	free(text);
	free(hdr);
	return ret;
}

static void
case_secret(int k, const unsigned char **s, size_t *len)
{
	switch (k) {
	case K_HS:
		*s = W.secret;
		*len = sizeof(W.secret);
		break;
	case K_HS2:
		*s = W.secret2;
		*len = sizeof(W.secret2);
		break;
	case K_PEM:
		*s = (const unsigned char *)W.pub_pem;
		*len = W.pub_pem_len;
		break;
	case K_DER:
		*s = W.pub_der;
		*len = W.pub_der_len;
		break;
	case K_JWKTEXT:
		*s = (const unsigned char *)W.pub_jwk;
		*len = strlen(W.pub_jwk);
		break;
	default:
		*s = NULL;
		*len = 0;
		break;
	}
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64val(char ch)
{
	const char *p = strchr(b64chars, ch);

	return ch != '\0' && p != NULL ? (int)(p - b64chars) : -1;
}

/* s with text inserted at byte pos (n bytes). */
static char *
insert_at(const char *s, size_t pos, const char *text, size_t n)
{
	size_t len = strlen(s);
	char *r = malloc(len + n + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, s, pos);
	memcpy(r + pos, text, n);
	memcpy(r + pos + n, s + pos, len - pos + 1);
	return r;
}

/* Whether the encoded header and payload meet what the mutation needs
 * (checked before the mutation). */
static bool
segs_ready(int mut, const char *h, const char *p)
{
	size_t hl = strlen(h), pl = strlen(p);

	switch (mut) {
	case M_HDR_PAD: case M_HDR_TRAIL:
		return hl % 4 >= 2;
	case M_PAY_PAD: case M_PAY_TRAIL:
		return pl % 4 >= 2;
	case M_HDR_PLUS:
		return strchr(h, '-') != NULL;
	case M_PAY_PLUS:
		return strchr(p, '-') != NULL;
	case M_PAY_SLASH:
		return strchr(p, '_') != NULL;
	default:
		return true;
	}
}

/* Whether the signature segment meets what the mutation needs. */
static bool
sig_ready(int mut, const char *sig)
{
	size_t sl = strlen(sig);

	switch (mut) {
	case M_SIG_PAD: case M_SIG_TRAIL:
		return sl % 4 >= 2;
	case M_SIG_PLUS:
		return strchr(sig, '-') != NULL;
	case M_SIG_SLASH:
		return strchr(sig, '_') != NULL;
	default:
		return true;
	}
}

/* Change the last character of seg so that its unused bits are not 0. */
static void
set_trailing_bit(char *seg)
{
	size_t n = strlen(seg);
	int v;

	if (n == 0 || (v = b64val(seg[n - 1])) < 0)
		return;
	seg[n - 1] = b64chars[v | 1];
}

static void
replace_first(char *s, char from, char to)
{
	char *p = strchr(s, from);

	if (p != NULL)
		*p = to;
}

/* Apply a re-signed mutation to the encoded header or payload. */
static bool
mutate_presign(int mut, char **h64, char **p64)
{
	char **seg = NULL, *n = NULL;
	size_t len;

	switch (mut) {
	case M_HDR_PAD: case M_HDR_PLUS: case M_HDR_TAB: case M_HDR_TRAIL:
		seg = h64;
		break;
	case M_PAY_PAD: case M_PAY_PLUS: case M_PAY_SLASH: case M_PAY_SP:
	case M_PAY_NL: case M_PAY_TRAIL: case M_PAY_STAR: case M_PAY_HIGH:
	case M_PAY_LEN1: case M_EMPTY_PAY:
		seg = p64;
		break;
	default:
		return true;
	}
	len = strlen(*seg);
	switch (mut) {
	case M_HDR_PAD: case M_PAY_PAD:
		n = insert_at(*seg, len, "===", 4 - len % 4);
		break;
	case M_HDR_PLUS: case M_PAY_PLUS:
		replace_first(*seg, '-', '+');
		break;
	case M_PAY_SLASH:
		replace_first(*seg, '_', '/');
		break;
	case M_HDR_TAB:
		n = insert_at(*seg, len / 2, "\t", 1);
		break;
	case M_PAY_SP:
		n = insert_at(*seg, len / 2, " ", 1);
		break;
	case M_PAY_NL:
		n = insert_at(*seg, len / 2, "\n", 1);
		break;
	case M_HDR_TRAIL: case M_PAY_TRAIL:
		set_trailing_bit(*seg);
		break;
	case M_PAY_STAR:
		n = insert_at(*seg, len / 2, "*", 1);
		break;
	case M_PAY_HIGH:
		n = insert_at(*seg, len / 2, "\xc3\xa9", 2);
		break;
	case M_PAY_LEN1:
		n = insert_at(*seg, len, "AAAA", (5 - len % 4) % 4);
		break;
	case M_EMPTY_PAY:
		n = strdup("");
		break;
	default:
		break;
	}
	if (n != NULL) {
		free(*seg);
		*seg = n;
	}
	return true;
}

/* The decoded signature changed by mut, re-encoded. */
static char *
resign_bytes(int mut, const char *sig)
{
	unsigned char *raw = NULL, *nb;
	size_t len = 0;
	char *ret = NULL;

	if (jwtc_b64url_decode(sig, strlen(sig), &raw, &len) != 0)
		return NULL;
	if ((nb = calloc(1, len + 1)) == NULL)
		goto out;
	if (mut == M_SIG_ZERO)
		ret = mint_b64url(nb, len);
	else if (mut == M_SIG_TRUNC)
		ret = mint_b64url(raw, len > 0 ? len - 1 : 0);
	else {
		memcpy(nb, raw, len);
		ret = mint_b64url(nb, len + 1);
	}
	free(nb);
 out:
	free(raw);
	return ret;
}

/* Assemble the parts into b->token with the post-signing mutation. */
static bool
assemble(const vcase *c, const char *h, const char *p, const char *sig,
    const char *h_alt, const char *p_alt, built *b)
{
	sbuf s = { 0 };
	char *msig = NULL, *tmp;
	size_t sl = strlen(sig), i;

	switch (c->mut) {
	case M_SIG_FLIP:
		if ((msig = strdup(sig)) != NULL && sl > 2)
			msig[sl / 2] = b64chars[b64val(msig[sl / 2]) ^ 1];
		break;
	case M_SIG_EMPTY:
		msig = strdup("");
		break;
	case M_SIG_ZERO: case M_SIG_TRUNC: case M_SIG_EXTEND:
		msig = resign_bytes(c->mut, sig);
		break;
	case M_SIG_PAD:
		msig = insert_at(sig, sl, "===", 4 - sl % 4);
		break;
	case M_SIG_PLUS:
		if ((msig = strdup(sig)) != NULL)
			replace_first(msig, '-', '+');
		break;
	case M_SIG_SLASH:
		if ((msig = strdup(sig)) != NULL)
			replace_first(msig, '_', '/');
		break;
	case M_SIG_TRAIL:
		if ((msig = strdup(sig)) != NULL)
			set_trailing_bit(msig);
		break;
	case M_SIG_LEN1:
		msig = insert_at(sig, sl, "AAAA", (5 - sl % 4) % 4);
		break;
	case M_SIG_NL:
		msig = insert_at(sig, sl / 2, "\n", 1);
		break;
	default:
		msig = strdup(sig);
		break;
	}
	if (msig == NULL)
		return false;
	if (c->mut == M_HDR_SWAP)
		h = h_alt;
	if (c->mut == M_PAY_SWAP)
		p = p_alt;

	switch (c->mut) {
	case M_LEAD_SP:
		sb_add(&s, " ");
		break;
	case M_JSON_SERIAL:
		sb_addf(&s, "{\"payload\":\"%s\",\"signatures\":[{\"protected\":"
		    "\"%s\",\"signature\":\"", p, h);
		sb_add(&s, msig);
		sb_add(&s, "\"}]}");
		goto done;
	case M_5SEG:
		sb_add(&s, "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ"
		    ".OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiM"
		    ".48V1_ALb6US04U3b.");
		sb_add(&s, p);
		sb_add(&s, ".XFBoMYUZodetZdvTiFvSkQ");
		goto done;
	case M_EMPTY:
		goto done;
	case M_ALL_EMPTY:
		sb_add(&s, "..");
		goto done;
	default:
		break;
	}
	if (c->mut != M_EMPTY_HDR)
		sb_add(&s, h);
	if (c->mut == M_ONE_SEG)
		goto done;
	sb_add(&s, ".");
	if (c->mut == M_NUL_MID) {
		size_t pl = strlen(p);

		sb_addn(&s, p, pl / 2);
		sb_addn(&s, "", 1);
		sb_add(&s, p + pl / 2);
	} else
		sb_add(&s, p);
	if (c->mut == M_2SEG)
		goto done;
	sb_add(&s, ".");
	sb_add(&s, msig);
	switch (c->mut) {
	case M_4SEG:
		sb_add(&s, ".");
		sb_add(&s, msig);
		break;
	case M_TRAIL_DOT:
		sb_add(&s, ".");
		break;
	case M_END_NL:
		sb_add(&s, "\n");
		break;
	case M_END_CRLF:
		sb_add(&s, "\r\n");
		break;
	case M_END_SP:
		sb_add(&s, " ");
		break;
	default:
		break;
	}
 done:
	free(msig);
	if (s.failed)
		goto fail;
	b->len = s.len;
	if ((tmp = sb_take(&s)) == NULL) {
		if (b->len != 0)
			return false;
		tmp = strdup("");
	}
	b->token = tmp;
	if (c->mut == M_GARBAGE || c->mut == M_HUGE) {
		size_t n = c->mut == M_GARBAGE ? 16385 : 1024 * 1024;

		free(b->token);
		if ((b->token = malloc(n + 1)) == NULL)
			return false;
		for (i = 0; i < n; i++)
			b->token[i] = c->mut == M_GARBAGE ? '!' : 'A';
		b->token[n] = '\0';
		if (c->mut == M_HUGE) {
			b->token[1000] = '.';
			b->token[2000] = '.';
		}
		b->len = n;
	}
	return true;
 fail:
	free(s.p);
	return false;
}

/* One attempt at making the token of c with the given paddings. */
static int
build_once(const vcase *c, int hpad, int ppad, size_t fill, built *b)
{
	mint_sign_opts o;
	const char *alg = case_alg(c);
	char *hdr = NULL, *pay = NULL, *h64 = NULL, *p64 = NULL;
	char *hdr2 = NULL, *pay2 = NULL, *h64b = NULL, *p64b = NULL;
	char *tok = NULL, *dot;
	built dummy;
	int k = case_key(c), ret = -1;

	memset(&o, 0, sizeof(o));
	memset(&dummy, 0, sizeof(dummy));
	case_secret(k, &o.secret, &o.secretlen);
	o.ecdsa_der = c->der;
	if (c->salt != 0) {
		o.pss_salt_set = true;
		o.pss_saltlen = c->salt - 1000;
	}
	o.header_verbatim = true;
	if ((hdr = build_header(c, false, hpad, b)) == NULL ||
	    (pay = build_payload(c, c->claims, ppad, fill, b)) == NULL)
		goto out;
	if ((h64 = mint_b64url(hdr, strlen(hdr))) == NULL ||
	    (p64 = mint_b64url(pay, strlen(pay))) == NULL)
		goto out;
	if (c->mut == M_HDR_SWAP &&
	    ((hdr2 = build_header(c, true, hpad, &dummy)) == NULL ||
	    (h64b = mint_b64url(hdr2, strlen(hdr2))) == NULL))
		goto out;
	if (c->mut == M_PAY_SWAP &&
	    ((pay2 = build_payload(c, c->tamper, ppad, fill, &dummy)) == NULL ||
	    (p64b = mint_b64url(pay2, strlen(pay2))) == NULL))
		goto out;
	if (!segs_ready(c->mut, h64, p64)) {
		ret = 1;
		goto out;
	}
	if (!mutate_presign(c->mut, &h64, &p64))
		goto out;
	tok = mint_sign_segments(W.key[k], alg, &o, h64, p64);
	if (tok == NULL)
		goto out;
	dot = strrchr(tok, '.');
	if ((b->sig = strdup(dot + 1)) == NULL)
		goto out;
	if (!sig_ready(c->mut, b->sig)) {
		ret = 1;
		goto out;
	}
	if (!assemble(c, h64, p64, b->sig, h64b, p64b, b))
		goto out;
	ret = 0;
 out:
	if (ret != 0) {
		free(b->sig);
		b->sig = NULL;
	}
	free(hdr);
	free(pay);
	free(h64);
	free(p64);
	free(hdr2);
	free(pay2);
	free(h64b);
	free(p64b);
	free(tok);
	return ret;
}

/* Make the token of c: paddings are tried until the mutation applies. */
static bool
build(const vcase *c, built *b)
{
	int attempt, r;
	size_t fill, base;

	memset(b, 0, sizeof(*b));
	W.seq++;
	if (c->mut == M_SIZE) {
		if (build_once(c, 0, 0, 0, b) != 0)
			return false;
		base = b->len;
		built_clear(b);
		if (c->size < base + 64)
			return false;
		fill = (c->size - base) * 3 / 4;
		for (fill = fill > 24 ? fill - 24 : 0; fill < c->size; fill++) {
			for (attempt = 0; attempt < 4; attempt++) {
				if (build_once(c, attempt, 0, fill, b) != 0)
					return false;
				if (b->len == c->size)
					return true;
				built_clear(b);
			}
		}
		return false;
	}
	for (attempt = 0; attempt < 64; attempt++) {
		r = build_once(c, attempt & 3, attempt >> 2, 0, b);
		if (r == 0)
			return true;
		if (r < 0)
			return false;
	}
	return false;
}

/* ---- running a case ----------------------------------------------------------- */

/* Whether a log line or the error message shows the token or its
 * signature. */
static const char *
leak_in(const char *text, const built *b)
{
	if (b->len >= 16 && strlen(b->token) == b->len &&
	    strstr(text, b->token) != NULL)
		return "the token";
	if (b->sig != NULL && strlen(b->sig) >= 16 &&
	    strstr(text, b->sig) != NULL)
		return "the signature";
	return NULL;
}

static bool
check_accepted(const vcase *c, const built *b, const jwtc_result *r)
{
	const char *want_user = c->want_user != NULL ? c->want_user : "alice";
	const char *s;
	char *json;
	char iss[128];
	bool ok = true;

	if (r == NULL) {
		print_message("  no result for an accepted token\n");
		return false;
	}
	if ((s = jwtc_result_section(r)) == NULL ||
	    strcmp(s, case_sec(c)) != 0) {
		print_message("  section %s, want %s\n", s ? s : "(null)",
		    case_sec(c));
		ok = false;
	}
	if ((s = jwtc_result_user(r)) == NULL || strcmp(s, want_user) != 0) {
		print_message("  user %s, want %s\n", s ? s : "(null)",
		    want_user);
		ok = false;
	}
	(void)snprintf(iss, sizeof(iss), "https://%s.example", case_sec(c));
	if (c->iss == NULL && ((s = jwtc_result_iss(r)) == NULL ||
	    strcmp(s, iss) != 0)) {
		print_message("  iss %s, want %s\n", s ? s : "(null)", iss);
		ok = false;
	}
	s = jwtc_result_kid(r);
	if ((b->kid == NULL) != (s == NULL) ||
	    (s != NULL && strcmp(s, b->kid) != 0)) {
		print_message("  kid %s, want %s\n", s ? s : "(null)",
		    b->kid ? b->kid : "(null)");
		ok = false;
	}
	s = jwtc_result_jti(r);
	if (b->jti[0] != '\0' && (s == NULL || strcmp(s, b->jti) != 0)) {
		print_message("  jti %s, want %s\n", s ? s : "(null)", b->jti);
		ok = false;
	}
	json = jwtc_result_claim_string(r, "iss");
	if (c->iss == NULL && (json == NULL || strcmp(json, iss) != 0)) {
		print_message("  claim iss %s, want %s\n",
		    json ? json : "(null)", iss);
		ok = false;
	}
	free(json);
	json = jwtc_result_json(r);
	if (json == NULL || strstr(json, "\"claims\"") == NULL ||
	    strstr(json, want_user) == NULL) {
		print_message("  result JSON lacks claims or user\n");
		ok = false;
	}
	free(json);
	return ok;
}

static bool
run_case(const vcase *c)
{
	jwtc_error err;
	jwtc_result *res = NULL;
	jwtc_rc rc;
	built b;
	const char *leak;
	bool ok = true;
	size_t i;

	if (!build(c, &b)) {
		print_message("FAIL [%s]: the token could not be made\n",
		    c->name);
		built_clear(&b);
		return false;
	}
	memset(&err, 0, sizeof(err));
	err.rc = JWTC_RC_COUNT;
	unit_log_clear(&W.log);
	rc = jwtc_verify(W.ctx[c->ctx], b.token, b.len, c->user, &res, &err);
	if (rc != c->want) {
		print_message("FAIL [%s]: got %s (%s), want %s\n", c->name,
		    jwtc_rc_str(rc), err.msg, jwtc_rc_str(c->want));
		ok = false;
	} else if (c->want != JWTC_OK) {
		if (err.rc != rc || res != NULL) {
			print_message("FAIL [%s]: err.rc %d or a result "
			    "on refusal\n", c->name, (int)err.rc);
			ok = false;
		}
		if (c->why != NULL && !unit_contains_nocase(err.msg, c->why)) {
			print_message("FAIL [%s]: reason \"%s\" lacks \"%s\"\n",
			    c->name, err.msg, c->why);
			ok = false;
		}
	} else if (!check_accepted(c, &b, res)) {
		print_message("FAIL [%s]: accepted, but the result is wrong\n",
		    c->name);
		ok = false;
	}
	/* One line per outcome; a network section whose refresh failed
	 * also says so, in a line of its own about the issuer. */
	if (W.log.total != (c->ctx == CTX_NET ? 2u : 1u)) {
		print_message("FAIL [%s]: %zu log lines, want %u\n", c->name,
		    W.log.total, c->ctx == CTX_NET ? 2u : 1u);
		ok = false;
	}
	for (i = 0; i < W.log.n; i++) {
		if ((leak = leak_in(W.log.lines[i], &b)) != NULL) {
			print_message("FAIL [%s]: the log shows %s\n", c->name,
			    leak);
			ok = false;
		}
	}
	if ((leak = leak_in(err.msg, &b)) != NULL) {
		print_message("FAIL [%s]: the reason shows %s\n", c->name, leak);
		ok = false;
	}
	if (c->want == JWTC_OK)
		W.n_pos++;
	else
		W.n_neg++;
	jwtc_result_free(res);
	built_clear(&b);
	return ok;
}

static void
run_table(const vcase *cases, size_t n)
{
	size_t i, failed = 0;

	for (i = 0; i < n; i++) {
		if (!run_case(&cases[i]))
			failed++;
	}
	if (failed > 0)
		fail_msg("%zu of %zu cases failed", failed, n);
}

#define RUN(table) run_table(table, sizeof(table) / sizeof(table[0]))

/* ---- the tables -------------------------------------------------------------------- */

#define OK JWTC_OK
#define E(x) JWTC_ERR_##x

static const vcase c_alg[] = {
	{ .name = "alg none", .label = "none", .want = E(ALG), .why = "none" },
	{ .name = "alg None", .label = "None", .want = E(ALG), .why = "none" },
	{ .name = "alg NONE", .label = "NONE", .want = E(ALG), .why = "none" },
	{ .name = "alg nOnE", .label = "nOnE", .want = E(ALG), .why = "none" },
	{ .name = "alg none, empty signature", .label = "none",
	  .mut = M_SIG_EMPTY, .want = E(ALG), .why = "none" },
	{ .name = "alg none, HS256 issuer", .sec = "hmac", .key = K_HS,
	  .alg = "HS256", .label = "none", .want = E(ALG), .why = "none" },
	{ .name = "alg missing", .hdr_verbatim = true,
	  .hdr = "{\"kid\":\"ec256\"}", .want = E(ALG), .why = "alg" },
	{ .name = "alg a number", .hdr_verbatim = true,
	  .hdr = "{\"alg\":256,\"kid\":\"ec256\"}", .want = E(ALG),
	  .why = "alg" },
	{ .name = "alg null", .hdr_verbatim = true,
	  .hdr = "{\"alg\":null,\"kid\":\"ec256\"}", .want = E(ALG),
	  .why = "alg" },
	{ .name = "alg an array", .hdr_verbatim = true,
	  .hdr = "{\"alg\":[\"ES256\"],\"kid\":\"ec256\"}", .want = E(ALG),
	  .why = "alg" },
	{ .name = "alg an object", .hdr_verbatim = true,
	  .hdr = "{\"alg\":{},\"kid\":\"ec256\"}", .want = E(ALG),
	  .why = "alg" },
	{ .name = "alg ES256K", .label = "ES256K", .want = E(ALG),
	  .why = "ES256K" },
	{ .name = "alg HS1", .sec = "hmac", .key = K_HS, .alg = "HS256",
	  .label = "HS1", .want = E(ALG), .why = "HS1" },
	{ .name = "alg es256", .label = "es256", .want = E(ALG),
	  .why = "es256" },
	{ .name = "alg with a space", .label = "ES256 ", .want = E(ALG),
	  .why = "alg" },
	{ .name = "alg empty", .label = "", .want = E(ALG), .why = "alg" },
	{ .name = "alg EDDSA", .key = K_ED25519, .alg = "EdDSA",
	  .label = "EDDSA", .want = E(ALG), .why = "EDDSA" },
	{ .name = "alg Ed25519 (not a JWS alg here)", .key = K_ED25519,
	  .alg = "EdDSA", .label = "Ed25519", .want = E(ALG),
	  .why = "Ed25519" },
	{ .name = "alg RSA-OAEP", .key = K_RSA, .alg = "RS256",
	  .label = "RSA-OAEP", .want = E(ALG), .why = "RSA-OAEP" },
	{ .name = "HS256 at a section without it", .key = K_HS,
	  .alg = "HS256", .kid = "-", .want = E(ALG), .why = "HS256" },
	{ .name = "ES384 at an ES256-only section", .sec = "es",
	  .key = K_EC384, .alg = "ES384", .want = E(ALG), .why = "ES384" },
	{ .name = "RS256 at an ES256-only section", .sec = "es",
	  .key = K_RSA, .alg = "RS256", .want = E(ALG), .why = "RS256" },
	{ .name = "RS256 at an HMAC-only section", .sec = "hmac",
	  .key = K_RSA, .alg = "RS256", .want = E(ALG), .why = "RS256" },
	{ .name = "EdDSA at an HMAC-only section", .sec = "hmac",
	  .key = K_ED25519, .alg = "EdDSA", .want = E(ALG), .why = "EdDSA" },
	{ .name = "HS384 at an HS256 section", .sec = "rsahmac",
	  .key = K_HS2, .alg = "HS384", .want = E(ALG), .why = "HS384" },
	/* the RSA public key as an HMAC secret */
	{ .name = "HS256 with the PEM public key, JWKS-only", .sec = "rsaonly",
	  .key = K_PEM, .alg = "HS256", .want = E(ALG), .why = "HS256" },
	{ .name = "HS256 with the DER public key, JWKS-only", .sec = "rsaonly",
	  .key = K_DER, .alg = "HS256", .want = E(ALG), .why = "HS256" },
	{ .name = "HS256 with the JWK public key, JWKS-only",
	  .sec = "rsaonly", .key = K_JWKTEXT, .alg = "HS256", .want = E(ALG),
	  .why = "HS256" },
	{ .name = "HS256 with the PEM public key, kid", .sec = "rsaonly",
	  .key = K_PEM, .alg = "HS256", .kid = "rsa1", .want = E(ALG),
	  .why = "HS256" },
	{ .name = "HS256 with the PEM public key, HMAC section",
	  .sec = "rsahmac", .key = K_PEM, .alg = "HS256",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "HS256 with the DER public key, HMAC section",
	  .sec = "rsahmac", .key = K_DER, .alg = "HS256",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "HS256 with the JWK public key, HMAC section",
	  .sec = "rsahmac", .key = K_JWKTEXT, .alg = "HS256",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "HS256 with the PEM public key and its kid",
	  .sec = "rsahmac", .key = K_PEM, .alg = "HS256", .kid = "rsa1",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	/* accepted */
	{ .name = "RS256", .key = K_RSA, .alg = "RS256", .want = OK },
	{ .name = "RS384", .key = K_RSA, .alg = "RS384", .want = OK },
	{ .name = "RS512", .key = K_RSA, .alg = "RS512", .want = OK },
	{ .name = "PS256", .key = K_RSA, .alg = "PS256", .want = OK },
	{ .name = "PS384", .key = K_RSA, .alg = "PS384", .want = OK },
	{ .name = "PS512", .key = K_RSA, .alg = "PS512", .want = OK },
	{ .name = "ES256", .want = OK },
	{ .name = "ES384", .key = K_EC384, .alg = "ES384", .want = OK },
	{ .name = "ES512", .key = K_EC521, .alg = "ES512", .want = OK },
	{ .name = "EdDSA Ed25519", .key = K_ED25519, .alg = "EdDSA",
	  .want = OK },
	{ .name = "EdDSA Ed448", .key = K_ED448, .alg = "EdDSA", .want = OK },
	{ .name = "HS256", .sec = "hmac", .key = K_HS, .alg = "HS256",
	  .want = OK },
	{ .name = "HS384", .sec = "hmac", .key = K_HS, .alg = "HS384",
	  .want = OK },
	{ .name = "HS512", .sec = "hmac", .key = K_HS, .alg = "HS512",
	  .want = OK },
	{ .name = "HS256 beside a JWKS", .sec = "rsahmac", .key = K_HS2,
	  .alg = "HS256", .want = OK },
	{ .name = "RS256 beside an HMAC secret", .sec = "rsahmac",
	  .key = K_RSA, .alg = "RS256", .want = OK },
	{ .name = "RS256 with e=3 (allowed: odd, >= 3)", .key = K_RSA_E3,
	  .alg = "RS256", .want = OK },
	{ .name = "RS256 without kid, second of two RSA keys",
	  .key = K_RSA_E3, .alg = "RS256", .kid = "-", .want = OK },
	{ .name = "ES256 without kid", .kid = "-", .want = OK },
	{ .name = "EdDSA Ed448 without kid", .key = K_ED448, .alg = "EdDSA",
	  .kid = "-", .want = OK },
};

static const vcase c_keys[] = {
	/* header members that point at other keys are never used */
	{ .name = "embedded jwk, attacker key, no kid", .key = K_ATK_EC,
	  .embed = E_JWK, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "embedded jwk, attacker RSA key, no kid", .key = K_ATK_RSA,
	  .alg = "RS256", .embed = E_JWK, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "embedded jwk, attacker key, its own kid", .key = K_ATK_EC,
	  .kid = "attacker", .embed = E_JWK, .want = E(NO_KEY),
	  .why = "attacker" },
	{ .name = "embedded jwk, attacker key, a real kid", .key = K_ATK_EC,
	  .kid = "ec256", .embed = E_JWK, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "jku elsewhere, attacker kid", .key = K_ATK_EC,
	  .kid = "evil-1", .hdr = "{\"jku\":\"https://evil.example/jwks\"}",
	  .want = E(NO_KEY), .why = "evil-1" },
	{ .name = "jku elsewhere, no kid", .key = K_ATK_EC,
	  .hdr = "{\"jku\":\"https://evil.example/jwks\"}",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "jku to the section's own issuer", .key = K_ATK_EC,
	  .hdr = "{\"jku\":\"https://main.example/jwks\"}",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "x5u elsewhere, attacker kid", .key = K_ATK_EC,
	  .kid = "evil-2", .hdr = "{\"x5u\":\"https://evil.example/c.pem\"}",
	  .want = E(NO_KEY), .why = "evil-2" },
	{ .name = "x5u elsewhere, no kid", .key = K_ATK_RSA, .alg = "RS256",
	  .hdr = "{\"x5u\":\"https://evil.example/c.pem\"}",
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "x5c with the attacker key, no kid", .key = K_ATK_EC,
	  .embed = E_X5C, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "x5c with the attacker key, a real kid", .key = K_ATK_RSA,
	  .alg = "RS256", .kid = "rsa1", .embed = E_X5C,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "jku ignored for a good token",
	  .hdr = "{\"jku\":\"https://evil.example/jwks\"}", .want = OK },
	/* kid */
	{ .name = "kid unknown", .kid = "k9", .want = E(NO_KEY), .why = "k9" },
	{ .name = "kid with ../", .kid = "../../../etc/passwd",
	  .want = E(NO_KEY), .why = "kid" },
	{ .name = "kid an absolute path", .kid = "/dev/null",
	  .want = E(NO_KEY), .why = "kid" },
	{ .name = "kid differing in case", .kid = "EC256", .want = E(NO_KEY),
	  .why = "EC256" },
	{ .name = "kid of 300 bytes", .kid = kid300, .want = E(MALFORMED),
	  .why = "kid" },
	{ .name = "kid of 257 bytes", .kid = kid257, .want = E(MALFORMED),
	  .why = "kid" },
	{ .name = "kid of 256 bytes, unknown", .kid = kid256,
	  .want = E(NO_KEY), .why = "kid" },
	{ .name = "kid a number", .hdr = "{\"kid\":5}", .want = E(MALFORMED),
	  .why = "kid" },
	{ .name = "kid an object", .hdr = "{\"kid\":{\"x\":\"ec256\"}}",
	  .want = E(MALFORMED), .why = "kid" },
	{ .name = "kid an array", .hdr = "{\"kid\":[\"ec256\"]}",
	  .want = E(MALFORMED), .why = "kid" },
	{ .name = "kid null", .hdr = "{\"kid\":null}", .want = E(MALFORMED),
	  .why = "kid" },
	{ .name = "kid empty", .kid = "", .want = E(MALFORMED), .why = "kid" },
	{ .name = "kid with a NUL escape", .hdr_verbatim = true,
	  .hdr = "{\"alg\":\"ES256\",\"kid\":\"ec256\\u0000x\"}",
	  .want = E(MALFORMED), .why = "header" },
	{ .name = "kid of another section", .sec = "rsaonly", .key = K_RSA,
	  .alg = "RS256", .kid = "ec256", .want = E(NO_KEY), .why = "ec256" },
	{ .name = "kid of the section, attacker signature", .key = K_ATK_RSA,
	  .alg = "RS256", .kid = "rsa1", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "kid of the other RSA key", .key = K_RSA, .alg = "RS256",
	  .kid = "rsa-e3", .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "no kid, attacker RSA key", .key = K_ATK_RSA,
	  .alg = "RS256", .want = E(BAD_SIGNATURE), .why = "signature" },
	/* key strength and binding */
	{ .name = "RS256 with a 1024-bit key", .key = K_RSA1024,
	  .alg = "RS256", .want = E(NO_KEY), .why = "rsa1024" },
	{ .name = "RS256 with a 1024-bit key, no kid", .key = K_RSA1024,
	  .alg = "RS256", .kid = "-", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "ES256 by the P-384 key", .key = K_EC384, .alg = "ES256",
	  .want = E(NO_KEY), .why = "ec384" },
	{ .name = "ES384 naming the P-256 key", .key = K_EC256,
	  .alg = "ES384", .want = E(NO_KEY), .why = "ec256" },
	{ .name = "ES512 by the P-384 key", .key = K_EC384, .alg = "ES512",
	  .want = E(NO_KEY), .why = "ec384" },
	{ .name = "ES256 naming the P-521 key", .alg = "ES256",
	  .kid = "ec521", .want = E(NO_KEY), .why = "ec521" },
	{ .name = "EdDSA naming an EC key", .key = K_ED25519, .alg = "EdDSA",
	  .kid = "ec256", .want = E(NO_KEY), .why = "ec256" },
	{ .name = "ES256 naming an Ed25519 key", .kid = "ed25519",
	  .want = E(NO_KEY), .why = "ed25519" },
	{ .name = "RS256 naming an EC key", .key = K_RSA, .alg = "RS256",
	  .kid = "ec256", .want = E(NO_KEY), .why = "ec256" },
	{ .name = "PS256 naming an Ed448 key", .key = K_RSA, .alg = "PS256",
	  .kid = "ed448", .want = E(NO_KEY), .why = "ed448" },
	{ .name = "ES256 naming an RSA key", .kid = "rsa1", .want = E(NO_KEY),
	  .why = "rsa1" },
	{ .name = "EdDSA Ed25519 naming the Ed448 key", .key = K_ED25519,
	  .alg = "EdDSA", .kid = "ed448", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "JWK use enc", .sec = "odd", .key = K_RSA, .alg = "RS256",
	  .kid = "enc1", .want = E(NO_KEY), .why = "enc1" },
	{ .name = "JWK key_ops sign only", .sec = "odd", .key = K_RSA,
	  .alg = "RS256", .kid = "ops1", .want = E(NO_KEY), .why = "ops1" },
	{ .name = "JWK alg RS384 used for RS256", .sec = "odd", .key = K_RSA,
	  .alg = "RS256", .kid = "alg384", .want = E(NO_KEY),
	  .why = "alg384" },
	{ .name = "JWK alg PS256 used for RS256", .sec = "odd", .key = K_RSA,
	  .alg = "RS256", .kid = "algps", .want = E(NO_KEY), .why = "algps" },
	{ .name = "JWK P-384 named for ES256", .sec = "odd", .key = K_EC384,
	  .alg = "ES256", .kid = "p384", .want = E(NO_KEY), .why = "p384" },
	{ .name = "JWK alg ES521 (not a name)", .sec = "odd", .key = K_EC521,
	  .alg = "ES512", .kid = "badalg", .want = E(NO_KEY),
	  .why = "badalg" },
	{ .name = "JWK EC use enc", .sec = "odd", .kid = "ec-enc",
	  .want = E(NO_KEY), .why = "ec-enc" },
	{ .name = "JWK EC key_ops encrypt", .sec = "odd", .kid = "ec-ops",
	  .want = E(NO_KEY), .why = "ec-ops" },
	{ .name = "JWK OKP alg ES256 used for EdDSA", .sec = "odd",
	  .key = K_ED25519, .alg = "EdDSA", .kid = "ed-alg",
	  .want = E(NO_KEY), .why = "ed-alg" },
	{ .name = "no kid, no key fits ES256", .sec = "odd", .kid = "-",
	  .want = E(NO_KEY), .why = "ES256" },
	{ .name = "JWK use sig, verify, RS256", .sec = "odd", .key = K_RSA,
	  .alg = "RS256", .kid = "good1", .want = OK },
	{ .name = "JWK alg RS384 used for RS384", .sec = "odd", .key = K_RSA,
	  .alg = "RS384", .kid = "alg384", .want = OK },
	{ .name = "no kid, the one fitting key", .sec = "odd", .key = K_RSA,
	  .alg = "RS256", .kid = "-", .want = OK },
	/* the same kid under two issuers */
	{ .name = "kid shared: A's token signed by B", .sec = "a", .key = K_B,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "kid shared: B's token signed by A", .sec = "b", .key = K_A,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "kid shared: A's token, no kid, signed by B", .sec = "a",
	  .key = K_B, .kid = "-", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "kid shared: A's token signed by A", .sec = "a", .key = K_A,
	  .want = OK },
	{ .name = "kid shared: B's token signed by B", .sec = "b", .key = K_B,
	  .want = OK },
	/* issuers the service does not trust, or cannot get keys for */
	{ .name = "section not trusted by this service", .ctx = CTX_MAIN_ONLY,
	  .sec = "rsaonly", .key = K_RSA, .alg = "RS256",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	{ .name = "section not trusted, HMAC", .ctx = CTX_MAIN_ONLY,
	  .sec = "hmac", .key = K_HS, .alg = "HS256",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	{ .name = "the trusted section of a limited service",
	  .ctx = CTX_MAIN_ONLY, .want = OK },
	{ .name = "network issuer without keys", .ctx = CTX_NET,
	  .sec = "net", .want = E(KEYS_UNAVAILABLE), .why = "net" },
};

static const vcase c_sig[] = {
	{ .name = "ES256 r=0 s=0", .mut = M_SIG_ZERO,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES384 r=0 s=0", .key = K_EC384, .alg = "ES384",
	  .mut = M_SIG_ZERO, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES512 r=0 s=0", .key = K_EC521, .alg = "ES512",
	  .mut = M_SIG_ZERO, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES256 DER signature", .der = true,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES384 DER signature", .key = K_EC384, .alg = "ES384",
	  .der = true, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES512 DER signature", .key = K_EC521, .alg = "ES512",
	  .der = true, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES256 signature one byte short", .mut = M_SIG_TRUNC,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES256 signature one byte long", .mut = M_SIG_EXTEND,
	  .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "ES512 signature one byte short", .key = K_EC521,
	  .alg = "ES512", .mut = M_SIG_TRUNC, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "RS256 signature one byte short", .key = K_RSA,
	  .alg = "RS256", .mut = M_SIG_TRUNC, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "RS256 signature one byte long", .key = K_RSA,
	  .alg = "RS256", .mut = M_SIG_EXTEND, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "RS256 all-zero signature", .key = K_RSA, .alg = "RS256",
	  .mut = M_SIG_ZERO, .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "EdDSA all-zero signature", .key = K_ED25519,
	  .alg = "EdDSA", .mut = M_SIG_ZERO, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "EdDSA Ed448 signature one byte short", .key = K_ED448,
	  .alg = "EdDSA", .mut = M_SIG_TRUNC, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "PS256 with salt 0", .key = K_RSA, .alg = "PS256",
	  .salt = SALT(0), .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "PS256 with salt 20", .key = K_RSA, .alg = "PS256",
	  .salt = SALT(20), .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "PS256 with salt 64", .key = K_RSA, .alg = "PS256",
	  .salt = SALT(64), .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "PS384 with salt 32", .key = K_RSA, .alg = "PS384",
	  .salt = SALT(32), .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "PS512 with salt 0", .key = K_RSA, .alg = "PS512",
	  .salt = SALT(0), .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "PS256 with salt 32 (the hash length)", .key = K_RSA,
	  .alg = "PS256", .salt = SALT(32), .want = OK },
	{ .name = "RS256 signature labelled PS256", .key = K_RSA,
	  .alg = "RS256", .label = "PS256", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "PS256 signature labelled RS256", .key = K_RSA,
	  .alg = "PS256", .label = "RS256", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "RS384 signature labelled RS256", .key = K_RSA,
	  .alg = "RS384", .label = "RS256", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "PS512 signature labelled PS256", .key = K_RSA,
	  .alg = "PS512", .label = "PS256", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "HS512 tag labelled HS256", .sec = "hmac", .key = K_HS,
	  .alg = "HS512", .label = "HS256", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "HS256 with another secret", .sec = "hmac", .key = K_HS2,
	  .alg = "HS256", .want = E(BAD_SIGNATURE), .why = "signature" },
	{ .name = "HS256 tag one byte short", .sec = "hmac", .key = K_HS,
	  .alg = "HS256", .mut = M_SIG_TRUNC, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "HS256 empty tag", .sec = "hmac", .key = K_HS,
	  .alg = "HS256", .mut = M_SIG_EMPTY, .want = E(BAD_SIGNATURE),
	  .why = "signature" },
	{ .name = "RS256 empty signature", .key = K_RSA, .alg = "RS256",
	  .mut = M_SIG_EMPTY, .want = E(BAD_SIGNATURE), .why = "signature" },
	/* tampering: one character of the signature, the payload, the
	 * header */
#define TAMPER(a, k, s) \
	{ .name = a " signature changed", .sec = s, .key = k, .alg = a, \
	  .mut = M_SIG_FLIP, .want = E(BAD_SIGNATURE), .why = "signature" }, \
	{ .name = a " payload changed", .sec = s, .key = k, .alg = a, \
	  .mut = M_PAY_SWAP, .tamper = "\"sub\":\"root\"", \
	  .want = E(BAD_SIGNATURE), .why = "signature" }, \
	{ .name = a " header changed", .sec = s, .key = k, .alg = a, \
	  .mut = M_HDR_SWAP, .tamper = "{\"typ\":\"JWT\"}", \
	  .want = E(BAD_SIGNATURE), .why = "signature" }
	TAMPER("RS256", K_RSA, NULL),
	TAMPER("PS256", K_RSA, NULL),
	TAMPER("ES256", K_EC256, NULL),
	TAMPER("ES384", K_EC384, NULL),
	TAMPER("ES512", K_EC521, NULL),
	TAMPER("EdDSA", K_ED25519, NULL),
	TAMPER("EdDSA", K_ED448, NULL),
	TAMPER("HS256", K_HS, "hmac"),
	TAMPER("HS512", K_HS, "hmac"),
#undef TAMPER
	{ .name = "exp pushed out after signing", .mut = M_PAY_SWAP,
	  .tamper = "\"exp\":1800000000", .want = E(BAD_SIGNATURE),
	  .why = "signature" },
};

static const vcase c_encoding[] = {
	{ .name = "header padded", .mut = M_HDR_PAD, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "payload padded", .mut = M_PAY_PAD, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "signature padded", .mut = M_SIG_PAD, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "header with '+'", .hdr = "{\"x\":\"~~~\"}",
	  .mut = M_HDR_PLUS, .want = E(MALFORMED), .why = "base64url" },
	{ .name = "payload with '+'", .claims = "\"x\":\"~~~\"",
	  .mut = M_PAY_PLUS, .want = E(MALFORMED), .why = "base64url" },
	{ .name = "payload with '/'", .claims = "\"x\":\"???\"",
	  .mut = M_PAY_SLASH, .want = E(MALFORMED), .why = "base64url" },
	{ .name = "signature with '+'", .mut = M_SIG_PLUS,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "signature with '/'", .mut = M_SIG_SLASH,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "tab inside the header", .mut = M_HDR_TAB,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "space inside the payload", .mut = M_PAY_SP,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "newline inside the payload", .mut = M_PAY_NL,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "newline inside the signature", .mut = M_SIG_NL,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "newline at the end", .mut = M_END_NL, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "CRLF at the end", .mut = M_END_CRLF, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "space in front", .mut = M_LEAD_SP, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "space at the end", .mut = M_END_SP, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "header with non-zero trailing bits", .mut = M_HDR_TRAIL,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "payload with non-zero trailing bits", .mut = M_PAY_TRAIL,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "signature with non-zero trailing bits", .mut = M_SIG_TRAIL,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "RS256 signature with non-zero trailing bits", .key = K_RSA,
	  .alg = "RS256", .mut = M_SIG_TRAIL, .want = E(MALFORMED),
	  .why = "base64url" },
	{ .name = "signature of length 1 mod 4", .mut = M_SIG_LEN1,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "payload of length 1 mod 4", .mut = M_PAY_LEN1,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "'*' inside the payload", .mut = M_PAY_STAR,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "non-ASCII inside the payload", .mut = M_PAY_HIGH,
	  .want = E(MALFORMED), .why = "base64url" },
	{ .name = "NUL byte inside the payload", .mut = M_NUL_MID,
	  .want = E(MALFORMED), .why = "base64url" },
	/* segments */
	{ .name = "two segments", .mut = M_2SEG, .want = E(MALFORMED),
	  .why = "segment" },
	{ .name = "four segments", .mut = M_4SEG, .want = E(MALFORMED),
	  .why = "segment" },
	{ .name = "a trailing dot", .mut = M_TRAIL_DOT, .want = E(MALFORMED),
	  .why = "segment" },
	{ .name = "one segment", .mut = M_ONE_SEG, .want = E(MALFORMED),
	  .why = "segment" },
	{ .name = "five segments (JWE)", .mut = M_5SEG,
	  .want = E(UNSUPPORTED), .why = "JWE" },
	{ .name = "empty header segment", .mut = M_EMPTY_HDR,
	  .want = E(MALFORMED), .why = "header" },
	{ .name = "empty payload segment", .mut = M_EMPTY_PAY,
	  .want = E(MALFORMED), .why = "claims" },
	{ .name = "only dots", .mut = M_ALL_EMPTY, .want = E(MALFORMED),
	  .why = "empty" },
	{ .name = "empty token", .mut = M_EMPTY, .want = E(MALFORMED),
	  .why = "empty" },
	{ .name = "JSON serialization", .mut = M_JSON_SERIAL,
	  .want = E(UNSUPPORTED), .why = "JSON" },
	/* size */
	{ .name = "one byte over max_token_size", .mut = M_SIZE,
	  .size = 16385, .want = E(TOO_LARGE), .why = "16384" },
	{ .name = "a mebibyte", .mut = M_HUGE, .want = E(TOO_LARGE),
	  .why = "max_token_size" },
	{ .name = "16385 bytes of garbage", .mut = M_GARBAGE,
	  .want = E(TOO_LARGE), .why = "max_token_size" },
	{ .name = "exactly max_token_size", .mut = M_SIZE, .size = 16384,
	  .want = OK },
};

static const vcase c_json[] = {
	{ .name = "header an array", .hdr_verbatim = true,
	  .hdr = "[\"ES256\"]", .want = E(MALFORMED), .why = "header" },
	{ .name = "header a string", .hdr_verbatim = true,
	  .hdr = "\"ES256\"", .want = E(MALFORMED), .why = "header" },
	{ .name = "header null", .hdr_verbatim = true, .hdr = "null",
	  .want = E(MALFORMED), .why = "header" },
	{ .name = "header cut short", .hdr_verbatim = true,
	  .hdr = "{\"alg\":\"ES256\",\"kid\":\"ec256\"", .want = E(MALFORMED),
	  .why = "header" },
	{ .name = "header with trailing data", .hdr_verbatim = true,
	  .hdr = "{\"alg\":\"ES256\",\"kid\":\"ec256\"}x", .want = E(MALFORMED),
	  .why = "header" },
	{ .name = "header of two objects", .hdr_verbatim = true,
	  .hdr = "{\"alg\":\"ES256\",\"kid\":\"ec256\"}{}", .want = E(MALFORMED),
	  .why = "header" },
	{ .name = "header alg twice", .hdr_verbatim = true,
	  .hdr = "{\"alg\":\"none\",\"kid\":\"ec256\",\"alg\":\"ES256\"}",
	  .want = E(MALFORMED), .why = "duplicate" },
	{ .name = "header kid twice", .hdr_verbatim = true,
	  .hdr = "{\"alg\":\"ES256\",\"kid\":\"x\",\"kid\":\"ec256\"}",
	  .want = E(MALFORMED), .why = "duplicate" },
	{ .name = "payload an array", .payload = "[{\"iss\":\"" ISS("main")
	  "\"}]", .want = E(MALFORMED), .why = "claims" },
	{ .name = "payload a string", .payload = "\"" ISS("main") "\"",
	  .want = E(MALFORMED), .why = "claims" },
	{ .name = "payload a number", .payload = "1700003600",
	  .want = E(MALFORMED), .why = "claims" },
	{ .name = "payload null", .payload = "null", .want = E(MALFORMED),
	  .why = "claims" },
	{ .name = "payload cut short", .payload = "{\"iss\":\"" ISS("main")
	  "\",\"exp\":1700003600", .want = E(MALFORMED), .why = "claims" },
	{ .name = "payload with trailing data", .payload = "{\"iss\":\""
	  ISS("main") "\",\"sub\":\"alice\",\"aud\":\"api\","
	  "\"exp\":1700003600}]", .want = E(MALFORMED), .why = "claims" },
	{ .name = "sub twice", .claims = "\"sub\":\"alice\",\"sub\":\"root\"",
	  .want = E(MALFORMED), .why = "duplicate" },
	{ .name = "exp twice", .claims = "\"exp\":1,\"exp\":1700003600",
	  .want = E(MALFORMED), .why = "duplicate" },
	{ .name = "iss twice", .claims = "\"iss\":\"" ISS("evil") "\","
	  "\"iss\":\"" ISS("main") "\"", .want = E(MALFORMED),
	  .why = "duplicate" },
	{ .name = "aud twice", .claims = "\"aud\":\"x\",\"aud\":\"api\"",
	  .want = E(MALFORMED), .why = "duplicate" },
	{ .name = "member twice inside a claim",
	  .claims = "\"x\":{\"a\":1,\"a\":2}", .want = E(MALFORMED),
	  .why = "duplicate" },
	{ .name = "nested 20 deep",
	  .claims = "\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
	  .want = E(MALFORMED), .why = "nest" },
	{ .name = "NUL escape in a claim", .claims = "\"x\":\"a\\u0000b\"",
	  .want = E(MALFORMED), .why = "claims" },
	{ .name = "invalid UTF-8 in a claim", .claims = "\"x\":\"\xff\xfe\"",
	  .want = E(MALFORMED), .why = "claims" },
	{ .name = "byte order mark", .payload = "\xef\xbb\xbf{\"iss\":\""
	  ISS("main") "\",\"sub\":\"alice\",\"aud\":\"api\","
	  "\"exp\":1700003600}", .want = E(MALFORMED), .why = "claims" },
	{ .name = "exp 1e400", .claims = "\"exp\":1e400",
	  .want = E(MALFORMED), .why = "claims" },
	{ .name = "exp 2^64", .claims = "\"exp\":18446744073709551616",
	  .want = E(MALFORMED), .why = "claims" },
	/* header members that change what the token is */
	{ .name = "crit with a claim name", .hdr = "{\"crit\":[\"exp\"],"
	  "\"exp\":1}", .want = E(UNSUPPORTED), .why = "crit" },
	{ .name = "crit empty", .hdr = "{\"crit\":[]}",
	  .want = E(UNSUPPORTED), .why = "crit" },
	{ .name = "crit b64 with b64 false",
	  .hdr = "{\"crit\":[\"b64\"],\"b64\":false}",
	  .want = E(UNSUPPORTED), .why = "crit" },
	{ .name = "b64 false", .hdr = "{\"b64\":false}",
	  .want = E(UNSUPPORTED), .why = "b64" },
	{ .name = "b64 \"false\"", .hdr = "{\"b64\":\"false\"}",
	  .want = E(UNSUPPORTED), .why = "b64" },
	{ .name = "cty JWT", .hdr = "{\"cty\":\"JWT\"}",
	  .want = E(UNSUPPORTED), .why = "cty" },
	{ .name = "cty jwt", .hdr = "{\"cty\":\"jwt\"}",
	  .want = E(UNSUPPORTED), .why = "cty" },
	{ .name = "enc (JWE header)", .hdr = "{\"enc\":\"A256GCM\"}",
	  .want = E(UNSUPPORTED), .why = "JWE" },
	{ .name = "zip", .hdr = "{\"zip\":\"DEF\"}", .want = E(UNSUPPORTED),
	  .why = "JWE" },
	{ .name = "typ a number", .hdr = "{\"typ\":5}", .want = E(MALFORMED),
	  .why = "typ" },
	{ .name = "iss a number", .claims = "\"iss\":5",
	  .want = E(MALFORMED), .why = "iss" },
	{ .name = "iss an array", .claims = "\"iss\":[\"" ISS("main") "\"]",
	  .want = E(MALFORMED), .why = "iss" },
	{ .name = "jti a number", .claims = "\"jti\":5",
	  .want = E(MALFORMED), .why = "jti" },
	{ .name = "unknown header member ignored", .hdr = "{\"foo\":[1,2]}",
	  .want = OK },
};

static const vcase c_time[] = {
	{ .name = "exp missing", .omit = "exp", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "exp a string", .claims = "\"exp\":\"1700003600\"",
	  .want = E(CLAIM), .why = "exp" },
	{ .name = "exp true", .claims = "\"exp\":true", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "exp null", .claims = "\"exp\":null", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "exp negative", .claims = "\"exp\":-1", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "exp an array", .claims = "\"exp\":[1700003600]",
	  .want = E(CLAIM), .why = "exp" },
	{ .name = "exp an object", .claims = "\"exp\":{}", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "exp 2^53+1", .claims = "\"exp\":9007199254740993",
	  .want = E(CLAIM), .why = "exp" },
	{ .name = "exp 2^53+2", .claims = "\"exp\":9007199254740994",
	  .want = E(CLAIM), .why = "exp" },
	{ .name = "exp the largest double",
	  .claims = "\"exp\":1.7976931348623157e308", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "exp 1e300", .claims = "\"exp\":1e300", .want = E(CLAIM),
	  .why = "exp" },
	{ .name = "now exactly exp + leeway",
	  .claims = "\"exp\":1699999940", .want = E(EXPIRED),
	  .why = "expired" },
	{ .name = "exp half a second past the leeway",
	  .claims = "\"exp\":1699999939.5", .want = E(EXPIRED),
	  .why = "expired" },
	{ .name = "exp 0", .claims = "\"exp\":0", .want = E(EXPIRED),
	  .why = "expired" },
	{ .name = "exp long ago", .claims = "\"exp\":1000000000",
	  .want = E(EXPIRED), .why = "expired" },
	{ .name = "exp exactly now, no leeway", .sec = "noleeway",
	  .claims = "\"exp\":1700000000", .want = E(EXPIRED),
	  .why = "expired" },
	{ .name = "exp one second within the leeway",
	  .claims = "\"exp\":1699999941", .want = OK },
	{ .name = "exp half a second within the leeway",
	  .claims = "\"exp\":1699999940.5", .want = OK },
	{ .name = "exp 2^53", .claims = "\"exp\":9007199254740992",
	  .want = OK },
	{ .name = "exp in exponent form", .claims = "\"exp\":1.7000036e9",
	  .want = OK },
	{ .name = "exp one second ahead, no leeway", .sec = "noleeway",
	  .claims = "\"exp\":1700000001", .want = OK },
	{ .name = "nbf one second beyond the leeway",
	  .claims = "\"nbf\":1700000061", .want = E(NOT_YET_VALID),
	  .why = "nbf" },
	{ .name = "nbf far ahead", .claims = "\"nbf\":1800000000",
	  .want = E(NOT_YET_VALID), .why = "nbf" },
	{ .name = "nbf one second ahead, no leeway", .sec = "noleeway",
	  .claims = "\"nbf\":1700000001", .want = E(NOT_YET_VALID),
	  .why = "nbf" },
	{ .name = "nbf a string", .claims = "\"nbf\":\"0\"", .want = E(CLAIM),
	  .why = "nbf" },
	{ .name = "nbf negative", .claims = "\"nbf\":-5", .want = E(CLAIM),
	  .why = "nbf" },
	{ .name = "nbf null", .claims = "\"nbf\":null", .want = E(CLAIM),
	  .why = "nbf" },
	{ .name = "nbf 2^53+2", .claims = "\"nbf\":9007199254740994",
	  .want = E(CLAIM), .why = "nbf" },
	{ .name = "nbf exactly at the leeway", .claims = "\"nbf\":1700000060",
	  .want = OK },
	{ .name = "nbf now, no leeway", .sec = "noleeway",
	  .claims = "\"nbf\":1700000000", .want = OK },
	{ .name = "iat one second beyond the leeway",
	  .claims = "\"iat\":1700000061", .want = E(ISSUED_IN_FUTURE),
	  .why = "iat" },
	{ .name = "iat one second ahead, no leeway", .sec = "noleeway",
	  .claims = "\"iat\":1700000001", .want = E(ISSUED_IN_FUTURE),
	  .why = "iat" },
	{ .name = "iat a string", .claims = "\"iat\":\"x\"", .want = E(CLAIM),
	  .why = "iat" },
	{ .name = "iat false", .claims = "\"iat\":false", .want = E(CLAIM),
	  .why = "iat" },
	{ .name = "iat 2^53+1", .claims = "\"iat\":9007199254740993",
	  .want = E(CLAIM), .why = "iat" },
	{ .name = "iat exactly at the leeway", .claims = "\"iat\":1700000060",
	  .want = OK },
	{ .name = "no iat at all", .omit = "iat", .want = OK },
	/* max_token_age 300, leeway 60 */
	{ .name = "age 361 s", .sec = "age", .claims = "\"iat\":1699999639",
	  .want = E(TOO_OLD), .why = "max_token_age" },
	{ .name = "age a day", .sec = "age", .claims = "\"iat\":1699913600",
	  .want = E(TOO_OLD), .why = "max_token_age" },
	{ .name = "age without iat", .sec = "age", .omit = "iat",
	  .want = E(CLAIM), .why = "iat" },
	{ .name = "age with iat a string", .sec = "age",
	  .claims = "\"iat\":\"1699999990\"", .want = E(CLAIM), .why = "iat" },
	{ .name = "age 360 s", .sec = "age", .claims = "\"iat\":1699999640",
	  .want = OK },
};

static const vcase c_claims[] = {
	/* iss */
	{ .name = "iss with a trailing slash", .iss = ISS("main") "/",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	{ .name = "iss missing", .omit = "iss", .want = E(UNKNOWN_ISSUER),
	  .why = "iss" },
	{ .name = "iss in upper case", .iss = "https://MAIN.example",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	{ .name = "iss http", .iss = "http://main.example",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	{ .name = "iss with a trailing space", .iss = ISS("main") " ",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	{ .name = "iss empty", .iss = "", .want = E(UNKNOWN_ISSUER),
	  .why = "iss" },
	{ .name = "iss unknown", .iss = ISS("evil"), .want = E(UNKNOWN_ISSUER),
	  .why = "iss" },
	{ .name = "iss a prefix", .iss = "https://main.exampl",
	  .want = E(UNKNOWN_ISSUER), .why = "iss" },
	/* aud; section main has "api urn:other" */
	{ .name = "aud missing", .omit = "aud", .want = E(AUDIENCE),
	  .why = "aud" },
	{ .name = "aud longer (api2)", .claims = "\"aud\":\"api2\"",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud a prefix (ap)", .claims = "\"aud\":\"ap\"",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud in upper case", .claims = "\"aud\":\"API\"",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud with a space", .claims = "\"aud\":\"api \"",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud empty", .claims = "\"aud\":\"\"", .want = E(AUDIENCE),
	  .why = "aud" },
	{ .name = "aud both as one string", .claims = "\"aud\":\"api urn:other\"",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud array without a match",
	  .claims = "\"aud\":[\"x\",\"api2\",\"urn:othe\"]",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud empty array", .claims = "\"aud\":[]",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud array of a number", .claims = "\"aud\":[5]",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud array with a non-string and no match",
	  .claims = "\"aud\":[\"x\",{\"api\":1}]", .want = E(AUDIENCE),
	  .why = "aud" },
	{ .name = "aud a number", .claims = "\"aud\":5", .want = E(AUDIENCE),
	  .why = "aud" },
	{ .name = "aud an object", .claims = "\"aud\":{\"api\":true}",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud null", .claims = "\"aud\":null", .want = E(AUDIENCE),
	  .why = "aud" },
	{ .name = "aud nested array", .claims = "\"aud\":[[\"api\"]]",
	  .want = E(AUDIENCE), .why = "aud" },
	{ .name = "aud array with a match",
	  .claims = "\"aud\":[\"x\",\"urn:other\"]", .want = OK },
	{ .name = "aud the second audience",
	  .claims = "\"aud\":\"urn:other\"", .want = OK },
	/* typ; section typ has token_types at+jwt */
	{ .name = "typ JWT where at+jwt is required", .sec = "typ",
	  .hdr = "{\"typ\":\"JWT\"}", .want = E(TOKEN_TYPE), .why = "typ" },
	{ .name = "typ missing where required", .sec = "typ",
	  .want = E(TOKEN_TYPE), .why = "typ" },
	{ .name = "typ longer", .sec = "typ", .hdr = "{\"typ\":\"at+jwt2\"}",
	  .want = E(TOKEN_TYPE), .why = "typ" },
	{ .name = "typ shorter", .sec = "typ", .hdr = "{\"typ\":\"at+jw\"}",
	  .want = E(TOKEN_TYPE), .why = "typ" },
	{ .name = "typ only the prefix", .sec = "typ",
	  .hdr = "{\"typ\":\"application/\"}", .want = E(TOKEN_TYPE),
	  .why = "typ" },
	{ .name = "typ with another prefix", .sec = "typ",
	  .hdr = "{\"typ\":\"xapplication/at+jwt\"}", .want = E(TOKEN_TYPE),
	  .why = "typ" },
	{ .name = "typ application/jwt", .sec = "typ",
	  .hdr = "{\"typ\":\"application/jwt\"}", .want = E(TOKEN_TYPE),
	  .why = "typ" },
	{ .name = "typ empty", .sec = "typ", .hdr = "{\"typ\":\"\"}",
	  .want = E(TOKEN_TYPE), .why = "typ" },
	{ .name = "typ at+jwt", .sec = "typ", .hdr = "{\"typ\":\"at+jwt\"}",
	  .want = OK },
	{ .name = "typ AT+JWT", .sec = "typ", .hdr = "{\"typ\":\"AT+JWT\"}",
	  .want = OK },
	{ .name = "typ application/at+jwt", .sec = "typ",
	  .hdr = "{\"typ\":\"application/at+jwt\"}", .want = OK },
	{ .name = "typ application/AT+JWT", .sec = "typ",
	  .hdr = "{\"typ\":\"application/AT+JWT\"}", .want = OK },
	{ .name = "typ free where no type is required",
	  .hdr = "{\"typ\":\"whatever\"}", .want = OK },
	/* required_claims jti email; claim_values azp=client1
	 * email_verified=true tid=t1 */
#define RULES_OK "\"email\":\"a@example.com\",\"azp\":\"client1\"," \
	"\"email_verified\":true,\"tid\":\"t1\""
	{ .name = "required claim email missing", .sec = "rules",
	  .claims = "\"azp\":\"client1\",\"email_verified\":true,"
	  "\"tid\":\"t1\"", .want = E(CLAIM), .why = "email" },
	{ .name = "required claim jti missing", .sec = "rules",
	  .omit = "jti", .claims = RULES_OK, .want = E(CLAIM), .why = "jti" },
	{ .name = "claim_values azp differs", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client2\","
	  "\"email_verified\":true,\"tid\":\"t1\"", .want = E(CLAIM),
	  .why = "azp" },
	{ .name = "claim_values azp a prefix", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client\","
	  "\"email_verified\":true,\"tid\":\"t1\"", .want = E(CLAIM),
	  .why = "azp" },
	{ .name = "claim_values azp array without it", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":[\"client2\","
	  "\"client10\"],\"email_verified\":true,\"tid\":\"t1\"",
	  .want = E(CLAIM), .why = "azp" },
	{ .name = "claim_values azp missing", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\","
	  "\"email_verified\":true,\"tid\":\"t1\"", .want = E(CLAIM),
	  .why = "azp" },
	/* SPEC: VALUE is "a string, or true/false for booleans": the
	 * configured true is the boolean, which a string does not equal */
	{ .name = "claim_values boolean given as \"true\"", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client1\","
	  "\"email_verified\":\"true\",\"tid\":\"t1\"", .want = E(CLAIM),
	  .why = "email_verified" },
	{ .name = "claim_values boolean false", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client1\","
	  "\"email_verified\":false,\"tid\":\"t1\"", .want = E(CLAIM),
	  .why = "email_verified" },
	{ .name = "claim_values boolean as 1", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client1\","
	  "\"email_verified\":1,\"tid\":\"t1\"", .want = E(CLAIM),
	  .why = "email_verified" },
	{ .name = "claim_values tid in another case", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client1\","
	  "\"email_verified\":true,\"tid\":\"T1\"", .want = E(CLAIM),
	  .why = "tid" },
	{ .name = "claim_values tid null", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":\"client1\","
	  "\"email_verified\":true,\"tid\":null", .want = E(CLAIM),
	  .why = "tid" },
	{ .name = "claim_values all met", .sec = "rules", .claims = RULES_OK,
	  .want = OK },
	{ .name = "claim_values azp array containing it", .sec = "rules",
	  .claims = "\"email\":\"a@example.com\",\"azp\":[\"x\",\"client1\"],"
	  "\"email_verified\":true,\"tid\":\"t1\"", .want = OK },
#undef RULES_OK
	/* groups: allowed_groups admins ops */
	{ .name = "groups missing", .sec = "groups", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups none allowed", .sec = "groups",
	  .claims = "\"groups\":[\"users\",\"staff\"]", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups string none allowed", .sec = "groups",
	  .claims = "\"groups\":\"users staff\"", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups a prefix", .sec = "groups",
	  .claims = "\"groups\":[\"admin\"]", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups in upper case", .sec = "groups",
	  .claims = "\"groups\":[\"ADMINS\"]", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups joined", .sec = "groups",
	  .claims = "\"groups\":\"adminsops\"", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups empty array", .sec = "groups",
	  .claims = "\"groups\":[]", .want = E(GROUP), .why = "group" },
	{ .name = "groups empty string", .sec = "groups",
	  .claims = "\"groups\":\"\"", .want = E(GROUP), .why = "group" },
	{ .name = "groups a number", .sec = "groups",
	  .claims = "\"groups\":5", .want = E(GROUP), .why = "group" },
	{ .name = "groups nested", .sec = "groups",
	  .claims = "\"groups\":[[\"admins\"]]", .want = E(GROUP),
	  .why = "group" },
	{ .name = "groups in another claim", .sec = "roles",
	  .claims = "\"groups\":[\"admins\"]", .want = E(GROUP),
	  .why = "roles" },
	{ .name = "groups array with one allowed", .sec = "groups",
	  .claims = "\"groups\":[\"users\",\"ops\"]", .want = OK },
	{ .name = "groups string with one allowed", .sec = "groups",
	  .claims = "\"groups\":\"users admins\"", .want = OK },
	{ .name = "groups_claim roles", .sec = "roles",
	  .claims = "\"roles\":\"admins\"", .want = OK },
	/* scope: required_scope read write */
	{ .name = "scope partial", .sec = "scope",
	  .claims = "\"scope\":\"openid read\"", .want = E(SCOPE),
	  .why = "write" },
	{ .name = "scp partial", .sec = "scope", .claims = "\"scp\":[\"read\"]",
	  .want = E(SCOPE), .why = "write" },
	{ .name = "scope missing", .sec = "scope", .want = E(SCOPE),
	  .why = "scope" },
	{ .name = "scope joined", .sec = "scope",
	  .claims = "\"scope\":\"readwrite\"", .want = E(SCOPE),
	  .why = "scope" },
	{ .name = "scope with commas", .sec = "scope",
	  .claims = "\"scope\":\"read,write\"", .want = E(SCOPE),
	  .why = "scope" },
	{ .name = "scope in upper case", .sec = "scope",
	  .claims = "\"scp\":\"READ WRITE\"", .want = E(SCOPE),
	  .why = "scope" },
	{ .name = "scope a number", .sec = "scope", .claims = "\"scope\":5",
	  .want = E(SCOPE), .why = "scope" },
	{ .name = "scope string", .sec = "scope",
	  .claims = "\"scope\":\"openid read write\"", .want = OK },
	{ .name = "scp array", .sec = "scope",
	  .claims = "\"scp\":[\"write\",\"read\"]", .want = OK },
	{ .name = "scp string", .sec = "scope",
	  .claims = "\"scp\":\"read write\"", .want = OK },
};

static const vcase c_user[] = {
	{ .name = "sub missing", .omit = "sub", .want = E(USER),
	  .why = "sub" },
	{ .name = "sub a number", .claims = "\"sub\":5", .want = E(USER),
	  .why = "sub" },
	{ .name = "sub an array", .claims = "\"sub\":[\"alice\"]",
	  .want = E(USER), .why = "sub" },
	{ .name = "sub null", .claims = "\"sub\":null", .want = E(USER),
	  .why = "sub" },
	{ .name = "sub empty", .claims = "\"sub\":\"\"", .want = E(USER),
	  .why = "empty" },
	{ .name = "sub with a newline", .claims = "\"sub\":\"al\\nice\"",
	  .want = E(USER), .why = "control" },
	{ .name = "sub with \\u0001", .claims = "\"sub\":\"al\\u0001ice\"",
	  .want = E(USER), .why = "control" },
	{ .name = "sub with DEL", .claims = "\"sub\":\"al\\u007fice\"",
	  .want = E(USER), .why = "control" },
	{ .name = "sub with a tab", .claims = "\"sub\":\"al\\tice\"",
	  .want = E(USER), .why = "control" },
	{ .name = "sub with '/'", .claims = "\"sub\":\"../root\"",
	  .want = E(USER), .why = "/" },
	{ .name = "sub with ':'", .claims = "\"sub\":\"alice:0\"",
	  .want = E(USER), .why = ":" },
	{ .name = "sub of 300 bytes", .claims = sub300, .want = E(USER),
	  .why = "longer" },
	{ .name = "username_claim missing, sub present", .sec = "uname",
	  .want = E(USER), .why = "preferred_username" },
	{ .name = "username_claim present", .sec = "uname",
	  .claims = "\"preferred_username\":\"bob\"", .want = OK,
	  .want_user = "bob" },
	/* username_domain example.com with username_claim email */
	{ .name = "domain wrong", .sec = "domain",
	  .claims = "\"email\":\"alice@other.com\"", .want = E(USER),
	  .why = "example.com" },
	{ .name = "domain missing", .sec = "domain",
	  .claims = "\"email\":\"alice\"", .want = E(USER),
	  .why = "example.com" },
	{ .name = "domain as a prefix", .sec = "domain",
	  .claims = "\"email\":\"alice@example.com.evil\"", .want = E(USER),
	  .why = "example.com" },
	{ .name = "domain a subdomain", .sec = "domain",
	  .claims = "\"email\":\"alice@sub.example.com\"", .want = E(USER),
	  .why = "example.com" },
	{ .name = "domain without a user", .sec = "domain",
	  .claims = "\"email\":\"@example.com\"", .want = E(USER),
	  .why = "empty" },
	{ .name = "domain with two @", .sec = "domain",
	  .claims = "\"email\":\"alice@evil@example.com\"", .want = E(USER),
	  .why = "@" },
	{ .name = "domain, user with '/'", .sec = "domain",
	  .claims = "\"email\":\"../alice@example.com\"", .want = E(USER),
	  .why = "/" },
	{ .name = "domain, claim missing", .sec = "domain", .want = E(USER),
	  .why = "email" },
	{ .name = "domain in upper case", .sec = "domain",
	  .claims = "\"email\":\"alice@EXAMPLE.COM\"", .want = OK },
	{ .name = "domain, user part keeps its case", .sec = "domain",
	  .claims = "\"email\":\"Alice@example.com\"", .want = OK,
	  .want_user = "Alice" },
	/* expected_user */
	{ .name = "expected user differs", .user = "bob",
	  .want = E(USER_MISMATCH), .why = "bob" },
	{ .name = "expected user differs in case", .user = "Alice",
	  .want = E(USER_MISMATCH), .why = "Alice" },
	{ .name = "expected user with a space", .user = "alice ",
	  .want = E(USER_MISMATCH), .why = "alice" },
	{ .name = "expected user empty", .user = "",
	  .want = E(USER_MISMATCH), .why = "alice" },
	{ .name = "expected user is the whole address", .sec = "domain",
	  .claims = "\"email\":\"alice@example.com\"",
	  .user = "alice@example.com", .want = E(USER_MISMATCH),
	  .why = "alice" },
	{ .name = "expected user matches", .user = "alice", .want = OK },
	{ .name = "expected user matches the domain user", .sec = "domain",
	  .claims = "\"email\":\"alice@example.com\"", .user = "alice",
	  .want = OK },
};

/* ---- tests -------------------------------------------------------------------- */

static void
test_alg(void **state)
{
	(void)state;
	RUN(c_alg);
}

static void
test_keys(void **state)
{
	(void)state;
	RUN(c_keys);
}

static void
test_signatures(void **state)
{
	(void)state;
	RUN(c_sig);
}

static void
test_encoding(void **state)
{
	(void)state;
	RUN(c_encoding);
}

static void
test_json(void **state)
{
	(void)state;
	RUN(c_json);
}

static void
test_times(void **state)
{
	(void)state;
	RUN(c_time);
}

static void
test_claims(void **state)
{
	(void)state;
	RUN(c_claims);
}

static void
test_users(void **state)
{
	(void)state;
	RUN(c_user);
}

/* The line logged for one verification of c. */
static char *
logged_line(const vcase *c, built *b, jwtc_rc *rc)
{
	jwtc_error err;
	jwtc_result *res = NULL;
	char *line = NULL;

	assert_true(build(c, b));
	memset(&err, 0, sizeof(err));
	unit_log_clear(&W.log);
	*rc = jwtc_verify(W.ctx[CTX_ALL], b->token, b->len, c->user, &res,
	    &err);
	assert_int_equal(W.log.total, 1);
	line = strdup(W.log.lines[0]);
	assert_non_null(line);
	assert_null(leak_in(line, b));
	assert_null(leak_in(err.msg, b));
	jwtc_result_free(res);
	return line;
}

/* The log line names the user, the section, the kid and the jti, and
 * never holds the token or its signature. */
static void
test_log_lines(void **state)
{
	static const vcase ok = { .name = "log: accepted", .claims =
	    "\"jti\":\"jti-log-ok\"", .want = OK };
	static const vcase expired = { .name = "log: expired", .claims =
	    "\"jti\":\"jti-log-exp\",\"exp\":1699990000", .user = "alice",
	    .want = E(EXPIRED) };
	static const vcase forged = { .name = "log: bad signature",
	    .key = K_RSA, .alg = "RS256", .claims = "\"jti\":\"jti-log-sig\"",
	    .mut = M_SIG_FLIP, .want = E(BAD_SIGNATURE) };
	static const vcase nojti = { .name = "log: no jti", .omit = "jti",
	    .claims = "\"exp\":1699990000", .want = E(EXPIRED) };
	built b;
	jwtc_rc rc;
	char *line;

	(void)state;
	line = logged_line(&ok, &b, &rc);
	assert_int_equal(rc, JWTC_OK);
	assert_contains(line, "alice");
	assert_contains(line, "main");
	assert_contains(line, "ec256");
	assert_contains(line, "jti-log-ok");
	free(line);
	built_clear(&b);

	line = logged_line(&expired, &b, &rc);
	assert_int_equal(rc, JWTC_ERR_EXPIRED);
	assert_contains(line, "alice");
	assert_contains(line, "main");
	assert_contains(line, "ec256");
	assert_contains(line, "jti-log-exp");
	assert_contains(line, "expired");
	free(line);
	built_clear(&b);

	line = logged_line(&forged, &b, &rc);
	assert_int_equal(rc, JWTC_ERR_BAD_SIGNATURE);
	assert_contains(line, "main");
	assert_contains(line, "rsa1");
	assert_contains(line, "jti-log-sig");
	assert_contains(line, "signature");
	free(line);
	built_clear(&b);

	/* without jti a short fingerprint stands in; still no token */
	line = logged_line(&nojti, &b, &rc);
	assert_int_equal(rc, JWTC_ERR_EXPIRED);
	assert_contains(line, "main");
	assert_contains(line, "ec256");
	free(line);
	built_clear(&b);
}

/* The error structure is optional, and *out is left alone on refusal. */
static void
test_api_edges(void **state)
{
	static const vcase ok = { .name = "api: ok", .want = OK };
	static const vcase bad = { .name = "api: bad", .mut = M_SIG_FLIP,
	    .want = E(BAD_SIGNATURE) };
	jwtc_result *res = NULL;
	built b;

	(void)state;
	assert_true(build(&ok, &b));
	assert_int_equal(jwtc_verify(W.ctx[CTX_ALL], b.token, b.len, NULL,
	    &res, NULL), JWTC_OK);
	assert_non_null(res);
	assert_string_equal(jwtc_result_user(res), "alice");
	assert_true(jwtc_result_exp(res) > 1700003599.0 &&
	    jwtc_result_exp(res) < 1700003601.0);
	jwtc_result_free(res);
	res = NULL;
	/* the same token again: verification keeps no state */
	assert_int_equal(jwtc_verify(W.ctx[CTX_ALL], b.token, b.len, NULL,
	    &res, NULL), JWTC_OK);
	jwtc_result_free(res);
	res = NULL;
	/* a length shorter than the string: only len bytes count (the
	 * signature segment is then of length 1 mod 4) */
	assert_int_equal(jwtc_verify(W.ctx[CTX_ALL], b.token, b.len - 1, NULL,
	    &res, NULL), JWTC_ERR_MALFORMED);
	assert_null(res);
	built_clear(&b);

	assert_true(build(&bad, &b));
	assert_int_equal(jwtc_verify(W.ctx[CTX_ALL], b.token, b.len, NULL,
	    &res, NULL), JWTC_ERR_BAD_SIGNATURE);
	assert_null(res);
	built_clear(&b);
	jwtc_result_free(NULL);
}

#define THREADS 8
#define ROUNDS 200

typedef struct thread_arg {
	const char *token;
	size_t len;
	int ok;
} thread_arg;

static void *
verify_loop(void *p)
{
	thread_arg *a = p;
	jwtc_result *res;
	jwtc_error err;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		res = NULL;
		if (jwtc_verify(W.ctx[CTX_ALL], a->token, a->len, "alice", &res,
		    &err) == JWTC_OK && res != NULL &&
		    strcmp(jwtc_result_user(res), "alice") == 0)
			a->ok++;
		jwtc_result_free(res);
	}
	return NULL;
}

/* Many threads verify through one context. */
static void
test_threads(void **state)
{
	static const vcase c = { .name = "threads", .want = OK };
	pthread_t th[THREADS];
	thread_arg args[THREADS];
	built b;
	int i, total = 0;

	(void)state;
	assert_true(build(&c, &b));
	unit_log_clear(&W.log);
	for (i = 0; i < THREADS; i++) {
		args[i].token = b.token;
		args[i].len = b.len;
		args[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, verify_loop,
		    &args[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		total += args[i].ok;
	}
	assert_int_equal(total, THREADS * ROUNDS);
	assert_int_equal(W.log.total, THREADS * ROUNDS);
	built_clear(&b);
}

/* ---- setup --------------------------------------------------------------------- */

static void
add_jwk(mint_jwks_entry *e, size_t *n, int key, const char *kid,
    const char *alg, const char *use, const char *ops)
{
	e[*n].key = W.key[key];
	e[*n].opts.kid = kid;
	e[*n].opts.alg = alg;
	e[*n].opts.use = use;
	e[*n].opts.key_ops = ops;
	(*n)++;
}

static int
write_jwks(const char *name, const mint_jwks_entry *e, size_t n)
{
	char *doc = mint_jwks(e, n), *path;

	if (doc == NULL)
		return -1;
	path = unit_write_text(W.dir, name, 0644, doc);
	free(doc);
	free(path);
	return path != NULL ? 0 : -1;
}

static int
write_secret(const char *name, const unsigned char *s, size_t len)
{
	char *b64 = mint_b64url(s, len), *line, *path = NULL;
	size_t n;

	if (b64 == NULL)
		return -1;
	n = strlen(b64);
	if ((line = malloc(n + 2)) != NULL) {
		memcpy(line, b64, n);
		line[n] = '\n';
		line[n + 1] = '\0';
		path = unit_write_text(W.dir, name, 0600, line);
		free(line);
	}
	free(b64);
	free(path);
	return path != NULL ? 0 : -1;
}

static int
write_files(void)
{
	mint_jwks_entry e[16];
	size_t n = 0;

	add_jwk(e, &n, K_RSA, "rsa1", NULL, NULL, NULL);
	add_jwk(e, &n, K_RSA_E3, "rsa-e3", NULL, NULL, NULL);
	add_jwk(e, &n, K_RSA1024, "rsa1024", NULL, NULL, NULL);
	add_jwk(e, &n, K_EC256, "ec256", NULL, NULL, NULL);
	add_jwk(e, &n, K_EC384, "ec384", NULL, NULL, NULL);
	add_jwk(e, &n, K_EC521, "ec521", NULL, NULL, NULL);
	add_jwk(e, &n, K_ED25519, "ed25519", NULL, NULL, NULL);
	add_jwk(e, &n, K_ED448, "ed448", NULL, NULL, NULL);
	if (write_jwks("main.jwks", e, n) != 0)
		return -1;
	n = 0;
	add_jwk(e, &n, K_RSA, "rsa1", NULL, NULL, NULL);
	if (write_jwks("rsa.jwks", e, n) != 0)
		return -1;
	n = 0;
	add_jwk(e, &n, K_A, "shared", NULL, NULL, NULL);
	if (write_jwks("a.jwks", e, n) != 0)
		return -1;
	n = 0;
	add_jwk(e, &n, K_B, "shared", NULL, NULL, NULL);
	if (write_jwks("b.jwks", e, n) != 0)
		return -1;
	n = 0;
	add_jwk(e, &n, K_RSA, "enc1", NULL, "enc", NULL);
	add_jwk(e, &n, K_RSA, "ops1", NULL, NULL, "sign");
	add_jwk(e, &n, K_RSA, "alg384", "RS384", NULL, NULL);
	add_jwk(e, &n, K_RSA, "algps", "PS256", NULL, NULL);
	add_jwk(e, &n, K_EC384, "p384", NULL, NULL, NULL);
	add_jwk(e, &n, K_EC521, "badalg", "ES521", NULL, NULL);
	add_jwk(e, &n, K_EC256, "ec-enc", NULL, "enc", NULL);
	add_jwk(e, &n, K_EC256, "ec-ops", NULL, NULL, "encrypt decrypt");
	add_jwk(e, &n, K_ED25519, "ed-alg", "ES256", NULL, NULL);
	add_jwk(e, &n, K_RSA, "good1", "RS256", "sig", "verify");
	if (write_jwks("odd.jwks", e, n) != 0)
		return -1;
	if (write_secret("hmac.secret", W.secret, sizeof(W.secret)) != 0 ||
	    write_secret("rsahmac.secret", W.secret2, sizeof(W.secret2)) != 0)
		return -1;
	return 0;
}

static int
make_keys(void)
{
	mint_jwk_opts o;
	int k;

	for (k = 0; k < K_COUNT; k++) {
		if (keydefs[k].type == NULL)
			continue;
		if ((W.key[k] = mint_key_gen(keydefs[k].type)) == NULL) {
			print_error("cannot make a %s key\n", keydefs[k].type);
			return -1;
		}
	}
	if (mint_random(W.secret, sizeof(W.secret)) != 0 ||
	    mint_random(W.secret2, sizeof(W.secret2)) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.kid = "rsa1";
	W.pub_pem = mint_pubkey_pem(W.key[K_RSA], &W.pub_pem_len);
	W.pub_der = mint_pubkey_der(W.key[K_RSA], &W.pub_der_len);
	W.pub_jwk = mint_jwk(W.key[K_RSA], &o);
	if (W.pub_pem == NULL || W.pub_der == NULL || W.pub_jwk == NULL)
		return -1;
	return 0;
}

static int
make_ctx(const char *text, const char *issuers, int which)
{
	jwtc_config *cfg = NULL;
	jwtc_error err;
	jwtc_hooks hooks;
	char *conf;
	jwtc_rc rc;

	if ((conf = expand_dir(text, W.dir)) == NULL)
		return -1;
	memset(&err, 0, sizeof(err));
	rc = jwtc_config_parse("test.conf", conf, strlen(conf), &cfg, &err);
	free(conf);
	if (rc != JWTC_OK) {
		print_error("configuration: %s: %s\n", jwtc_rc_str(rc), err.msg);
		return -1;
	}
	hooks = unit_hooks(&W.now, unit_log_sink, &W.log);
	rc = jwtc_ctx_new(cfg, issuers, &hooks, &W.ctx[which], &err);
	if (rc != JWTC_OK) {
		print_error("context: %s: %s\n", jwtc_rc_str(rc), err.msg);
		return -1;
	}
	return 0;
}

static void
fill_strings(void)
{
	size_t i, n;

	memset(kid300, 'k', sizeof(kid300) - 1);
	memset(kid257, 'k', sizeof(kid257) - 1);
	memset(kid256, 'k', sizeof(kid256) - 1);
	n = (size_t)snprintf(sub300, sizeof(sub300), "\"sub\":\"");
	for (i = n; i < sizeof(sub300) - 2; i++)
		sub300[i] = 'u';
	sub300[sizeof(sub300) - 2] = '"';
}

static int
setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	W.now = NOW;
	unit_log_init(&W.log);
	fill_strings();
	if ((W.dir = unit_tmpdir()) == NULL) {
		print_error("cannot make a temporary directory\n");
		return -1;
	}
	if (make_keys() != 0 || write_files() != 0)
		return -1;
	if (make_ctx(conf_text, NULL, CTX_ALL) != 0 ||
	    make_ctx(conf_text, "main", CTX_MAIN_ONLY) != 0 ||
	    make_ctx(conf_net, NULL, CTX_NET) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	print_message("test_verify: %zu refusals and %zu acceptances checked\n",
	    W.n_neg, W.n_pos);
	for (i = 0; i < CTX_COUNT; i++)
		jwtc_ctx_free(W.ctx[i]);
	for (i = 0; i < K_COUNT; i++)
		mint_key_free(W.key[i]);
	free(W.pub_pem);
	free(W.pub_der);
	free(W.pub_jwk);
	unit_rmtree(W.dir);
	free(W.dir);
	unit_log_done(&W.log);
	OPENSSL_cleanse(W.secret, sizeof(W.secret));
	OPENSSL_cleanse(W.secret2, sizeof(W.secret2));
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_api_edges),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
