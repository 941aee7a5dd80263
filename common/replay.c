/*
 * replay.c - one use per jti on this host (replay_protection).
 *
 * A use is recorded as a file in state_dir whose name is the SHA-256, in
 * hex, of the issuer, a newline and the jti (so nothing from a token ever
 * becomes a file name) and whose content is the time until which the
 * record counts, in decimal seconds, and a newline.  Creating it with
 * O_EXCL is the whole protocol for a first use: of any number of
 * processes presenting the same token at once, exactly one creates the
 * file, and the others find it.
 *
 * A record that cannot be trusted (a link, another owner, writable by
 * group or others, content that does not parse) counts as a use: the
 * token is refused.  A record that cannot be written refuses the token
 * too.
 *
 * Expired records are removed in two places: when the same jti comes
 * again, and by a scan of at most CLEAN_MAX_ENTRIES directory entries on
 * every call.  Both
 * remove a file only under an exclusive lock on state_dir/.lock, after
 * reading it again under that lock.  Creators never replace a file, so
 * the file removed is the expired one that was read, never a record
 * another process has just made.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "internal.h"

#define RECORD_NAME_LEN 64          /* hex of SHA-256 */
#define RECORD_MAX_TEXT 32          /* bytes read from a record */
#define RECORD_MAX_FILE 4096        /* a record file read at all */
#define RECORD_MAX_DIGITS 16        /* 2^53 has 16 digits */
#define CLEAN_MAX_ENTRIES 64        /* directory entries read per call */
#define LOCK_NAME ".lock"
#define LOCK_TRIES 200              /* times LOCK_SLEEP_NS: at most ~1 s */
#define LOCK_SLEEP_NS 5000000L

typedef enum record_state {
	RECORD_LIVE,        /* counts: the jti was used */
	RECORD_EXPIRED,     /* may be removed */
	RECORD_GONE,        /* no file of that name */
	RECORD_BAD          /* cannot be trusted or read: counts as used */
} record_state;

/* ---- names and contents ------------------------------------------------- */

/* hex(SHA-256(issuer "\n" jti)) into name. */
static bool
record_name(const char *issuer, const char *jti,
    char name[RECORD_NAME_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, issuer, strlen(issuer)) == 1 &&
	    EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
	    EVP_DigestUpdate(ctx, jti, strlen(jti)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 &&
	    mdlen * 2 == RECORD_NAME_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return false;
	for (i = 0; i < mdlen; i++) {
		name[2 * i] = hex[md[i] >> 4];
		name[2 * i + 1] = hex[md[i] & 0x0f];
	}
	name[RECORD_NAME_LEN] = '\0';
	return true;
}

/* Whether name is one that record_name makes. */
static bool
is_record_name(const char *name)
{
	size_t i;

	for (i = 0; i < RECORD_NAME_LEN; i++) {
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	}
	return name[RECORD_NAME_LEN] == '\0';
}

/* "DIGITS\n" exactly, no sign, no leading zero, at most 2^53. */
static bool
parse_until(const char *text, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len < 2 || len > RECORD_MAX_DIGITS + 1 || text[len - 1] != '\n')
		return false;
	if (text[0] == '0' && len != 2)
		return false;
	for (i = 0; i + 1 < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		v = v * 10 + (text[i] - '0');
	}
	/* In integers: 2^53 + 1 would round to 2^53 as a double. */
	if (v > (int64_t)1 << 53)
		return false;
	*out = v;
	return true;
}

/* ---- reading a record --------------------------------------------------- */

/* What the file name in dirfd is: live, expired, gone or bad (why). */
static record_state
record_inspect(int dirfd, const char *name, int64_t now, char *why,
    size_t whylen)
{
	struct stat sb;
	jwtc_error err;
	char *text = NULL;
	size_t len = 0;
	int64_t until = 0;
	record_state st = RECORD_BAD;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
	    errno == ENOENT)
		return RECORD_GONE;
	/* opened without following links, judged on its descriptor */
	memset(&err, 0, sizeof(err));
	/* a longer file is read whole, up to a bound, so that it is
	 * refused for what it holds, like any other garbage */
	if (jwtc_read_trusted_at(dirfd, name, name, RECORD_MAX_FILE, false,
	    &text, &len, NULL, &err) != JWTC_OK) {
		snprintf(why, whylen, "%.150s", err.msg);
		return RECORD_BAD;
	}
	if (!parse_until(text, len, &until))
		snprintf(why, whylen, "does not hold a time");
	else
		st = until > now ? RECORD_LIVE : RECORD_EXPIRED;
	free(text);
	return st;
}

/* ---- the lock ----------------------------------------------------------- */

/* Open (creating it) the lock file of the directory; -1 with why. */
static int
lock_open(int dirfd, char *why, size_t whylen)
{
	char ebuf[128], reason[128];
	int fd;

	fd = openat(dirfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", LOCK_NAME,
		    jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		return -1;
	}
	if (!jwtc_fd_trusted(fd, false, false, reason, sizeof(reason))) {
		snprintf(why, whylen, "%s: %s", LOCK_NAME, reason);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * The exclusive lock, waiting at most about a second: whoever holds it
 * holds it for a few file operations.  Each call opens the file anew, so
 * threads of one process exclude each other too (flock belongs to the
 * open file).  Closing the descriptor releases it.
 */
static int
lock_take(int dirfd, bool wait, char *why, size_t whylen)
{
	struct timespec ts = { 0, LOCK_SLEEP_NS };
	char ebuf[128];
	int fd, tries;

	fd = lock_open(dirfd, why, whylen);
	if (fd < 0)
		return -1;
	for (tries = 0; ; tries++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(why, whylen, "%s: cannot lock: %s", LOCK_NAME,
			    jwtc_strerror(errno, ebuf, sizeof(ebuf)));
			break;
		}
		if (!wait || tries >= LOCK_TRIES) {
			snprintf(why, whylen, "%s: held by another process",
			    LOCK_NAME);
			break;
		}
		(void)nanosleep(&ts, NULL);
	}
	(void)close(fd);
	return -1;
}

/* ---- writing a record --------------------------------------------------- */

static int
write_all(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Create the record; 0, or an errno value (EEXIST: it is there). */
static int
record_create(int dirfd, const char *name, int64_t until)
{
	char text[RECORD_MAX_TEXT];
	int fd, e, n;

	n = snprintf(text, sizeof(text), "%lld\n", (long long)until);
	if (n < 0 || (size_t)n >= sizeof(text))
		return EINVAL;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return errno;
	if (write_all(fd, text, (size_t)n) != 0 || fsync(fd) != 0) {
		e = errno;
		(void)close(fd);
		/* Half a record would refuse this jti until someone
		 * removed it by hand; the token is refused anyway. */
		(void)unlinkat(dirfd, name, 0);
		return e;
	}
	if (close(fd) != 0) {
		e = errno;
		(void)unlinkat(dirfd, name, 0);
		return e;
	}
	return 0;
}

/*
 * A record of this name exists and was read as expired: under the lock,
 * read it again and remove it if it is still expired.  Returns JWTC_OK
 * when the name is free for one more create.
 */
static jwtc_rc
record_replace_expired(int dirfd, const char *name, int64_t now,
    jwtc_error *err)
{
	char why[192], ebuf[128];
	int lockfd;
	jwtc_rc rc = JWTC_ERR_REPLAY;

	lockfd = lock_take(dirfd, true, why, sizeof(why));
	if (lockfd < 0)
		return jwtc_seterr(err, JWTC_ERR_REPLAY,
		    "cannot record jti: %s", why);
	switch (record_inspect(dirfd, name, now, why, sizeof(why))) {
	case RECORD_LIVE:
		jwtc_seterr(err, rc, "jti already used on this host");
		goto out;
	case RECORD_BAD:
		jwtc_seterr(err, rc, "jti record %s %s: counted as used",
		    name, why);
		goto out;
	case RECORD_EXPIRED:
		if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
			jwtc_seterr(err, rc, "cannot record jti: %s",
			    jwtc_strerror(errno, ebuf, sizeof(ebuf)));
			goto out;
		}
		break;
	case RECORD_GONE:
		break;
	}
	rc = JWTC_OK;
out:
	(void)close(lockfd);
	return rc;
}

/* ---- removing expired records ------------------------------------------- */

/*
 * Read at most CLEAN_MAX_ENTRIES entries of the directory and remove the
 * records among them that have expired.  Only names of 64 lowercase hex
 * digits holding a time are ever removed.  Best effort: skipped when the
 * lock is busy, errors ignored.  The directory is opened anew (not dup'ed)
 * so that concurrent scans do not share a read position with dirfd.
 */
static void
clean_expired(int dirfd, int64_t now)
{
	const struct dirent *de;
	DIR *dir = NULL;
	char why[192];
	int lockfd, fd, seen;

	lockfd = lock_take(dirfd, false, why, sizeof(why));
	if (lockfd < 0)
		return;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	dir = fdopendir(fd);
	if (dir == NULL) {
		(void)close(fd);
		goto out;
	}
	for (seen = 0; seen < CLEAN_MAX_ENTRIES; seen++) {
		errno = 0;
		de = readdir(dir);
		if (de == NULL)
			break;
		if (!is_record_name(de->d_name))
			continue;
		if (record_inspect(dirfd, de->d_name, now, why,
		    sizeof(why)) == RECORD_EXPIRED)
			(void)unlinkat(dirfd, de->d_name, 0);
	}
out:
	if (dir != NULL)
		(void)closedir(dir);
	(void)close(lockfd);
}

/* ---- the entry point ---------------------------------------------------- */

/* until rounded up to whole seconds; false when not a NumericDate. */
static bool
until_seconds(double until, int64_t *out)
{
	int64_t s;

	/* Also false for NaN. */
	if (!(until >= 0.0 && until <= JWTC_MAX_NUMERIC_DATE))
		return false;
	s = (int64_t)until;
	if ((double)s < until)
		s++;
	*out = s;
	return true;
}

jwtc_rc
jwtc_replay_record(int dirfd, const char *issuer, const char *jti,
    double until, int64_t now, jwtc_error *err)
{
	char name[RECORD_NAME_LEN + 1], why[192], ebuf[128];
	int64_t until_s = 0;
	int e, attempt;
	jwtc_rc rc = JWTC_ERR_REPLAY;

	if (dirfd < 0 || issuer == NULL || jti == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "replay record: missing argument");
	/* The newline separates issuer from jti in the name's hash. */
	if (strchr(issuer, '\n') != NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "replay record: issuer holds a newline");
	if (!until_seconds(until, &until_s))
		return jwtc_seterr(err, JWTC_ERR_REPLAY,
		    "cannot record jti: expiry is not a time in [0, 2^53]");
	if (!record_name(issuer, jti, name))
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "cannot record jti: SHA-256 failed");

	for (attempt = 0; ; attempt++) {
		e = record_create(dirfd, name, until_s);
		if (e == 0)
			break;
		if (e != EEXIST) {
			rc = jwtc_seterr(err, JWTC_ERR_REPLAY,
			    "cannot record jti: %s",
			    jwtc_strerror(e, ebuf, sizeof(ebuf)));
			goto out;
		}
		/* Someone else made it between the removal and the
		 * create: that use came first. */
		if (attempt > 0) {
			rc = jwtc_seterr(err, JWTC_ERR_REPLAY,
			    "jti already used on this host");
			goto out;
		}
		switch (record_inspect(dirfd, name, now, why, sizeof(why))) {
		case RECORD_LIVE:
			rc = jwtc_seterr(err, JWTC_ERR_REPLAY,
			    "jti already used on this host");
			goto out;
		case RECORD_BAD:
			rc = jwtc_seterr(err, JWTC_ERR_REPLAY,
			    "jti record %s %s: counted as used", name, why);
			goto out;
		case RECORD_EXPIRED:
			rc = record_replace_expired(dirfd, name, now, err);
			if (rc != JWTC_OK)
				goto out;
			break;
		case RECORD_GONE:
			break;
		}
	}
	rc = JWTC_OK;
out:
	clean_expired(dirfd, now);
	return rc;
}
