/*
 * files.c - reading the files the configuration trusts.
 *
 * Every file the configuration names, and the configuration file itself,
 * is opened without following a symbolic link and then judged on the
 * opened descriptor, so the object checked is the object read: it must be
 * a regular file (or a directory where one is expected), owned by root or
 * by the user the service runs as, and not writable by group or others.
 * A secret must also not be readable by others.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "internal.h"

static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISFIFO(mode))
		return "a named pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

bool
jwtc_fd_trusted(int fd, bool dir, bool secret, char *why, size_t whylen)
{
	struct stat st;
	char ebuf[128];
	uid_t euid = geteuid();

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (fstat(fd, &st) != 0) {
		if (why != NULL)
			snprintf(why, whylen, "cannot stat: %s",
			    jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		return false;
	}
	if (dir && !S_ISDIR(st.st_mode)) {
		if (why != NULL)
			snprintf(why, whylen, "is %s, not a directory",
			    S_ISREG(st.st_mode) ? "a regular file" :
			    file_kind(st.st_mode));
		return false;
	}
	if (!dir && !S_ISREG(st.st_mode)) {
		if (why != NULL)
			snprintf(why, whylen, "is %s", file_kind(st.st_mode));
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != euid) {
		if (why != NULL)
			snprintf(why, whylen, "owned by uid %lu (must be root "
			    "or uid %lu)", (unsigned long)st.st_uid,
			    (unsigned long)euid);
		return false;
	}
	if ((st.st_mode & S_IWGRP) != 0) {
		if (why != NULL)
			snprintf(why, whylen, "writable by group (mode %04o)",
			    (unsigned)(st.st_mode & 07777));
		return false;
	}
	if ((st.st_mode & S_IWOTH) != 0) {
		if (why != NULL)
			snprintf(why, whylen, "writable by others (mode %04o)",
			    (unsigned)(st.st_mode & 07777));
		return false;
	}
	if (secret && (st.st_mode & S_IROTH) != 0) {
		if (why != NULL)
			snprintf(why, whylen, "readable by others (mode %04o)",
			    (unsigned)(st.st_mode & 07777));
		return false;
	}
	return true;
}

/* Read up to cap bytes into buf; *got is how many came before EOF. */
static int
read_all(int fd, char *buf, size_t cap, size_t *got)
{
	size_t total = 0;
	ssize_t n;

	while (total < cap) {
		n = read(fd, buf + total, cap - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
	}
	*got = total;
	return 0;
}

jwtc_rc
jwtc_read_trusted_file(const char *path, size_t max, bool secret,
    char **out, size_t *outlen, jwtc_error *err)
{
	return jwtc_read_trusted_at(AT_FDCWD, path, path, max, secret, out,
	    outlen, NULL, err);
}

jwtc_rc
jwtc_read_trusted_at(int dirfd, const char *name, const char *path,
    size_t max, bool secret, char **out, size_t *outlen, struct stat *stp,
    jwtc_error *err)
{
	struct stat st;
	char why[160], ebuf[128], extra;
	char *buf = NULL;
	size_t cap = 0, got = 0, more = 0;
	int fd = -1;
	jwtc_rc rc = JWTC_ERR_CONFIG;

	if (name == NULL || path == NULL || out == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "read_trusted_file: missing argument");
		goto out;
	}
	/* O_NONBLOCK: opening a named pipe must not wait for a writer; the
	 * descriptor is refused below as not a regular file. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "%s: is a symbolic link", path);
		else
			rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
			    "%s: cannot open: %s", path,
			    jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (!jwtc_fd_trusted(fd, false, secret, why, sizeof(why))) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: %s", path, why);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: cannot stat: %s",
		    path, jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: larger than %zu bytes", path, max);
		goto out;
	}
	cap = (size_t)st.st_size;
	buf = malloc(cap + 1);
	if (buf == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY, "%s: out of memory",
		    path);
		goto out;
	}
	if (read_all(fd, buf, cap, &got) != 0 ||
	    (got == cap && read_all(fd, &extra, 1, &more) != 0)) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG, "%s: read error: %s",
		    path, jwtc_strerror(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (more != 0) {
		rc = jwtc_seterr(err, JWTC_ERR_CONFIG,
		    "%s: changed while being read", path);
		goto out;
	}
	buf[got] = '\0';
	if (stp != NULL)
		*stp = st;
	*out = buf;
	buf = NULL;
	if (outlen != NULL)
		*outlen = got;
	rc = JWTC_OK;
 out:
	if (buf != NULL) {
		if (secret)
			OPENSSL_cleanse(buf, cap + 1);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
