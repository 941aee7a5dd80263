/*
 * test_edges.c - the core at the edges of its world, each case asserting
 * that it fails closed, keeps the keys it has and says why:
 *   - a cache file cut short (a writer killed before its rename, or one
 *     that wrote in place): refused, the keys in memory kept, the file
 *     made whole again by the next attempt, the temp file swept;
 *   - the clock jumping backwards: keys fetched "in the future" are not
 *     fresh (refetch tried, the kept keys serve meanwhile), a back-off
 *     written ahead of the clock is not obeyed for long;
 *   - a full cache_dir (ENOSPC) and a read-only one (EROFS), on a tiny
 *     tmpfs mounted in a private mount namespace (root only: skipped
 *     otherwise): verification goes on from memory, the failure is
 *     logged, no partial file is left, the old file is intact;
 *   - a JWKS of exactly the size limit and one byte over, of exactly the
 *     key limit and one key over, through jwks_file and the cache file;
 *   - a token of exactly max_token_size bytes and one byte more.
 * The issuer of the network sections is https://127.0.0.1:1, where
 * nothing listens: every fetch fails at once.
 */
#include "unit.h"

#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "mintlib.h"

#define ISS "https://127.0.0.1:1/realms/edge"
#define AUD "edge-service"
#define T0 1700000000LL

static char *dir;
static EVP_PKEY *k1;
static char *jwks1;
static unit_log logs;
static int64_t now_;
static bool mount_ns;        /* in a private mount namespace */

static int
setup(void **state)
{
	mint_jwks_entry e;

	(void)state;
	dir = unit_tmpdir();
	k1 = mint_key_gen("ec256");
	if (dir == NULL || k1 == NULL)
		return -1;
	memset(&e, 0, sizeof(e));
	e.key = k1;
	e.opts.kid = "k1";
	jwks1 = mint_jwks(&e, 1);
	unit_log_init(&logs);
	return jwks1 == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_log_done(&logs);
	mint_free(jwks1);
	mint_key_free(k1);
	unit_rmtree(dir);
	free(dir);
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* A directory of dir, mode 0755; its descriptor. */
static int
subdir(const char *name, char **pathp)
{
	char *p = unit_path(dir, name);
	int fd;

	assert_non_null(p);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(chmod(p, 0755), 0);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	*pathp = p;
	return fd;
}

/* A context of one network section caching in cachedir (extra: more
 * lines of that section); name gets its cache file name. */
static jwtc_ctx *
net_ctx(const char *cachedir, const char *extra, char name[JWTC_CACHE_NAME_LEN])
{
	char text[2048], lock[JWTC_CACHE_NAME_LEN];
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_hooks h;
	jwtc_error err;

	(void)snprintf(text, sizeof(text), "[global]\ncache_dir = %s\n\n"
	    "[issuer corp]\nissuer = " ISS "\naudience = " AUD "\n"
	    "jwks_uri = https://127.0.0.1:1/jwks\nhttp_timeout = 2\n%s",
	    cachedir, extra);
	memset(&err, 0, sizeof(err));
	if (jwtc_config_parse("edge.conf", text, strlen(text), &cfg, &err) !=
	    JWTC_OK)
		fail_msg("config: %s", err.msg);
	jwtc_cache_names(&cfg->issuers[0], name, lock);
	h = unit_hooks(&now_, unit_log_sink, &logs);
	if (jwtc_ctx_new(cfg, NULL, &h, &ctx, &err) != JWTC_OK)
		fail_msg("context: %s", err.msg);
	return ctx;
}

/* A cache entry holding jwks1 with these times. */
static void
entry(jwtc_cache_entry *e, int64_t fetched, int64_t fresh, int64_t stale)
{
	static char iss[] = ISS, uri[] = "https://127.0.0.1:1/jwks";

	memset(e, 0, sizeof(*e));
	e->issuer = iss;
	e->jwks_uri = uri;
	e->jwks = jwks1;
	e->jwks_len = strlen(jwks1);
	e->fetched_at = fetched;
	e->last_attempt = fetched;
	e->fresh_until = fresh;
	e->stale_until = stale;
}

static void
put(int dfd, const char *name, const jwtc_cache_entry *e)
{
	jwtc_error err;

	if (jwtc_cache_write(dfd, name, e, &err) != JWTC_OK)
		fail_msg("cache write: %s", err.msg);
}

/* The cache file as it is now; fails the test when it cannot be read. */
static void
got(int dfd, const char *name, jwtc_cache_entry *e)
{
	jwtc_error err;

	memset(e, 0, sizeof(*e));
	if (jwtc_cache_read(dfd, name, ISS, e, NULL, &err) != JWTC_OK)
		fail_msg("cache read: %s", err.msg);
}

static char *
token(long long iat, long long exp, const char *jti)
{
	char claims[512];
	char *t;

	(void)snprintf(claims, sizeof(claims), "{\"iss\":\"" ISS "\",\"aud\":"
	    "\"" AUD "\",\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld,"
	    "\"jti\":\"%s\"}", iat, exp, jti);
	t = mint_sign(k1, "ES256", "{\"kid\":\"k1\"}", claims);
	assert_non_null(t);
	return t;
}

static jwtc_rc
verify(jwtc_ctx *ctx, const char *t, jwtc_error *err)
{
	jwtc_result *r = NULL;
	jwtc_rc rc;

	memset(err, 0, sizeof(*err));
	rc = jwtc_verify(ctx, t, strlen(t), NULL, &r, err);
	if (rc == JWTC_OK)
		assert_string_equal(jwtc_result_user(r), "alice");
	else
		assert_null(r);
	jwtc_result_free(r);
	return rc;
}

static void
verify_ok(jwtc_ctx *ctx, const char *t)
{
	jwtc_error err;

	if (verify(ctx, t, &err) != JWTC_OK)
		fail_msg("refused: %s", err.msg);
}

static size_t
log_count(const char *needle)
{
	size_t i, n = 0;

	for (i = 0; i < logs.n; i++)
		n += strstr(logs.lines[i], needle) != NULL;
	return n;
}

static void
expect_log(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < logs.n; i++)
		if (strstr(logs.lines[i], a) != NULL &&
		    (b == NULL || strstr(logs.lines[i], b) != NULL))
			return;
	fail_msg("no log line holds \"%s\"%s%s", a, b != NULL ? " and " : "",
	    b != NULL ? b : "");
}

/* The names in dfd other than "." and "..", space-separated, sorted by
 * readdir order (the tests only look for one name or count them). */
static size_t
names_in(const char *path, const char *skip1, const char *skip2,
    char *out, size_t len)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0, used = 0;

	assert_non_null(d);
	out[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    (skip1 != NULL && strcmp(de->d_name, skip1) == 0) ||
		    (skip2 != NULL && strcmp(de->d_name, skip2) == 0))
			continue;
		n++;
		if (used + strlen(de->d_name) + 2 < len)
			used += (size_t)snprintf(out + used, len - used, "%s ",
			    de->d_name);
	}
	closedir(d);
	return n;
}

static void
lock_name_of(const char *name, char lock[JWTC_CACHE_NAME_LEN])
{
	(void)snprintf(lock, JWTC_CACHE_NAME_LEN, "%.64s.lock", name);
}

/* ---- a cache file cut short ---------------------------------------------- */

static void
test_truncated_cache(void **state)
{
	char name[JWTC_CACHE_NAME_LEN], lock[JWTC_CACHE_NAME_LEN];
	char tmp[JWTC_CACHE_NAME_LEN + 24], *path, *text, *p, left[512];
	struct timespec old[2];
	jwtc_cache_entry e;
	jwtc_ctx *ctx;
	size_t len = 0;
	char *t;
	int dfd, fd;

	(void)state;
	dfd = subdir("c-trunc", &path);
	now_ = T0 + 60;
	ctx = net_ctx(path, "", name);
	lock_name_of(name, lock);
	entry(&e, T0, T0 + 3600, T0 + 3600 + 86400);
	put(dfd, name, &e);
	t = token(T0, T0 + 7200, "trunc");
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	assert_int_equal(log_count("key refresh failed"), 0);

	/* a writer killed between create and rename leaves half a temp
	 * file: readers never look at it */
	p = unit_path(path, name);
	assert_non_null(p);
	text = unit_read_file(p, &len);
	assert_non_null(text);
	(void)snprintf(tmp, sizeof(tmp), ".%s.00112233aabb", name);
	free(unit_write_file(path, tmp, 0644, text, len / 2));
	verify_ok(ctx, t);

	/* the file itself cut short in place: refused with the reason, the
	 * keys this process holds kept */
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len / 2), (ssize_t)(len / 2));
	assert_int_equal(close(fd), 0);
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("cache file", "ignored");
	assert_int_equal(log_count("key refresh failed"), 0);

	/* an empty file (killed right after O_TRUNC) is no different */
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("cache file", "ignored");

	/* past freshness with the issuer down: the kept keys serve stale,
	 * and the failed attempt writes the file whole again, keys and all;
	 * the temp file, older than a minute, is swept under the lock */
	old[0].tv_sec = old[1].tv_sec = (time_t)(T0 - 1000);
	old[0].tv_nsec = old[1].tv_nsec = 0;
	assert_int_equal(utimensat(dfd, tmp, old, AT_SYMLINK_NOFOLLOW), 0);
	now_ = T0 + 3700;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", "1 in a row");
	got(dfd, name, &e);
	assert_non_null(e.jwks);
	assert_string_equal(e.jwks, jwks1);
	assert_int_equal(e.failures, 1);
	assert_int_equal(e.fetched_at, T0);
	assert_int_equal(e.last_attempt, T0 + 3700);
	jwtc_cache_entry_clear(&e);
	if (names_in(path, name, lock, left, sizeof(left)) != 0)
		fail_msg("left in cache_dir: %s", left);

	/* cold: a new process finding only a truncated file has no keys,
	 * and says the keys are unavailable rather than accepting */
	jwtc_ctx_free(ctx);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len / 3), (ssize_t)(len / 3));
	assert_int_equal(close(fd), 0);
	now_ = T0 + 60;
	unit_log_clear(&logs);
	ctx = net_ctx(path, "", name);
	{
		jwtc_error err;

		assert_int_equal(verify(ctx, t, &err),
		    JWTC_ERR_KEYS_UNAVAILABLE);
		assert_non_null(strstr(err.msg, "corp"));
	}
	expect_log("cache file", "ignored");
	jwtc_ctx_free(ctx);
	free(text);
	free(p);
	mint_free(t);
	close(dfd);
	free(path);
}

/* A process holding newer keys than the cache file (it fetched them and
 * could not write them, or the file was put back from an older copy)
 * keeps them when it records a failed attempt: the older file's keys do
 * not replace them. */
static void
test_older_file(void **state)
{
	char name[JWTC_CACHE_NAME_LEN], *path, *jwks2;
	mint_jwks_entry k;
	jwtc_cache_entry e;
	EVP_PKEY *k2;
	jwtc_ctx *ctx;
	char *t;
	int dfd;

	(void)state;
	dfd = subdir("c-older", &path);
	k2 = mint_key_gen("ec256");
	assert_non_null(k2);
	memset(&k, 0, sizeof(k));
	k.key = k2;
	k.opts.kid = "k2";
	jwks2 = mint_jwks(&k, 1);
	assert_non_null(jwks2);
	now_ = T0 + 150;
	ctx = net_ctx(path, "", name);
	entry(&e, T0 + 100, T0 + 200, T0 + 90000);
	put(dfd, name, &e);
	t = token(T0, T0 + 7200, "older");
	verify_ok(ctx, t);
	/* an older file, with other keys, takes its place */
	entry(&e, T0, T0 + 100, T0 + 90000);
	e.jwks = jwks2;
	e.jwks_len = strlen(jwks2);
	put(dfd, name, &e);
	/* stale now: the attempt fails and is recorded; the newer keys
	 * stay, in memory and in the file written for the record */
	now_ = T0 + 250;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", NULL);
	verify_ok(ctx, t);
	got(dfd, name, &e);
	assert_string_equal(e.jwks, jwks1);
	assert_int_equal(e.fetched_at, T0 + 100);
	assert_int_equal(e.failures, 1);
	jwtc_cache_entry_clear(&e);
	jwtc_ctx_free(ctx);
	mint_free(t);
	mint_free(jwks2);
	mint_key_free(k2);
	close(dfd);
	free(path);
}

/* The read side of the same: a file with a later attempt recorded over
 * keys older than those in memory (this process fetched and could not
 * write) gives its attempts, never its older keys. */
static void
test_older_keys_later_attempt(void **state)
{
	char name[JWTC_CACHE_NAME_LEN], *path, *jwks2;
	mint_jwks_entry k;
	jwtc_cache_entry e;
	EVP_PKEY *k2;
	jwtc_ctx *ctx;
	char *t;
	int dfd;

	(void)state;
	dfd = subdir("c-older-read", &path);
	k2 = mint_key_gen("ec256");
	assert_non_null(k2);
	memset(&k, 0, sizeof(k));
	k.key = k2;
	k.opts.kid = "k2";
	jwks2 = mint_jwks(&k, 1);
	assert_non_null(jwks2);
	now_ = T0 + 150;
	ctx = net_ctx(path, "", name);
	entry(&e, T0 + 100, T0 + 3600, T0 + 90000);
	put(dfd, name, &e);
	t = token(T0, T0 + 7200, "older-read");
	verify_ok(ctx, t);
	/* older keys (k2 only), a later failed attempt */
	entry(&e, T0, T0 + 3600, T0 + 90000);
	e.jwks = jwks2;
	e.jwks_len = strlen(jwks2);
	e.last_attempt = T0 + 140;
	e.failures = 2;
	put(dfd, name, &e);
	/* stale: the refresh reads the file again under the lock, then
	 * fails; the keys in memory serve */
	now_ = T0 + 3700;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", "3 in a row");
	verify_ok(ctx, t);
	jwtc_ctx_free(ctx);
	mint_free(t);
	mint_free(jwks2);
	mint_key_free(k2);
	close(dfd);
	free(path);
}

/* ---- the clock jumping backwards ------------------------------------------ */

static void
test_clock_backwards(void **state)
{
	char name[JWTC_CACHE_NAME_LEN], *path;
	jwtc_cache_entry e;
	jwtc_error err;
	jwtc_ctx *ctx;
	char *t, *t2;
	int dfd;

	(void)state;
	dfd = subdir("c-clock", &path);
	now_ = T0 + 100;
	ctx = net_ctx(path, "", name);
	entry(&e, T0, T0 + 3600, T0 + 90000);
	put(dfd, name, &e);
	t = token(T0 - 4000, T0 + 7200, "clock");
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	assert_int_equal(log_count("key refresh failed"), 0);

	/* an hour back: keys fetched "in the future" are not fresh, a
	 * refetch is tried, and the kept keys serve while it fails */
	now_ = T0 - 3600;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", "1 in a row");
	got(dfd, name, &e);
	assert_int_equal(e.failures, 1);
	assert_int_equal(e.last_attempt, T0 - 3600);
	assert_int_equal(e.backoff_until, T0 - 3600 + 5);
	assert_int_equal(e.fetched_at, T0);
	assert_string_equal(e.jwks, jwks1);
	jwtc_cache_entry_clear(&e);
	/* a token issued after the clock's "now" is refused for it */
	t2 = token(T0, T0 + 7200, "clock-iat");
	assert_int_equal(verify(ctx, t2, &err), JWTC_ERR_ISSUED_IN_FUTURE);
	assert_non_null(strstr(err.msg, "in the future"));

	/* forward again: the keys are fresh, nothing is tried */
	now_ = T0 + 200;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	verify_ok(ctx, t2);
	assert_int_equal(log_count("key refresh failed"), 0);
	got(dfd, name, &e);
	assert_int_equal(e.failures, 1);
	jwtc_cache_entry_clear(&e);

	/* a back-off written at T0+100 until T0+400: obeyed at T0+200
	 * (stale keys serve, nothing tried) ... */
	entry(&e, T0, T0 + 100, T0 + 90000);
	e.last_attempt = T0 + 100;
	e.backoff_until = T0 + 400;
	e.failures = 3;
	put(dfd, name, &e);
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	assert_int_equal(log_count("key refresh failed"), 0);
	got(dfd, name, &e);
	assert_int_equal(e.failures, 3);
	jwtc_cache_entry_clear(&e);
	/* ... but once the clock went back past it, a back-off that far
	 * ahead is not obeyed: the attempt is made and recorded */
	now_ = T0 - 1000;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", "4 in a row");
	got(dfd, name, &e);
	assert_int_equal(e.failures, 4);
	assert_int_equal(e.backoff_until, T0 - 1000 + 40);
	assert_string_equal(e.jwks, jwks1);
	jwtc_cache_entry_clear(&e);

	/* far back, before the token's own iat: refused, never accepted */
	now_ = T0 - 400000;
	assert_int_equal(verify(ctx, t, &err), JWTC_ERR_ISSUED_IN_FUTURE);
	jwtc_ctx_free(ctx);
	mint_free(t);
	mint_free(t2);
	close(dfd);
	free(path);
}

/* ---- a full or read-only cache_dir ------------------------------------------ */

/* Enter a private mount namespace once; false (with the reason printed)
 * when that cannot be done here. */
static bool
private_mounts(void)
{
	if (mount_ns)
		return true;
	if (geteuid() != 0) {
		print_message("not root: cannot mount a tmpfs for cache_dir; "
		    "skipped\n");
		return false;
	}
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
		print_message("no private mount namespace (%s); skipped\n",
		    strerror(errno));
		return false;
	}
	mount_ns = true;
	return true;
}

/* A tmpfs of size bytes, root directory 0755, on a new directory. */
static bool
tmpfs_at(const char *name, const char *size, char **pathp)
{
	char opts[64];
	char *p = unit_path(dir, name);

	assert_non_null(p);
	assert_int_equal(mkdir(p, 0755), 0);
	(void)snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
		print_message("cannot mount a tmpfs on %s: %s; skipped\n", p,
		    strerror(errno));
		free(p);
		return false;
	}
	*pathp = p;
	return true;
}

/* Fill the file system of dfd: write until ENOSPC. */
static void
fill_up(int dfd)
{
	char block[4096];
	int fd = openat(dfd, "filler", O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600);
	ssize_t n;

	assert_true(fd >= 0);
	memset(block, 'f', sizeof(block));
	for (;;) {
		n = write(fd, block, sizeof(block));
		if (n < 0)
			break;
		if (n == 0)
			fail_msg("write of 0 bytes while filling");
	}
	assert_int_equal(errno, ENOSPC);
	/* even one byte does not fit now */
	assert_int_equal(write(fd, block, 1), -1);
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

/* The file at p still starts with the blen bytes of before; its length. */
static size_t
kept(const char *p, const char *before, size_t blen)
{
	size_t alen = 0;
	char *after;

	after = unit_read_file(p, &alen);
	assert_non_null(after);
	assert_memory_equal(after, before, blen);
	free(after);
	return alen;
}

static void
test_full_disk(void **state)
{
	char name[JWTC_CACHE_NAME_LEN], lock[JWTC_CACHE_NAME_LEN], left[512];
	char *path, *before, *p;
	size_t blen = 0;
	jwtc_cache_entry e;
	jwtc_error err;
	jwtc_ctx *ctx;
	char *t;
	int dfd;

	(void)state;
	if (!private_mounts() || !tmpfs_at("c-full", "64k", &path)) {
		skip();
		return;
	}
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	now_ = T0 + 200;
	ctx = net_ctx(path, "", name);
	lock_name_of(name, lock);
	/* stale keys, and the lock file made while there was room */
	entry(&e, T0, T0 + 100, T0 + 90000);
	put(dfd, name, &e);
	jwtc_cache_unlock(jwtc_cache_lock(dfd, lock, 0, NULL, 0));
	fill_up(dfd);
	p = unit_path(path, name);
	assert_non_null(p);
	before = unit_read_file(p, &blen);
	assert_non_null(before);

	/* the refresh fails and its record cannot be written: logged,
	 * the token still accepted from the keys in memory */
	t = token(T0, T0 + 7200, "full");
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", NULL);
	expect_log("cannot write", "No space left on device");
	/* the old file intact, no temp file left behind */
	assert_int_equal(kept(p, before, blen), blen);
	if (names_in(path, name, lock, left, sizeof(left)) != 1)
		fail_msg("left in cache_dir: %s", left);
	assert_non_null(strstr(left, "filler"));
	/* the next verification goes on from memory, without a refetch
	 * (the back-off is this process's own now) */
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	assert_int_equal(log_count("key refresh failed"), 0);

	/* a write as a successful fetch would make it: the same */
	entry(&e, T0 + 200, T0 + 3800, T0 + 90000);
	assert_int_equal(jwtc_cache_write(dfd, name, &e, &err),
	    JWTC_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "No space left on device"));
	(void)kept(p, before, blen);
	assert_int_equal(names_in(path, name, lock, left, sizeof(left)), 1);

	/* room again: the next attempt (after the back-off) is recorded */
	assert_int_equal(unlinkat(dfd, "filler", 0), 0);
	now_ = T0 + 300;
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("key refresh failed", "1 in a row");
	assert_int_equal(log_count("No space left"), 0);
	got(dfd, name, &e);
	assert_int_equal(e.failures, 1);
	assert_int_equal(e.last_attempt, T0 + 300);
	assert_string_equal(e.jwks, jwks1);
	jwtc_cache_entry_clear(&e);

	jwtc_ctx_free(ctx);
	mint_free(t);
	free(before);
	free(p);
	close(dfd);
	(void)umount2(path, MNT_DETACH);
	free(path);
}

static void
test_read_only(void **state)
{
	char name[JWTC_CACHE_NAME_LEN], lock[JWTC_CACHE_NAME_LEN], left[512];
	char *path, *before, *p;
	size_t blen = 0;
	jwtc_cache_entry e;
	jwtc_error err;
	jwtc_ctx *ctx;
	char *t;
	int dfd;

	(void)state;
	if (!private_mounts() || !tmpfs_at("c-ro", "1m", &path)) {
		skip();
		return;
	}
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	now_ = T0 + 200;
	ctx = net_ctx(path, "", name);
	lock_name_of(name, lock);
	entry(&e, T0, T0 + 100, T0 + 90000);
	put(dfd, name, &e);
	assert_int_equal(mount("tmpfs", path, "tmpfs", MS_REMOUNT | MS_RDONLY |
	    MS_NOSUID | MS_NODEV, "mode=0755"), 0);
	p = unit_path(path, name);
	assert_non_null(p);
	before = unit_read_file(p, &blen);
	assert_non_null(before);

	/* no lock file can be made: the refresh is this process's alone,
	 * and the log says why */
	t = token(T0, T0 + 7200, "ro");
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("keys kept in memory only", "Read-only file system");
	expect_log("key refresh failed", NULL);
	assert_int_equal(kept(p, before, blen), blen);
	if (names_in(path, name, NULL, left, sizeof(left)) != 0)
		fail_msg("left in cache_dir: %s", left);
	jwtc_ctx_free(ctx);

	/* with a lock file there from before: locked, but the record
	 * cannot be written, and the log says so */
	assert_int_equal(mount("tmpfs", path, "tmpfs", MS_REMOUNT | MS_NOSUID |
	    MS_NODEV, "mode=0755"), 0);
	jwtc_cache_unlock(jwtc_cache_lock(dfd, lock, 0, NULL, 0));
	assert_int_equal(mount("tmpfs", path, "tmpfs", MS_REMOUNT | MS_RDONLY |
	    MS_NOSUID | MS_NODEV, "mode=0755"), 0);
	ctx = net_ctx(path, "", name);
	unit_log_clear(&logs);
	verify_ok(ctx, t);
	expect_log("cannot create", "Read-only file system");
	(void)kept(p, before, blen);
	if (names_in(path, name, lock, left, sizeof(left)) != 0)
		fail_msg("left in cache_dir: %s", left);
	/* a direct write is refused the same way */
	entry(&e, T0 + 200, T0 + 3800, T0 + 90000);
	assert_int_equal(jwtc_cache_write(dfd, name, &e, &err),
	    JWTC_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "Read-only file system"));

	jwtc_ctx_free(ctx);
	mint_free(t);
	free(before);
	free(p);
	close(dfd);
	(void)umount2(path, MNT_DETACH);
	free(path);
}

/* ---- JWKS limits: size and key count, through jwks_file and the cache --------- */

/* A context of one static section reading the JWKS text from a file;
 * the result of jwtc_ctx_new. */
static jwtc_rc
static_ctx(const char *jwks, size_t len, const char *global,
    jwtc_ctx **out, jwtc_error *err)
{
	char text[2048], *file;
	jwtc_config *cfg = NULL;
	jwtc_hooks h;

	file = unit_path(dir, "static.jwks");
	assert_non_null(file);
	(void)unlink(file);
	free(unit_write_file(dir, "static.jwks", 0644, jwks, len));
	(void)snprintf(text, sizeof(text), "[global]\n%s\n[issuer corp]\n"
	    "issuer = " ISS "\naudience = " AUD "\njwks_file = %s\n",
	    global, file);
	free(file);
	memset(err, 0, sizeof(*err));
	if (jwtc_config_parse("edge.conf", text, strlen(text), &cfg, err) !=
	    JWTC_OK)
		fail_msg("config: %s", err->msg);
	h = unit_hooks(&now_, unit_log_sink, &logs);
	*out = NULL;
	return jwtc_ctx_new(cfg, NULL, &h, out, err);
}

/* jwks1 padded with trailing white space to len bytes. */
static char *
jwks_padded(size_t len)
{
	size_t n = strlen(jwks1);
	char *s = malloc(len + 1);

	assert_non_null(s);
	assert_true(len >= n);
	memcpy(s, jwks1, n);
	memset(s + n, ' ', len - n);
	s[len - 1] = '\n';
	s[len] = '\0';
	return s;
}

static void
test_jwks_size_limit(void **state)
{
	jwtc_ctx *ctx = NULL;
	jwtc_error err;
	char *s, *t, want[64];

	(void)state;
	now_ = T0;
	s = jwks_padded(JWTC_MAX_JWKS_SIZE);
	assert_int_equal(static_ctx(s, JWTC_MAX_JWKS_SIZE, "", &ctx, &err),
	    JWTC_OK);
	t = token(T0, T0 + 600, "size");
	verify_ok(ctx, t);
	jwtc_ctx_free(ctx);
	free(s);
	/* one byte more: refused by name, with the limit */
	s = jwks_padded(JWTC_MAX_JWKS_SIZE + 1);
	assert_int_equal(static_ctx(s, JWTC_MAX_JWKS_SIZE + 1, "", &ctx, &err),
	    JWTC_ERR_CONFIG);
	assert_null(ctx);
	(void)snprintf(want, sizeof(want), "larger than %d bytes",
	    JWTC_MAX_JWKS_SIZE);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "static.jwks"));
	free(s);
	mint_free(t);
}

/* A JWKS of n entries of k1, kids k0.. */
static char *
jwks_n(size_t n)
{
	mint_jwks_entry *e = calloc(n, sizeof(*e));
	char (*kids)[8] = calloc(n, sizeof(*kids));
	char *s;
	size_t i;

	assert_non_null(e);
	assert_non_null(kids);
	for (i = 0; i < n; i++) {
		(void)snprintf(kids[i], sizeof(kids[i]), "k%zu", i);
		e[i].key = k1;
		e[i].opts.kid = kids[i];
	}
	s = mint_jwks(e, n);
	assert_non_null(s);
	free(kids);
	free(e);
	return s;
}

static void
test_jwks_key_limit(void **state)
{
	jwtc_ctx *ctx = NULL;
	jwtc_error err;
	char *s, *t, want[64], hdr[64];

	(void)state;
	now_ = T0;
	s = jwks_n(JWTC_MAX_KEYS);
	assert_int_equal(static_ctx(s, strlen(s), "", &ctx, &err), JWTC_OK);
	(void)snprintf(hdr, sizeof(hdr), "{\"kid\":\"k%d\"}",
	    JWTC_MAX_KEYS - 1);
	t = mint_sign(k1, "ES256", hdr, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\",\"sub\":\"alice\",\"exp\":1700000600}");
	assert_non_null(t);
	verify_ok(ctx, t);
	jwtc_ctx_free(ctx);
	mint_free(s);
	s = jwks_n(JWTC_MAX_KEYS + 1);
	assert_int_equal(static_ctx(s, strlen(s), "", &ctx, &err),
	    JWTC_ERR_CONFIG);
	assert_null(ctx);
	(void)snprintf(want, sizeof(want), "%d keys", JWTC_MAX_KEYS + 1);
	assert_non_null(strstr(err.msg, want));
	mint_free(s);
	mint_free(t);
}

/* The cache file holds the JWKS as a JSON string: one of the largest size
 * made of the characters that need escaping still fits the file's own
 * limit and comes back whole; one byte more is refused on reading. */
static void
test_cache_jwks_limit(void **state)
{
	char name[] = "limit.json", *big, *path;
	jwtc_cache_entry e, r;
	jwtc_error err;
	struct stat st;
	int dfd;
	size_t i;

	(void)state;
	dfd = subdir("c-limit", &path);
	big = malloc(JWTC_MAX_JWKS_SIZE + 2);
	assert_non_null(big);
	for (i = 0; i < JWTC_MAX_JWKS_SIZE + 1; i++)
		big[i] = "\"\\\n"[i % 3];
	big[JWTC_MAX_JWKS_SIZE] = '\0';
	entry(&e, T0, T0 + 10, T0 + 20);
	e.jwks = big;
	e.jwks_len = JWTC_MAX_JWKS_SIZE;
	put(dfd, name, &e);
	assert_int_equal(fstatat(dfd, name, &st, 0), 0);
	assert_true(st.st_size > 2 * JWTC_MAX_JWKS_SIZE);
	assert_true(st.st_size <= JWTC_MAX_CACHE_FILE);
	got(dfd, name, &r);
	assert_int_equal(r.jwks_len, JWTC_MAX_JWKS_SIZE);
	assert_memory_equal(r.jwks, big, JWTC_MAX_JWKS_SIZE);
	jwtc_cache_entry_clear(&r);
	/* one byte more */
	big[JWTC_MAX_JWKS_SIZE] = 'x';
	big[JWTC_MAX_JWKS_SIZE + 1] = '\0';
	e.jwks_len = JWTC_MAX_JWKS_SIZE + 1;
	put(dfd, name, &e);
	memset(&r, 0, sizeof(r));
	assert_int_equal(jwtc_cache_read(dfd, name, ISS, &r, NULL, &err),
	    JWTC_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "jwks"));
	assert_null(r.jwks);
	free(big);
	close(dfd);
	free(path);
}

/* ---- a token of exactly max_token_size bytes, and one more ---------------------- */

static void
size_case(long max)
{
	char global[64], claims[256], want[64];
	jwtc_ctx *ctx = NULL;
	jwtc_error err;
	char *t;

	now_ = T0;
	(void)snprintf(global, sizeof(global), "max_token_size = %ld\n", max);
	assert_int_equal(static_ctx(jwks1, strlen(jwks1), global, &ctx, &err),
	    JWTC_OK);
	(void)snprintf(claims, sizeof(claims), "{\"iss\":\"" ISS "\",\"aud\":"
	    "\"" AUD "\",\"sub\":\"alice\",\"exp\":%lld}", T0 + 600);
	t = mint_sign_sized(k1, "ES256", "k1", claims, (size_t)max);
	assert_non_null(t);
	assert_int_equal(strlen(t), (size_t)max);
	verify_ok(ctx, t);
	mint_free(t);
	t = mint_sign_sized(k1, "ES256", "k1", claims, (size_t)max + 1);
	assert_non_null(t);
	assert_int_equal(verify(ctx, t, &err), JWTC_ERR_TOO_LARGE);
	(void)snprintf(want, sizeof(want), "%ld", max);
	assert_non_null(strstr(err.msg, want));
	/* the refusal names no part of the token */
	assert_null(strstr(err.msg, strrchr(t, '.') + 1));
	mint_free(t);
	jwtc_ctx_free(ctx);
}

static void
test_token_size_limit(void **state)
{
	(void)state;
	size_case(1024);
	size_case(JWTC_MAX_TOKEN_SIZE_DEFAULT);
	size_case(65536);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_cache),
		cmocka_unit_test(test_older_file),
		cmocka_unit_test(test_older_keys_later_attempt),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_jwks_size_limit),
		cmocka_unit_test(test_jwks_key_limit),
		cmocka_unit_test(test_cache_jwks_limit),
		cmocka_unit_test(test_token_size_limit),
		/* last: they enter a private mount namespace */
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_read_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
