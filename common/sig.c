/*
 * sig.c - JWS algorithms: names, which key fits which algorithm, and
 * signature and MAC verification through OpenSSL EVP.
 *
 * Thread-safety: the shared state is the table of digests and the HMAC
 * implementation, fetched once (pthread_once) and read-only after that,
 * and the verify contexts each key prepares once per algorithm (published
 * atomically, read-only after that; every verification works on its own
 * duplicate of one, see below).  OpenSSL errors
 * raised by a failed verification are popped from the calling thread's
 * error queue, so nothing of ours is left behind for the host to find.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "internal.h"

/* Largest raw ECDSA signature (ES512: two 66-byte integers) and its DER
 * form (SEQUENCE of two INTEGERs with a possible leading zero each). */
#define ES_MAX_FIELD 66
#define ES_DER_MAX (2 * (ES_MAX_FIELD + 1 + 3) + 4)

typedef enum alg_family {
	FAM_NONE = 0, FAM_RSA, FAM_PSS, FAM_ECDSA, FAM_EDDSA, FAM_HMAC
} alg_family;

typedef enum digest_id {
	DIG_NONE = -1, DIG_SHA256 = 0, DIG_SHA384, DIG_SHA512, DIG_COUNT
} digest_id;

/* One row per algorithm, indexed by jwtc_alg. */
typedef struct alg_info {
	const char *name;
	alg_family family;
	digest_id digest;
	size_t hashlen;   /* digest length: PSS salt, HMAC tag */
	int nid;          /* ECDSA curve, 0 for the others */
	size_t field;     /* ECDSA: bytes of one of r, s */
} alg_info;

static const alg_info algs[JWTC_ALG_COUNT] = {
	[JWTC_ALG_UNKNOWN] = { NULL, FAM_NONE, DIG_NONE, 0, 0, 0 },
	[JWTC_ALG_RS256] = { "RS256", FAM_RSA, DIG_SHA256, 32, 0, 0 },
	[JWTC_ALG_RS384] = { "RS384", FAM_RSA, DIG_SHA384, 48, 0, 0 },
	[JWTC_ALG_RS512] = { "RS512", FAM_RSA, DIG_SHA512, 64, 0, 0 },
	[JWTC_ALG_PS256] = { "PS256", FAM_PSS, DIG_SHA256, 32, 0, 0 },
	[JWTC_ALG_PS384] = { "PS384", FAM_PSS, DIG_SHA384, 48, 0, 0 },
	[JWTC_ALG_PS512] = { "PS512", FAM_PSS, DIG_SHA512, 64, 0, 0 },
	[JWTC_ALG_ES256] = { "ES256", FAM_ECDSA, DIG_SHA256, 32,
	    NID_X9_62_prime256v1, 32 },
	[JWTC_ALG_ES384] = { "ES384", FAM_ECDSA, DIG_SHA384, 48,
	    NID_secp384r1, 48 },
	[JWTC_ALG_ES512] = { "ES512", FAM_ECDSA, DIG_SHA512, 64,
	    NID_secp521r1, 66 },
	[JWTC_ALG_EDDSA] = { "EdDSA", FAM_EDDSA, DIG_NONE, 0, 0, 0 },
	[JWTC_ALG_HS256] = { "HS256", FAM_HMAC, DIG_SHA256, 32, 0, 0 },
	[JWTC_ALG_HS384] = { "HS384", FAM_HMAC, DIG_SHA384, 48, 0, 0 },
	[JWTC_ALG_HS512] = { "HS512", FAM_HMAC, DIG_SHA512, 64, 0, 0 },
};

/* Digest names as OpenSSL knows them, indexed by digest_id. */
static const char *const digest_names[DIG_COUNT] = {
	"SHA2-256", "SHA2-384", "SHA2-512"
};

/* Fetched once, never freed: they live as long as the process (freeing
 * them at unload time would race with other users of the library). */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *digests[DIG_COUNT];
static EVP_MAC *hmac_impl;

static void
fetch_algorithms(void)
{
	int i;

	/* A failed fetch leaves NULL behind: verification then fails closed.
	 * Its errors are dropped; what the host had queued stays. */
	ERR_set_mark();
	for (i = 0; i < DIG_COUNT; i++)
		digests[i] = EVP_MD_fetch(NULL, digest_names[i], NULL);
	hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ERR_pop_to_mark();
}

static const alg_info *
alg_lookup(jwtc_alg alg)
{
	if ((int)alg <= (int)JWTC_ALG_UNKNOWN || alg >= JWTC_ALG_COUNT)
		return NULL;
	return &algs[alg];
}

/* The digest of an algorithm, NULL when it has none or it is missing. */
static const EVP_MD *
alg_digest(const alg_info *ai)
{
	if (ai->digest == DIG_NONE)
		return NULL;
	if (pthread_once(&fetch_once, fetch_algorithms) != 0)
		return NULL;
	return digests[ai->digest];
}

jwtc_alg
jwtc_alg_from_name(const char *name)
{
	int a;

	if (name == NULL)
		return JWTC_ALG_UNKNOWN;
	for (a = JWTC_ALG_UNKNOWN + 1; a < JWTC_ALG_COUNT; a++) {
		if (strcmp(name, algs[a].name) == 0)
			return (jwtc_alg)a;
	}
	/* "none" in any spelling ends here too. */
	return JWTC_ALG_UNKNOWN;
}

const char *
jwtc_alg_name(jwtc_alg alg)
{
	const alg_info *ai = alg_lookup(alg);

	return ai == NULL ? "unknown" : ai->name;
}

size_t
jwtc_alg_hmac_len(jwtc_alg alg)
{
	const alg_info *ai = alg_lookup(alg);

	if (ai == NULL || ai->family != FAM_HMAC)
		return 0;
	return ai->hashlen;
}

/* ---- which key fits which algorithm ----------------------------------- */

static const char *
curve_name(int nid)
{
	switch (nid) {
	case NID_X9_62_prime256v1:
		return "P-256";
	case NID_secp384r1:
		return "P-384";
	case NID_secp521r1:
		return "P-521";
	case NID_ED25519:
		return "Ed25519";
	case NID_ED448:
		return "Ed448";
	default:
		return "of another curve";
	}
}

/* "RSA 2048-bit", "EC P-256", "OKP Ed25519". */
static void
describe_key(const jwtc_key *k, char *buf, size_t len)
{
	switch (k->kty) {
	case JWTC_KTY_RSA:
		snprintf(buf, len, "RSA %u-bit", k->bits);
		break;
	case JWTC_KTY_EC:
		snprintf(buf, len, "EC %s", curve_name(k->nid));
		break;
	case JWTC_KTY_OKP:
		snprintf(buf, len, "OKP %s", curve_name(k->nid));
		break;
	default:
		snprintf(buf, len, "of an unknown type");
		break;
	}
}

/* Whether the key's type and curve are what alg computes with.  On a
 * mismatch, need says what alg needs. */
static bool
primitive_fits(const jwtc_key *k, const alg_info *ai, const char **need)
{
	switch (ai->family) {
	case FAM_RSA:
	case FAM_PSS:
		*need = "RSA";
		return k->kty == JWTC_KTY_RSA;
	case FAM_ECDSA:
		*need = curve_name(ai->nid);
		return k->kty == JWTC_KTY_EC && k->nid == ai->nid;
	case FAM_EDDSA:
		*need = "Ed25519 or Ed448";
		return k->kty == JWTC_KTY_OKP &&
		    (k->nid == NID_ED25519 || k->nid == NID_ED448);
	case FAM_HMAC:
		*need = "a shared secret, never a public key";
		return false;
	default:
		*need = "a supported algorithm";
		return false;
	}
}

bool
jwtc_key_fits(const jwtc_key *k, jwtc_alg alg, char *why, size_t whylen)
{
	const alg_info *ai = alg_lookup(alg);
	const char *need = NULL;
	char kid[80], desc[48];
	char dummy[1];

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	if (k == NULL || k->pkey == NULL) {
		snprintf(why, whylen, "no key");
		return false;
	}
	jwtc_sanitize(kid, sizeof(kid), k->kid != NULL ? k->kid : "(none)",
	    64);
	if (ai == NULL) {
		snprintf(why, whylen, "token alg is not a supported algorithm");
		return false;
	}
	if (!primitive_fits(k, ai, &need)) {
		describe_key(k, desc, sizeof(desc));
		snprintf(why, whylen, "key %s is %s, token alg %s needs %s",
		    kid, desc, ai->name, need);
		return false;
	}
	if (k->alg_unusable) {
		snprintf(why, whylen,
		    "key %s names an alg that is not a supported JWS algorithm",
		    kid);
		return false;
	}
	if (k->alg != JWTC_ALG_UNKNOWN && k->alg != alg) {
		snprintf(why, whylen, "key %s is for alg %s, token alg is %s",
		    kid, jwtc_alg_name(k->alg), ai->name);
		return false;
	}
	if (!k->use_ok) {
		snprintf(why, whylen, "key %s has a use other than sig", kid);
		return false;
	}
	if (!k->ops_ok) {
		snprintf(why, whylen, "key %s has key_ops without verify", kid);
		return false;
	}
	return true;
}

/* ---- signature verification ------------------------------------------- */

/* One INTEGER of an ECDSA-Sig-Value in DER: the big-endian value of len
 * bytes (not zero) without its leading zero bytes, one zero byte put in
 * front when the top bit is set.  out holds at least len + 3 bytes. */
static size_t
der_integer(const unsigned char *v, size_t len, unsigned char *out)
{
	size_t skip = 0, n, o = 0;

	while (skip + 1 < len && v[skip] == 0)
		skip++;
	n = len - skip;
	out[o++] = 0x02;
	out[o++] = (unsigned char)(n + ((v[skip] & 0x80) != 0));
	if ((v[skip] & 0x80) != 0)
		out[o++] = 0x00;
	memcpy(out + o, v + skip, n);
	return o + n;
}

static bool
all_zero(const unsigned char *v, size_t len)
{
	unsigned char acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= v[i];
	return acc == 0;
}

/* Raw R||S (each exactly field bytes, as JWS sends them) to the DER form
 * OpenSSL verifies: SEQUENCE { INTEGER r, INTEGER s }, written directly
 * (field is at most 66, so each INTEGER has a one-byte length and the
 * SEQUENCE at most a two-byte one).  r = 0 or s = 0 is refused here
 * already; r or s not below the group order is refused by OpenSSL. */
static jwtc_rc
ecdsa_raw_to_der(const unsigned char *sig, size_t field,
    unsigned char *der, size_t dercap, size_t *derlen)
{
	unsigned char body[2 * (ES_MAX_FIELD + 3)];
	size_t blen, o = 0;

	if (field == 0 || field > ES_MAX_FIELD)
		return JWTC_ERR_INTERNAL;
	if (all_zero(sig, field) || all_zero(sig + field, field))
		return JWTC_ERR_BAD_SIGNATURE;
	blen = der_integer(sig, field, body);
	blen += der_integer(sig + field, field, body + blen);
	if (blen + 3 > dercap)
		return JWTC_ERR_INTERNAL;
	der[o++] = 0x30;
	if (blen >= 0x80)
		der[o++] = 0x81;
	der[o++] = (unsigned char)blen;
	memcpy(der + o, body, blen);
	*derlen = o + blen;
	return JWTC_OK;
}

/* Set up the PSS parameters of RFC 7518 section 3.5: MGF1 with the same
 * hash, salt exactly as long as the hash (not "auto", which accepts any
 * salt length). */
static bool
pss_setup(EVP_PKEY_CTX *pctx, const EVP_MD *md, size_t hashlen)
{
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)hashlen) > 0 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
}

/* The expected signature length for k and alg, 0 when it cannot be. */
static size_t
expected_siglen(const jwtc_key *k, const alg_info *ai)
{
	switch (ai->family) {
	case FAM_RSA:
	case FAM_PSS: {
		int size = EVP_PKEY_get_size(k->pkey); /* modulus bytes */

		return size > 0 ? (size_t)size : 0;
	}
	case FAM_ECDSA:
		return 2 * ai->field;
	case FAM_EDDSA:
		return k->nid == NID_ED25519 ? 64 : 114;
	default:
		return 0;
	}
}

/* ---- verify contexts prepared once per key and algorithm -----------------
 *
 * Setting up an OpenSSL 3 verify context (fetching the signature
 * implementation, the key's provider data, padding and salt) costs more
 * than an RSA verification itself.  A key therefore keeps, per algorithm,
 * one context made on first use: for RSA, RSA-PSS and ECDSA an
 * EVP_PKEY_CTX after EVP_PKEY_verify_init with the digest, padding, salt
 * length and MGF1 digest set; for EdDSA (one-shot, no separate digest) an
 * EVP_MD_CTX after EVP_DigestVerifyInit.  Each verification works on a
 * duplicate (EVP_PKEY_CTX_dup, EVP_MD_CTX_copy_ex), never on the shared
 * context itself, which is read-only once published: many threads may
 * verify with one key at once.  Threads that race to make the same
 * context each make one; the first one published wins, the others free
 * theirs.
 */

struct jwtc_sig_prep {
	EVP_PKEY_CTX *pctx[JWTC_ALG_COUNT];   /* RS*, PS*, ES* */
	EVP_MD_CTX *eddsa;                    /* EdDSA */
};

struct jwtc_sig_prep *
jwtc_sig_prep_new(void)
{
	return calloc(1, sizeof(struct jwtc_sig_prep));
}

void
jwtc_sig_prep_free(struct jwtc_sig_prep *prep)
{
	int i;

	if (prep == NULL)
		return;
	for (i = 0; i < JWTC_ALG_COUNT; i++)
		EVP_PKEY_CTX_free(prep->pctx[i]);
	EVP_MD_CTX_free(prep->eddsa);
	free(prep);
}

/* A verify context for k and ai (not EdDSA), NULL when OpenSSL refuses. */
static EVP_PKEY_CTX *
make_pkey_ctx(const jwtc_key *k, const alg_info *ai, const EVP_MD *md)
{
	EVP_PKEY_CTX *pctx;

	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (pctx == NULL)
		return NULL;
	if (EVP_PKEY_verify_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pctx, md) <= 0 ||
	    (ai->family == FAM_PSS && !pss_setup(pctx, md, ai->hashlen))) {
		EVP_PKEY_CTX_free(pctx);
		return NULL;
	}
	return pctx;
}

/* An EdDSA verify context for k, NULL when OpenSSL refuses. */
static EVP_MD_CTX *
make_eddsa_ctx(const jwtc_key *k)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();

	if (mctx == NULL)
		return NULL;
	if (EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, k->pkey) != 1) {
		EVP_MD_CTX_free(mctx);
		return NULL;
	}
	return mctx;
}

/* The prepared context of k for alg.  *own is set when it is not k's
 * (k has no table of prepared contexts): the caller frees it then. */
static EVP_PKEY_CTX *
prepared_pkey_ctx(const jwtc_key *k, jwtc_alg alg, const alg_info *ai,
    const EVP_MD *md, bool *own)
{
	EVP_PKEY_CTX *cur = NULL, *made;

	*own = false;
	if (k->prep != NULL) {
		cur = __atomic_load_n(&k->prep->pctx[alg], __ATOMIC_ACQUIRE);
		if (cur != NULL)
			return cur;
	}
	made = make_pkey_ctx(k, ai, md);
	if (made == NULL || k->prep == NULL) {
		*own = made != NULL;
		return made;
	}
	if (__atomic_compare_exchange_n(&k->prep->pctx[alg], &cur, made,
	    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return made;
	/* another thread published first: cur is its context */
	EVP_PKEY_CTX_free(made);
	return cur;
}

/* prepared_pkey_ctx for EdDSA. */
static EVP_MD_CTX *
prepared_eddsa_ctx(const jwtc_key *k, bool *own)
{
	EVP_MD_CTX *cur = NULL, *made;

	*own = false;
	if (k->prep != NULL) {
		cur = __atomic_load_n(&k->prep->eddsa, __ATOMIC_ACQUIRE);
		if (cur != NULL)
			return cur;
	}
	made = make_eddsa_ctx(k);
	if (made == NULL || k->prep == NULL) {
		*own = made != NULL;
		return made;
	}
	if (__atomic_compare_exchange_n(&k->prep->eddsa, &cur, made, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return made;
	EVP_MD_CTX_free(made);
	return cur;
}

/* RSA, RSA-PSS, ECDSA: the digest of msg with the digest fetched once,
 * then the signature checked on a duplicate of the prepared context. */
static jwtc_rc
verify_pkey(const jwtc_key *k, jwtc_alg alg, const alg_info *ai,
    const unsigned char *msg, size_t msglen, const unsigned char *sig,
    size_t siglen)
{
	EVP_PKEY_CTX *prep = NULL, *work = NULL;
	const EVP_MD *md;
	unsigned char hash[EVP_MAX_MD_SIZE], der[ES_DER_MAX];
	unsigned int hashlen = 0;
	size_t derlen = 0;
	bool own = false;
	jwtc_rc rc = JWTC_ERR_INTERNAL;

	if (ai->family == FAM_ECDSA) {
		rc = ecdsa_raw_to_der(sig, ai->field, der, sizeof(der),
		    &derlen);
		if (rc != JWTC_OK)
			goto out;
		sig = der;
		siglen = derlen;
		rc = JWTC_ERR_INTERNAL;
	}
	md = alg_digest(ai);
	if (md == NULL)
		goto out;
	if (EVP_Digest(msg, msglen, hash, &hashlen, md, NULL) != 1 ||
	    hashlen != ai->hashlen)
		goto out;
	prep = prepared_pkey_ctx(k, alg, ai, md, &own);
	if (prep == NULL)
		goto out;
	work = EVP_PKEY_CTX_dup(prep);
	if (work == NULL) {
		rc = JWTC_ERR_NO_MEMORY;
		goto out;
	}
	rc = EVP_PKEY_verify(work, sig, siglen, hash, hashlen) == 1 ?
	    JWTC_OK : JWTC_ERR_BAD_SIGNATURE;
out:
	EVP_PKEY_CTX_free(work);
	if (own)
		EVP_PKEY_CTX_free(prep);
	return rc;
}

/* EdDSA: one-shot EVP_DigestVerify on a copy of the prepared context. */
static jwtc_rc
verify_eddsa(const jwtc_key *k, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *prep = NULL, *work = NULL;
	bool own = false;
	jwtc_rc rc = JWTC_ERR_INTERNAL;

	prep = prepared_eddsa_ctx(k, &own);
	if (prep == NULL)
		goto out;
	work = EVP_MD_CTX_new();
	if (work == NULL) {
		rc = JWTC_ERR_NO_MEMORY;
		goto out;
	}
	if (EVP_MD_CTX_copy_ex(work, prep) != 1)
		goto out;
	rc = EVP_DigestVerify(work, sig, siglen, msg, msglen) == 1 ?
	    JWTC_OK : JWTC_ERR_BAD_SIGNATURE;
out:
	EVP_MD_CTX_free(work);
	if (own)
		EVP_MD_CTX_free(prep);
	return rc;
}

jwtc_rc
jwtc_sig_verify(const jwtc_key *k, jwtc_alg alg, const unsigned char *msg,
    size_t msglen, const unsigned char *sig, size_t siglen)
{
	static const unsigned char empty[1];
	const alg_info *ai = alg_lookup(alg);
	const char *need = NULL;
	jwtc_rc rc;

	if (k == NULL || k->pkey == NULL || ai == NULL ||
	    ai->family == FAM_HMAC || (msg == NULL && msglen != 0))
		return JWTC_ERR_INTERNAL;
	/* The caller has checked jwtc_key_fits; the primitive binding is
	 * checked again because it is what keeps one algorithm from being
	 * computed with another's key. */
	if (!primitive_fits(k, ai, &need))
		return JWTC_ERR_INTERNAL;
	if (sig == NULL || siglen == 0 || siglen != expected_siglen(k, ai))
		return JWTC_ERR_BAD_SIGNATURE;
	if (msg == NULL)
		msg = empty;

	ERR_set_mark();
	if (ai->family == FAM_EDDSA)
		rc = verify_eddsa(k, msg, msglen, sig, siglen);
	else
		rc = verify_pkey(k, alg, ai, msg, msglen, sig, siglen);
	/* Drop whatever OpenSSL queued on the way, success or not. */
	ERR_pop_to_mark();
	return rc;
}

/* ---- HMAC ---------------------------------------------------------------- */

static jwtc_rc
hmac_compute(const alg_info *ai, const unsigned char *secret,
    size_t secretlen, const unsigned char *msg, size_t msglen,
    unsigned char *mac, size_t maccap, size_t *maclen)
{
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char dname[16];
	jwtc_rc rc = JWTC_ERR_INTERNAL;

	if (pthread_once(&fetch_once, fetch_algorithms) != 0 ||
	    hmac_impl == NULL)
		return JWTC_ERR_INTERNAL;
	if (snprintf(dname, sizeof(dname), "%s",
	    digest_names[ai->digest]) >= (int)sizeof(dname))
		return JWTC_ERR_INTERNAL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    dname, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_MAC_CTX_new(hmac_impl);
	if (ctx == NULL) {
		rc = JWTC_ERR_NO_MEMORY;
		goto out;
	}
	if (EVP_MAC_init(ctx, secret, secretlen, params) != 1 ||
	    EVP_MAC_update(ctx, msg, msglen) != 1 ||
	    EVP_MAC_final(ctx, mac, maclen, maccap) != 1 ||
	    *maclen != ai->hashlen)
		goto out;
	rc = JWTC_OK;
out:
	EVP_MAC_CTX_free(ctx); /* cleanses the keyed state */
	return rc;
}

/*
 * The secret must be at least as long as the hash (RFC 7518 section 3.2);
 * the configuration refuses shorter secrets already, so a short one here
 * means no usable key (JWTC_ERR_NO_KEY).  Truncated tags are refused: the
 * tag must be exactly the hash length.
 */
jwtc_rc
jwtc_hmac_verify(const unsigned char *secret, size_t secretlen,
    jwtc_alg alg, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	static const unsigned char empty[1];
	const alg_info *ai = alg_lookup(alg);
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	jwtc_rc rc;

	if (ai == NULL || ai->family != FAM_HMAC ||
	    (msg == NULL && msglen != 0))
		return JWTC_ERR_INTERNAL;
	if (secret == NULL || secretlen < ai->hashlen)
		return JWTC_ERR_NO_KEY;
	if (sig == NULL || siglen != ai->hashlen)
		return JWTC_ERR_BAD_SIGNATURE;
	if (msg == NULL)
		msg = empty;

	ERR_set_mark();
	rc = hmac_compute(ai, secret, secretlen, msg, msglen, mac,
	    sizeof(mac), &maclen);
	ERR_pop_to_mark();
	if (rc == JWTC_OK && CRYPTO_memcmp(mac, sig, ai->hashlen) != 0)
		rc = JWTC_ERR_BAD_SIGNATURE;
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}
