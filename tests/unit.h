/*
 * unit.h - helpers shared by the cmocka unit tests.  Header-only: every
 * helper is static inline, so a test uses what it needs.
 *
 * Include this header first in a test: it pulls in config.h (for
 * _GNU_SOURCE, which the POSIX calls below need under -std=c11) and
 * cmocka with its prerequisites.
 *
 * A test whose prerequisite is missing calls unit_skip(), which exits 77
 * (the Automake "skipped" status) after saying why.
 */
#ifndef JWTC_TESTS_UNIT_H
#define JWTC_TESTS_UNIT_H

#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

/* cmocka's prerequisites, then cmocka. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "jwtc.h"

#define UNIT_EXIT_SKIP 77
#define UNIT_MAX_FILE (8 * 1024 * 1024)

/* ---- skipping ---------------------------------------------------------- */

static inline void
unit_skip(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Say why on standard error and exit with the "skipped" status. */
static inline void
unit_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(UNIT_EXIT_SKIP);
}

/* The test vector directory from $JWT_AUTH_VECTORS, or NULL when the
 * variable is unset or names no directory. */
static inline const char *
unit_vectors_dir(void)
{
	const char *dir = getenv("JWT_AUTH_VECTORS");
	struct stat st;

	if (dir == NULL || *dir == '\0')
		return NULL;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

/* The vector directory, or skip the whole test program. */
static inline const char *
unit_require_vectors(void)
{
	const char *dir = unit_vectors_dir();
	const char *env = getenv("JWT_AUTH_VECTORS");

	if (dir == NULL)
		unit_skip("test vectors not found (JWT_AUTH_VECTORS=%s); "
		    "set it to the shared vectors directory",
		    env != NULL ? env : "(unset)");
	return dir;
}

/* ---- strings ----------------------------------------------------------- */

/* dir + "/" + name, allocated; NULL when out of memory. */
static inline char *
unit_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);

	if (p == NULL)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl);
	p[dl + nl + 1] = '\0';
	return p;
}

/* Whether needle occurs in the first hlen bytes of hay. */
static inline bool
unit_memmem(const char *hay, size_t hlen, const char *needle)
{
	size_t nl = strlen(needle), i;

	if (nl == 0)
		return true;
	for (i = 0; i + nl <= hlen; i++) {
		if (memcmp(hay + i, needle, nl) == 0)
			return true;
	}
	return false;
}

/* Whether needle occurs in hay, ASCII letters compared without case. */
static inline bool
unit_contains_nocase(const char *hay, const char *needle)
{
	size_t nl = strlen(needle), hl = strlen(hay), i, j;
	unsigned char a, b;

	for (i = 0; i + nl <= hl; i++) {
		for (j = 0; j < nl; j++) {
			a = (unsigned char)hay[i + j];
			b = (unsigned char)needle[j];
			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (j == nl)
			return true;
	}
	return false;
}

/* Fail the running test unless hay contains needle (case-insensitive). */
#define assert_contains(hay, needle) \
	unit_assert_contains((hay), (needle), __FILE__, __LINE__)

static inline void
unit_assert_contains(const char *hay, const char *needle, const char *file,
    int line)
{
	if (hay == NULL || needle == NULL ||
	    !unit_contains_nocase(hay, needle)) {
		print_error("\"%s\" does not contain \"%s\"\n",
		    hay != NULL ? hay : "(null)",
		    needle != NULL ? needle : "(null)");
		_fail(file, line);
	}
}

/* ---- files ------------------------------------------------------------- */

/* A fresh private directory under $TMPDIR (or /tmp); allocated. */
static inline char *
unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl;

	if (base == NULL || *base != '/')
		base = "/tmp";
	if ((tmpl = unit_path(base, "jwt-auth-test.XXXXXX")) == NULL)
		return NULL;
	if (mkdtemp(tmpl) == NULL) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

static inline int
unit_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

/* Remove dir and everything below it (no links followed). */
static inline void
unit_rmtree(const char *dir)
{
	if (dir != NULL)
		(void)nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Write len bytes to dir/name with exactly mode (umask ignored),
 * replacing a file of that name.  Returns the path (allocated) or NULL.
 */
static inline char *
unit_write_file(const char *dir, const char *name, mode_t mode,
    const void *data, size_t len)
{
	const unsigned char *p = data;
	char *path = unit_path(dir, name);
	size_t done = 0;
	ssize_t n;
	int fd;

	if (path == NULL)
		return NULL;
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode & 0777);
	if (fd < 0)
		goto fail;
	if (fchmod(fd, mode & 07777) != 0)
		goto fail_fd;
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail_fd;
		done += (size_t)n;
	}
	if (close(fd) != 0)
		goto fail;
	return path;
 fail_fd:
	(void)close(fd);
 fail:
	free(path);
	return NULL;
}

/* unit_write_file of a NUL-terminated text. */
static inline char *
unit_write_text(const char *dir, const char *name, mode_t mode,
    const char *text)
{
	return unit_write_file(dir, name, mode, text, strlen(text));
}

/* The whole file (at most UNIT_MAX_FILE bytes), NUL-terminated;
 * *len (when not NULL) excludes the NUL.  NULL on any failure. */
static inline char *
unit_read_file(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t have = 0, cap = 4096;
	ssize_t n;
	int fd;
	char *grown;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if ((buf = malloc(cap + 1)) == NULL)
		goto fail;
	for (;;) {
		if (have == cap) {
			if (cap >= UNIT_MAX_FILE)
				goto fail;
			cap *= 2;
			if ((grown = realloc(buf, cap + 1)) == NULL)
				goto fail;
			buf = grown;
		}
		n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	(void)close(fd);
	buf[have] = '\0';
	if (len != NULL)
		*len = have;
	return buf;
 fail:
	(void)close(fd);
	free(buf);
	return NULL;
}

/* ---- a fixed clock ----------------------------------------------------- */

/* jwtc_clock_fn reading the int64_t that arg points to. */
static inline int64_t
unit_clock_fixed(void *arg)
{
	return *(const int64_t *)arg;
}

/* Hooks with a fixed clock at *now and an optional log sink. */
static inline jwtc_hooks
unit_hooks(int64_t *now, jwtc_log_fn log, void *log_arg)
{
	jwtc_hooks h;

	memset(&h, 0, sizeof(h));
	h.clock = unit_clock_fixed;
	h.clock_arg = now;
	h.log = log;
	h.log_arg = log_arg;
	return h;
}

/* ---- a log sink that records lines --------------------------------------- */

#define UNIT_LOG_LINES 64

typedef struct unit_log {
	pthread_mutex_t mu;
	size_t n;              /* lines kept */
	size_t total;          /* lines received, kept or not */
	char *lines[UNIT_LOG_LINES];
	int prio[UNIT_LOG_LINES];
} unit_log;

static inline void
unit_log_init(unit_log *l)
{
	memset(l, 0, sizeof(*l));
	(void)pthread_mutex_init(&l->mu, NULL);
}

/* Forget the lines recorded so far. */
static inline void
unit_log_clear(unit_log *l)
{
	size_t i;

	(void)pthread_mutex_lock(&l->mu);
	for (i = 0; i < l->n; i++) {
		free(l->lines[i]);
		l->lines[i] = NULL;
	}
	l->n = 0;
	l->total = 0;
	(void)pthread_mutex_unlock(&l->mu);
}

static inline void
unit_log_done(unit_log *l)
{
	unit_log_clear(l);
	(void)pthread_mutex_destroy(&l->mu);
}

/* A jwtc_log_fn; arg is a unit_log.  Thread-safe. */
static inline void
unit_log_sink(void *arg, int priority, const char *msg)
{
	unit_log *l = arg;
	char *copy = strdup(msg != NULL ? msg : "(null)");

	(void)pthread_mutex_lock(&l->mu);
	l->total++;
	if (l->n < UNIT_LOG_LINES && copy != NULL) {
		l->lines[l->n] = copy;
		l->prio[l->n] = priority;
		l->n++;
		copy = NULL;
	}
	(void)pthread_mutex_unlock(&l->mu);
	free(copy);
}

/* The first recorded line containing needle (case-sensitive), or NULL. */
static inline const char *
unit_log_find(const unit_log *l, const char *needle)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strstr(l->lines[i], needle) != NULL)
			return l->lines[i];
	}
	return NULL;
}

#endif /* JWTC_TESTS_UNIT_H */
