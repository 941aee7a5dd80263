/*
 * cache.c - the key cache shared by every process on the host.
 *
 * One JSON file per issuer in cache_dir, named from a hash of the issuer
 * and its configured URLs.  Files are replaced by temp file and rename, so
 * readers never see half a file and need no lock; a lock file per issuer
 * (flock) lets one process refresh while the others wait or use what is
 * cached.  Every file is opened relative to the directory descriptor kept
 * since initialisation (chrooted hosts) and judged on its descriptor.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "internal.h"

#define CACHE_FORMAT 1
#define MAX_VALIDATOR 1024          /* ETag, Last-Modified */
#define MAX_FAILURE_TEXT 512

void
jwtc_cache_entry_clear(jwtc_cache_entry *e)
{
	if (e == NULL)
		return;
	free(e->issuer);
	free(e->jwks_uri);
	free(e->jwks);
	free(e->etag);
	free(e->last_modified);
	free(e->last_failure);
	memset(e, 0, sizeof(*e));
}

static bool
dup_opt(const char *src, char **dst)
{
	*dst = NULL;
	if (src == NULL)
		return true;
	*dst = jwtc_strdup(src);
	return *dst != NULL;
}

jwtc_rc
jwtc_cache_entry_copy(const jwtc_cache_entry *src, jwtc_cache_entry *dst)
{
	jwtc_cache_entry e = *src;

	if (!dup_opt(src->issuer, &e.issuer) ||
	    !dup_opt(src->jwks_uri, &e.jwks_uri) ||
	    !dup_opt(src->etag, &e.etag) ||
	    !dup_opt(src->last_modified, &e.last_modified) ||
	    !dup_opt(src->last_failure, &e.last_failure))
		goto nomem;
	e.jwks = NULL;
	if (src->jwks != NULL) {
		e.jwks = jwtc_strndup(src->jwks, src->jwks_len);
		if (e.jwks == NULL)
			goto nomem;
	}
	*dst = e;
	return JWTC_OK;
nomem:
	/* free only what this copy allocated */
	if (e.issuer != src->issuer)
		free(e.issuer);
	if (e.jwks_uri != src->jwks_uri)
		free(e.jwks_uri);
	if (e.etag != src->etag)
		free(e.etag);
	if (e.last_modified != src->last_modified)
		free(e.last_modified);
	if (e.last_failure != src->last_failure)
		free(e.last_failure);
	return JWTC_ERR_NO_MEMORY;
}

/* Hash s and its terminating NUL ("" for NULL) into c. */
static bool
hash_text(EVP_MD_CTX *c, const char *s)
{
	if (s == NULL)
		s = "";
	return EVP_DigestUpdate(c, s, strlen(s) + 1) == 1;
}

void
jwtc_cache_names(const jwtc_issuer_cfg *is, char json[JWTC_CACHE_NAME_LEN],
    char lock[JWTC_CACHE_NAME_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char h[65];
	bool ok;

	/* The issuer, and every setting that decides where its keys come
	 * from and which of them are trusted (URLs, CA file, proxy, x5c
	 * CA), so sections that fetch or trust differently never share a
	 * file. */
	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    hash_text(c, "jwt-auth cache 1") && hash_text(c, is->issuer) &&
	    hash_text(c, is->discovery_url) && hash_text(c, is->jwks_uri) &&
	    hash_text(c, is->ca_file) && hash_text(c, is->http_proxy) &&
	    hash_text(c, is->x5c_ca_file) &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen >= 32;
	EVP_MD_CTX_free(c);
	if (!ok)
		memset(md, 0, sizeof(md));
	for (i = 0; i < 32; i++) {
		h[2 * i] = hex[md[i] >> 4];
		h[2 * i + 1] = hex[md[i] & 0xf];
	}
	h[64] = '\0';
	snprintf(json, JWTC_CACHE_NAME_LEN, "%s.json", h);
	snprintf(lock, JWTC_CACHE_NAME_LEN, "%s.lock", h);
}

/* ---- the file's text ----------------------------------------------------- */

static jwtc_rc
get_text(const json_t *o, const char *name, size_t max, bool required,
    char **out, jwtc_error *err)
{
	const json_t *v = json_object_get(o, name);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "member %s is missing", name);
		return JWTC_OK;
	}
	if (!json_is_string(v) || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "member %s is not a string of at most %zu bytes", name,
		    max);
	*out = jwtc_strndup(json_string_value(v), json_string_length(v));
	if (*out == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	return JWTC_OK;
}

static jwtc_rc
get_time(const json_t *o, const char *name, int64_t *out, jwtc_error *err)
{
	const json_t *v = json_object_get(o, name);
	json_int_t i;

	*out = 0;
	if (v == NULL)
		return JWTC_OK;
	if (!json_is_integer(v))
		return jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "member %s is not an integer", name);
	i = json_integer_value(v);
	if (i < 0 || i > (json_int_t)9007199254740992LL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "member %s is out of range", name);
	*out = (int64_t)i;
	return JWTC_OK;
}

jwtc_rc
jwtc_cache_parse(const char *buf, size_t len, const char *issuer,
    jwtc_cache_entry *out, jwtc_error *err)
{
	jwtc_cache_entry e;
	json_t *o = NULL;
	const json_t *v;
	char why[160];
	int64_t failures = 0;
	jwtc_rc rc;

	memset(&e, 0, sizeof(e));
	if (len > JWTC_MAX_CACHE_FILE)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "larger than %d bytes",
		    JWTC_MAX_CACHE_FILE);
	o = jwtc_json_parse_object(buf, len, why, sizeof(why));
	if (o == NULL)
		return jwtc_seterr(err, JWTC_ERR_CONFIG, "%s", why);
	v = json_object_get(o, "format");
	if (!json_is_integer(v) || json_integer_value(v) != CACHE_FORMAT) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "not a cache file of "
		    "format %d", CACHE_FORMAT);
		goto out;
	}
	rc = get_text(o, "issuer", 4096, true, &e.issuer, err);
	if (rc == JWTC_OK && strcmp(e.issuer, issuer) != 0)
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "written for another issuer");
	if (rc == JWTC_OK)
		rc = get_text(o, "jwks_uri", 2048, false, &e.jwks_uri, err);
	if (rc == JWTC_OK)
		rc = get_text(o, "jwks", JWTC_MAX_JWKS_SIZE, false, &e.jwks,
		    err);
	if (rc == JWTC_OK)
		rc = get_text(o, "etag", MAX_VALIDATOR, false, &e.etag, err);
	if (rc == JWTC_OK)
		rc = get_text(o, "last_modified", MAX_VALIDATOR, false,
		    &e.last_modified, err);
	if (rc == JWTC_OK)
		rc = get_text(o, "last_failure", MAX_FAILURE_TEXT, false,
		    &e.last_failure, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "fetched_at", &e.fetched_at, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "fresh_until", &e.fresh_until, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "stale_until", &e.stale_until, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "last_attempt", &e.last_attempt, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "backoff_until", &e.backoff_until, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "kid_refetch_at", &e.kid_refetch_at, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "last_failure_at", &e.last_failure_at, err);
	if (rc == JWTC_OK)
		rc = get_time(o, "failures", &failures, err);
	if (rc != JWTC_OK)
		goto out;
	if (e.jwks != NULL)
		e.jwks_len = strlen(e.jwks);
	if (e.fresh_until > e.stale_until || (e.jwks != NULL &&
	    e.fetched_at > e.fresh_until)) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "times out of order (fetched, fresh, stale)");
		goto out;
	}
	e.failures = failures > 1000000 ? 1000000 : (long)failures;
	*out = e;
	memset(&e, 0, sizeof(e));
	rc = JWTC_OK;
out:
	jwtc_cache_entry_clear(&e);
	json_decref(o);
	return rc;
}

static int
set_text(json_t *o, const char *name, const char *v)
{
	if (v == NULL)
		return 0;
	return json_object_set_new(o, name, json_string(v));
}

char *
jwtc_cache_format(const jwtc_cache_entry *e)
{
	json_t *o = json_object();
	char *s = NULL;
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= json_object_set_new(o, "format", json_integer(CACHE_FORMAT));
	bad |= set_text(o, "issuer", e->issuer);
	bad |= set_text(o, "jwks_uri", e->jwks_uri);
	bad |= json_object_set_new(o, "fetched_at",
	    json_integer(e->fetched_at));
	bad |= json_object_set_new(o, "fresh_until",
	    json_integer(e->fresh_until));
	bad |= json_object_set_new(o, "stale_until",
	    json_integer(e->stale_until));
	bad |= json_object_set_new(o, "last_attempt",
	    json_integer(e->last_attempt));
	bad |= json_object_set_new(o, "backoff_until",
	    json_integer(e->backoff_until));
	bad |= json_object_set_new(o, "kid_refetch_at",
	    json_integer(e->kid_refetch_at));
	bad |= json_object_set_new(o, "failures", json_integer(e->failures));
	bad |= set_text(o, "last_failure", e->last_failure);
	bad |= json_object_set_new(o, "last_failure_at",
	    json_integer(e->last_failure_at));
	bad |= set_text(o, "etag", e->etag);
	bad |= set_text(o, "last_modified", e->last_modified);
	if (e->jwks != NULL)
		bad |= json_object_set_new(o, "jwks",
		    json_stringn(e->jwks, e->jwks_len));
	if (bad == 0)
		s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_INDENT(1));
	json_decref(o);
	return s;
}

/* ---- reading and writing --------------------------------------------------- */

jwtc_rc
jwtc_cache_read(int dirfd, const char *name, const char *issuer,
    jwtc_cache_entry *out, struct stat *stp, jwtc_error *err)
{
	char *text = NULL;
	size_t len = 0;
	jwtc_rc rc;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
	    errno == ENOENT)
		return jwtc_seterr(err, JWTC_ERR_NO_KEY, "no cache file");
	rc = jwtc_read_trusted_at(dirfd, name, name, JWTC_MAX_CACHE_FILE,
	    false, &text, &len, &st, err);
	if (rc != JWTC_OK)
		return rc;
	rc = jwtc_cache_parse(text, len, issuer, out, err);
	free(text);
	if (rc == JWTC_OK && stp != NULL)
		*stp = st;
	return rc;
}

static bool
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

jwtc_rc
jwtc_cache_write(int dirfd, const char *name, const jwtc_cache_entry *e,
    jwtc_error *err)
{
	char tmp[JWTC_CACHE_NAME_LEN + 24], ebuf[128];
	unsigned char rnd[8];
	char *text = NULL;
	int fd = -1, tries, saved;
	jwtc_rc rc = JWTC_ERR_INTERNAL;

	text = jwtc_cache_format(e);
	if (text == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "out of memory");
	for (tries = 0; tries < 8 && fd < 0; tries++) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			rc = jwtc_seterr(err, JWTC_ERR_INTERNAL,
			    "no random numbers");
			goto out;
		}
		snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x",
		    name, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "cannot create %s: %s",
		    tmp, jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (!write_all(fd, text, strlen(text)) || fchmod(fd, 0644) != 0 ||
	    fsync(fd) != 0) {
		saved = errno;
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "cannot write %s: %s",
		    tmp, jwtc_strerror(saved, ebuf, sizeof(ebuf)));
		(void)unlinkat(dirfd, tmp, 0);
		goto out;
	}
	if (close(fd) != 0 || renameat(dirfd, tmp, dirfd, name) != 0) {
		fd = -1;
		saved = errno;
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "cannot replace %s: %s",
		    name, jwtc_strerror(saved, ebuf, sizeof(ebuf)));
		(void)unlinkat(dirfd, tmp, 0);
		goto out;
	}
	fd = -1;
	rc = JWTC_OK;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

#define SWEEP_MAX_ENTRIES 512
#define SWEEP_MIN_AGE 60

void
jwtc_cache_sweep(int dirfd, const char *name, int64_t now)
{
	char prefix[JWTC_CACHE_NAME_LEN + 2];
	size_t plen, seen = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.", name);
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while (seen++ < SWEEP_MAX_ENTRIES && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime + SWEEP_MIN_AGE < now)
			(void)unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* ---- the refresh lock ---------------------------------------------------------- */

int
jwtc_cache_lock(int dirfd, const char *name, int64_t deadline_ms, char *why,
    size_t whylen)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	char reason[160], ebuf[128];
	int fd, saved;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		saved = errno;
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			/* the first error says why it cannot be made */
			if (why != NULL)
				snprintf(why, whylen, "cannot create %s: %s",
				    name, saved == ELOOP ? "is a symbolic "
				    "link" : jwtc_strerror(saved, ebuf,
				    sizeof(ebuf)));
			return -2;
		}
	}
	if (!jwtc_fd_trusted(fd, false, false, reason, sizeof(reason))) {
		if (why != NULL)
			snprintf(why, whylen, "%s: %s", name, reason);
		close(fd);
		return -2;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			if (why != NULL)
				snprintf(why, whylen, "cannot lock %s: %s",
				    name, jwtc_strerror(errno, ebuf,
				    sizeof(ebuf)));
			close(fd);
			return -2;
		}
		if (jwtc_monotonic_ms() >= deadline_ms) {
			close(fd);
			return -1;
		}
		(void)nanosleep(&pause, NULL);
	}
}

void
jwtc_cache_unlock(int fd)
{
	if (fd >= 0) {
		(void)flock(fd, LOCK_UN);
		close(fd);
	}
}
