/*
 * ctx.c - the verification context and the one verify call the adapters
 * make: size bound, parse, issuer selection, key choice, signature, claim
 * rules, expected user, one log line for the outcome.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "internal.h"

/* What a message shows of a value taken from a token. */
#define SHOW 64

typedef struct issuer_state {
	const jwtc_issuer_cfg *cfg;
	jwtc_keysrc *keys;           /* public keys: jwks_file or network */
	unsigned char *secret;       /* hmac_secret_file, decoded */
	size_t secret_len;
} issuer_state;

struct jwtc_ctx {
	jwtc_config *cfg;
	jwtc_hooks hooks;
	jwtc_keysrc_env env;         /* shared by the key sources */
	int cache_fd;                /* cache_dir, -1 when not usable */
	int state_fd;                /* state_dir, -1 when not usable */
	char *state_why;             /* why state_dir is not usable */
	size_t n;
	issuer_state *is;
};

struct jwtc_result {
	char *section;
	char *iss;
	char *user;
	char *kid;
	char *jti;
	double exp;
	json_t *claims;
};

static void
ctx_log(const jwtc_ctx *ctx, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ctx_log(const jwtc_ctx *ctx, int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (ctx->hooks.log == NULL)
		return;
	if (prio == JWTC_LOG_DEBUG && !ctx->hooks.debug)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->hooks.log(ctx->hooks.log_arg, prio, line);
}

static int64_t
ctx_now(const jwtc_ctx *ctx)
{
	if (ctx->hooks.clock != NULL)
		return ctx->hooks.clock(ctx->hooks.clock_arg);
	return (int64_t)time(NULL);
}

const jwtc_config *
jwtc_ctx_config(const jwtc_ctx *ctx)
{
	return ctx == NULL ? NULL : ctx->cfg;
}

void
jwtc_ctx_free(jwtc_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->n; i++) {
		jwtc_keysrc_free(ctx->is[i].keys);
		jwtc_free_secret(ctx->is[i].secret, ctx->is[i].secret_len);
	}
	free(ctx->is);
	if (ctx->cache_fd >= 0)
		close(ctx->cache_fd);
	if (ctx->state_fd >= 0)
		close(ctx->state_fd);
	free(ctx->state_why);
	jwtc_config_free(ctx->cfg);
	free(ctx);
}

/* Whether name is in the list of section names (spaces or commas). */
static bool
name_listed(const char *list, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n == nlen && n > 0 && memcmp(p, name, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Every name in the list must be a section of the configuration. */
static jwtc_rc
check_listed_names(const jwtc_config *cfg, const char *list, jwtc_error *err)
{
	const char *p = list;
	size_t i;

	while (*p != '\0') {
		size_t n;
		bool found = false;
		char shown[SHOW * 4 + 8], *name;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n == 0)
			break;
		for (i = 0; i < cfg->n_issuers; i++) {
			if (strlen(cfg->issuers[i].name) == n &&
			    memcmp(cfg->issuers[i].name, p, n) == 0)
				found = true;
		}
		if (!found) {
			name = jwtc_strndup(p, n);
			if (name == NULL)
				return jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
				    "out of memory");
			jwtc_sanitize(shown, sizeof(shown), name, SHOW);
			free(name);
			return jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "%s: no issuer section named %s",
			    cfg->path != NULL ? cfg->path : "configuration",
			    shown);
		}
		p += n;
	}
	return JWTC_OK;
}

/* Read and decode hmac_secret_file: one line of base64url. */
static jwtc_rc
load_secret(issuer_state *st, jwtc_error *err)
{
	const jwtc_issuer_cfg *is = st->cfg;
	char *text = NULL;
	size_t len = 0, need = 0;
	unsigned char *key = NULL;
	size_t keylen = 0;
	jwtc_rc rc;
	int a;

	rc = jwtc_read_trusted_file(is->hmac_secret_file, JWTC_MAX_SECRET_FILE,
	    true, &text, &len, err);
	if (rc != JWTC_OK)
		return rc;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > 0 && text[len - 1] == '\r')
		len--;
	a = jwtc_b64url_decode(text, len, &key, &keylen);
	if (a == -2) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	if (a != 0) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: not one line of base64url", is->hmac_secret_file);
		goto out;
	}
	for (a = JWTC_ALG_HS256; a <= JWTC_ALG_HS512; a++)
		if ((is->algorithms & JWTC_ALG_BIT(a)) != 0 &&
		    jwtc_alg_hmac_len((jwtc_alg)a) > need)
			need = jwtc_alg_hmac_len((jwtc_alg)a);
	if (keylen < need) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: secret of %zu bytes is shorter than the %zu bytes its "
		    "algorithms need", is->hmac_secret_file, keylen, need);
		goto out;
	}
	st->secret = key;
	st->secret_len = keylen;
	key = NULL;
	rc = JWTC_OK;
out:
	jwtc_free_secret(key, keylen);
	jwtc_free_secret(text, len);
	return rc;
}

static jwtc_rc
issuer_init(jwtc_ctx *ctx, issuer_state *st, jwtc_error *err)
{
	const jwtc_issuer_cfg *is = st->cfg;
	char *text = NULL;
	size_t len = 0;
	jwtc_rc rc = JWTC_OK;

	if (is->ca_file != NULL) {
		/* there and trusted; curl reads it when it fetches */
		rc = jwtc_read_trusted_file(is->ca_file, 16 * 1024 * 1024,
		    false, &text, &len, err);
		free(text);
	}
	if (rc == JWTC_OK && is->hmac_secret_file != NULL)
		rc = load_secret(st, err);
	if (rc == JWTC_OK)
		rc = jwtc_keysrc_new(&ctx->env, is, ctx_now(ctx), &st->keys,
		    err);
	if (rc != JWTC_OK)
		return rc;
	ctx_log(ctx, JWTC_LOG_DEBUG, "section %s: %s%s", is->name,
	    is->jwks_file != NULL ? "keys from jwks_file" :
	    jwtc_keysrc_has_keys(st->keys) ? "keys from the issuer" :
	    "no public keys", st->secret != NULL ? ", an HMAC secret" : "");
	return JWTC_OK;
}

/* Open a directory of the configuration (cache_dir, state_dir), creating
 * it (mode 0755, or 0700 for state) when its parent exists; -1 with why
 * when it cannot be used. */
static int
open_dir(const char *path, mode_t mode, char *why, size_t whylen)
{
	char ebuf[128];
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mkdir(path, mode) == 0) {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		/* the caller's umask (su: the user's) must not decide who
		 * may read the cache */
		if (fd >= 0 && fchmod(fd, mode) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path,
		    errno == ELOOP ? "is a symbolic link" :
		    jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		return -1;
	}
	if (!jwtc_fd_trusted(fd, true, false, ebuf, sizeof(ebuf))) {
		snprintf(why, whylen, "%s: %s", path, ebuf);
		close(fd);
		return -1;
	}
	return fd;
}

/* Select the trusted sections: every one, or those listed. */
static jwtc_rc
select_sections(jwtc_ctx *ctx, const char *issuers, jwtc_error *err)
{
	const jwtc_config *cfg = ctx->cfg;
	size_t i, j;
	jwtc_rc rc;

	rc = check_listed_names(cfg, issuers, err);
	if (rc != JWTC_OK)
		return rc;
	ctx->is = calloc(cfg->n_issuers > 0 ? cfg->n_issuers : 1,
	    sizeof(*ctx->is));
	if (ctx->is == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	for (i = 0; i < cfg->n_issuers; i++) {
		const jwtc_issuer_cfg *is = &cfg->issuers[i];

		if (issuers[strspn(issuers, " ,")] != '\0' &&
		    !name_listed(issuers, is->name))
			continue;
		for (j = 0; j < ctx->n; j++) {
			if (strcmp(ctx->is[j].cfg->issuer, is->issuer) == 0)
				return jwtc_seterr(err, JWTC_ERR_CONFIG,
				    "sections %s and %s name the same issuer; "
				    "a service may trust only one of them",
				    ctx->is[j].cfg->name, is->name);
		}
		ctx->is[ctx->n++].cfg = is;
	}
	if (ctx->n == 0)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "no issuer is trusted");
	return JWTC_OK;
}

/* cache_dir is opened once, here: chrooted hosts cannot reach it by path
 * later.  One that cannot be used leaves keys in memory only. */
static void
open_dirs(jwtc_ctx *ctx)
{
	char why[512];
	size_t i;
	bool cache = false, state = false;

	for (i = 0; i < ctx->n; i++) {
		cache = cache || jwtc_issuer_is_network(ctx->is[i].cfg);
		state = state || ctx->is[i].cfg->replay_protection;
	}
	if (cache) {
		ctx->cache_fd = open_dir(ctx->cfg->cache_dir, 0755, why,
		    sizeof(why));
		if (ctx->cache_fd < 0)
			ctx_log(ctx, JWTC_LOG_WARNING, "cache_dir not used, "
			    "keys stay in memory: %s", why);
	}
	if (state && !ctx->hooks.dry_run) {
		ctx->state_fd = open_dir(ctx->cfg->state_dir, 0700, why,
		    sizeof(why));
		if (ctx->state_fd < 0) {
			ctx->state_why = jwtc_strdup(why);
			ctx_log(ctx, JWTC_LOG_ERR, "state_dir cannot be used, "
			    "tokens of sections with replay_protection will be "
			    "refused: %s", why);
		}
	}
}

jwtc_rc
jwtc_ctx_new(jwtc_config *cfg, const char *issuers, const jwtc_hooks *hooks,
    jwtc_ctx **out, jwtc_error *err)
{
	jwtc_ctx *ctx = NULL;
	jwtc_rc rc = JWTC_ERR_INTERNAL;
	size_t i;

	if (cfg == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "no configuration");
	rc = jwtc_config_finish(cfg, err);
	if (rc != JWTC_OK) {
		jwtc_config_free(cfg);
		return rc;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		jwtc_config_free(cfg);
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	}
	ctx->cfg = cfg;
	ctx->cache_fd = ctx->state_fd = -1;
	if (hooks != NULL)
		ctx->hooks = *hooks;
	rc = select_sections(ctx, issuers != NULL ? issuers : "", err);
	if (rc != JWTC_OK)
		goto out;
	open_dirs(ctx);
	ctx->env.cfg = cfg;
	ctx->env.cache_fd = ctx->cache_fd;
	ctx->env.fetch_in_process = jwtc_fetch_allowed(jwtc_at_secure(),
	    ctx->hooks.env_cleared != 0);
	ctx->env.helper = ctx->hooks.fetch_helper != NULL ?
	    ctx->hooks.fetch_helper : JWTC_BINDIR "/jwt-auth";
	ctx->env.hooks = &ctx->hooks;
	for (i = 0; i < ctx->n; i++) {
		rc = issuer_init(ctx, &ctx->is[i], err);
		if (rc != JWTC_OK)
			goto out;
	}
	*out = ctx;
	ctx = NULL;
	rc = JWTC_OK;
out:
	jwtc_ctx_free(ctx);
	return rc;
}

size_t
jwtc_ctx_count(const jwtc_ctx *ctx)
{
	return ctx == NULL ? 0 : ctx->n;
}

const char *
jwtc_ctx_section(const jwtc_ctx *ctx, size_t i)
{
	return ctx == NULL || i >= ctx->n ? NULL : ctx->is[i].cfg->name;
}

static issuer_state *
section_by_name(jwtc_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->n; i++)
		if (strcmp(ctx->is[i].cfg->name, name) == 0)
			return &ctx->is[i];
	return NULL;
}

jwtc_rc
jwtc_fetch(jwtc_ctx *ctx, const char *section, int mode, char *summary,
    size_t len, jwtc_error *err)
{
	issuer_state *st;

	if (ctx == NULL || section == NULL || summary == NULL || len == 0)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "bad arguments");
	summary[0] = '\0';
	st = section_by_name(ctx, section);
	if (st == NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "no trusted issuer section named %s", section);
	return jwtc_keysrc_fetch(st->keys, ctx_now(ctx), mode, summary, len,
	    err);
}

char *
jwtc_status_text(jwtc_ctx *ctx, const char *section)
{
	issuer_state *st;

	if (ctx == NULL || section == NULL)
		return NULL;
	st = section_by_name(ctx, section);
	if (st == NULL)
		return NULL;
	return jwtc_keysrc_status(st->keys, ctx_now(ctx));
}

/* The reason a kid that is not among the usable keys was refused. */
static jwtc_rc
kid_not_found(const issuer_state *st, const jwtc_keyset *ks, const char *kid,
    jwtc_error *err)
{
	char shown[SHOW * 4 + 8];
	size_t i;

	jwtc_sanitize(shown, sizeof(shown), kid, SHOW);
	for (i = 0; i < ks->n_skipped; i++) {
		if (ks->skipped[i].kid != NULL &&
		    strcmp(ks->skipped[i].kid, kid) == 0)
			return jwtc_seterr(err, JWTC_ERR_NO_KEY,
			    "kid %s of issuer %s is a key that cannot be used: "
			    "%.200s", shown, st->cfg->name,
			    ks->skipped[i].reason);
	}
	return jwtc_seterr(err, JWTC_ERR_NO_KEY,
	    "kid %s not among the %zu keys of issuer %s", shown, ks->n,
	    st->cfg->name);
}

/* Try the keys of ks that may have signed t.  *named counts keys that the
 * token's kid names (all keys when it names none). */
static jwtc_rc
try_keys(const issuer_state *st, const jwtc_keyset *ks, const jwtc_token *t,
    int64_t now, size_t *named, jwtc_error *err)
{
	const unsigned char *msg = (const unsigned char *)t->copy;
	char why[256] = "";
	size_t i, fitting = 0;
	jwtc_rc rc = JWTC_ERR_BAD_SIGNATURE;

	*named = 0;
	for (i = 0; i < ks->n; i++) {
		const jwtc_key *k = &ks->keys[i];

		if (t->kid != NULL && (k->kid == NULL ||
		    strcmp(k->kid, t->kid) != 0))
			continue;
		(*named)++;
		if (!jwtc_key_fits(k, t->alg, why, sizeof(why)))
			continue;
		if (k->not_after > 0 && now > k->not_after) {
			snprintf(why, sizeof(why), "the x5c certificate of key "
			    "%zu expired %lld s ago", i,
			    (long long)(now - k->not_after));
			continue;
		}
		fitting++;
		rc = jwtc_sig_verify(k, t->alg, msg, t->signing_input_len,
		    t->sig, t->siglen);
		if (rc != JWTC_ERR_BAD_SIGNATURE)
			break;
	}
	if (rc == JWTC_OK)
		return JWTC_OK;
	if (t->kid != NULL && *named == 0)
		return kid_not_found(st, ks, t->kid, err);
	if (fitting == 0)
		return jwtc_seterr(err, JWTC_ERR_NO_KEY,
		    "no key of issuer %s fits alg %s%s%.200s", st->cfg->name,
		    jwtc_alg_name(t->alg), why[0] != '\0' ? ": " : "", why);
	if (rc == JWTC_ERR_BAD_SIGNATURE)
		return jwtc_seterr(err, rc, "bad %s signature (%zu key%s of "
		    "issuer %s tried)", jwtc_alg_name(t->alg), fitting,
		    fitting == 1 ? "" : "s", st->cfg->name);
	return jwtc_seterr(err, rc, "signature check failed: %s",
	    jwtc_rc_str(rc));
}

/* Whether a token naming an unknown kid is worth a refetch: it passed the
 * cheap checks (well-formed, alg allowed, issuer known) and has not
 * expired, so an attacker cannot make a host refetch with junk. */
static bool
worth_refetch(const issuer_state *st, const jwtc_token *t, int64_t now)
{
	double exp;

	return jwtc_numeric_date(json_object_get(t->claims, "exp"), &exp) &&
	    (double)now < exp + (double)st->cfg->leeway;
}

static jwtc_rc
check_hmac(const issuer_state *st, const jwtc_token *t, jwtc_error *err)
{
	jwtc_rc rc;

	if (st->secret == NULL)
		return jwtc_seterr(err, JWTC_ERR_ALG,
		    "alg %s needs an hmac_secret_file in section %s",
		    jwtc_alg_name(t->alg), st->cfg->name);
	rc = jwtc_hmac_verify(st->secret, st->secret_len, t->alg,
	    (const unsigned char *)t->copy, t->signing_input_len, t->sig,
	    t->siglen);
	if (rc == JWTC_ERR_BAD_SIGNATURE)
		return jwtc_seterr(err, rc, "bad %s signature for section %s",
		    jwtc_alg_name(t->alg), st->cfg->name);
	if (rc != JWTC_OK)
		return jwtc_seterr(err, rc, "HMAC check failed: %s",
		    jwtc_rc_str(rc));
	return JWTC_OK;
}

/* Find the keys that may have signed t and try each; an unknown kid may
 * cause one refetch. */
static jwtc_rc
check_signature(jwtc_ctx *ctx, issuer_state *st, const jwtc_token *t,
    int64_t now, jwtc_error *err)
{
	jwtc_keyset *ks = NULL, *nks = NULL;
	jwtc_error rerr;
	size_t named = 0;
	jwtc_rc rc;

	if (jwtc_alg_hmac_len(t->alg) > 0)
		return check_hmac(st, t, err);
	if (!jwtc_keysrc_has_keys(st->keys))
		return jwtc_seterr(err, JWTC_ERR_NO_KEY,
		    "section %s has no public keys (no jwks_file, and its "
		    "issuer is not an https:// URL)", st->cfg->name);
	rc = jwtc_keysrc_get(st->keys, now, &ks, err);
	if (rc != JWTC_OK)
		return rc;
	rc = try_keys(st, ks, t, now, &named, err);
	if (rc == JWTC_ERR_NO_KEY && t->kid != NULL && named == 0 &&
	    worth_refetch(st, t, now)) {
		memset(&rerr, 0, sizeof(rerr));
		switch (jwtc_keysrc_refetch(st->keys, now, t->kid, &nks,
		    &rerr)) {
		case JWTC_OK:
			ctx_log(ctx, JWTC_LOG_DEBUG, "section %s: keys "
			    "refetched for an unknown kid", st->cfg->name);
			rc = try_keys(st, nks, t, now, &named, err);
			if (rc == JWTC_ERR_NO_KEY && named == 0) {
				size_t l = strlen(err->msg);

				snprintf(err->msg + l, sizeof(err->msg) - l,
				    " after a refresh");
			}
			break;
		case JWTC_ERR_NO_KEY: {
			char first[JWTC_ERRMSG_MAX];

			memcpy(first, err->msg, sizeof(first));
			rc = jwtc_seterr(err, JWTC_ERR_NO_KEY, "%.300s; %.180s",
			    first, rerr.msg);
			break;
		}
		default:
			/* the refetch failed for network reasons */
			rc = jwtc_seterr(err, rerr.rc == JWTC_ERR_NO_MEMORY ?
			    JWTC_ERR_NO_MEMORY : JWTC_ERR_KEYS_UNAVAILABLE,
			    "kid not among the keys, and the refetch failed: "
			    "%.400s", rerr.msg);
			break;
		}
	}
	jwtc_keyset_unref(nks);
	jwtc_keyset_unref(ks);
	if (rc == JWTC_OK)
		ctx_log(ctx, JWTC_LOG_DEBUG, "signature verified by a key of "
		    "section %s", st->cfg->name);
	return rc;
}

/* replay_protection: the token must carry a jti, recorded host-wide until
 * exp + leeway after every other check passed.  jwt-auth verify (dry run)
 * checks for the jti but records nothing. */
static jwtc_rc
check_replay(const jwtc_ctx *ctx, const issuer_state *st, const jwtc_token *t,
    int64_t now, jwtc_error *err)
{
	double exp = 0;

	if (t->jti == NULL || t->jti[0] == '\0')
		return jwtc_seterr(err, JWTC_ERR_REPLAY, "token has no jti, "
		    "which replay_protection of section %s requires",
		    st->cfg->name);
	if (ctx->hooks.dry_run)
		return JWTC_OK;
	if (ctx->state_fd < 0)
		return jwtc_seterr(err, JWTC_ERR_REPLAY, "cannot record jti: "
		    "%.400s", ctx->state_why != NULL ? ctx->state_why :
		    "state_dir not usable");
	(void)jwtc_numeric_date(json_object_get(t->claims, "exp"), &exp);
	return jwtc_replay_record(ctx->state_fd, st->cfg->issuer, t->jti,
	    exp + (double)st->cfg->leeway, now, err);
}

static issuer_state *
find_section(jwtc_ctx *ctx, const char *iss)
{
	size_t i;

	for (i = 0; i < ctx->n; i++)
		if (strcmp(ctx->is[i].cfg->issuer, iss) == 0)
			return &ctx->is[i];
	return NULL;
}

void
jwtc_result_free(jwtc_result *r)
{
	if (r == NULL)
		return;
	/* section, iss, kid and jti live in r's own allocation */
	free(r->user);
	json_decref(r->claims);
	free(r);
}

/* The result in one allocation: the structure, then its strings. */
static jwtc_rc
make_result(const issuer_state *st, jwtc_token *t, char *user,
    jwtc_result **out, jwtc_error *err)
{
	size_t ls, li, lk, lj;
	jwtc_result *r;
	char *p;
	double exp = 0;

	if (t->iss == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "no iss");
	ls = strlen(st->cfg->name) + 1;
	li = strlen(t->iss) + 1;
	lk = t->kid != NULL ? strlen(t->kid) + 1 : 0;
	lj = t->jti != NULL ? strlen(t->jti) + 1 : 0;
	r = malloc(sizeof(*r) + ls + li + lk + lj);
	if (r == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	p = (char *)(r + 1);
	r->section = memcpy(p, st->cfg->name, ls);
	p += ls;
	r->iss = memcpy(p, t->iss, li);
	p += li;
	r->kid = lk > 0 ? memcpy(p, t->kid, lk) : NULL;
	p += lk;
	r->jti = lj > 0 ? memcpy(p, t->jti, lj) : NULL;
	(void)jwtc_numeric_date(json_object_get(t->claims, "exp"), &exp);
	r->exp = exp;
	r->claims = json_incref(t->claims);
	r->user = user;
	*out = r;
	return JWTC_OK;
}

/* The one log line of an outcome.  Values from the token are sanitized
 * and cut short; the token itself is only ever shown as a fingerprint. */
static void
log_outcome(const jwtc_ctx *ctx, const jwtc_token *t, const char *token,
    size_t len, const issuer_state *st, const char *user, jwtc_rc rc,
    const char *why)
{
	char u[SHOW * 4 + 8], kid[SHOW * 4 + 8], id[SHOW * 4 + 8], fp[17];
	int prio = rc == JWTC_OK ? JWTC_LOG_INFO : JWTC_LOG_NOTICE;

	if (ctx->hooks.log == NULL)
		return;
	jwtc_sanitize(u, sizeof(u), user, SHOW);
	jwtc_sanitize(kid, sizeof(kid), t != NULL ? t->kid : NULL, SHOW);
	if (t != NULL && t->jti != NULL) {
		jwtc_sanitize(id, sizeof(id), t->jti, SHOW);
	} else if (t != NULL) {
		jwtc_fingerprint(token, len, fp);
		(void)snprintf(id, sizeof(id), "fp:%s", fp);
	} else {
		/* Input that is not a JWS may be a password typed at the
		 * token prompt: not even a hash of it is logged. */
		(void)snprintf(id, sizeof(id), "-");
	}
	if (rc == JWTC_OK)
		ctx_log(ctx, prio, "accepted user=%s section=%s kid=%s jti=%s",
		    u, st->cfg->name, kid, id);
	else
		ctx_log(ctx, prio, "refused user=%s section=%s kid=%s jti=%s: "
		    "%s", u, st != NULL ? st->cfg->name : "-", kid, id, why);
}

jwtc_rc
jwtc_verify(jwtc_ctx *ctx, const char *token, size_t len,
    const char *expected_user, jwtc_result **out, jwtc_error *err)
{
	jwtc_error e;
	jwtc_token t;
	issuer_state *st = NULL;
	char *user = NULL, shown[SHOW * 4 + 8];
	const char *claimed = NULL;
	int64_t now;
	jwtc_rc rc;
	bool parsed = false;

	memset(&t, 0, sizeof(t));
	memset(&e, 0, sizeof(e));
	if (ctx == NULL || token == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "bad arguments");
	now = ctx_now(ctx);

	rc = jwtc_token_parse(token, len, (size_t)ctx->cfg->max_token_size,
	    &t, &e);
	if (rc != JWTC_OK)
		goto out;
	parsed = true;
	if (t.iss == NULL) {
		rc = jwtc_seterr(&e, JWTC_ERR_UNKNOWN_ISSUER, "token has no iss");
		goto out;
	}
	st = find_section(ctx, t.iss);
	if (st == NULL) {
		jwtc_sanitize(shown, sizeof(shown), t.iss, SHOW);
		rc = jwtc_seterr(&e, JWTC_ERR_UNKNOWN_ISSUER,
		    "iss \"%s\" is not the issuer of a trusted section", shown);
		goto out;
	}
	if ((st->cfg->algorithms & JWTC_ALG_BIT(t.alg)) == 0) {
		rc = jwtc_seterr(&e, JWTC_ERR_ALG,
		    "alg %s not allowed for issuer %s", jwtc_alg_name(t.alg),
		    st->cfg->name);
		goto out;
	}
	ctx_log(ctx, JWTC_LOG_DEBUG, "token parsed: alg %s, section %s",
	    jwtc_alg_name(t.alg), st->cfg->name);
	rc = check_signature(ctx, st, &t, now, &e);
	if (rc != JWTC_OK)
		goto out;
	rc = jwtc_claims_check(st->cfg, &t, now, &user, &e);
	if (rc != JWTC_OK)
		goto out;
	if (expected_user != NULL && strcmp(user, expected_user) != 0) {
		char want[SHOW * 4 + 8];

		jwtc_sanitize(shown, sizeof(shown), user, SHOW);
		jwtc_sanitize(want, sizeof(want), expected_user, SHOW);
		rc = jwtc_seterr(&e, JWTC_ERR_USER_MISMATCH,
		    "token is for user %s, not %s", shown, want);
		goto out;
	}
	if (st->cfg->replay_protection) {
		rc = check_replay(ctx, st, &t, now, &e);
		if (rc != JWTC_OK)
			goto out;
	}
	rc = make_result(st, &t, user, out, &e);
	if (rc == JWTC_OK)
		user = NULL;
out:
	if (parsed && user == NULL && rc != JWTC_OK && st != NULL) {
		/* Name the user the token claims, for the log line only. */
		const json_t *v = json_object_get(t.claims,
		    st->cfg->username_claim);

		claimed = json_is_string(v) ? json_string_value(v) : NULL;
	}
	log_outcome(ctx, parsed ? &t : NULL, token, len, st,
	    rc == JWTC_OK ? jwtc_result_user(*out) :
	    (user != NULL ? user : claimed), rc, e.msg);
	free(user);
	jwtc_token_clear(&t);
	if (st != NULL) {
		size_t n = strnlen(st->cfg->name, sizeof(e.section) - 1);

		memcpy(e.section, st->cfg->name, n);
		e.section[n] = '\0';
	}
	if (err != NULL)
		*err = e;
	return rc;
}

const char *
jwtc_result_section(const jwtc_result *r)
{
	return r == NULL ? NULL : r->section;
}

const char *
jwtc_result_iss(const jwtc_result *r)
{
	return r == NULL ? NULL : r->iss;
}

const char *
jwtc_result_user(const jwtc_result *r)
{
	return r == NULL ? NULL : r->user;
}

const char *
jwtc_result_kid(const jwtc_result *r)
{
	return r == NULL ? NULL : r->kid;
}

const char *
jwtc_result_jti(const jwtc_result *r)
{
	return r == NULL ? NULL : r->jti;
}

double
jwtc_result_exp(const jwtc_result *r)
{
	return r == NULL ? 0.0 : r->exp;
}

char *
jwtc_result_json(const jwtc_result *r)
{
	json_t *o;
	char *s;

	if (r == NULL)
		return NULL;
	o = json_pack("{s:s, s:s, s:s, s:s?, s:O}", "issuer", r->section,
	    "iss", r->iss, "user", r->user, "kid", r->kid, "claims",
	    r->claims);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* Append one scalar claim value as text; false for other types. */
static bool
scalar_text(const json_t *v, char *buf, size_t len)
{
	int n;

	if (json_is_string(v))
		n = snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		n = snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		n = snprintf(buf, len, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		n = snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		return false;
	return n >= 0;
}

char *
jwtc_result_claim_string(const jwtc_result *r, const char *name)
{
	const json_t *v, *e;
	char *buf = NULL, item[64];
	size_t i, used = 0, cap = 0;

	if (r == NULL || name == NULL)
		return NULL;
	v = json_object_get(r->claims, name);
	if (json_is_string(v))
		return jwtc_strdup(json_string_value(v));
	if (v != NULL && !json_is_array(v)) {
		if (!scalar_text(v, item, sizeof(item)))
			return NULL;
		return jwtc_strdup(item);
	}
	if (v == NULL)
		return NULL;
	json_array_foreach(v, i, e) {
		const char *piece = item;
		size_t plen;
		char *nb;

		if (json_is_string(e))
			piece = json_string_value(e);
		else if (!scalar_text(e, item, sizeof(item))) {
			free(buf);
			return NULL;
		}
		plen = strlen(piece);
		if (plen > SIZE_MAX / 2 - used - 2) {
			free(buf);
			return NULL;
		}
		if (used + plen + 2 > cap) {
			cap = (used + plen + 2) * 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		if (used > 0)
			buf[used++] = ',';
		memcpy(buf + used, piece, plen);
		used += plen;
		buf[used] = '\0';
	}
	return buf != NULL ? buf : jwtc_strdup("");
}
