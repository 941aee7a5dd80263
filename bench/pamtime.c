/*
 * pamtime.c - the wall time of pamtester runs, interleaved, for bench
 * pam-warm (bench/hosts.sh).
 *
 *   pamtime [-W] [-n RUNS] [-p PRELOAD] -d SERVICE_DIR -t PAMTESTER
 *           NAME:SERVICE:USER:INPUT...
 *
 * Each NAME is a variant: `PAMTESTER SERVICE USER authenticate` with
 * standard input from INPUT, run under pam_wrapper (LD_PRELOAD=PRELOAD,
 * PAM_WRAPPER=1, PAM_WRAPPER_SERVICE_DIR=SERVICE_DIR) in the environment
 * pamtime was given.  One untimed run of each comes first (-W: none);
 * then the variants take turns, one run each, the first of
 * a turn changing from turn to turn, RUNS turns; every run must succeed.
 * Prints one line per variant, `NAME WALL_US CPU_US`: the median time
 * between spawning pamtester and reaping it, and the median CPU time
 * (user and system) pamtester used, which other load on the machine
 * moves much less.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_VARIANTS 8
#define MAX_RUNS 100000
#define MAX_ENV 4096

typedef struct variant {
	char *name, *service, *user, *input;
	double *us;                 /* wall time, one figure per run */
	double *cpu;                /* CPU time, one figure per run */
} variant;

static void
die(const char *what)
{
	fprintf(stderr, "pamtime: %s\n", what);
	exit(2);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* NAME:SERVICE:USER:INPUT, split in place. */
static void
parse_variant(char *spec, variant *v)
{
	char *f[4];
	int i;

	for (i = 0; i < 4; i++) {
		f[i] = spec;
		spec = i < 3 ? strchr(spec, ':') : NULL;
		if (i < 3 && spec == NULL)
			die("a variant is NAME:SERVICE:USER:INPUT");
		if (spec != NULL)
			*spec++ = '\0';
	}
	v->name = f[0];
	v->service = f[1];
	v->user = f[2];
	v->input = f[3];
}

/* The environment of the children: ours without the variables set here,
 * then those. */
static char **
child_env(const char *preload, const char *svcdir)
{
	static char *env[MAX_ENV];
	static char pre[4096], dir[4096], wrap[] = "PAM_WRAPPER=1";
	size_t n = 0;
	char **e;

	for (e = environ; *e != NULL && n < MAX_ENV - 4; e++) {
		if (strncmp(*e, "LD_PRELOAD=", 11) == 0 ||
		    strncmp(*e, "PAM_WRAPPER=", 12) == 0 ||
		    strncmp(*e, "PAM_WRAPPER_SERVICE_DIR=", 24) == 0)
			continue;
		env[n++] = *e;
	}
	if (preload != NULL) {
		if ((size_t)snprintf(pre, sizeof(pre), "LD_PRELOAD=%s",
		    preload) >= sizeof(pre))
			die("preload path too long");
		env[n++] = pre;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "PAM_WRAPPER_SERVICE_DIR=%s",
	    svcdir) >= sizeof(dir))
		die("service directory path too long");
	env[n++] = dir;
	env[n++] = wrap;
	env[n] = NULL;
	return env;
}

/* One run of v; its wall time in microseconds, and its CPU time in *cpu. */
static double
run_one(const variant *v, char *pamtester, char **env, double *cpu)
{
	struct rusage ru;
	static char op[] = "authenticate";
	char *argv[] = { pamtester, v->service, v->user, op, NULL };
	posix_spawn_file_actions_t fa;
	double t0, t1;
	pid_t pid;
	int st, rc;

	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, v->input, O_RDONLY, 0) !=
	    0 || posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
	    O_WRONLY, 0) != 0 || posix_spawn_file_actions_addopen(&fa, 2,
	    "/dev/null", O_WRONLY, 0) != 0)
		die("posix_spawn_file_actions");
	t0 = now_us();
	rc = posix_spawn(&pid, pamtester, &fa, NULL, argv, env);
	if (rc != 0)
		die(strerror(rc));
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR)
			die("wait4");
	}
	t1 = now_us();
	posix_spawn_file_actions_destroy(&fa);
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "pamtime: %s: pamtester %s %s failed (status "
		    "%d)\n", v->name, v->service, v->user, st);
		exit(1);
	}
	return t1 - t0;
}

int
main(int argc, char **argv)
{
	const char *preload = NULL, *svcdir = NULL;
	char *pamtester = NULL;
	variant vs[MAX_VARIANTS];
	size_t nv = 0, i, k;
	long runs = 100, r;
	bool warmup = true;
	double spare;
	char *end;
	char **env;
	int c;

	for (;;) {
		c = getopt(argc, argv, "Wn:p:d:t:");
		if (c == -1)
			break;
		switch (c) {
		case 'W':
			warmup = false;
			break;
		case 'n':
			errno = 0;
			runs = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    runs < 1 || runs > MAX_RUNS)
				die("-n: a number of runs, 1 to 100000");
			break;
		case 'p':
			preload = optarg;
			break;
		case 'd':
			svcdir = optarg;
			break;
		case 't':
			pamtester = optarg;
			break;
		default:
			die("usage: pamtime [-W] [-n RUNS] [-p PRELOAD] -d DIR -t "
			    "PAMTESTER NAME:SERVICE:USER:INPUT...");
		}
	}
	if (svcdir == NULL || pamtester == NULL || optind >= argc ||
	    argc - optind > MAX_VARIANTS)
		die("usage: pamtime [-W] [-n RUNS] [-p PRELOAD] -d DIR -t PAMTESTER "
		    "NAME:SERVICE:USER:INPUT... (at most 8)");
	for (; optind < argc; optind++) {
		parse_variant(argv[optind], &vs[nv]);
		vs[nv].us = calloc((size_t)runs, sizeof(double));
		vs[nv].cpu = calloc((size_t)runs, sizeof(double));
		if (vs[nv].us == NULL || vs[nv].cpu == NULL)
			die("out of memory");
		nv++;
	}
	env = child_env(preload, svcdir);
	/* one untimed run of each: the page cache, the first exec */
	for (i = 0; warmup && i < nv; i++)
		(void)run_one(&vs[i], pamtester, env, &spare);
	for (r = 0; r < runs; r++) {
		for (k = 0; k < nv; k++) {
			i = (k + (size_t)r) % nv;
			vs[i].us[r] = run_one(&vs[i], pamtester, env,
			    &vs[i].cpu[r]);
		}
	}
	for (i = 0; i < nv; i++) {
		qsort(vs[i].us, (size_t)runs, sizeof(double), cmp_double);
		qsort(vs[i].cpu, (size_t)runs, sizeof(double), cmp_double);
		printf("%s %.0f %.0f\n", vs[i].name, vs[i].us[runs / 2],
		    vs[i].cpu[runs / 2]);
		free(vs[i].us);
		free(vs[i].cpu);
	}
	return 0;
}
