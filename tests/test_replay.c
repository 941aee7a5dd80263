/*
 * test_replay.c - jti records for replay_protection (common/replay.c).
 *
 * Each test gets a fresh state directory.  Records are inspected on disk
 * by the name the test computes itself (hex SHA-256 of issuer, newline,
 * jti).  Concurrency is real: sixteen processes released at once by a
 * pipe.  Permission tests drop to nobody in a child when run as root
 * (root bypasses file permissions, so the test would otherwise prove
 * nothing).
 */
#include "unit.h"

#include <dirent.h>
#include <grp.h>
#include <math.h>
#include <sys/file.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include "internal.h"

#define NOW ((int64_t)1700000000)
#define ISS "https://issuer.example"
#define NOBODY ((uid_t)65534)
#define NPROC 16

typedef struct fixture {
	char *dir;
	int dirfd;
} fixture;

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dir = unit_tmpdir();
	if (f->dir == NULL) {
		free(f);
		return -1;
	}
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		unit_rmtree(f->dir);
		free(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	(void)chmod(f->dir, 0700);
	(void)close(f->dirfd);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* hex(SHA-256(issuer "\n" jti)), computed independently of replay.c. */
static void
name_of(const char *issuer, const char *jti, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	size_t il = strlen(issuer), jl = strlen(jti);
	unsigned char md[32];
	unsigned int mdlen = 0, i;
	char *buf = malloc(il + jl + 1);

	assert_non_null(buf);
	memcpy(buf, issuer, il);
	buf[il] = '\n';
	memcpy(buf + il + 1, jti, jl);
	assert_int_equal(EVP_Digest(buf, il + jl + 1, md, &mdlen,
	    EVP_sha256(), NULL), 1);
	assert_int_equal(mdlen, 32);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	free(buf);
}

static jwtc_rc
record(fixture *f, const char *iss, const char *jti, double until,
    int64_t now, jwtc_error *err)
{
	memset(err, 0, sizeof(*err));
	return jwtc_replay_record(f->dirfd, iss, jti, until, now, err);
}

/* Whether dir/name exists (links not followed). */
static bool
exists(fixture *f, const char *name)
{
	struct stat st;

	return fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The content of the record of (iss, jti); allocated. */
static char *
content_of(fixture *f, const char *iss, const char *jti)
{
	char name[65], *path, *text;

	name_of(iss, jti, name);
	path = unit_path(f->dir, name);
	assert_non_null(path);
	text = unit_read_file(path, NULL);
	free(path);
	return text;
}

/* Put a record file of (iss, jti) with mode and content in place. */
static void
plant(fixture *f, const char *iss, const char *jti, mode_t mode,
    const char *content)
{
	char name[65], *path;

	name_of(iss, jti, name);
	path = unit_write_text(f->dir, name, mode, content);
	assert_non_null(path);
	free(path);
}

/* Entries of the directory whose name is 64 hex digits. */
static size_t
count_records(fixture *f)
{
	DIR *d = opendir(f->dir);
	const struct dirent *de;
	size_t n = 0, i;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 64)
			continue;
		for (i = 0; i < 64; i++) {
			if (strchr("0123456789abcdef", de->d_name[i]) == NULL)
				break;
		}
		if (i == 64)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- first and second use ----------------------------------------------- */

static void
test_first_use(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char name[65], *text;
	struct stat st;

	assert_int_equal(record(f, ISS, "abc", (double)NOW + 99.5, NOW,
	    &err), JWTC_OK);
	name_of(ISS, "abc", name);
	assert_int_equal(fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW),
	    0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0);
	/* until rounded up to the second */
	text = content_of(f, ISS, "abc");
	assert_non_null(text);
	assert_string_equal(text, "1700000100\n");
	free(text);
	assert_false(exists(f, "abc"));
	assert_int_equal(count_records(f), 1);
}

static void
test_second_use(void **state)
{
	fixture *f = *state;
	jwtc_error err;

	assert_int_equal(record(f, ISS, "abc", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(record(f, ISS, "abc", (double)NOW + 100, NOW + 50,
	    &err), JWTC_ERR_REPLAY);
	assert_int_equal(err.rc, JWTC_ERR_REPLAY);
	assert_contains(err.msg, "jti already used on this host");
	/* A second before the record ends it still counts. */
	assert_int_equal(record(f, ISS, "abc", (double)NOW + 200, NOW + 99,
	    &err), JWTC_ERR_REPLAY);
	assert_int_equal(count_records(f), 1);
}

static void
test_other_issuer(void **state)
{
	fixture *f = *state;
	jwtc_error err;

	assert_int_equal(record(f, ISS, "abc", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(record(f, ISS "/other", "abc", (double)NOW + 100,
	    NOW, &err), JWTC_OK);
	/* The empty jti is a jti of its own. */
	assert_int_equal(record(f, ISS, "", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(count_records(f), 3);
}

/* jti values that would be paths are only ever hashed. */
static void
test_jti_never_a_path(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char *big = malloc(10001);

	assert_non_null(big);
	memset(big, 'j', 10000);
	big[10000] = '\0';
	assert_int_equal(record(f, ISS, "../escape", (double)NOW + 100, NOW,
	    &err), JWTC_OK);
	assert_int_equal(record(f, ISS, "a/b", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(record(f, ISS, big, (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(record(f, ISS, big, (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_int_equal(count_records(f), 3);
	assert_false(exists(f, "../escape"));
	assert_false(exists(f, "a"));
	free(big);
}

/* ---- expiry ------------------------------------------------------------- */

static void
test_expired_replaced(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char *text;

	plant(f, ISS, "old", 0600, "1699999990\n");
	assert_int_equal(record(f, ISS, "old", (double)NOW + 300, NOW, &err),
	    JWTC_OK);
	text = content_of(f, ISS, "old");
	assert_non_null(text);
	assert_string_equal(text, "1700000300\n");
	free(text);
	/* A record ending exactly now has ended. */
	plant(f, ISS, "edge", 0600, "1700000000\n");
	assert_int_equal(record(f, ISS, "edge", (double)NOW + 300, NOW,
	    &err), JWTC_OK);
	/* One ending a second later has not. */
	plant(f, ISS, "live", 0600, "1700000001\n");
	assert_int_equal(record(f, ISS, "live", (double)NOW + 300, NOW,
	    &err), JWTC_ERR_REPLAY);
	assert_contains(err.msg, "already used");
	text = content_of(f, ISS, "live");
	assert_non_null(text);
	assert_string_equal(text, "1700000001\n");
	free(text);
}

static void
test_until_range(void **state)
{
	fixture *f = *state;
	static const double bad[] = { -1.0, -0.5, 9007199254740994.0, 1e300,
	    (double)NAN, (double)INFINITY, -(double)INFINITY };
	jwtc_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(record(f, ISS, "x", bad[i], NOW, &err),
		    JWTC_ERR_REPLAY);
		assert_contains(err.msg, "not a time");
	}
	assert_int_equal(count_records(f), 0);
	/* 2^53 itself is a NumericDate. */
	assert_int_equal(record(f, ISS, "x", 9007199254740992.0, NOW, &err),
	    JWTC_OK);
	assert_int_equal(record(f, ISS, "x", 9007199254740992.0, NOW, &err),
	    JWTC_ERR_REPLAY);
}

static void
test_args(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	int fd;

	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_replay_record(-1, ISS, "x", 1e9, NOW, &err),
	    JWTC_ERR_INTERNAL);
	assert_int_equal(record(f, NULL, "x", 1e9, NOW, &err),
	    JWTC_ERR_INTERNAL);
	assert_int_equal(record(f, ISS, NULL, 1e9, NOW, &err),
	    JWTC_ERR_INTERNAL);
	assert_int_equal(record(f, "a\nb", "x", 1e9, NOW, &err),
	    JWTC_ERR_INTERNAL);
	assert_contains(err.msg, "newline");
	/* A descriptor that is not a directory. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_replay_record(fd, ISS, "x", 1e10, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "cannot record jti: not a directory");
	close(fd);
	/* No error structure: still refused. */
	assert_int_equal(jwtc_replay_record(f->dirfd, ISS, "y", 1e10, NOW,
	    NULL), JWTC_OK);
	assert_int_equal(jwtc_replay_record(f->dirfd, ISS, "y", 1e10, NOW,
	    NULL), JWTC_ERR_REPLAY);
}

/* ---- records that cannot be trusted count as used ----------------------- */

static void
test_symlink_record(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char name[65], *target, *text;

	/* The link points at an expired-looking file. */
	target = unit_write_text(f->dir, "target", 0600, "100\n");
	assert_non_null(target);
	name_of(ISS, "ln", name);
	assert_int_equal(symlinkat(target, f->dirfd, name), 0);
	assert_int_equal(record(f, ISS, "ln", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "symbolic link");
	assert_contains(err.msg, "counted as used");
	assert_true(exists(f, name));
	text = unit_read_file(target, NULL);
	assert_non_null(text);
	assert_string_equal(text, "100\n");
	free(text);
	free(target);
}

static void
test_writable_record(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char name[65];

	/* Expired, but anyone in the group could have written it. */
	plant(f, ISS, "gw", 0620, "100\n");
	assert_int_equal(record(f, ISS, "gw", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "writable by group");
	name_of(ISS, "gw", name);
	assert_true(exists(f, name));
	plant(f, ISS, "ow", 0602, "100\n");
	assert_int_equal(record(f, ISS, "ow", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "writable by others");
}

static void
test_garbage_record(void **state)
{
	fixture *f = *state;
	static const char *const bad[] = {
		"", "\n", "abc\n", "100", "0100\n", "-5\n", "+5\n", "1 \n",
		" 1\n", "1\n\n", "1\nx", "1e3\n", "0x10\n",
		"99999999999999999\n", "9007199254740993\n",
		"1700000100\n1700000100\n1700000100\n1700000100\n",
	};
	jwtc_error err;
	char jti[16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(jti, sizeof(jti), "g%zu", i);
		plant(f, ISS, jti, 0600, bad[i]);
		assert_int_equal(record(f, ISS, jti, (double)NOW + 100, NOW,
		    &err), JWTC_ERR_REPLAY);
		assert_contains(err.msg, "does not hold a time");
	}
	/* None was removed or replaced. */
	assert_int_equal(count_records(f), sizeof(bad) / sizeof(bad[0]));
	/* The largest time accepted, and zero. */
	plant(f, ISS, "max", 0600, "9007199254740992\n");
	assert_int_equal(record(f, ISS, "max", (double)NOW + 100, NOW,
	    &err), JWTC_ERR_REPLAY);
	assert_contains(err.msg, "already used");
	plant(f, ISS, "zero", 0600, "0\n");
	assert_int_equal(record(f, ISS, "zero", (double)NOW + 100, NOW,
	    &err), JWTC_OK);
}

static void
test_record_not_a_file(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char name[65];

	name_of(ISS, "dir", name);
	assert_int_equal(mkdirat(f->dirfd, name, 0700), 0);
	assert_int_equal(record(f, ISS, "dir", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "a directory");
	/* A named pipe must not make the call wait for a writer. */
	name_of(ISS, "fifo", name);
	assert_int_equal(mkfifoat(f->dirfd, name, 0600), 0);
	assert_int_equal(record(f, ISS, "fifo", (double)NOW + 100, NOW,
	    &err), JWTC_ERR_REPLAY);
	assert_contains(err.msg, "named pipe");
}

static void
test_record_other_owner(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char name[65];

	if (geteuid() != 0) {
		print_message("not root: a file of another owner cannot be "
		    "made\n");
		skip();
	}
	plant(f, ISS, "own", 0600, "100\n");
	name_of(ISS, "own", name);
	assert_int_equal(fchownat(f->dirfd, name, NOBODY, NOBODY,
	    AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(record(f, ISS, "own", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "owned by uid 65534");
	assert_true(exists(f, name));
}

/* ---- a directory that cannot be written --------------------------------- */

/* In a child as nobody (when root): exit 0 when refused as expected. */
static int
unwritable_child(fixture *f)
{
	jwtc_error err;
	jwtc_rc rc;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) != 0))
		return 3;
	if (geteuid() == 0)
		return 4;
	memset(&err, 0, sizeof(err));
	rc = jwtc_replay_record(f->dirfd, ISS, "ro", (double)NOW + 100, NOW,
	    &err);
	if (rc != JWTC_ERR_REPLAY)
		return 1;
	if (strstr(err.msg, "cannot record jti: Permission denied") == NULL) {
		fprintf(stderr, "message: %s\n", err.msg);
		return 2;
	}
	return 0;
}

static void
test_unwritable_dir(void **state)
{
	fixture *f = *state;
	int status = -1;
	pid_t pid;

	if (geteuid() != 0)
		assert_int_equal(chmod(f->dir, 0500), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unwritable_child(f));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_int_equal(count_records(f), 0);
}

/* ---- concurrency -------------------------------------------------------- */

/*
 * NPROC processes present the same jti at the same moment (released
 * together by the write end of a pipe closing).  *ok and *replay count
 * the results.
 */
static void
race(fixture *f, const char *jti, int *ok, int *replay)
{
	pid_t pids[NPROC];
	int p[2], i, status;
	char c;
	jwtc_rc rc;

	*ok = 0;
	*replay = 0;
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			(void)close(p[1]);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
			rc = jwtc_replay_record(f->dirfd, ISS, jti,
			    (double)NOW + 100, NOW, NULL);
			_exit(rc == JWTC_OK ? 0 : rc == JWTC_ERR_REPLAY ?
			    1 : 2);
		}
	}
	(void)close(p[0]);
	(void)close(p[1]);
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 0)
			(*ok)++;
		else if (WEXITSTATUS(status) == 1)
			(*replay)++;
	}
}

static void
test_concurrent_first_use(void **state)
{
	fixture *f = *state;
	int ok, replay;

	race(f, "together", &ok, &replay);
	assert_int_equal(ok, 1);
	assert_int_equal(replay, NPROC - 1);
	assert_int_equal(count_records(f), 1);
}

/* The same over an expired record: still exactly one. */
static void
test_concurrent_expired(void **state)
{
	fixture *f = *state;
	int ok, replay, round;
	char *text;

	for (round = 0; round < 10; round++) {
		plant(f, ISS, "again", 0600, "1600000000\n");
		race(f, "again", &ok, &replay);
		assert_int_equal(ok, 1);
		assert_int_equal(replay, NPROC - 1);
		text = content_of(f, ISS, "again");
		assert_non_null(text);
		assert_string_equal(text, "1700000100\n");
		free(text);
	}
}

/* ---- the lock ----------------------------------------------------------- */

/* Replacing an expired record needs a trusted lock file. */
static void
test_lock_untrusted(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char *path;

	path = unit_write_text(f->dir, ".lock", 0666, "");
	assert_non_null(path);
	plant(f, ISS, "old", 0600, "100\n");
	assert_int_equal(record(f, ISS, "old", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "cannot record jti: .lock: writable by");
	/* A first use needs no lock. */
	assert_int_equal(record(f, ISS, "new", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	/* and cleaning did not run: the expired record is still there */
	assert_int_equal(count_records(f), 2);
	free(path);
}

/* A lock held elsewhere: the replacement waits a bounded time, then
 * refuses; cleaning is skipped. */
static void
test_lock_busy(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	int fd;

	fd = openat(f->dirfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	plant(f, ISS, "old", 0600, "100\n");
	plant(f, ISS, "old2", 0600, "100\n");
	assert_int_equal(record(f, ISS, "old", (double)NOW + 100, NOW, &err),
	    JWTC_ERR_REPLAY);
	assert_contains(err.msg, "held by another process");
	assert_int_equal(record(f, ISS, "new", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(count_records(f), 3);
	(void)close(fd);
	/* Released: both work now. */
	assert_int_equal(record(f, ISS, "old", (double)NOW + 100, NOW, &err),
	    JWTC_OK);
	assert_int_equal(count_records(f), 2);
}

/* ---- cleaning ----------------------------------------------------------- */

static void
test_cleanup(void **state)
{
	fixture *f = *state;
	/* Names that are not records: 63 and 65 hex digits, upper case,
	 * not hex, not 64 characters. */
	static const struct {
		char c;
		size_t n;
	} keep[] = { { 'a', 63 }, { 'a', 65 }, { 'A', 64 }, { 'g', 64 },
	    { 'x', 5 } };
	char keep_names[5][66], name[65], *path;
	jwtc_error err;
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		memset(keep_names[i], keep[i].c, keep[i].n);
		keep_names[i][keep[i].n] = '\0';
		path = unit_write_text(f->dir, keep_names[i], 0600, "100\n");
		assert_non_null(path);
		free(path);
	}
	plant(f, ISS, "expired1", 0600, "100\n");
	plant(f, ISS, "expired2", 0600, "1699999999\n");
	plant(f, ISS, "expired3", 0600, "1700000000\n");
	plant(f, ISS, "live1", 0600, "1700000001\n");
	plant(f, ISS, "live2", 0600, "1800000000\n");
	plant(f, ISS, "garbage", 0600, "soon\n");
	plant(f, ISS, "groupw", 0620, "100\n");
	name_of(ISS, "link", name);
	assert_int_equal(symlinkat("xxxxx", f->dirfd, name), 0);
	name_of(ISS, "subdir", name);
	assert_int_equal(mkdirat(f->dirfd, name, 0700), 0);

	assert_int_equal(record(f, ISS, "fresh", (double)NOW + 100, NOW,
	    &err), JWTC_OK);

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		assert_true(exists(f, keep_names[i]));
	name_of(ISS, "expired1", name);
	assert_false(exists(f, name));
	name_of(ISS, "expired2", name);
	assert_false(exists(f, name));
	name_of(ISS, "expired3", name);
	assert_false(exists(f, name));
	name_of(ISS, "live1", name);
	assert_true(exists(f, name));
	name_of(ISS, "live2", name);
	assert_true(exists(f, name));
	name_of(ISS, "garbage", name);
	assert_true(exists(f, name));
	name_of(ISS, "groupw", name);
	assert_true(exists(f, name));
	name_of(ISS, "link", name);
	assert_true(exists(f, name));
	name_of(ISS, "subdir", name);
	assert_true(exists(f, name));
	name_of(ISS, "fresh", name);
	assert_true(exists(f, name));
}

/* At most 64 directory entries are read per call, so a large backlog
 * goes in steps, and all of it goes eventually. */
static void
test_cleanup_budget(void **state)
{
	fixture *f = *state;
	jwtc_error err;
	char jti[32];
	size_t before, after, live, i;

	for (i = 0; i < 200; i++) {
		snprintf(jti, sizeof(jti), "old%zu", i);
		plant(f, ISS, jti, 0600, "100\n");
	}
	assert_int_equal(count_records(f), 200);
	assert_int_equal(record(f, ISS, "first", (double)NOW + 100, NOW,
	    &err), JWTC_OK);
	after = count_records(f);
	/* one added, between 1 and 64 removed */
	assert_true(after <= 200);
	assert_true(after >= 201 - 64);
	live = 1;
	for (i = 0; i < 20 && after > live; i++) {
		before = after;
		snprintf(jti, sizeof(jti), "new%zu", i);
		assert_int_equal(record(f, ISS, jti, (double)NOW + 100, NOW,
		    &err), JWTC_OK);
		live++;
		after = count_records(f);
		assert_true(after <= before);
	}
	/* Only the live records made by the calls remain. */
	assert_int_equal(after, live);
	assert_true(i >= 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_first_use),
		T(test_second_use),
		T(test_other_issuer),
		T(test_jti_never_a_path),
		T(test_expired_replaced),
		T(test_until_range),
		T(test_args),
		T(test_symlink_record),
		T(test_writable_record),
		T(test_garbage_record),
		T(test_record_not_a_file),
		T(test_record_other_owner),
		T(test_unwritable_dir),
		T(test_concurrent_first_use),
		T(test_concurrent_expired),
		T(test_lock_untrusted),
		T(test_lock_busy),
		T(test_cleanup),
		T(test_cleanup_budget),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
