/*
 * ldap_binds.c - OAUTHBEARER binds against an LDAP server on 127.0.0.1,
 * and the growth of the server's resident memory (bench slapd-rss-growth,
 * run by bench/hosts.sh).
 *
 *   ldap-binds PLUGIN_DIR PORT TOKEN_FILE SERVER_PID [FIRST TOTAL]
 *
 * The client side of each bind is libsasl2 with libsasl_jwt.so from
 * PLUGIN_DIR (SASL_CB_GETPATH): its first message goes into an LDAP
 * BindRequest (SASL, mechanism OAUTHBEARER), written here in BER, and the
 * BindResponse must be success.  One thread per core, each with its own
 * connection, opened afresh every RECONNECT binds.  After FIRST binds
 * (default 1000) and after TOTAL (default 10000) it reads VmRSS of
 * SERVER_PID from /proc and prints
 *   bench slapd-rss-growth KIB
 * the difference, and on standard error both figures and the rate.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sasl/sasl.h>

#include "saslcb.h"

#define MAX_TOKEN 16384
#define MAX_MSG (MAX_TOKEN + 256)
#define MAX_THREADS 64
#define RECONNECT 100
#define LDAP_SUCCESS 0

static int port;
static sasl_secret_t *secret;
static atomic_long tickets;         /* binds left in this phase */
static atomic_int failed;

static void
die(const char *what)
{
	fprintf(stderr, "ldap-binds: %s\n", what);
	exit(1);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
parse_long(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die(what);
	return v;
}

/* ---- libsasl2 ---------------------------------------------------------------- */

/* Each connection's: no authorization identity, the token. */
static sasl_callback_t conn_cbs[] = {
	{ SASL_CB_USER, SASLCB_PROC(saslcb_empty_user), NULL },
	{ SASL_CB_AUTHNAME, SASLCB_PROC(saslcb_empty_user), NULL },
	{ SASL_CB_PASS, SASLCB_PROC(saslcb_secret), &secret },
	{ SASL_CB_LIST_END, NULL, NULL }
};

/* ---- BER, the little of it a bind needs ---------------------------------------- */

typedef struct buf {
	unsigned char b[MAX_MSG];
	size_t len;
} buf;

/* Append tag, the length of n bytes, and the n bytes. */
static void
ber_put(buf *o, unsigned char tag, const void *data, size_t n)
{
	unsigned char hdr[6];
	size_t h = 0;

	hdr[h++] = tag;
	if (n < 0x80) {
		hdr[h++] = (unsigned char)n;
	} else if (n < 0x100) {
		hdr[h++] = 0x81;
		hdr[h++] = (unsigned char)n;
	} else if (n < 0x10000) {
		hdr[h++] = 0x82;
		hdr[h++] = (unsigned char)(n >> 8);
		hdr[h++] = (unsigned char)n;
	} else {
		die("a BER element too long");
	}
	if (o->len + h + n > sizeof(o->b))
		die("a bind request too long");
	memcpy(o->b + o->len, hdr, h);
	memcpy(o->b + o->len + h, data, n);
	o->len += h + n;
}

/* LDAPMessage { messageID, BindRequest { 3, "", sasl { mech, creds } } } */
static void
bind_request(buf *msg, int id, const char *cred, unsigned credlen)
{
	static const char mech[] = "OAUTHBEARER";
	unsigned char v3 = 3, idb[4];
	buf sasl, req, body;

	sasl.len = req.len = body.len = msg->len = 0;
	ber_put(&sasl, 0x04, mech, sizeof(mech) - 1);
	ber_put(&sasl, 0x04, cred, credlen);
	ber_put(&req, 0x02, &v3, 1);
	ber_put(&req, 0x04, "", 0);
	ber_put(&req, 0xa3, sasl.b, sasl.len);
	idb[0] = (unsigned char)(id >> 24);
	idb[1] = (unsigned char)(id >> 16);
	idb[2] = (unsigned char)(id >> 8);
	idb[3] = (unsigned char)id;
	ber_put(&body, 0x02, idb, 4);
	ber_put(&body, 0x60, req.b, req.len);
	ber_put(msg, 0x30, body.b, body.len);
}

static int
read_full(int fd, unsigned char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One element's tag and length at p (n bytes); the header's size, or 0. */
static size_t
ber_head(const unsigned char *p, size_t n, unsigned char *tag, size_t *len)
{
	size_t i, k;

	if (n < 2)
		return 0;
	*tag = p[0];
	if (p[1] < 0x80) {
		*len = p[1];
		return 2;
	}
	k = p[1] & 0x7f;
	if (k == 0 || k > 3 || n < 2 + k)
		return 0;
	*len = 0;
	for (i = 0; i < k; i++)
		*len = (*len << 8) | p[2 + i];
	return 2 + k;
}

/* The resultCode of the BindResponse read from fd, or -1. */
static int
bind_response(int fd)
{
	unsigned char hdr[5], body[4096], tag;
	size_t len, h, off;

	if (read_full(fd, hdr, 2) != 0 || hdr[0] != 0x30)
		return -1;
	if (hdr[1] & 0x80) {
		if ((hdr[1] & 0x7f) == 0 || (hdr[1] & 0x7f) > 3 ||
		    read_full(fd, hdr + 2, hdr[1] & 0x7f) != 0)
			return -1;
	}
	if (ber_head(hdr, sizeof(hdr), &tag, &len) == 0 || len >
	    sizeof(body) || read_full(fd, body, len) != 0)
		return -1;
	/* messageID */
	h = ber_head(body, len, &tag, &off);
	if (h == 0 || tag != 0x02 || h + off > len)
		return -1;
	off += h;
	/* BindResponse, then its resultCode */
	h = ber_head(body + off, len - off, &tag, &len);
	if (h == 0 || tag != 0x61)
		return -1;
	off += h;
	if (off + 3 > sizeof(body) || body[off] != 0x0a || body[off + 1] != 1)
		return -1;
	return body[off + 2];
}

/* ---- binds ----------------------------------------------------------------------- */

static int
connect_server(void)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One bind on fd; whether it succeeded. */
static bool
bind_once(int fd, int id)
{
	sasl_conn_t *c = NULL;
	sasl_interact_t *prompts = NULL;
	const char *out = NULL, *chosen = NULL;
	unsigned outlen = 0;
	static _Thread_local buf msg;
	bool ok = false;
	int rc;

	if (sasl_client_new("ldap", "localhost", NULL, NULL, conn_cbs, 0,
	    &c) != SASL_OK)
		goto out;
	rc = sasl_client_start(c, "OAUTHBEARER", &prompts, &out, &outlen,
	    &chosen);
	if ((rc != SASL_OK && rc != SASL_CONTINUE) || out == NULL)
		goto out;
	bind_request(&msg, id, out, outlen);
	if (write(fd, msg.b, msg.len) != (ssize_t)msg.len)
		goto out;
	ok = bind_response(fd) == LDAP_SUCCESS;
out:
	sasl_dispose(&c);
	return ok;
}

static void *
work(void *arg)
{
	int fd = -1, id = 0, on_conn = 0;

	(void)arg;
	while (atomic_fetch_sub(&tickets, 1) > 0) {
		if (fd < 0 || on_conn >= RECONNECT) {
			if (fd >= 0)
				close(fd);
			fd = connect_server();
			on_conn = 0;
			if (fd < 0) {
				atomic_fetch_add(&failed, 1);
				break;
			}
		}
		if (!bind_once(fd, ++id)) {
			atomic_fetch_add(&failed, 1);
			break;
		}
		on_conn++;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void
phase(long binds, int nthreads)
{
	pthread_t th[MAX_THREADS];
	int i;

	atomic_store(&tickets, binds);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&th[i], NULL, work, NULL) != 0)
			die("pthread_create");
	}
	for (i = 0; i < nthreads; i++)
		(void)pthread_join(th[i], NULL);
	if (atomic_load(&failed) != 0)
		die("a bind failed");
}

/* VmRSS of pid in KiB. */
static long
rss_kib(long pid)
{
	char path[64], line[256], *end;
	long kib = -1;
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "re");
	if (f == NULL)
		die("cannot read the server's /proc status");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			errno = 0;
			kib = strtol(line + 6, &end, 10);
			if (errno != 0 || end == line + 6 ||
			    strncmp(end, " kB\n", 4) != 0)
				kib = -1;
			break;
		}
	}
	fclose(f);
	if (kib < 0)
		die("no VmRSS for the server");
	return kib;
}

static void
load_token(const char *path)
{
	char tok[MAX_TOKEN + 1];
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL)
		die("cannot open the token file");
	n = fread(tok, 1, sizeof(tok), f);
	fclose(f);
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
		n--;
	if (n == 0 || n > MAX_TOKEN)
		die("no token, or one too long");
	secret = malloc(sizeof(sasl_secret_t) + n);
	if (secret == NULL)
		die("out of memory");
	secret->len = (unsigned)n;
	memcpy(secret->data, tok, n);
}

int
main(int argc, char **argv)
{
	long pid, first = 1000, total = 10000, r1, r2, cores;
	double t1;
	saslcb cbs;
	int n;

	if (argc != 5 && argc != 7)
		die("usage: ldap-binds PLUGIN_DIR PORT TOKEN_FILE SERVER_PID "
		    "[FIRST TOTAL]");
	port = (int)parse_long(argv[2], 1, 65535, "PORT: 1 to 65535");
	load_token(argv[3]);
	pid = parse_long(argv[4], 1, 1L << 30, "SERVER_PID: a process id");
	if (argc == 7) {
		first = parse_long(argv[5], 1, 10000000, "FIRST: 1 to 10^7");
		total = parse_long(argv[6], first, 10000000,
		    "TOTAL: FIRST to 10^7");
	}
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	n = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
	/* The plugin from PLUGIN_DIR; warnings and errors on standard
	 * error. */
	cbs = (saslcb){
		.plugdir = argv[1],
		.name = "ldap-binds",
		.echo_level = SASL_LOG_WARN,
	};
	saslcb_setup(&cbs);
	if (sasl_client_init(cbs.client) != SASL_OK)
		die("cannot start libsasl2");
	phase(first, n);
	r1 = rss_kib(pid);
	t1 = now_seconds();
	phase(total - first, n);
	r2 = rss_kib(pid);
	fprintf(stderr, "ldap-binds: %d connections at a time; VmRSS %ld KiB "
	    "after %ld binds, %ld KiB after %ld; %.0f binds/s\n", n, r1, first,
	    r2, total, (double)(total - first) / (now_seconds() - t1));
	printf("bench slapd-rss-growth %ld\n", r2 - r1);
	(void)sasl_client_done();
	free(secret);
	return 0;
}
