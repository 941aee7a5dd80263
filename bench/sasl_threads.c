/*
 * sasl_threads.c - OAUTHBEARER binds per second through the real libsasl2
 * and libsasl_jwt.so, client and server in one process, one thread per
 * core (bench sasl-threads, run by bench/hosts.sh).
 *
 *   sasl-threads PLUGIN_DIR [THREADS]
 *
 * The plugin is loaded from PLUGIN_DIR (SASL_CB_GETPATH), its options
 * come from SASL_CB_GETOPT: a configuration file with one issuer whose
 * ES256 key is in a local JWKS file.  A bind is what the server pays for
 * one: a server connection, the client's first message (the token) as
 * the initial response, the server's verdict, the connection disposed of.
 * The client's message is made once per thread, by the plugin's client
 * side through libsasl2 (whose sasl_client_new looks up the client's own
 * host name each time: the client machine's cost, not the server's).
 * Each thread binds with a token of its own user and checks the user the
 * server reports.
 *
 * Measured in turns, in this one process: the core's single-thread ES256
 * verification rate (jwtc_verify on the same kind of token and key, the
 * same section rules), then the threads' binds per second.  Prints
 *   bench sasl-threads BINDS_PER_S RATIO_TO_CORE
 * where RATIO_TO_CORE is binds per second over the core's rate times the
 * number of threads, both the median of the turns.  Standard error also
 * has both per CPU second of the process, which other load on the
 * machine does not move.  THREADS (default: the cores online) is for
 * profiling.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sasl/sasl.h>

#include "internal.h"
#include "mintlib.h"
#include "saslcb.h"

#define TURNS 3
#define CORE_SECONDS 0.3
#define BIND_SECONDS 1
#define MAX_THREADS 64
#define ISS "https://idp.bench"
#define AUD "mail"
#define APP "jwt-bench"
#define SERVICE "imap"
#define FQDN "mail.bench"
#define SRV_ADDR "127.0.0.1;143"
#define CLI_ADDR "127.0.0.1;40000"

static char confpath[512];
static char emptydir[512];

typedef struct worker {
	pthread_t th;
	char user[32];
	char *token;
	sasl_secret_t *secret;
	char *first;            /* the client's first message */
	unsigned firstlen;
	long ok, bad;
} worker;

static atomic_bool stop_flag;

static void
die(const char *what)
{
	fprintf(stderr, "sasl-threads: %s\n", what);
	exit(1);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds this process has used. */
static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ---- one bind -------------------------------------------------------------------- */

/* w's first OAUTHBEARER message, from the client plugin; whether made. */
static bool
client_first(worker *w)
{
	sasl_callback_t ccb[] = {
		{ SASL_CB_USER, SASLCB_PROC(saslcb_empty_user), NULL },
		{ SASL_CB_AUTHNAME, SASLCB_PROC(saslcb_empty_user), NULL },
		{ SASL_CB_PASS, SASLCB_PROC(saslcb_secret), &w->secret },
		{ SASL_CB_LIST_END, NULL, NULL }
	};
	sasl_conn_t *c = NULL;
	sasl_interact_t *prompts = NULL;
	const char *out = NULL, *chosen = NULL;
	unsigned outlen = 0;
	bool ok = false;
	int rc;

	if (sasl_client_new(SERVICE, FQDN, CLI_ADDR, SRV_ADDR, ccb, 0, &c) !=
	    SASL_OK)
		goto out;
	rc = sasl_client_start(c, "OAUTHBEARER", &prompts, &out, &outlen,
	    &chosen);
	if ((rc != SASL_OK && rc != SASL_CONTINUE) || out == NULL ||
	    outlen == 0)
		goto out;
	w->first = malloc(outlen);
	if (w->first == NULL)
		goto out;
	memcpy(w->first, out, outlen);
	w->firstlen = outlen;
	ok = true;
out:
	sasl_dispose(&c);
	return ok;
}

/* One bind on the server side; whether the server accepted w's user. */
static bool
bind_once(worker *w)
{
	sasl_conn_t *s = NULL;
	const char *sout = NULL;
	const void *user = NULL;
	unsigned soutlen = 0;
	bool ok = false;

	if (sasl_server_new(SERVICE, FQDN, NULL, SRV_ADDR, CLI_ADDR, NULL, 0,
	    &s) != SASL_OK)
		goto out;
	if (sasl_server_start(s, "OAUTHBEARER", w->first, w->firstlen, &sout,
	    &soutlen) != SASL_OK)
		goto out;
	ok = sasl_getprop(s, SASL_USERNAME, &user) == SASL_OK &&
	    user != NULL && strcmp(user, w->user) == 0;
out:
	sasl_dispose(&s);
	return ok;
}

static void *
work(void *arg)
{
	worker *w = arg;

	while (!atomic_load(&stop_flag)) {
		if (bind_once(w))
			w->ok++;
		else
			w->bad++;
	}
	return NULL;
}

/* Binds per second of n threads over about BIND_SECONDS seconds; *per_cpu
 * is binds per CPU second of the process. */
static double
threads_rate(worker *w, int n, double *per_cpu)
{
	struct timespec nap = { BIND_SECONDS, 0 };
	double t0, c0, dt, dc;
	long ok = 0;
	int i;

	atomic_store(&stop_flag, false);
	t0 = now_seconds();
	c0 = cpu_seconds();
	for (i = 0; i < n; i++) {
		w[i].ok = 0;
		if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0)
			die("pthread_create");
	}
	nanosleep(&nap, NULL);
	atomic_store(&stop_flag, true);
	for (i = 0; i < n; i++) {
		if (pthread_join(w[i].th, NULL) != 0)
			die("pthread_join");
		if (w[i].bad != 0) {
			fprintf(stderr, "sasl-threads: thread %d: %ld binds "
			    "refused\n", i, w[i].bad);
			exit(1);
		}
		ok += w[i].ok;
	}
	dt = now_seconds() - t0;
	dc = cpu_seconds() - c0;
	*per_cpu = dc > 0 ? (double)ok / dc : 0;
	return dt > 0 ? (double)ok / dt : 0;
}

/* ---- the core alone ---------------------------------------------------------------- */

/* Single-thread jwtc_verify rate of token over about CORE_SECONDS;
 * *per_cpu is verifies per CPU second. */
static double
core_rate(jwtc_ctx *ctx, const char *token, double *per_cpu)
{
	double t0 = now_seconds(), c0 = cpu_seconds(), dt;
	size_t len = strlen(token);
	long n = 0;

	do {
		jwtc_result *r = NULL;
		jwtc_error err;

		if (jwtc_verify(ctx, token, len, NULL, &r, &err) != JWTC_OK)
			die("the core refused the token");
		jwtc_result_free(r);
		n++;
		dt = now_seconds() - t0;
	} while (dt < CORE_SECONDS);
	*per_cpu = (double)n / (cpu_seconds() - c0);
	return (double)n / dt;
}

/* ---- setup ---------------------------------------------------------------------- */

static char *
token_for(EVP_PKEY *key, const char *user)
{
	char claims[512];
	long long t = (long long)time(NULL);

	(void)snprintf(claims, sizeof(claims), "{\"iss\":\"" ISS "\","
	    "\"sub\":\"%s\",\"aud\":\"" AUD "\",\"iat\":%lld,\"exp\":%lld,"
	    "\"jti\":\"bench-%s\"}", user, t, t + 86400, user);
	return mint_sign(key, "ES256", "{\"kid\":\"k1\",\"typ\":\"JWT\"}",
	    claims);
}

/* The JWKS and the configuration in dir; the configuration's text. */
static char *
write_files(const char *dir, EVP_PKEY *key)
{
	static char conf[1024];
	mint_jwks_entry e;
	char path[512], *jwks;

	memset(&e, 0, sizeof(e));
	e.key = key;
	e.opts.kid = "k1";
	jwks = mint_jwks(&e, 1);
	(void)snprintf(path, sizeof(path), "%s/bench.jwks", dir);
	if (jwks == NULL || mint_write_file(path, jwks, strlen(jwks),
	    0644) != 0)
		die("cannot write the JWKS");
	mint_free(jwks);
	(void)snprintf(conf, sizeof(conf), "[issuer bench]\nissuer = " ISS
	    "\naudience = " AUD "\nalgorithms = ES256\njwks_file = %s\n", path);
	(void)snprintf(confpath, sizeof(confpath), "%s/jwt-auth.conf", dir);
	if (mint_write_file(confpath, conf, strlen(conf), 0644) != 0)
		die("cannot write the configuration");
	(void)snprintf(emptydir, sizeof(emptydir), "%s/sasl2", dir);
	if (mkdir(emptydir, 0755) != 0)
		die("cannot make the SASL configuration directory");
	return conf;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/jwt-auth-bench-sasl.XXXXXX";
	double core[TURNS], binds[TURNS], core_cpu[TURNS], binds_cpu[TURNS];
	double ratio;
	worker w[MAX_THREADS];
	saslcb cbs;
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_error err;
	EVP_PKEY *key;
	char path[600], *conf;
	long cores;
	int n, i, t;

	if (argc != 2 && argc != 3)
		die("usage: sasl-threads PLUGIN_DIR [THREADS]");
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (argc == 3) {
		char *end;

		errno = 0;
		cores = strtol(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' || cores < 1 ||
		    cores > MAX_THREADS)
			die("THREADS: 1 to 64");
	}
	n = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	key = mint_key_gen("ec256");
	if (key == NULL)
		die("cannot make a key");
	conf = write_files(dir, key);
	if (jwtc_config_parse("bench.conf", conf, strlen(conf), &cfg,
	    &err) != JWTC_OK || jwtc_ctx_new(cfg, NULL, NULL, &ctx,
	    &err) != JWTC_OK)
		die(err.msg);
	memset(w, 0, sizeof(w));
	for (i = 0; i < n; i++) {
		size_t len;

		(void)snprintf(w[i].user, sizeof(w[i].user), "user%d", i);
		w[i].token = token_for(key, w[i].user);
		if (w[i].token == NULL)
			die("cannot sign");
		len = strlen(w[i].token);
		w[i].secret = malloc(sizeof(sasl_secret_t) + len);
		if (w[i].secret == NULL)
			die("out of memory");
		w[i].secret->len = (unsigned)len;
		memcpy(w[i].secret->data, w[i].token, len);
	}
	/* Warnings and errors only: a bench run logs nothing when all is
	 * well. */
	cbs = (saslcb){
		.config = confpath,
		.issuers = "bench",
		.plugdir = argv[1],
		.confdir = emptydir,
		.name = "sasl-threads",
		.echo_level = SASL_LOG_WARN,
	};
	saslcb_setup(&cbs);
	if (sasl_server_init(cbs.server, APP) != SASL_OK ||
	    sasl_client_init(cbs.client) != SASL_OK)
		die("cannot start libsasl2");
	for (i = 0; i < n; i++)
		if (!client_first(&w[i]))
			die("the client plugin made no first message (is it "
			    "in PLUGIN_DIR?)");
	if (!bind_once(&w[0]))
		die("a first bind failed (is the plugin in PLUGIN_DIR?)");
	for (t = 0; t < TURNS; t++) {
		core[t] = core_rate(ctx, w[0].token, &core_cpu[t]);
		binds[t] = threads_rate(w, n, &binds_cpu[t]);
	}
	qsort(core, TURNS, sizeof(double), cmp_double);
	qsort(binds, TURNS, sizeof(double), cmp_double);
	qsort(core_cpu, TURNS, sizeof(double), cmp_double);
	qsort(binds_cpu, TURNS, sizeof(double), cmp_double);
	ratio = binds[TURNS / 2] / (core[TURNS / 2] * n);
	/* per CPU second: what a bind costs next to a verification, whatever
	 * share of the cores other processes left us */
	fprintf(stderr, "sasl-threads: %d threads, %.0f binds/s; core "
	    "single-thread ES256 %.0f verifies/s; per CPU second %.0f binds, "
	    "%.0f verifies (%.3f)\n", n, binds[TURNS / 2], core[TURNS / 2],
	    binds_cpu[TURNS / 2], core_cpu[TURNS / 2],
	    binds_cpu[TURNS / 2] / core_cpu[TURNS / 2]);
	printf("bench sasl-threads %.0f %.3f\n", binds[TURNS / 2], ratio);
	(void)sasl_server_done();
	(void)sasl_client_done();
	jwtc_ctx_free(ctx);
	mint_key_free(key);
	for (i = 0; i < n; i++) {
		mint_free(w[i].token);
		free(w[i].secret);
		free(w[i].first);
	}
	(void)snprintf(path, sizeof(path), "%s/bench.jwks", dir);
	unlink(path);
	unlink(confpath);
	rmdir(emptydir);
	rmdir(dir);
	return 0;
}
