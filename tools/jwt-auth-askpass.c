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
 * output of the command JWT_AUTH_TOKEN_CMD.  The command runs once, at the
 * first prompt; when the token needs more than one part, it is kept (mode
 * 0600) in $XDG_RUNTIME_DIR under a name made of the pid of the ssh
 * process until its last part has been printed.
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

/* A kept token older than this is stale, whoever its ssh process. */
#define KEPT_MAX_AGE 600
#define KEPT_PREFIX PROG "."
#define KEPT_SUFFIX ".token"
/* "jwt-auth-askpass." + a pid of at most 10 digits + ".token" + NUL */
#define KEPT_NAME_MAX (sizeof(KEPT_PREFIX) + 10 + sizeof(KEPT_SUFFIX))

#define PROMPT_FIRST "Token: "
#define PROMPT_PART_HEAD "Token (part "
#define PROMPT_PART_TAIL "): "

#define ENV_FILE "JWT_AUTH_TOKEN_FILE"
#define ENV_CMD "JWT_AUTH_TOKEN_CMD"

struct token {
	char buf[TOKEN_READ_MAX];
	size_t len;
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

/* Run CMD with /bin/sh -c and read the token from its standard output. */
static int
run_token_cmd(const char *cmd, struct token *t)
{
	int fds[2] = { -1, -1 };
	int null_fd = -1, status = 0, rc = -1, read_ok;
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
	read_ok = read_token_fd(fds[0], t) == 0;
	if (!read_ok)
		msg("%s: cannot read its output: %s", ENV_CMD, strerror(errno));
	close(fds[0]);
	fds[0] = -1;
	/* Output beyond the limit is not waited for. */
	if (!read_ok || t->len > TOKEN_MAX + 1)
		(void)kill(pid, SIGKILL);
	if (wait_child(pid, &status) != 0) {
		msg("%s: %s", ENV_CMD, strerror(errno));
		goto out;
	}
	if (!read_ok)
		goto out;
	if (t->len > TOKEN_MAX + 1) {
		msg("%s: printed more than %d bytes", ENV_CMD, TOKEN_MAX);
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

/* ---- the kept token ---------------------------------------------------------- */

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

static void
kept_name(char *name, size_t size, pid_t pid)
{
	snprintf(name, size, KEPT_PREFIX "%ld" KEPT_SUFFIX, (long)pid);
}

/* The pid in a kept token's name, or -1 for any other name. */
static pid_t
kept_pid(const char *name)
{
	const size_t n_prefix = sizeof(KEPT_PREFIX) - 1;
	const size_t n_suffix = sizeof(KEPT_SUFFIX) - 1;
	size_t len, i;
	long pid = 0;

	len = strlen(name);
	if (len <= n_prefix + n_suffix || len > n_prefix + 10 + n_suffix ||
	    memcmp(name, KEPT_PREFIX, n_prefix) != 0 ||
	    !ends_with(name, len, KEPT_SUFFIX, n_suffix) ||
	    name[n_prefix] == '0')
		return -1;
	for (i = n_prefix; i < len - n_suffix; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + (name[i] - '0');
		if (pid > 0x7fffffffL)
			return -1;
	}
	return (pid_t)pid;
}

static int
too_old(const struct stat *st)
{
	time_t now = time(NULL);

	return now - st->st_mtime > KEPT_MAX_AGE;
}

/*
 * Remove the kept tokens of ssh processes that are gone, and any older
 * than KEPT_MAX_AGE: left by connections that ended before their last
 * part.  SELF (this ssh process) is left to the caller.
 */
static void
sweep_stale(int dir_fd, pid_t self)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	pid_t pid;
	int fd;

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
		pid = kept_pid(de->d_name);
		if (pid <= 0 || pid == self)
			continue;
		if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != getuid())
			continue;
		if ((kill(pid, 0) != 0 && errno == ESRCH) || too_old(&st))
			(void)unlinkat(dir_fd, de->d_name, 0);
	}
	closedir(d);
}

/* Keep T in DIR_FD/NAME, a new file of mode 0600. */
static int
keep_token(int dir_fd, const char *name, const struct token *t)
{
	int fd;

	fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		msg("cannot create %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, t->buf, t->len) != 0) {
		msg("cannot write %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		close(fd);
		(void)unlinkat(dir_fd, name, 0);
		return -1;
	}
	if (close(fd) != 0) {
		msg("cannot write %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		(void)unlinkat(dir_fd, name, 0);
		return -1;
	}
	return 0;
}

/* Read the token kept in DIR_FD/NAME: a regular file of the user, mode
 * 0600 or stricter, written less than KEPT_MAX_AGE seconds ago. */
static int
load_kept(int dir_fd, const char *name, struct token *t)
{
	struct stat st;
	int fd, rc = -1;

	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			msg("no token is kept for this ssh process: the server "
			    "asked for a later part before the first");
		else
			msg("cannot open %s in XDG_RUNTIME_DIR: %s", name,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		msg("%s in XDG_RUNTIME_DIR: not a file of yours with mode 0600",
		    name);
		goto out;
	}
	if (too_old(&st)) {
		msg("%s in XDG_RUNTIME_DIR: older than %d seconds", name,
		    KEPT_MAX_AGE);
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

/*
 * The first prompt with JWT_AUTH_TOKEN_CMD: run the command; keep a token
 * of more than one part for the prompts that follow.  A token kept for
 * this ssh process by an earlier attempt is replaced.
 */
static int
answer_first_from_cmd(const char *cmd, pid_t ssh_pid, struct token *t)
{
	char name[KEPT_NAME_MAX];
	int dir_fd, multi, rc = -1;

	if (run_token_cmd(cmd, t) != 0 || check_parts(t) != 0)
		return -1;
	multi = count_parts(t->len) > 1;
	dir_fd = open_runtime_dir(!multi);
	if (dir_fd < 0) {
		if (!multi)
			return print_part(t, 1);
		msg("a token of %zu bytes is sent in parts and %s runs once: "
		    "it needs XDG_RUNTIME_DIR to keep the token, or use %s",
		    t->len, ENV_CMD, ENV_FILE);
		return -1;
	}
	kept_name(name, sizeof(name), ssh_pid);
	sweep_stale(dir_fd, ssh_pid);
	if (unlinkat(dir_fd, name, 0) != 0 && errno != ENOENT) {
		msg("cannot remove %s in XDG_RUNTIME_DIR: %s", name,
		    strerror(errno));
		goto out;
	}
	if (multi && keep_token(dir_fd, name, t) != 0)
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
answer_later_from_cmd(pid_t ssh_pid, int part, struct token *t)
{
	char name[KEPT_NAME_MAX];
	int dir_fd, rc = -1;

	dir_fd = open_runtime_dir(0);
	if (dir_fd < 0) {
		msg("without XDG_RUNTIME_DIR there is no kept token for part %d",
		    part);
		return -1;
	}
	kept_name(name, sizeof(name), ssh_pid);
	if (load_kept(dir_fd, name, t) != 0 || check_parts(t) != 0)
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
answer(const char *prompt, struct token *t)
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
			return answer_first_from_cmd(cmd, getppid(), t);
		return answer_later_from_cmd(getppid(), part, t);
	}
	msg("neither %s nor %s is set", ENV_FILE, ENV_CMD);
	return -1;
}

int
main(int argc, char **argv)
{
	static struct token t;
	struct rlimit no_core = { 0, 0 };
	int rc;

	/* No core file may hold the token. */
	(void)setrlimit(RLIMIT_CORE, &no_core);
	if (sane_stdfds() != 0)
		return EXIT_REFUSED;
	if (argc != 2) {
		msg("usage: " PROG " PROMPT (run by ssh as SSH_ASKPASS; "
		    "see " PROG "(1))");
		return EXIT_REFUSED;
	}
	rc = answer(argv[1], &t);
	explicit_bzero(&t, sizeof(t));
	return rc == 0 ? EXIT_ANSWERED : EXIT_REFUSED;
}
