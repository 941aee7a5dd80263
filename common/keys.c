/*
 * keys.c - where an issuer section's keys come from.
 *
 * A section with jwks_file reads it once.  Any other section gets its keys
 * from the shared cache file, refreshed over HTTPS when they are no longer
 * fresh:
 *   - one refresh at a time per issuer on the host (a lock file), and a
 *     process that finds one under way uses usable cached keys or waits a
 *     bounded time and reads what the other process wrote;
 *   - failed attempts back off host-wide (5 s, doubling, at most 300 s),
 *     while cached keys keep serving until stale_until;
 *   - an unknown kid causes at most one refetch per kid_refetch_interval;
 *   - a response is kept only if it holds at least one usable key;
 *   - a process running with AT_SECURE (setuid su, sudo) never fetches
 *     itself: it runs the fetch helper with an empty environment and reads
 *     the cache.
 * Long-lived processes notice a cache file written by another process
 * (one fstatat per verification) and swap in its keys.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "internal.h"

#define BACKOFF_FIRST 5
#define BACKOFF_MAX 300
#define HELPER_GRACE_MS 3000  /* beyond http_timeout for the helper */
#define LOCK_GRACE_MS 2000    /* beyond http_timeout waiting for another */

#ifndef JWTC_BINDIR
#define JWTC_BINDIR "/usr/bin"
#endif

typedef enum refresh_kind {
	REFRESH_STALE,  /* keys are not fresh */
	REFRESH_KID,    /* a token named an unknown kid */
	REFRESH_FORCE   /* jwt-auth fetch */
} refresh_kind;

struct jwtc_keysrc {
	const jwtc_keysrc_env *env;
	const jwtc_issuer_cfg *is;
	bool network;
	char cache_name[JWTC_CACHE_NAME_LEN];
	char lock_name[JWTC_CACHE_NAME_LEN];
	jwtc_x5c_store *x5c;
	pthread_mutex_t lock;      /* guards what follows; held briefly */
	bool refreshing;           /* one refresh at a time in this process */
	pthread_cond_t refreshed;  /* signalled when it ends (monotonic) */
	jwtc_keyset *keys;
	jwtc_cache_entry mem;      /* the state the keys came with */
	bool have_seen;
	struct stat seen;          /* the cache file last read (or refused) */
	bool seen_ok;              /* it was read; else retry after a while */
	int64_t seen_ms;           /* when it was refused (monotonic) */
};

/* A cache file that could not be used is read again after this long even
 * when it did not change (a transient error, such as EMFILE). */
#define RETRY_BAD_FILE_MS 5000

static void
src_log(const jwtc_keysrc *src, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
src_log(const jwtc_keysrc *src, int prio, const char *fmt, ...)
{
	const jwtc_hooks *h = src->env->hooks;
	char line[1024];
	va_list ap;

	if (h == NULL || h->log == NULL || (prio == JWTC_LOG_DEBUG &&
	    !h->debug))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->log(h->log_arg, prio, line);
}

static void
iso_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "never");
}

static jwtc_rc
parse_keys(const jwtc_keysrc *src, const char *text, size_t len, int64_t now,
    jwtc_keyset **out, jwtc_error *err)
{
	jwtc_keyset *ks = NULL;
	jwtc_rc rc;

	rc = jwtc_jwks_parse_x5c(text, len, src->x5c, now, &ks, err);
	if (rc != JWTC_OK)
		return rc;
	if (ks->n == 0) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_KEY,
		    "no usable key among the %zu keys%s%.200s", ks->n_skipped,
		    ks->n_skipped > 0 ? ": " : "",
		    ks->n_skipped > 0 ? ks->skipped[0].reason : "");
		jwtc_keyset_unref(ks);
		return rc;
	}
	*out = ks;
	return JWTC_OK;
}

/* ---- the state in memory ----------------------------------------------- */

/* Take over e (and ks when not NULL) as the current state; sb, when not
 * NULL, is the cache file it came from. */
static void
install(jwtc_keysrc *src, jwtc_cache_entry *e, jwtc_keyset *ks,
    const struct stat *sb)
{
	jwtc_keyset *old_keys = NULL;
	jwtc_cache_entry old;

	pthread_mutex_lock(&src->lock);
	if (ks != NULL) {
		old_keys = src->keys;
		src->keys = ks;
	}
	old = src->mem;
	src->mem = *e;
	if (sb != NULL) {
		src->seen = *sb;
		src->have_seen = true;
		src->seen_ok = true;
	}
	pthread_mutex_unlock(&src->lock);
	memset(e, 0, sizeof(*e));
	jwtc_keyset_unref(old_keys);
	jwtc_cache_entry_clear(&old);
}

static void
mark_seen(jwtc_keysrc *src, const struct stat *sb, bool ok)
{
	pthread_mutex_lock(&src->lock);
	src->seen = *sb;
	src->have_seen = true;
	src->seen_ok = ok;
	src->seen_ms = jwtc_monotonic_ms();
	pthread_mutex_unlock(&src->lock);
}

/*
 * Take over e and ks (ks NULL: keep the keys), read from the cache file
 * whose status is sb, unless the state in memory is newer: this process
 * fetched and could not write, or another thread read a later version of
 * the file meanwhile.  Compared and swapped under one hold of the lock,
 * so that a thread that read an older version never replaces a newer
 * one.  A file with later attempts but older keys than memory gives its
 * attempts only.  e and ks are taken over either way; whether its keys
 * were installed.
 */
static bool
install_read(jwtc_keysrc *src, jwtc_cache_entry *e, jwtc_keyset *ks,
    const struct stat *sb)
{
	jwtc_keyset *drop_keys = ks;
	jwtc_cache_entry drop = *e;
	jwtc_cache_entry *m;
	char *lf;
	bool newer, older_keys;

	pthread_mutex_lock(&src->lock);
	m = &src->mem;
	newer = (m->last_attempt == 0 && m->fetched_at == 0) ||
	    e->fetched_at > m->fetched_at || e->last_attempt >= m->last_attempt;
	/* later attempts recorded over keys older than this process holds
	 * (it fetched and could not write): the attempts count, the keys
	 * in memory stay */
	older_keys = m->fetched_at != 0 && e->fetched_at < m->fetched_at;
	if (newer && older_keys) {
		m->last_attempt = e->last_attempt;
		m->backoff_until = e->backoff_until;
		m->kid_refetch_at = e->kid_refetch_at;
		m->failures = e->failures;
		m->last_failure_at = e->last_failure_at;
		lf = m->last_failure;
		m->last_failure = e->last_failure;
		drop.last_failure = lf;
	} else if (newer) {
		drop_keys = NULL;
		if (ks != NULL) {
			drop_keys = src->keys;
			src->keys = ks;
		}
		drop = src->mem;
		src->mem = *e;
	}
	src->seen = *sb;
	src->have_seen = true;
	src->seen_ok = true;
	pthread_mutex_unlock(&src->lock);
	memset(e, 0, sizeof(*e));
	jwtc_keyset_unref(drop_keys);
	jwtc_cache_entry_clear(&drop);
	return newer && !older_keys;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * The section's own limits over times that another process, or a section
 * with other limits, wrote; and times from a clock that has since gone
 * back are not trusted to hold anything off.
 */
static void
effective_times(const jwtc_issuer_cfg *is, const jwtc_cache_entry *e,
    int64_t now, int64_t *fresh_until, int64_t *stale_until)
{
	int64_t fresh = e->fresh_until, stale = e->stale_until;

	if (fresh > e->fetched_at + is->cache_ttl_max)
		fresh = e->fetched_at + is->cache_ttl_max;
	if (e->fetched_at > now && fresh > now)
		fresh = now;            /* fetched "in the future": not fresh */
	if (stale > fresh + is->stale_max)
		stale = fresh + is->stale_max;
	*fresh_until = fresh;
	*stale_until = stale;
}

/* Back-off and kid refetch times written ahead of a clock that later
 * went back are ignored rather than obeyed for hours. */
static int64_t
backoff_until(const jwtc_cache_entry *e, int64_t now)
{
	return e->backoff_until > now + BACKOFF_MAX ? 0 : e->backoff_until;
}

static int64_t
kid_refetch_at(const jwtc_cache_entry *e, int64_t now)
{
	return e->kid_refetch_at > now ? 0 : e->kid_refetch_at;
}

/* Read the cache file; ks gets its keys.  JWTC_ERR_NO_KEY: no file. */
static jwtc_rc
read_file(jwtc_keysrc *src, int64_t now, jwtc_cache_entry *e,
    jwtc_keyset **ks, struct stat *sb, jwtc_error *err)
{
	jwtc_rc rc;

	*ks = NULL;
	rc = jwtc_cache_read(src->env->cache_fd, src->cache_name,
	    src->is->issuer, e, sb, err);
	if (rc != JWTC_OK || e->jwks == NULL)
		return rc;
	rc = parse_keys(src, e->jwks, e->jwks_len, now, ks, err);
	if (rc != JWTC_OK) {
		jwtc_cache_entry_clear(e);
		if (rc != JWTC_ERR_NO_MEMORY)
			rc = JWTC_ERR_CONFIG;
	}
	return rc;
}

/* Read the cache file when it changed since it was last seen (always when
 * force), and take its state when it is not older than what this process
 * holds. */
static void
sync_cache(jwtc_keysrc *src, int64_t now, bool force)
{
	int fd = src->env->cache_fd;
	jwtc_cache_entry e;
	jwtc_keyset *ks = NULL;
	jwtc_error err;
	struct stat sb, rsb;
	size_t n;
	bool same;
	jwtc_rc rc;

	if (!src->network || fd < 0)
		return;
	if (fstatat(fd, src->cache_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	pthread_mutex_lock(&src->lock);
	same = src->have_seen && same_file(&sb, &src->seen);
	if (same && !src->seen_ok &&
	    jwtc_monotonic_ms() - src->seen_ms >= RETRY_BAD_FILE_MS)
		same = false;
	pthread_mutex_unlock(&src->lock);
	if (same && !force)
		return;

	memset(&e, 0, sizeof(e));
	memset(&err, 0, sizeof(err));
	rc = read_file(src, now, &e, &ks, &rsb, &err);
	if (rc == JWTC_ERR_NO_KEY)
		return;         /* no file */
	if (rc != JWTC_OK) {
		if (!same)
			src_log(src, JWTC_LOG_WARNING, "section %s: cache file "
			    "%s ignored: %s", src->is->name, src->cache_name,
			    err.msg);
		mark_seen(src, &sb, false);
		return;
	}
	n = ks != NULL ? ks->n : 0;
	if (install_read(src, &e, ks, &rsb))
		src_log(src, JWTC_LOG_DEBUG, "section %s: read %zu keys from "
		    "cache file %s", src->is->name, n, src->cache_name);
}

/* The current keys (referenced) when they may serve at now. */
static jwtc_keyset *
current(jwtc_keysrc *src, int64_t now, bool *fresh)
{
	jwtc_keyset *ks = NULL;
	int64_t fresh_until, stale_until;

	pthread_mutex_lock(&src->lock);
	*fresh = false;
	if (src->keys != NULL && !src->network) {
		ks = jwtc_keyset_ref(src->keys);
		*fresh = true;
	} else if (src->keys != NULL) {
		effective_times(src->is, &src->mem, now, &fresh_until,
		    &stale_until);
		if (now < stale_until) {
			ks = jwtc_keyset_ref(src->keys);
			*fresh = now < fresh_until;
		}
	}
	pthread_mutex_unlock(&src->lock);
	return ks;
}

static bool
has_kid(const jwtc_keyset *ks, const char *kid)
{
	size_t i;

	for (i = 0; ks != NULL && kid != NULL && i < ks->n; i++)
		if (ks->keys[i].kid != NULL && strcmp(ks->keys[i].kid, kid) == 0)
			return true;
	return false;
}

static jwtc_rc
copy_state(jwtc_keysrc *src, jwtc_cache_entry *e)
{
	jwtc_rc rc;

	pthread_mutex_lock(&src->lock);
	rc = jwtc_cache_entry_copy(&src->mem, e);
	pthread_mutex_unlock(&src->lock);
	return rc;
}

typedef enum gate_result {
	GATE_DONE,     /* nothing to fetch: the keys are there */
	GATE_DUE,      /* a fetch is due */
	GATE_REFUSED   /* not now: err says why */
} gate_result;

/* Whether a refresh of this kind is due now, from the state in memory. */
static gate_result
gate(jwtc_keysrc *src, int64_t now, refresh_kind kind, const char *kid,
    jwtc_error *err)
{
	const jwtc_issuer_cfg *is = src->is;
	jwtc_keyset *ks;
	int64_t backoff, kid_at;
	long failures;
	bool fresh;
	gate_result g = GATE_DUE;

	if (kind == REFRESH_FORCE)
		return GATE_DUE;
	ks = current(src, now, &fresh);
	if (kind == REFRESH_STALE && ks != NULL && fresh)
		g = GATE_DONE;
	if (kind == REFRESH_KID && has_kid(ks, kid))
		g = GATE_DONE;
	jwtc_keyset_unref(ks);
	if (g == GATE_DONE)
		return g;
	pthread_mutex_lock(&src->lock);
	backoff = backoff_until(&src->mem, now);
	kid_at = kid_refetch_at(&src->mem, now);
	failures = src->mem.failures;
	pthread_mutex_unlock(&src->lock);
	if (kind == REFRESH_KID && kid_at > 0 &&
	    now < kid_at + is->kid_refetch_interval) {
		jwtc_seterr(err, JWTC_ERR_NO_KEY, "no refetch for an unknown "
		    "kid for another %lld s (kid_refetch_interval)",
		    (long long)(kid_at + is->kid_refetch_interval - now));
		return GATE_REFUSED;
	}
	if (now < backoff) {
		jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE, "issuer %s is "
		    "backing off after %ld failed attempt%s (next in %lld s)",
		    is->name, failures, failures == 1 ? "" : "s",
		    (long long)(backoff - now));
		return GATE_REFUSED;
	}
	return GATE_DUE;
}

/* ---- fetching -------------------------------------------------------------- */

/* Seconds the keys count as fresh: max-age clamped, or the default, less
 * 0-10 % at random (never below cache_ttl_min). */
static int64_t
fresh_seconds(const jwtc_issuer_cfg *is, long max_age)
{
	unsigned char r[2] = { 0, 0 };
	int64_t ttl = max_age >= 0 ? max_age : is->cache_ttl_default;
	unsigned permille;

	if (ttl < is->cache_ttl_min)
		ttl = is->cache_ttl_min;
	if (ttl > is->cache_ttl_max)
		ttl = is->cache_ttl_max;
	if (RAND_bytes(r, sizeof(r)) != 1)
		r[0] = r[1] = 0;
	permille = (unsigned)((r[0] << 8) | r[1]) % 101;
	ttl -= ttl * (int64_t)permille / 1000;
	if (ttl < is->cache_ttl_min)
		ttl = is->cache_ttl_min;
	return ttl;
}

static int64_t
backoff_seconds(long failures)
{
	int64_t d = BACKOFF_FIRST;
	long i;

	for (i = 1; i < failures && d < BACKOFF_MAX; i++)
		d *= 2;
	return d > BACKOFF_MAX ? BACKOFF_MAX : d;
}

static void
http_opts(const jwtc_keysrc *src, int64_t deadline, jwtc_http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ca_file = src->is->ca_file;
	o->proxy = src->is->http_proxy;
	o->deadline_ms = deadline;
}

/* Put a prefix before err's message (without reading and writing the
 * same buffer in one call). */
static jwtc_rc
prefix_err(jwtc_error *err, jwtc_rc rc, const char *prefix)
{
	char was[JWTC_ERRMSG_MAX];

	memcpy(was, err->msg, sizeof(was));
	was[sizeof(was) - 1] = '\0';
	return jwtc_seterr(err, rc, "%s: %.400s", prefix, was);
}

static jwtc_rc
discover(const jwtc_keysrc *src, int64_t deadline, char **jwks_uri,
    jwtc_error *err)
{
	const jwtc_issuer_cfg *is = src->is;
	jwtc_http_opts o;
	jwtc_http_resp r;
	char url[4200];
	size_t n;
	jwtc_rc rc;

	if (is->jwks_uri != NULL) {
		*jwks_uri = jwtc_strdup(is->jwks_uri);
		return *jwks_uri != NULL ? JWTC_OK :
		    jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	}
	if (is->discovery_url != NULL) {
		snprintf(url, sizeof(url), "%s", is->discovery_url);
	} else {
		n = strlen(is->issuer);
		while (n > 0 && is->issuer[n - 1] == '/')
			n--;
		snprintf(url, sizeof(url), "%.*s/.well-known/"
		    "openid-configuration", (int)n, is->issuer);
	}
	http_opts(src, deadline, &o);
	o.max_body = JWTC_MAX_DISCOVERY_SIZE;
	memset(&r, 0, sizeof(r));
	rc = jwtc_http_get(url, &o, &r, err);
	if (rc == JWTC_OK && r.status != 200)
		rc = jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "discovery answered %ld", r.status);
	if (rc == JWTC_OK) {
		rc = jwtc_discovery_parse(r.body, r.body_len, is->issuer,
		    jwks_uri, err);
		if (rc != JWTC_OK && rc != JWTC_ERR_NO_MEMORY)
			rc = prefix_err(err, JWTC_ERR_KEYS_UNAVAILABLE,
			    "discovery document");
	}
	jwtc_http_resp_clear(&r);
	return rc;
}

static bool
replace_text(char **dst, const char *src)
{
	char *copy = NULL;

	if (src != NULL) {
		copy = jwtc_strdup(src);
		if (copy == NULL)
			return false;
	}
	free(*dst);
	*dst = copy;
	return true;
}

/* One refresh: discovery (unless jwks_uri is set) and the JWKS, within
 * http_timeout in all.  On success e holds the new state and *out the
 * keys. */
static jwtc_rc
do_fetch(const jwtc_keysrc *src, jwtc_cache_entry *e, int64_t now,
    jwtc_keyset **out, char *summary, size_t slen, jwtc_error *err)
{
	const jwtc_issuer_cfg *is = src->is;
	int64_t deadline = jwtc_monotonic_ms() + is->http_timeout * 1000;
	jwtc_keyset *ks = NULL;
	jwtc_http_opts o;
	jwtc_http_resp r;
	char *uri = NULL;
	int64_t ttl;
	jwtc_rc rc;

	memset(&r, 0, sizeof(r));
	rc = discover(src, deadline, &uri, err);
	if (rc != JWTC_OK)
		goto out;
	if (e->jwks_uri == NULL || strcmp(e->jwks_uri, uri) != 0) {
		/* validators belong to the old URL */
		free(e->etag);
		free(e->last_modified);
		e->etag = e->last_modified = NULL;
		free(e->jwks_uri);
		e->jwks_uri = uri;
		uri = NULL;
	}
	http_opts(src, deadline, &o);
	o.max_body = JWTC_MAX_JWKS_SIZE;
	if (e->jwks != NULL) {
		o.etag = e->etag;
		o.last_modified = e->last_modified;
	}
	rc = jwtc_http_get(e->jwks_uri, &o, &r, err);
	if (rc != JWTC_OK)
		goto out;
	if (r.status == 304 && e->jwks != NULL) {
		rc = parse_keys(src, e->jwks, e->jwks_len, now, &ks, err);
	} else if (r.status == 200) {
		rc = parse_keys(src, r.body, r.body_len, now, &ks, err);
		if (rc == JWTC_OK) {
			free(e->jwks);
			e->jwks = r.body;
			e->jwks_len = r.body_len;
			r.body = NULL;
		}
	} else {
		rc = jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "JWKS answered %ld", r.status);
	}
	if (rc != JWTC_OK) {
		if (rc != JWTC_ERR_NO_MEMORY && rc != JWTC_ERR_KEYS_UNAVAILABLE)
			rc = prefix_err(err, JWTC_ERR_KEYS_UNAVAILABLE,
			    "JWKS not used");
		goto out;
	}
	if ((r.etag != NULL || r.status == 200) &&
	    !replace_text(&e->etag, r.etag)) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	if ((r.last_modified != NULL || r.status == 200) &&
	    !replace_text(&e->last_modified, r.last_modified)) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	ttl = fresh_seconds(is, r.max_age);
	e->fetched_at = now;
	e->fresh_until = now + ttl;
	e->stale_until = e->fresh_until + is->stale_max;
	e->failures = 0;
	e->backoff_until = 0;
	if (r.status == 304)
		snprintf(summary, slen, "not modified, fresh for %lld s",
		    (long long)ttl);
	else
		snprintf(summary, slen, "fetched %zu key%s, fresh for %lld s",
		    ks->n, ks->n == 1 ? "" : "s", (long long)ttl);
	*out = ks;
	ks = NULL;
	rc = JWTC_OK;
out:
	jwtc_keyset_unref(ks);
	jwtc_http_resp_clear(&r);
	free(uri);
	return rc;
}

/* ---- the helper for processes that may not fetch -------------------------- */

/*
 * Run "jwt-auth fetch --due KIND -c CONFIG -- NAME" with an empty
 * environment in a session of its own, wait for it at most as long as it
 * may take (it waits for the lock, then fetches), then read the cache.
 * The helper applies the same back-off, interval and single-flight rules.
 */
static jwtc_rc
run_helper(jwtc_keysrc *src, int64_t now, refresh_kind kind, jwtc_error *err)
{
	const char *helper = src->env->helper;
	const char *path = src->env->cfg->path;
	char *argv[9], why[160];
	char *envp[1] = { NULL };
	int fd = -1, exe = -1, devnull = -1, status = 0;
	int64_t deadline;
	pid_t pid, w = 0;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	if (helper == NULL || path == NULL || src->env->cache_fd < 0)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "this process may not fetch keys itself (setuid caller) "
		    "and no fetch helper can run for it%s",
		    path == NULL ? " (no configuration file)" : "");
	fd = open(helper, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || !jwtc_fd_trusted(fd, false, false, why, sizeof(why))) {
		if (fd >= 0)
			close(fd);
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "fetch helper %s cannot be used%s%s", helper,
		    fd >= 0 ? ": " : "", fd >= 0 ? why : "");
	}
	/* Above the standard descriptors, so the dup2s below leave them. */
	exe = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (exe < 0 || devnull < 0) {
		if (exe >= 0)
			close(exe);
		if (devnull >= 0)
			close(devnull);
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "cannot prepare the fetch helper");
	}
	argv[0] = (char *)(uintptr_t)helper;
	argv[1] = (char *)(uintptr_t)"fetch";
	argv[2] = (char *)(uintptr_t)"--due";
	argv[3] = (char *)(uintptr_t)(kind == REFRESH_KID ? "kid" : "stale");
	argv[4] = (char *)(uintptr_t)"-c";
	argv[5] = (char *)(uintptr_t)path;
	argv[6] = (char *)(uintptr_t)"--";
	argv[7] = src->is->name;
	argv[8] = NULL;
	src_log(src, JWTC_LOG_DEBUG, "section %s: running %s fetch",
	    src->is->name, helper);
	pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls from here */
		(void)setsid();   /* away from the terminal's job control */
		if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(devnull, 2) < 0)
			_exit(127);
		/* every other descriptor closes at exec; exe stays for
		 * fexecve, which opens the program before that */
		(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		(void)fexecve(exe, argv, envp);
		_exit(127);
	}
	close(exe);
	close(devnull);
	if (pid < 0)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "cannot start the fetch helper");
	/* the helper's own budget: the lock wait and the fetch */
	deadline = jwtc_monotonic_ms() + 2 * src->is->http_timeout * 1000 +
	    LOCK_GRACE_MS + HELPER_GRACE_MS;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (jwtc_monotonic_ms() >= deadline) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			w = -1;
			break;
		}
		(void)nanosleep(&pause, NULL);
	}
	sync_cache(src, now, false);
	if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "the fetch helper failed (%s %d)", w != pid ? "killed or "
		    "lost, status" : WIFEXITED(status) ? "exit status" :
		    "signal", w != pid ? -1 : WIFEXITED(status) ?
		    WEXITSTATUS(status) : WTERMSIG(status));
	return JWTC_OK;
}

/* ---- refreshing ------------------------------------------------------------ */

/* Record a failed attempt: in the cache file's own state when it can be
 * read and its keys are not older than this process's (never dropping
 * the keys it holds), else in this process's (which may hold keys it
 * fetched and could not write, a full disk). */
static void
record_failure(jwtc_keysrc *src, jwtc_cache_entry *mine, int64_t now,
    refresh_kind kind, bool may_write, const jwtc_error *why)
{
	jwtc_cache_entry base;
	jwtc_keyset *ks = NULL;
	jwtc_cache_entry *e = mine;
	jwtc_error rerr, werr;
	struct stat sb;
	bool written = false;

	memset(&base, 0, sizeof(base));
	memset(&rerr, 0, sizeof(rerr));
	if (may_write && read_file(src, now, &base, &ks, &sb, &rerr) ==
	    JWTC_OK) {
		if (base.fetched_at >= mine->fetched_at) {
			e = &base;
		} else {
			jwtc_keyset_unref(ks);
			ks = NULL;
		}
	}
	e->last_attempt = now;
	if (kind == REFRESH_KID)
		e->kid_refetch_at = now;
	e->failures++;
	e->backoff_until = now + backoff_seconds(e->failures);
	e->last_failure_at = now;
	(void)replace_text(&e->last_failure, why->msg);
	src_log(src, JWTC_LOG_WARNING, "section %s: key refresh failed (%ld in "
	    "a row, next attempt in %lld s): %s", src->is->name, e->failures,
	    (long long)backoff_seconds(e->failures), why->msg);
	if (may_write) {
		memset(&werr, 0, sizeof(werr));
		if (jwtc_cache_write(src->env->cache_fd, src->cache_name, e,
		    &werr) != JWTC_OK)
			src_log(src, JWTC_LOG_WARNING, "section %s: %s",
			    src->is->name, werr.msg);
		else
			written = fstatat(src->env->cache_fd, src->cache_name,
			    &sb, AT_SYMLINK_NOFOLLOW) == 0;
	}
	install(src, e, ks, written ? &sb : NULL);
	jwtc_cache_entry_clear(&base);
}

static void
record_success(jwtc_keysrc *src, jwtc_cache_entry *e, jwtc_keyset *ks,
    bool may_write, const char *summary)
{
	jwtc_error werr;
	struct stat sb;
	bool written = false;

	src_log(src, JWTC_LOG_INFO, "section %s: %s", src->is->name, summary);
	if (may_write) {
		memset(&werr, 0, sizeof(werr));
		if (jwtc_cache_write(src->env->cache_fd, src->cache_name, e,
		    &werr) != JWTC_OK)
			src_log(src, JWTC_LOG_WARNING, "section %s: keys kept "
			    "in memory only: %s", src->is->name, werr.msg);
		else
			written = fstatat(src->env->cache_fd, src->cache_name,
			    &sb, AT_SYMLINK_NOFOLLOW) == 0;
	}
	install(src, e, ks, written ? &sb : NULL);
}

/*
 * Become the one thread of this process that refreshes: at once, or
 * (wait) when the refresh under way ends, until deadline_ms (monotonic,
 * like the lock file's wait).  A flag and a condition variable rather
 * than a mutex locked with a deadline: pthread_mutex_clocklock is not
 * seen by ThreadSanitizer, pthread_cond_timedwait is.  Whether it may
 * refresh; end_refresh when done.
 */
static bool
begin_refresh(jwtc_keysrc *src, bool wait, int64_t deadline_ms)
{
	struct timespec ts;
	int64_t rem;
	bool busy;
	int rc = 0;

	rem = deadline_ms - jwtc_monotonic_ms();
	if (rem < 0)
		rem = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += rem / 1000;
	ts.tv_nsec += (long)(rem % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&src->lock);
	while (src->refreshing && wait && rc == 0)
		rc = pthread_cond_timedwait(&src->refreshed, &src->lock, &ts);
	busy = src->refreshing;
	if (!busy)
		src->refreshing = true;
	pthread_mutex_unlock(&src->lock);
	return !busy;
}

static void
end_refresh(jwtc_keysrc *src)
{
	pthread_mutex_lock(&src->lock);
	src->refreshing = false;
	pthread_cond_broadcast(&src->refreshed);
	pthread_mutex_unlock(&src->lock);
}

/*
 * One refresh of the given kind, unless it is not due: for a stale
 * refresh when the keys are fresh again, for a kid refresh when the kid
 * has arrived or kid_refetch_interval forbids, for either during a
 * back-off.  wait: wait (bounded) for a refresh under way elsewhere.
 * JWTC_OK when keys are there or were fetched; JWTC_ERR_NO_KEY or
 * JWTC_ERR_KEYS_UNAVAILABLE otherwise.
 */
static jwtc_rc
refresh_once(jwtc_keysrc *src, int64_t now, refresh_kind kind, bool wait,
    const char *kid, char *summary, size_t slen, jwtc_error *err)
{
	const jwtc_issuer_cfg *is = src->is;
	int64_t deadline = jwtc_monotonic_ms() + is->http_timeout * 1000 +
	    LOCK_GRACE_MS;
	jwtc_cache_entry e;
	jwtc_keyset *ks = NULL;
	char lockwhy[256];
	int lockfd = -2;
	jwtc_rc rc;

	memset(&e, 0, sizeof(e));
	snprintf(summary, slen, "nothing due");
	sync_cache(src, now, false);
	switch (gate(src, now, kind, kid, err)) {
	case GATE_DONE:
		return JWTC_OK;
	case GATE_REFUSED:
		return err->rc;
	case GATE_DUE:
		break;
	}
	if (!src->env->fetch_in_process) {
		if (kind == REFRESH_FORCE)
			return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
			    "this process may not fetch keys (setuid caller)");
		/* Usable keys serve meanwhile: no helper for them; the
		 * timer keeps the cache fresh. */
		if (!wait)
			return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
			    "stale keys serve: a setuid process does not "
			    "refresh them");
		return run_helper(src, now, kind, err);
	}

	if (!begin_refresh(src, wait, deadline))
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "a refresh of issuer %s is under way", is->name);
	if (src->env->cache_fd >= 0)
		lockfd = jwtc_cache_lock(src->env->cache_fd, src->lock_name,
		    wait ? deadline : 0, lockwhy, sizeof(lockwhy));
	if (lockfd == -2 && src->env->cache_fd >= 0)
		src_log(src, JWTC_LOG_WARNING, "section %s: keys kept in memory "
		    "only: %s", is->name, lockwhy);
	if (lockfd == -1) {
		end_refresh(src);
		sync_cache(src, now, false);
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "another process is refreshing the keys of issuer %s",
		    is->name);
	}
	/* Another process may have refreshed while this one waited: read
	 * the file again, whatever this process saw of it before. */
	sync_cache(src, now, true);
	switch (gate(src, now, kind, kid, err)) {
	case GATE_DONE:
		rc = JWTC_OK;
		goto out;
	case GATE_REFUSED:
		rc = err->rc;
		goto out;
	case GATE_DUE:
		break;
	}
	rc = copy_state(src, &e);
	if (rc != JWTC_OK) {
		rc = jwtc_seterr(err, rc, "out of memory");
		goto out;
	}
	if (e.issuer == NULL && !replace_text(&e.issuer, is->issuer)) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
		goto out;
	}
	if (lockfd >= 0)
		jwtc_cache_sweep(src->env->cache_fd, src->cache_name, now);
	e.last_attempt = now;
	if (kind == REFRESH_KID)
		e.kid_refetch_at = now;
	rc = do_fetch(src, &e, now, &ks, summary, slen, err);
	if (rc == JWTC_OK) {
		record_success(src, &e, ks, lockfd >= 0, summary);
		ks = NULL;
	} else {
		record_failure(src, &e, now, kind, lockfd >= 0, err);
	}
out:
	jwtc_keyset_unref(ks);
	jwtc_cache_entry_clear(&e);
	jwtc_cache_unlock(lockfd);
	end_refresh(src);
	return rc;
}

/*
 * refresh_once with thread cancellation held off: a host thread cancelled
 * in one of its waits (the condition variable, the helper, the network)
 * would leave the refresh flag set or the lock held, and every later
 * verification of the issuer would wait for it.  Each wait is bounded.
 */
static jwtc_rc
refresh(jwtc_keysrc *src, int64_t now, refresh_kind kind, bool wait,
    const char *kid, char *summary, size_t slen, jwtc_error *err)
{
	jwtc_rc rc;
	int old = 0;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	rc = refresh_once(src, now, kind, wait, kid, summary, slen, err);
	pthread_setcancelstate(old, NULL);
	return rc;
}

/* ---- the interface ------------------------------------------------------------ */

bool
jwtc_issuer_is_network(const jwtc_issuer_cfg *is)
{
	/* Public keys come over the network unless a jwks_file gives them
	 * or the section accepts HMAC only. */
	return is->jwks_file == NULL &&
	    (is->algorithms & ~JWTC_ALGS_HMAC) != 0 &&
	    (strncmp(is->issuer, "https://", 8) == 0 ||
	    is->discovery_url != NULL || is->jwks_uri != NULL);
}

/* The lock and the condition variable, which waits on the monotonic
 * clock.  Whether both were made. */
static bool
init_locks(jwtc_keysrc *src)
{
	pthread_condattr_t ca;
	bool ok;

	if (pthread_condattr_init(&ca) != 0)
		return false;
	ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&src->refreshed, &ca) == 0;
	(void)pthread_condattr_destroy(&ca);
	if (!ok)
		return false;
	if (pthread_mutex_init(&src->lock, NULL) != 0) {
		(void)pthread_cond_destroy(&src->refreshed);
		return false;
	}
	return true;
}

jwtc_rc
jwtc_keysrc_new(const jwtc_keysrc_env *env, const jwtc_issuer_cfg *is,
    int64_t now, jwtc_keysrc **out, jwtc_error *err)
{
	jwtc_keysrc *src;
	char *text = NULL;
	size_t len = 0;
	jwtc_rc rc;

	src = calloc(1, sizeof(*src));
	if (src == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	src->env = env;
	src->is = is;
	src->network = jwtc_issuer_is_network(is);
	if (!init_locks(src)) {
		free(src);
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "cannot create a lock");
	}
	jwtc_cache_names(is, src->cache_name, src->lock_name);
	if (is->x5c_ca_file != NULL) {
		rc = jwtc_x5c_store_load(is->x5c_ca_file, &src->x5c, err);
		if (rc != JWTC_OK)
			goto fail;
	}
	if (is->jwks_file != NULL) {
		rc = jwtc_read_trusted_file(is->jwks_file, JWTC_MAX_JWKS_SIZE,
		    false, &text, &len, err);
		if (rc != JWTC_OK)
			goto fail;
		rc = parse_keys(src, text, len, now, &src->keys, err);
		free(text);
		if (rc != JWTC_OK) {
			if (rc != JWTC_ERR_NO_MEMORY) {
				char why[JWTC_ERRMSG_MAX];

				memcpy(why, err->msg, sizeof(why));
				rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
				    "%s: %.400s", is->jwks_file, why);
			}
			goto fail;
		}
	} else if (src->network) {
		sync_cache(src, now, false);
	}
	*out = src;
	return JWTC_OK;
fail:
	jwtc_keysrc_free(src);
	return rc;
}

void
jwtc_keysrc_free(jwtc_keysrc *src)
{
	if (src == NULL)
		return;
	jwtc_keyset_unref(src->keys);
	jwtc_cache_entry_clear(&src->mem);
	jwtc_x5c_store_free(src->x5c);
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->refreshed);
	free(src);
}

bool
jwtc_keysrc_has_keys(const jwtc_keysrc *src)
{
	return src != NULL && (src->network || src->keys != NULL);
}

jwtc_rc
jwtc_keysrc_get(jwtc_keysrc *src, int64_t now, jwtc_keyset **out,
    jwtc_error *err)
{
	jwtc_keyset *ks;
	bool fresh;
	char summary[160];
	jwtc_error rerr;
	jwtc_rc rc;

	sync_cache(src, now, false);
	ks = current(src, now, &fresh);
	if (ks != NULL && fresh) {
		*out = ks;
		return JWTC_OK;
	}
	if (!src->network)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "section %s has no keys", src->is->name);
	/* Not fresh: refresh, without waiting on another refresh when
	 * stale keys may serve meanwhile. */
	memset(&rerr, 0, sizeof(rerr));
	rc = refresh(src, now, REFRESH_STALE, ks == NULL, NULL, summary,
	    sizeof(summary), &rerr);
	if (rc == JWTC_OK) {
		jwtc_keyset *nks = current(src, now, &fresh);

		if (nks != NULL) {
			jwtc_keyset_unref(ks);
			*out = nks;
			return JWTC_OK;
		}
	}
	if (ks != NULL) {
		src_log(src, JWTC_LOG_DEBUG, "section %s: using stale keys: %s",
		    src->is->name, rerr.msg);
		*out = ks;
		return JWTC_OK;
	}
	if (rc == JWTC_OK || rc == JWTC_ERR_NO_KEY)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "no usable keys of issuer %s", src->is->name);
	return jwtc_seterr(err, rc == JWTC_ERR_NO_MEMORY ? rc :
	    JWTC_ERR_KEYS_UNAVAILABLE, "no keys of issuer %s: %.400s",
	    src->is->name, rerr.msg);
}

jwtc_rc
jwtc_keysrc_refetch(jwtc_keysrc *src, int64_t now, const char *kid,
    jwtc_keyset **out, jwtc_error *err)
{
	char summary[160];
	bool fresh;
	jwtc_rc rc;

	if (!src->network)
		return jwtc_seterr(err, JWTC_ERR_NO_KEY, "keys are static");
	rc = refresh(src, now, REFRESH_KID, true, kid, summary,
	    sizeof(summary), err);
	if (rc != JWTC_OK)
		return rc;
	*out = current(src, now, &fresh);
	if (*out == NULL)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "no usable keys of issuer %s", src->is->name);
	return JWTC_OK;
}

jwtc_rc
jwtc_keysrc_fetch(jwtc_keysrc *src, int64_t now, int mode, char *summary,
    size_t len, jwtc_error *err)
{
	refresh_kind kind = mode == JWTC_FETCH_STALE ? REFRESH_STALE :
	    mode == JWTC_FETCH_KID ? REFRESH_KID : REFRESH_FORCE;

	if (!src->network) {
		if (src->keys != NULL)
			snprintf(summary, len, "static (jwks_file %s, %zu key%s)",
			    src->is->jwks_file, src->keys->n,
			    src->keys->n == 1 ? "" : "s");
		else
			snprintf(summary, len, "static (hmac_secret_file %s)",
			    src->is->hmac_secret_file);
		return JWTC_OK;
	}
	return refresh(src, now, kind, true, NULL, summary, len, err);
}

char *
jwtc_keysrc_status(jwtc_keysrc *src, int64_t now)
{
	const jwtc_issuer_cfg *is = src->is;
	jwtc_cache_entry e;
	jwtc_keyset *ks = NULL;
	char *buf, t1[32], t2[32], t3[32], t4[32], shown[300];
	size_t cap = 16384, used = 0, i;
	int64_t fresh_until = 0, stale_until = 0;
	int n;

	sync_cache(src, now, false);
	memset(&e, 0, sizeof(e));
	if (copy_state(src, &e) != JWTC_OK)
		return NULL;
	pthread_mutex_lock(&src->lock);
	ks = jwtc_keyset_ref(src->keys);
	pthread_mutex_unlock(&src->lock);
	buf = malloc(cap);
	if (buf == NULL)
		goto out;
	buf[0] = '\0';
#define ADD(...) do { \
	n = snprintf(buf + used, cap - used, __VA_ARGS__); \
	if (n > 0) \
		used = (size_t)n >= cap - used ? cap - 1 : used + (size_t)n; \
} while (0)
	ADD("  issuer: %s\n", is->issuer);
	if (is->jwks_file != NULL) {
		ADD("  source: jwks_file %s\n", is->jwks_file);
	} else if (!src->network) {
		ADD("  source: hmac_secret_file %s\n", is->hmac_secret_file);
	} else if (e.jwks_uri != NULL) {
		jwtc_sanitize(shown, sizeof(shown), e.jwks_uri, 256);
		ADD("  source: %s\n", shown);
	} else if (is->jwks_uri != NULL) {
		ADD("  source: %s\n", is->jwks_uri);
	} else if (is->discovery_url != NULL) {
		ADD("  source: %s (discovery)\n", is->discovery_url);
	} else {
		ADD("  source: %s (discovery)\n", is->issuer);
	}
	if (ks == NULL || ks->n == 0) {
		ADD("  keys: none\n");
	} else {
		ADD("  keys:");
		for (i = 0; i < ks->n && i < JWTC_MAX_KEYS; i++) {
			/* kids come from the issuer: shown escaped */
			jwtc_sanitize(shown, sizeof(shown), ks->keys[i].kid !=
			    NULL ? ks->keys[i].kid : "(no kid)", 64);
			ADD(" %s", shown);
		}
		ADD(" (%zu)\n", ks->n);
	}
	if (src->network) {
		effective_times(is, &e, now, &fresh_until, &stale_until);
		iso_time(e.fetched_at, t1, sizeof(t1));
		iso_time(e.fetched_at > 0 ? fresh_until : 0, t2, sizeof(t2));
		iso_time(e.fetched_at > 0 ? stale_until : 0, t3, sizeof(t3));
		ADD("  fetched at: %s\n  fresh until: %s\n  stale until: %s\n",
		    t1, t2, t3);
		if (e.last_failure != NULL && e.failures > 0) {
			iso_time(e.last_failure_at, t4, sizeof(t4));
			jwtc_sanitize(shown, sizeof(shown), e.last_failure,
			    256);
			ADD("  last failure: %s: %s\n", t4, shown);
		} else {
			ADD("  last failure: none\n");
		}
	}
#undef ADD
out:
	jwtc_keyset_unref(ks);
	jwtc_cache_entry_clear(&e);
	return buf;
}
