/*
 * driver.c - replay fuzz inputs without libFuzzer: every file named on
 * the command line, and every regular file in a directory named there, is
 * passed once to LLVMFuzzerTestOneInput.  A crash or a sanitizer report
 * fails the run; it prints how many inputs ran, and fails when none did.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define DRIVER_MAX_INPUT (4 * 1024 * 1024)

static int
run_file(const char *path)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < 0 || st.st_size > DRIVER_MAX_INPUT) {
		fprintf(stderr, "fuzz driver: cannot use %s\n", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* an exact-size allocation, so ASan sees reads past the end */
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (buf == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	(void)LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

static int
run_path(const char *path, unsigned long *count)
{
	struct stat st;
	struct dirent *de;
	char sub[4096];
	DIR *d;
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (run_file(path) != 0)
			return -1;
		(*count)++;
		return 0;
	}
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    de->d_name) >= sizeof(sub))
			continue;
		if (run_file(sub) != 0)
			rc = -1;
		else
			(*count)++;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned long count = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) != 0)
			rc = 1;
	printf("%s: %lu inputs replayed\n", argv[0], count);
	return rc != 0 || count == 0 ? 1 : 0;
}
