/*
 * plugin.c - the entry points of libsasl_jwt.so, its options, and the
 * verification context every connection of the process shares.
 *
 * libsasl2 loads the plugin into every program that uses it, clients
 * included, so sasl_server_plug_init never fails because the plugin is
 * unconfigured or misconfigured: its mechanisms are then not offered
 * (mech_avail says SASL_NOMECH) and the reason is logged.  The options
 * come from the host's SASL configuration through getopt, read once at
 * init, together with the configuration file and any cached keys: a
 * chrooted host (Postfix smtpd) cannot reach them later.
 *
 * One context serves every connection and thread.  It is reference-
 * counted: at most every SJWT_RECHECK_MS, a verification that starts looks
 * at the configuration file and the key files its trusted sections read;
 * when one changed, the context is rebuilt outside the lock and swapped in
 * under a short mutex.  A verification holds a reference to the context it
 * started with, never the mutex.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sasl_jwt.h"

#ifndef JWTC_SYSCONFDIR
#define JWTC_SYSCONFDIR "/etc"
#endif

#define OPT_MAX 4096            /* bytes of one option value */
#define LOG_LINE_MAX 1200

/* Exported: the only two symbols of the module (sasl_jwt.sym). */
int sasl_server_plug_init(const sasl_utils_t *utils, int max_version,
    int *out_version, sasl_server_plug_t **pluglist, int *plugcount)
    __attribute__((visibility("default")));
int sasl_client_plug_init(const sasl_utils_t *utils, int max_version,
    int *out_version, sasl_client_plug_t **pluglist, int *plugcount)
    __attribute__((visibility("default")));

/* ---- logging --------------------------------------------------------------- */

/* Where the core's lines go while this thread serves a connection. */
static _Thread_local const sasl_utils_t *bound_utils;
static _Thread_local const char *bound_mech;

void
sjwt_log_bind(const sasl_utils_t *utils, const char *mech)
{
	bound_utils = utils;
	bound_mech = utils != NULL ? mech : NULL;
}

static void
vlog(const sasl_utils_t *utils, int level, const char *mech, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));

static void
vlog(const sasl_utils_t *utils, int level, const char *mech, const char *fmt,
    va_list ap)
{
	char line[LOG_LINE_MAX];

	if (utils == NULL || utils->log == NULL)
		return;
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	utils->log(utils->conn, level, "%s: %s", mech != NULL ? mech :
	    "sasl_jwt", line);
}

void
sjwt_log(const sasl_utils_t *utils, int level, const char *mech,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(utils, level, mech, fmt, ap);
	va_end(ap);
}

/* The core's priorities (syslog's) as SASL log levels.  The core logs a
 * refused token at NOTICE: that is a SASL_LOG_FAIL. */
static int
sasl_level(int priority)
{
	switch (priority) {
	case JWTC_LOG_ERR:
		return SASL_LOG_ERR;
	case JWTC_LOG_WARNING:
		return SASL_LOG_WARN;
	case JWTC_LOG_NOTICE:
		return SASL_LOG_FAIL;
	case JWTC_LOG_INFO:
		return SASL_LOG_NOTE;
	default:
		return priority < JWTC_LOG_ERR ? SASL_LOG_ERR : SASL_LOG_DEBUG;
	}
}

/* The core's log sink: the connection bound to this thread, else the
 * global utils of the plugin. */
static void
core_log(void *arg, int priority, const char *msg)
{
	const sjwt_glob *g = arg;
	const sasl_utils_t *u = bound_utils != NULL ? bound_utils : g->utils;

	sjwt_log(u, sasl_level(priority), bound_mech, "%s", msg);
}

/* ---- the shared context ---------------------------------------------------- */

static sjwt_shared *
shared_ref(sjwt_shared *s)
{
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void
sjwt_release(sjwt_shared *s)
{
	if (s == NULL)
		return;
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		jwtc_ctx_free(s->ctx);
		free(s);
	}
}

static jwtc_rc
oom(jwtc_error *err)
{
	err->rc = JWTC_ERR_NO_MEMORY;
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return JWTC_ERR_NO_MEMORY;
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
stamp(sjwt_watch *w)
{
	struct stat st;

	w->seen = stat(w->path, &st) == 0;
	if (!w->seen)
		return;
	w->dev = (uint64_t)st.st_dev;
	w->ino = (uint64_t)st.st_ino;
	w->size = (uint64_t)st.st_size;
	w->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec;
	w->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 +
	    st.st_ctim.tv_nsec;
}

/* A file that cannot be seen now (a chrooted host) counts as unchanged. */
static bool
watch_changed(const sjwt_watch *w)
{
	sjwt_watch now;

	memset(&now, 0, sizeof(now));
	now.path = w->path;
	stamp(&now);
	if (!now.seen)
		return false;
	return !w->seen || now.dev != w->dev || now.ino != w->ino ||
	    now.size != w->size || now.mtime_ns != w->mtime_ns ||
	    now.ctime_ns != w->ctime_ns;
}

static void
watch_free(sjwt_watch *w, size_t n)
{
	size_t i;

	for (i = 0; w != NULL && i < n; i++)
		free(w[i].path);
	free(w);
}

/* Append path (taken over) to the watch list, stamped now. */
static int
watch_add(sjwt_watch **w, size_t *n, char *path)
{
	sjwt_watch *nw;

	if (path == NULL)
		return -1;
	nw = realloc(*w, (*n + 1) * sizeof(**w));
	if (nw == NULL) {
		free(path);
		return -1;
	}
	*w = nw;
	memset(&nw[*n], 0, sizeof(nw[*n]));
	nw[*n].path = path;
	stamp(&nw[*n]);
	(*n)++;
	return 0;
}

/* The files a configuration reads, stamped before they are read so that a
 * change while they are read is noticed next time. */
static jwtc_rc
watch_files(const jwtc_config *cfg, const char *issuers, sjwt_watch **w,
    size_t *n, jwtc_error *err)
{
	char **files = NULL;
	size_t nf = 0, i;
	int r = 0;

	if (sjwt_config_files(cfg, issuers, &files, &nf) != 0)
		return oom(err);
	for (i = 0; i < nf; i++) {
		if (r == 0)
			r = watch_add(w, n, files[i]);
		else
			free(files[i]);
	}
	free(files);
	if (r != 0)
		return oom(err);
	return JWTC_OK;
}

/* Build a context from the options: *out is NULL on failure, and *w lists
 * the files to watch either way (at least the configuration file). */
static jwtc_rc
build(sjwt_glob *g, sjwt_shared **out, sjwt_watch **w, size_t *n,
    jwtc_error *err)
{
	jwtc_config *cfg = NULL;
	jwtc_ctx *ctx = NULL;
	jwtc_hooks hooks;
	sjwt_shared *s;
	char *path;
	jwtc_rc rc;

	*out = NULL;
	*w = NULL;
	*n = 0;
	path = strdup(g->config_path);
	if (watch_add(w, n, path) != 0)
		return oom(err);
	rc = jwtc_config_load(g->config_path, &cfg, err);
	if (rc != JWTC_OK)
		return rc;
	rc = watch_files(cfg, g->issuers, w, n, err);
	if (rc != JWTC_OK) {
		jwtc_config_free(cfg);
		return rc;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.log = core_log;
	hooks.log_arg = g;
	hooks.debug = g->debug;
	rc = jwtc_ctx_new(cfg, g->issuers, &hooks, &ctx, err);
	if (rc != JWTC_OK)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		jwtc_ctx_free(ctx);
		return oom(err);
	}
	s->refs = 1;
	s->ctx = ctx;
	*out = s;
	return JWTC_OK;
}

/* Build and install a context; the outcome is logged through utils (a
 * connection's, when a verification noticed the change). */
static void
install(sjwt_glob *g, bool reload, const sasl_utils_t *utils)
{
	sjwt_shared *s = NULL, *old;
	sjwt_watch *w = NULL, *oldw;
	size_t n = 0, oldn;
	char *why = NULL, *oldwhy;
	const sasl_utils_t *prev_utils = bound_utils;
	const char *prev_mech = bound_mech;
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	if (utils == NULL)
		utils = g->utils;
	sjwt_log_bind(utils, NULL);
	rc = build(g, &s, &w, &n, &err);
	sjwt_log_bind(prev_utils, prev_mech);
	if (rc != JWTC_OK) {
		why = strdup(err.msg);
		sjwt_log(utils, SASL_LOG_ERR, NULL, "OAUTHBEARER and XOAUTH2 "
		    "%s: %s", reload ? "no longer offered after a change" :
		    "not offered", err.msg);
	} else if (reload) {
		sjwt_log(utils, SASL_LOG_NOTE, NULL, "%s or its key files "
		    "changed: context rebuilt", g->config_path);
	}
	pthread_mutex_lock(&g->mu);
	old = g->cur;
	oldw = g->watch;
	oldn = g->n_watch;
	oldwhy = g->why;
	g->cur = s;
	g->watch = w;
	g->n_watch = n;
	g->why = why;
	g->why_level = SASL_LOG_ERR;
	g->why_logged = reload;
	g->checked_ms = monotonic_ms();
	g->checking = false;
	pthread_mutex_unlock(&g->mu);
	sjwt_release(old);
	watch_free(oldw, oldn);
	free(oldwhy);
}

sjwt_shared *
sjwt_acquire(sjwt_glob *g, const sasl_utils_t *utils)
{
	sjwt_shared *s;
	int64_t now = monotonic_ms();
	bool check = false, changed = false;
	size_t i;

	pthread_mutex_lock(&g->mu);
	if (g->configured && !g->checking &&
	    now - g->checked_ms >= SJWT_RECHECK_MS) {
		g->checking = true;
		check = true;
	}
	s = shared_ref(g->cur);
	pthread_mutex_unlock(&g->mu);
	if (!check)
		return s;
	/* only the checking thread uses the watch list */
	for (i = 0; i < g->n_watch && !changed; i++)
		changed = watch_changed(&g->watch[i]);
	if (!changed) {
		pthread_mutex_lock(&g->mu);
		g->checked_ms = now;
		g->checking = false;
		pthread_mutex_unlock(&g->mu);
		return s;
	}
	sjwt_release(s);
	install(g, true, utils);
	pthread_mutex_lock(&g->mu);
	s = shared_ref(g->cur);
	pthread_mutex_unlock(&g->mu);
	return s;
}

/* ---- options --------------------------------------------------------------- */

/* The option's value (copied), or NULL when it is not set; *bad when it
 * is set but unusable (too long, holds a NUL). */
static char *
get_option(const sasl_utils_t *u, const char *name, bool *bad)
{
	const char *v = NULL;
	unsigned len = 0;
	size_t n;
	char *copy;

	*bad = false;
	if (u->getopt == NULL ||
	    u->getopt(u->getopt_context, NULL, name, &v, &len) != SASL_OK ||
	    v == NULL)
		return NULL;
	n = len > 0 ? len : strnlen(v, OPT_MAX + 1);
	if (n > OPT_MAX || memchr(v, '\0', n) != NULL) {
		*bad = true;
		return NULL;
	}
	copy = malloc(n + 1);
	if (copy == NULL) {
		*bad = true;
		return NULL;
	}
	memcpy(copy, v, n);
	copy[n] = '\0';
	return copy;
}

/* Read the options; false with *why when they are not usable. */
static bool
read_options(sjwt_glob *g, char *why, size_t whylen)
{
	const sasl_utils_t *u = g->utils;
	char *v, *end;
	bool bad;
	long level;

	v = get_option(u, "jwt_config", &bad);
	if (bad) {
		snprintf(why, whylen, "jwt_config: unusable value");
		return false;
	}
	g->config_path = v != NULL ? v : strdup(JWTC_SYSCONFDIR
	    "/jwt-auth.conf");
	if (g->config_path == NULL || g->config_path[0] != '/') {
		snprintf(why, whylen, "jwt_config: not an absolute path");
		return false;
	}
	v = get_option(u, "jwt_authzid", &bad);
	if (bad || (v != NULL && strcmp(v, "equal") != 0 &&
	    strcmp(v, "proxy") != 0)) {
		snprintf(why, whylen, "jwt_authzid: \"equal\" or \"proxy\" "
		    "expected");
		free(v);
		return false;
	}
	g->authzid_mode = v != NULL && strcmp(v, "proxy") == 0 ?
	    SJWT_AUTHZID_PROXY : SJWT_AUTHZID_EQUAL;
	free(v);
	v = get_option(u, "log_level", &bad);
	if (v != NULL) {
		errno = 0;
		level = strtol(v, &end, 10);
		if (errno == 0 && end != v && *end == '\0' &&
		    level >= SASL_LOG_DEBUG)
			g->debug = 1;
		free(v);
	}
	g->issuers = get_option(u, "jwt_issuers", &bad);
	if (bad) {
		snprintf(why, whylen, "jwt_issuers: unusable value");
		return false;
	}
	return true;
}

/* ---- the server side ------------------------------------------------------- */

int
sjwt_server_avail(sjwt_glob *g, sasl_server_params_t *sp, const char *mech)
{
	sjwt_shared *s = sjwt_acquire(g, sp != NULL ? sp->utils : NULL);
	char why[JWTC_ERRMSG_MAX] = "";
	int level = SASL_LOG_DEBUG;

	if (s != NULL) {
		sjwt_release(s);
		return SASL_OK;
	}
	/* The reason was logged at init, but through libsasl2's global utils,
	 * which reach only syslog: once more through a connection, so the
	 * host's own log has it too. */
	pthread_mutex_lock(&g->mu);
	snprintf(why, sizeof(why), "%s", g->why != NULL ? g->why :
	    "not configured");
	if (!g->why_logged) {
		level = g->why_level;
		g->why_logged = true;
	}
	pthread_mutex_unlock(&g->mu);
	sjwt_log(sp != NULL ? sp->utils : g->utils, level, mech,
	    "not offered: %s", why);
	return SASL_NOMECH;
}

static void
glob_free(sjwt_glob *g)
{
	if (g == NULL)
		return;
	sjwt_release(g->cur);
	watch_free(g->watch, g->n_watch);
	free(g->why);
	free(g->config_path);
	free(g->issuers);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

void
sjwt_server_free(sjwt_glob *g)
{
	if (g != NULL && __atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL) == 0)
		glob_free(g);
}

/* Whether a list of names (spaces or commas) names at least one. */
static bool
names_something(const char *list)
{
	return list != NULL && list[strspn(list, " ,")] != '\0';
}

int
sasl_server_plug_init(const sasl_utils_t *utils, int max_version,
    int *out_version, sasl_server_plug_t **pluglist, int *plugcount)
{
	sjwt_glob *g;
	char why[300];
	size_t i;

	if (utils == NULL || out_version == NULL || pluglist == NULL ||
	    plugcount == NULL)
		return SASL_BADPARAM;
	if (max_version < SASL_SERVER_PLUG_VERSION) {
		sjwt_log(utils, SASL_LOG_ERR, NULL, "libsasl2 offers server "
		    "plugin version %d, %d needed", max_version,
		    SASL_SERVER_PLUG_VERSION);
		return SASL_BADVERS;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL || pthread_mutex_init(&g->mu, NULL) != 0) {
		free(g);
		return SASL_NOMEM;
	}
	g->utils = utils;
	g->refs = 2;
	oauthbearer_server_table(&g->plugs[0]);
	xoauth2_server_table(&g->plugs[1]);
	for (i = 0; i < 2; i++)
		g->plugs[i].glob_context = g;
	g->why_level = SASL_LOG_ERR;
	if (!read_options(g, why, sizeof(why))) {
		g->why = strdup(why);
		sjwt_log(utils, SASL_LOG_ERR, NULL, "OAUTHBEARER and XOAUTH2 "
		    "not offered: %s", why);
	} else if (!names_something(g->issuers)) {
		g->why = strdup("jwt_issuers is not set in this application's "
		    "SASL options");
		g->why_level = SASL_LOG_NOTE;
		sjwt_log(utils, SASL_LOG_NOTE, NULL, "OAUTHBEARER and XOAUTH2 "
		    "not offered: jwt_issuers is not set in this application's "
		    "SASL options");
	} else {
		g->configured = true;
		install(g, false, NULL);
	}
	*out_version = SASL_SERVER_PLUG_VERSION;
	*pluglist = g->plugs;
	*plugcount = 2;
	return SASL_OK;
}

/* ---- the client side ------------------------------------------------------- */

static pthread_once_t client_once = PTHREAD_ONCE_INIT;
static sasl_client_plug_t client_plugs[2];

static void
client_tables(void)
{
	oauthbearer_client_table(&client_plugs[0]);
	xoauth2_client_table(&client_plugs[1]);
}

int
sasl_client_plug_init(const sasl_utils_t *utils, int max_version,
    int *out_version, sasl_client_plug_t **pluglist, int *plugcount)
{
	if (utils == NULL || out_version == NULL || pluglist == NULL ||
	    plugcount == NULL)
		return SASL_BADPARAM;
	if (max_version < SASL_CLIENT_PLUG_VERSION) {
		sjwt_log(utils, SASL_LOG_ERR, NULL, "libsasl2 offers client "
		    "plugin version %d, %d needed", max_version,
		    SASL_CLIENT_PLUG_VERSION);
		return SASL_BADVERS;
	}
	if (pthread_once(&client_once, client_tables) != 0)
		return SASL_FAIL;
	*out_version = SASL_CLIENT_PLUG_VERSION;
	*pluglist = client_plugs;
	*plugcount = 2;
	return SASL_OK;
}
