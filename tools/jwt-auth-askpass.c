/*
 * jwt-auth-askpass - answer the token prompts of pam_jwt for the OpenSSH
 * client, as SSH_ASKPASS.
 *
 *   jwt-auth-askpass PROMPT
 *
 * ssh runs its askpass program once per prompt, with the prompt as the only
 * argument, and takes what it prints on standard output (up to a newline)
 * as the answer.  The ssh client cuts an answer at 1023 bytes, so pam_jwt
 * asks for a long token in parts: "Token: " for the first part, then
 * "Token (part N): " for N = 2, 3, ... up to 64.  Every part but the last
 * is 999 bytes of the token followed by '\'; the last is the rest, at most
 * 1000 bytes.  This program answers those prompts, matched by their end
 * ("(user@host) " or the server's text may come before), and refuses any
 * other prompt with exit status 1 and nothing on standard output.
 *
 * The token is the file named by JWT_AUTH_TOKEN_FILE, else the standard
 * output of the command JWT_AUTH_TOKEN_CMD.  The command runs once per ssh
 * process, at its first "Token: " prompt: a marker file in
 * $XDG_RUNTIME_DIR, named after the pid of the ssh process and holding its
 * start time (so a later process with the same pid is another one), says
 * it has run, and any later "Token: " prompt of that process is refused,
 * so a server cannot make the client run the command again and again.  A
 * token that needs more than one part is kept (mode 0600) in
 * $XDG_RUNTIME_DIR, with the same start time, until its last part has been
 * printed, and never used once KEPT_MAX_AGE seconds old.  Every run
 * removes the files of ssh processes that are gone, or whose pid now
 * belongs to another process, and kept tokens that are too old.
 *
 * The command's output is read without a time limit while the command
 * runs (it may wait for the user to log in to the identity provider);
 * once it has exited, something it left running in the background may
 * hold its standard output open for at most CMD_GRACE seconds.
 *
 * Uses libc only: it ships on clients, apart from the rest of jwt-auth.
 * The token goes to standard output and nowhere else; messages go to
 * standard error and never hold it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "jwt-auth-askpass"

#define EXIT_ANSWERED 0
#define EXIT_REFUSED 1

/* The largest token: the largest max_token_size of pam_jwt. */
#define TOKEN_MAX 65536
/* Bytes read at most: a token, its newline, and one byte to see more. */
#define TOKEN_READ_MAX (TOKEN_MAX + 2)

/* One printed part, the trailing '\' included, and the token bytes in
 * every part but the last. */
#define PART_MAX 1000
#define PART_BODY (PART_MAX - 1)
/* pam_jwt asks for at most this many parts. */
#define PARTS_MAX 64

/* A kept token older than this is stale, whoever its ssh process: the
 * parts of one token are asked for within a few seconds. */
#define KEPT_MAX_AGE 120
#define KEPT_PREFIX PROG "."
#define KEPT_SUFFIX ".token"
/* The marker that the command ran for an ssh process. */
#define RAN_SUFFIX ".ran"
/* A kept token or marker being written, named after the pid of the
 * jwt-auth-askpass that writes it, then linked to its name: complete
 * when it appears there. */
#define NEW_SUFFIX ".new"
/* "jwt-auth-askpass." + a pid of at most 10 digits + ".token" + NUL */
#define KEPT_NAME_MAX (sizeof(KEPT_PREFIX) + 10 + sizeof(KEPT_SUFFIX))
/* The first line of a marker or kept token: the start time of the ssh
 * process (field 22 of /proc/PID/stat, at most 20 digits) and '\n'. */
#define START_LINE_MAX 21
/* Seconds the command's standard output may stay open after the command
 * exited (held by something it left in the background). */
#define CMD_GRACE 10
/* How often, in ms, a running command is checked for its exit. */
#define CMD_TICK_MS 100

#define PROMPT_FIRST "Token: "
#define PROMPT_PART_HEAD "Token (part "
#define PROMPT_PART_TAIL "): "

#define ENV_FILE "JWT_AUTH_TOKEN_FILE"
#define ENV_CMD "JWT_AUTH_TOKEN_CMD"

struct token {
	char buf[TOKEN_READ_MAX];
	size_t len;
};

/* The ssh process that ran this one: its pid, and its start time when it
 * could be read. */
struct ssh_proc {
	pid_t pid;
	int known;
	unsigned long long start;
};

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One line on standard error, "jwt-auth-askpass: " first.  Control
 * characters (from a path in the environment, say) are replaced, so that
 * nothing quoted can move the cursor or forge a line.  Callers never pass
 * token bytes.
 */
static void
msg(const char *fmt, ...)
{
	char line[512];
	const unsigned char *p;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r < 0)
		line[0] = '\0';
	fputs(PROG ": ", stderr);
	for (p = (const unsigned char *)line; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fputc('?', stderr);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	fflush(stderr);
}

/* ---- the prompt ---------------------------------------------------------- */

static int
ends_with(const char *s, size_t len, const char *suffix, size_t n)
{
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/*
 * The part a prompt asks for: 1 for one ending in "Token: ", N for one
 * ending in "Token (part N): " with N written as pam_jwt writes it (2 to
 * 64, no sign, no leading zero).  Returns 0 and sets *part, or -1 for any
 * other prompt.
 */
static int
parse_prompt(const char *prompt, int *part)
{
	const size_t n_first = sizeof(PROMPT_FIRST) - 1;
	const size_t n_head = sizeof(PROMPT_PART_HEAD) - 1;
	const size_t n_tail = sizeof(PROMPT_PART_TAIL) - 1;
	size_t len, end, start, i;
	int n;

	len = strlen(prompt);
	if (ends_with(prompt, len, PROMPT_FIRST, n_first)) {
		*part = 1;
		return 0;
	}
	if (!ends_with(prompt, len, PROMPT_PART_TAIL, n_tail))
		return -1;
	end = len - n_tail;
	start = end;
	while (start > 0 && start + 2 > end &&
	    prompt[start - 1] >= '0' && prompt[start - 1] <= '9')
		start--;
	if (start == end || prompt[start] == '0')
		return -1;
	if (!ends_with(prompt, start, PROMPT_PART_HEAD, n_head))
		return -1;
	n = 0;
	for (i = start; i < end; i++)
		n = n * 10 + (prompt[i] - '0');
	if (n < 2 || n > PARTS_MAX)
		return -1;
	*part = n;
	return 0;
}

/* ---- the token ------------------------------------------------------------- */

static int
token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/*
 * Finish a token just read from WHAT: drop one trailing newline, then
 * check its size and that it holds only base64url characters and dots
 * (so no part can be mistaken for another, and no line can end early).
 */
static int
token_finish(struct token *t, const char *what)
{
	size_t i;

	if (t->len > 0 && t->buf[t->len - 1] == '\n')
		t->len--;
	if (t->len > TOKEN_MAX) {
		msg("%s: the token is longer than %d bytes", what, TOKEN_MAX);
		return -1;
	}
	if (t->len == 0) {
		msg("%s: the token is empty", what);
		return -1;
	}
	for (i = 0; i < t->len; i++) {
		if (!token_char((unsigned char)t->buf[i])) {
			msg("%s: byte %zu of the token is not a base64url "
			    "character or a dot", what, i + 1);
			return -1;
		}
	}
	return 0;
}

/* Read FD until end of file, at most TOKEN_READ_MAX bytes, into T. */
static int
read_token_fd(int fd, struct token *t)
{
	ssize_t r;

	t->len = 0;
	while (t->len < sizeof(t->buf)) {
		r = read(fd, t->buf + t->len, sizeof(t->buf) - t->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		t->len += (size_t)r;
	}
	return 0;
}

/* The number of parts a token of LEN bytes is printed in. */
static size_t
count_parts(size_t len)
{
	if (len <= PART_MAX)
		return 1;
	return 1 + (len - PART_MAX + PART_BODY - 1) / PART_BODY;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Print part PART (from 1) of T and a newline on standard output. */
static int
print_part(const struct token *t, size_t part)
{
	char out[PART_MAX + 1];
	size_t n_parts, off, n, len;
	int rc = -1;

	n_parts = count_parts(t->len);
	if (part < 1 || part > n_parts) {
		msg("the server asked for part %zu of a token of %zu part%s",
		    part, n_parts, n_parts == 1 ? "" : "s");
		return -1;
	}
	off = (part - 1) * PART_BODY;
	n = part < n_parts ? PART_BODY : t->len - off;
	memcpy(out, t->buf + off, n);
	len = n;
	if (part < n_parts)
		out[len++] = '\\';
	out[len++] = '\n';
	if (write_all(STDOUT_FILENO, out, len) != 0) {
		msg("cannot write the answer: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(out, sizeof(out));
	return rc;
}

/* ---- JWT_AUTH_TOKEN_FILE --------------------------------------------------- */

/*
 * Read the token from PATH: a regular file (not a symlink), owned by the
 * user, and neither readable nor writable by group or others, as ssh asks
 * of a private key.
 */
static int
read_token_file(const char *path, struct token *t)
{
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			msg("%s=%s: is a symbolic link; name the file itself",
			    ENV_FILE, path);
		else
			msg("%s=%s: %s", ENV_FILE, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		msg("%s=%s: %s", ENV_FILE, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		msg("%s=%s: not a regular file", ENV_FILE, path);
		goto out;
	}
	if (st.st_uid != getuid()) {
		msg("%s=%s: owned by uid %lu, not by you (uid %lu)", ENV_FILE,
		    path, (unsigned long)st.st_uid, (unsigned long)getuid());
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		msg("%s=%s: mode %04o lets group or others at the token; "
		    "chmod 600 it", ENV_FILE, path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (read_token_fd(fd, t) != 0) {
		msg("%s=%s: %s", ENV_FILE, path, strerror(errno));
		goto out;
	}
	rc = token_finish(t, ENV_FILE);
out:
	close(fd);
	return rc;
}

/* ---- JWT_AUTH_TOKEN_CMD ------------------------------------------------------ */

/* Give SIG its default action back: a signal ignored by the process that
 * ran this one (ssh ignores SIGPIPE) stays ignored across exec. */
static void
default_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
}

/* The child: stdin from /dev/null (ssh's stdin may be data for the remote
 * command), stdout into the pipe, stderr to the user, SIGPIPE by default. */
static void
run_child(const char *cmd, int null_fd, int out_fd)
{
	default_signal(SIGPIPE);
	if (dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static int
wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* Milliseconds from now until deadline (CLOCK_MONOTONIC), 0 when past. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

enum cmd_read {
	CMD_EOF = 0,                /* end of file */
	CMD_FULL,                   /* more than TOKEN_READ_MAX - 1 bytes */
	CMD_HELD,                   /* still open CMD_GRACE s after the exit */
	CMD_ERROR                   /* errno set */
};

/*
 * Read the output of the command PID from FD into T, and reap the command
 * when it exits (*reaped then set, its status in *status).  No limit
 * while the command runs; after it has exited, end of file must come
 * within CMD_GRACE seconds.
 */
static enum cmd_read
read_cmd_output(int fd, pid_t pid, struct token *t, int *status, int *reaped)
{
	struct timespec deadline = { 0, 0 };
	struct pollfd pfd;
	ssize_t r;
	pid_t w;
	int timeout, n;

	t->len = 0;
	*reaped = 0;
	for (;;) {
		if (!*reaped) {
			w = waitpid(pid, status, WNOHANG);
			if (w < 0 && errno != EINTR)
				return CMD_ERROR;
			if (w == pid) {
				*reaped = 1;
				if (clock_gettime(CLOCK_MONOTONIC,
				    &deadline) != 0)
					return CMD_ERROR;
				deadline.tv_sec += CMD_GRACE;
			}
		}
		timeout = CMD_TICK_MS;
		if (*reaped) {
			timeout = ms_left(&deadline);
			if (timeout == 0)
				return CMD_HELD;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return CMD_ERROR;
		if (n == 0)
			continue;
		r = read(fd, t->buf + t->len, sizeof(t->buf) - t->len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return CMD_ERROR;
		if (r == 0)
			return CMD_EOF;
		t->len += (size_t)r;
		if (t->len == sizeof(t->buf))
			return CMD_FULL;
	}
}

/* Run CMD with /bin/sh -c and read the token from its standard output. */
static int
run_token_cmd(const char *cmd, struct token *t)
{
	int fds[2] = { -1, -1 };
	int null_fd = -1, status = 0, rc = -1, reaped = 0, saved;
	enum cmd_read got;
	pid_t pid;

	/* With SIGCHLD ignored, the child would be reaped unseen and its
	 * exit status lost. */
	default_signal(SIGCHLD);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(fds, O_CLOEXEC) != 0) {
		msg("%s: %s", ENV_CMD, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		msg("%s: cannot fork: %s", ENV_CMD, strerror(errno));
		goto out;
	}
	if (pid == 0)
		run_child(cmd, null_fd, fds[1]);
	close(fds[1]);
	fds[1] = -1;
	got = read_cmd_output(fds[0], pid, t, &status, &reaped);
	saved = errno;
	/* Closing the pipe leaves whatever still writes to it SIGPIPE. */
	close(fds[0]);
	fds[0] = -1;
	/* A command still running is not waited for when its output is
	 * unusable; a reaped one is not signalled (its pid may be reused). */
	if (got != CMD_EOF && !reaped)
		(void)kill(pid, SIGKILL);
	if (!reaped && wait_child(pid, &status) != 0) {
		msg("%s: %s", ENV_CMD, strerror(errno));
		goto out;
	}
	switch (got) {
	case CMD_EOF:
		break;
	case CMD_FULL:
		msg("%s: printed more than %d bytes", ENV_CMD, TOKEN_MAX);
		goto out;
	case CMD_HELD:
		msg("%s: it exited, but its standard output was still open "
		    "%d s later (a command it left running in the background?); "
		    "refusing", ENV_CMD, CMD_GRACE);
		goto out;
	case CMD_ERROR:
		msg("%s: cannot read its output: %s", ENV_CMD,
		    strerror(saved));
		goto out;
	}
	if (WIFSIGNALED(status)) {
		msg("%s: killed by signal %d", ENV_CMD, WTERMSIG(status));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		msg("%s: failed with exit status %d", ENV_CMD,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	rc = token_finish(t, ENV_CMD);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (null_fd >= 0)
		close(null_fd);
	return rc;
}

/* ---- the ssh process ------------------------------------------------------- */

/* Parse the decimal number of LEN bytes at P (digits only, no sign). */
static int
parse_ull(const char *p, size_t len, unsigned long long *out)
{
	char buf[24], *end = NULL;
	unsigned long long v;

	if (len == 0 || len >= sizeof(buf) || p[0] < '0' || p[0] > '9')
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || end != buf + len)
		return -1;
	*out = v;
	return 0;
}

/*
 * The start time of process PID: field 22 of /proc/PID/stat, in clock
 * ticks since boot.  Field 2 is the command name in parentheses, which may
 * hold spaces and parentheses itself, so the fields are counted from the
 * last ')'.
 */
static int
proc_start_time(pid_t pid, unsigned long long *out)
{
	char path[64], buf[1024];
	const char *p, *end;
	ssize_t r;
	size_t len = 0;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1) {
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return -1;
	p += 2;                 /* field 3 */
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		p++;
	}
	end = strchr(p, ' ');
	if (end == NULL)
		return -1;
	return parse_ull(p, (size_t)(end - p), out);
}

static void
identify_ssh(struct ssh_proc *ssh)
{
	ssh->pid = getppid();
	ssh->known = proc_start_time(ssh->pid, &ssh->start) == 0;
}

/* ---- files in XDG_RUNTIME_DIR ---------------------------------------------- */

/*
 * Open $XDG_RUNTIME_DIR: an absolute path to a directory of the user with
 * mode 0700, as the XDG base directory specification has it.  With QUIET,
 * say nothing when it is not usable.
 */
static int
open_runtime_dir(int quiet)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int fd;

	if (dir == NULL || dir[0] != '/') {
		if (!quiet)
			msg("XDG_RUNTIME_DIR is %s",
			    dir == NULL || dir[0] == '\0' ? "not set" :
			    "not an absolute path");
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (!quiet)
			msg("XDG_RUNTIME_DIR=%s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != getuid() ||
	    (st.st_mode & 07777) != 0700) {
		if (!quiet)
			msg("XDG_RUNTIME_DIR=%s: not a directory of yours with "
			    "mode 0700", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* The kinds of files in XDG_RUNTIME_DIR. */
enum state_kind {
	STATE_TOKEN,                /* a kept token, KEPT_SUFFIX */
	STATE_RAN,                  /* a marker, RAN_SUFFIX */
	STATE_NEW                   /* either, being written, NEW_SUFFIX */
};

/* The name of the file of that suffix for the process PID. */
static void
state_name(char *name, size_t size, pid_t pid, const char *suffix)
{
	snprintf(name, size, KEPT_PREFIX "%ld%s", (long)pid, suffix);
}

/* The pid in the name of a file of ours, its kind in *kind; -1 for any
 * other name. */
static pid_t
state_pid(const char *name, enum state_kind *kind)
{
	const size_t n_prefix = sizeof(KEPT_PREFIX) - 1;
	size_t len, i, digits;
	long pid = 0;

	len = strlen(name);
	if (len <= n_prefix || memcmp(name, KEPT_PREFIX, n_prefix) != 0 ||
	    name[n_prefix] == '0')
		return -1;
	for (i = n_prefix; i < len && name[i] >= '0' && name[i] <= '9'; i++) {
		pid = pid * 10 + (name[i] - '0');
		if (pid > 0x7fffffffL)
			return -1;
	}
	digits = i - n_prefix;
	if (digits == 0 || digits > 10)
		return -1;
	if (strcmp(name + i, KEPT_SUFFIX) == 0)
		*kind = STATE_TOKEN;
	else if (strcmp(name + i, RAN_SUFFIX) == 0)
		*kind = STATE_RAN;
	else if (strcmp(name + i, NEW_SUFFIX) == 0)
		*kind = STATE_NEW;
	else
		return -1;
	return (pid_t)pid;
}

static int
too_old(const struct stat *st)
{
	time_t now = time(NULL);

	return now - st->st_mtime > KEPT_MAX_AGE;
}

/* Read the first line of FD: the start time it records. */
static int
read_start_line(int fd, unsigned long long *start)
{
	char line[START_LINE_MAX];
	size_t len = 0;
	ssize_t r;

	for (;;) {
		if (len == sizeof(line))
			return -1;
		r = read(fd, line + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (line[len] == '\n')
			break;
		len++;
	}
	return parse_ull(line, len, start);
}

/* Open DIR_FD/NAME for reading when it is a regular file of the user
 * that group and others cannot use; *st is its status. */
static int
open_state_file(int dir_fd, const char *name, struct stat *st)
{
	int fd;

	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) ||
	    st->st_uid != getuid() ||
	    (st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* The start time recorded in DIR_FD/NAME. */
static int
recorded_start(int dir_fd, const char *name, unsigned long long *start)
{
	struct stat st;
	int fd, rc;

	fd = open_state_file(dir_fd, name, &st);
	if (fd < 0)
		return -1;
	rc = read_start_line(fd, start);
	close(fd);
	return rc;
}

/*
 * Whether the file NAME of kind KIND for process PID is stale.  A kept
 * token or marker is when its ssh process is gone, or is not the one it
 * was written for (the start times differ, or the process cannot be seen,
 * so it is not one of the user's), and a kept token also once it is
 * older than KEPT_MAX_AGE.  A file being written is when the
 * jwt-auth-askpass writing it is gone, or it is older than KEPT_MAX_AGE.
 */
static int
is_stale(int dir_fd, const char *name, pid_t pid, enum state_kind kind,
    const struct stat *st)
{
	unsigned long long now_start, then_start;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 1;
	if (kind == STATE_NEW)
		return too_old(st);
	if (proc_start_time(pid, &now_start) != 0 ||
	    recorded_start(dir_fd, name, &then_start) != 0 ||
	    now_start != then_start)
		return 1;
	return kind == STATE_TOKEN && too_old(st);
}

/*
 * Remove the stale files of the user (is_stale).  Those of SELF, the ssh
 * process of this run, are removed only when they were written for an
 * earlier process with its pid; the rest is left to the caller, which
 * says why it refuses them.
 */
static void
sweep_stale(int dir_fd, const struct ssh_proc *self)
{
	unsigned long long then_start;
	enum state_kind kind = STATE_TOKEN;
	struct dirent *de;
	struct stat st;
	int fd, stale;
	DIR *d;
	pid_t pid;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		pid = state_pid(de->d_name, &kind);
		if (pid <= 0 || (kind == STATE_NEW && pid == getpid()))
			continue;
		if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != getuid())
			continue;
		if (kind != STATE_NEW && pid == self->pid)
			stale = self->known && (recorded_start(dir_fd,
			    de->d_name, &then_start) != 0 ||
			    then_start != self->start);
		else
			stale = is_stale(dir_fd, de->d_name, pid, kind, &st);
		if (stale)
			(void)unlinkat(dir_fd, de->d_name, 0);
	}
	closedir(d);
}

/* Every run: the stale files go, whatever the prompt. */
static void
sweep_runtime_dir(const struct ssh_proc *ssh)
{
	int dir_fd = open_runtime_dir(1);

	if (dir_fd < 0)
		return;
	sweep_stale(dir_fd, ssh);
	close(dir_fd);
}

/*
 * Create DIR_FD/NAME, mode 0600, holding the start time of SSH and then
 * LEN bytes of DATA.  It is written under a name of this process
 * (NEW_SUFFIX) and then linked to NAME, which fails with EEXIST when NAME
 * exists (as O_EXCL would, symbolic links included): whoever reads NAME
 * finds it whole.
 */
static int
create_state_file(int dir_fd, const char *name, const struct ssh_proc *ssh,
    const char *data, size_t len)
{
	char tmp[KEPT_NAME_MAX], line[START_LINE_MAX + 1];
	int fd, n, rc = -1, saved;

	n = snprintf(line, sizeof(line), "%llu\n", ssh->start);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = EOVERFLOW;
		return -1;
	}
	state_name(tmp, sizeof(tmp), getpid(), NEW_SUFFIX);
	/* left by an earlier process with this pid */
	(void)unlinkat(dir_fd, tmp, 0);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) != 0 || write_all(fd, line, (size_t)n) != 0 ||
	    write_all(fd, data, len) != 0) {
		saved = errno;
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		saved = errno;
		goto out;
	}
	rc = linkat(dir_fd, tmp, dir_fd, name, 0);
	saved = errno;
out:
	(void)unlinkat(dir_fd, tmp, 0);
	errno = saved;
	return rc;
}

/*
 * Record that the command runs for SSH: create its marker.  0 when this
 * is the first time; 1 when the marker of this very process is there
 * already; -1 on failure (said).  A marker of an earlier process with
 * the same pid, or a file that is not a marker, is replaced.
 */
static int
claim_run(int dir_fd, const struct ssh_proc *ssh)
{
	char name[KEPT_NAME_MAX];
	unsigned long long start;
	int tries;

	state_name(name, sizeof(name), ssh->pid, RAN_SUFFIX);
	for (tries = 0; tries < 2; tries++) {
		if (create_state_file(dir_fd, name, ssh, "", 0) == 0)
			return 0;
		if (errno != EEXIST)
			break;
		if (recorded_start(dir_fd, name, &start) == 0 &&
		    start == ssh->start)
			return 1;
		if (unlinkat(dir_fd, name, 0) != 0 && errno != ENOENT)
			break;
	}
	msg("cannot create %s in XDG_RUNTIME_DIR: %s", name, strerror(errno));
	return -1;
}

/* Keep T in DIR_FD/NAME, a new file of mode 0600, after the start time
 * of SSH. */
static int
keep_token(int dir_fd, const char *name, const struct ssh_proc *ssh,
    const struct token *t)
{
	if (create_state_file(dir_fd, name, ssh, t->buf, t->len) != 0) {
		msg("cannot keep the token in %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Read the token kept in DIR_FD/NAME for SSH: a regular file of the user,
 * mode 0600 or stricter, written less than KEPT_MAX_AGE seconds ago by a
 * run for this very ssh process (its start time). */
static int
load_kept(int dir_fd, const char *name, const struct ssh_proc *ssh,
    struct token *t)
{
	unsigned long long start;
	struct stat st;
	int fd, rc = -1;

	fd = open_state_file(dir_fd, name, &st);
	if (fd < 0) {
		if (errno == ENOENT)
			msg("no token is kept for this ssh process: the server "
			    "asked for a later part before the first");
		else if (errno == EPERM)
			msg("%s in XDG_RUNTIME_DIR: not a file of yours with "
			    "mode 0600", name);
		else
			msg("cannot open %s in XDG_RUNTIME_DIR: %s", name,
			    strerror(errno));
		return -1;
	}
	if (too_old(&st)) {
		msg("%s in XDG_RUNTIME_DIR: older than %d seconds", name,
		    KEPT_MAX_AGE);
		goto out;
	}
	if (read_start_line(fd, &start) != 0 || start != ssh->start) {
		msg("%s in XDG_RUNTIME_DIR: kept for another ssh process with "
		    "the same process id", name);
		goto out;
	}
	if (read_token_fd(fd, t) != 0) {
		msg("cannot read %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		goto out;
	}
	rc = token_finish(t, "the kept token");
out:
	close(fd);
	return rc;
}

/* ---- answering ------------------------------------------------------------------- */

static int
check_parts(const struct token *t)
{
	size_t n = count_parts(t->len);

	if (n > PARTS_MAX) {
		msg("a token of %zu bytes needs %zu parts; pam_jwt takes at "
		    "most %d", t->len, n, PARTS_MAX);
		return -1;
	}
	return 0;
}

/* Answer from JWT_AUTH_TOKEN_FILE: the file is read at each prompt. */
static int
answer_from_file(const char *path, int part, struct token *t)
{
	if (read_token_file(path, t) != 0 || check_parts(t) != 0)
		return -1;
	return print_part(t, (size_t)part);
}

/* The directory for the files of JWT_AUTH_TOKEN_CMD, and the ssh process
 * known; -1 (said) otherwise. */
static int
cmd_state_dir(const struct ssh_proc *ssh)
{
	int dir_fd;

	if (!ssh->known) {
		msg("cannot read the start time of the ssh process (pid %ld) "
		    "in /proc: %s needs it to run once per ssh process",
		    (long)ssh->pid, ENV_CMD);
		return -1;
	}
	dir_fd = open_runtime_dir(0);
	if (dir_fd < 0)
		msg("%s runs once per ssh process and needs XDG_RUNTIME_DIR "
		    "to remember that; or use %s", ENV_CMD, ENV_FILE);
	return dir_fd;
}

/*
 * The first prompt with JWT_AUTH_TOKEN_CMD: run the command, once per ssh
 * process; keep a token of more than one part for the prompts that
 * follow.  A second first prompt of the same ssh process is refused, and
 * what is kept for it removed.
 */
static int
answer_first_from_cmd(const char *cmd, const struct ssh_proc *ssh,
    struct token *t)
{
	char name[KEPT_NAME_MAX];
	int dir_fd, claimed, rc = -1;

	dir_fd = cmd_state_dir(ssh);
	if (dir_fd < 0)
		return -1;
	state_name(name, sizeof(name), ssh->pid, KEPT_SUFFIX);
	claimed = claim_run(dir_fd, ssh);
	if (claimed != 0) {
		if (claimed == 1)
			msg("the token was already given once in this "
			    "connection (%s runs once per ssh process); "
			    "refusing", ENV_CMD);
		(void)unlinkat(dir_fd, name, 0);
		goto out;
	}
	if (unlinkat(dir_fd, name, 0) != 0 && errno != ENOENT) {
		msg("cannot remove %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		goto out;
	}
	if (run_token_cmd(cmd, t) != 0 || check_parts(t) != 0)
		goto out;
	if (count_parts(t->len) > 1 && keep_token(dir_fd, name, ssh, t) != 0)
		goto out;
	if (print_part(t, 1) != 0) {
		(void)unlinkat(dir_fd, name, 0);
		goto out;
	}
	rc = 0;
out:
	close(dir_fd);
	return rc;
}

/* A later prompt with JWT_AUTH_TOKEN_CMD: print from the kept token, and
 * remove it after its last part or on any failure. */
static int
answer_later_from_cmd(const struct ssh_proc *ssh, int part, struct token *t)
{
	char name[KEPT_NAME_MAX];
	int dir_fd, rc = -1;

	dir_fd = cmd_state_dir(ssh);
	if (dir_fd < 0)
		return -1;
	state_name(name, sizeof(name), ssh->pid, KEPT_SUFFIX);
	if (load_kept(dir_fd, name, ssh, t) != 0 || check_parts(t) != 0)
		goto out;
	if (print_part(t, (size_t)part) != 0)
		goto out;
	if ((size_t)part == count_parts(t->len) &&
	    unlinkat(dir_fd, name, 0) != 0) {
		msg("cannot remove %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		(void)unlinkat(dir_fd, name, 0);
	close(dir_fd);
	return rc;
}

/* Standard input, output and error open, on /dev/null if need be, so
 * that no file opened later takes their place. */
static int
sane_stdfds(void)
{
	int fd;

	for (;;) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
		if (fd > STDERR_FILENO) {
			close(fd);
			return 0;
		}
	}
}

static int
answer(const char *prompt, const struct ssh_proc *ssh, struct token *t)
{
	const char *file, *cmd, *hint;
	int part;

	hint = getenv("SSH_ASKPASS_PROMPT");
	if (hint != NULL && hint[0] != '\0') {
		msg("ssh asks for a confirmation (SSH_ASKPASS_PROMPT=%s), "
		    "not a token; refusing", hint);
		return -1;
	}
	if (parse_prompt(prompt, &part) != 0) {
		msg("not a token prompt; refusing");
		return -1;
	}
	if (isatty(STDOUT_FILENO)) {
		msg("standard output is a terminal: this program prints a "
		    "token for ssh (SSH_ASKPASS), not for a screen");
		return -1;
	}
	file = getenv(ENV_FILE);
	cmd = getenv(ENV_CMD);
	if (file != NULL && file[0] != '\0')
		return answer_from_file(file, part, t);
	if (cmd != NULL && cmd[0] != '\0') {
		if (part == 1)
			return answer_first_from_cmd(cmd, ssh, t);
		return answer_later_from_cmd(ssh, part, t);
	}
	msg("neither %s nor %s is set", ENV_FILE, ENV_CMD);
	return -1;
}

int
main(int argc, char **argv)
{
	static struct token t;
	struct rlimit no_core = { 0, 0 };
	struct ssh_proc ssh;
	int rc;

	/* No core file may hold the token. */
	(void)setrlimit(RLIMIT_CORE, &no_core);
	if (sane_stdfds() != 0)
		return EXIT_REFUSED;
	/* Whatever is asked, what is stale in XDG_RUNTIME_DIR goes. */
	identify_ssh(&ssh);
	sweep_runtime_dir(&ssh);
	if (argc != 2) {
		msg("usage: " PROG " PROMPT (run by ssh as SSH_ASKPASS; "
		    "see " PROG "(1))");
		return EXIT_REFUSED;
	}
	rc = answer(argv[1], &ssh, &t);
	explicit_bzero(&t, sizeof(t));
	return rc == 0 ? EXIT_ANSWERED : EXIT_REFUSED;
}
