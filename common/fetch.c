/*
 * fetch.c - HTTPS GET of discovery documents and JWKS, and the checks of a
 * discovery document.
 *
 * libcurl is not linked: it is loaded with dlopen the first time a fetch
 * is due, so a login whose keys are cached never maps it (it pulls in some
 * thirty libraries).  Every request is HTTPS with the peer and its name
 * verified, uses no proxy from the environment, follows redirects only
 * within the same origin, and is bounded in time, body size and header
 * size.
 *
 * libcurl reads parts of the environment that no option turns off
 * (SSLKEYLOGFILE among them), so a process running with AT_SECURE must not
 * fetch in-process unless its environment was cleared: see
 * jwtc_fetch_allowed.
 */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>
#include <time.h>

#include <curl/curl.h>

#include "internal.h"

#define CURL_SONAME "libcurl.so.4"
#define CURL_MIN_VERSION 0x075500        /* 7.85.0: CURLOPT_PROTOCOLS_STR */
#define CURL_MIN_VERSION_STR "7.85.0"

#define MAX_URL_LEN 2048
#define MAX_REDIRECTS 3
#define MAX_HEADER_BYTES (64 * 1024)     /* response headers of one request */
#define MAX_HEADER_LINE 8192             /* longer lines are not parsed */
#define MAX_VALIDATOR_LEN 256            /* ETag, Last-Modified */
#define MAX_BODY_LIMIT (64 * 1024 * 1024) /* largest max_body accepted */
#define MAX_AGE_CAP 2147483647L
#define HOST_LABEL_MAX 128
#define USER_AGENT "jwt-auth/" PACKAGE_VERSION

/* ---- loading libcurl ----------------------------------------------------- */

/* The libcurl functions used here, filled once by load_curl(). */
struct curl_api {
	curl_version_info_data *(*version_info)(CURLversion);
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	void (*url_cleanup)(CURLU *);
	void (*free)(void *);
};

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "dlsym results must fit a function pointer");

/* Written only inside pthread_once, read-only afterwards. */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static struct curl_api api;
static bool load_ok;
static char load_error[256];

/* Look up name in lib and store it in the function pointer at fnp. */
static bool
load_sym(void *lib, const char *name, void *fnp, size_t fnsize)
{
	void *sym;

	(void)dlerror();
	sym = dlsym(lib, name);
	if (sym == NULL || fnsize != sizeof(sym)) {
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be loaded: %s has no %s", CURL_SONAME,
		    name);
		return false;
	}
	memcpy(fnp, &sym, fnsize);
	return true;
}

#define LOAD(lib, field, name) \
	load_sym((lib), (name), &api.field, sizeof(api.field))

static bool
load_symbols(void *lib)
{
	return LOAD(lib, version_info, "curl_version_info") &&
	    LOAD(lib, global_init, "curl_global_init") &&
	    LOAD(lib, easy_init, "curl_easy_init") &&
	    LOAD(lib, easy_setopt, "curl_easy_setopt") &&
	    LOAD(lib, easy_perform, "curl_easy_perform") &&
	    LOAD(lib, easy_getinfo, "curl_easy_getinfo") &&
	    LOAD(lib, easy_cleanup, "curl_easy_cleanup") &&
	    LOAD(lib, easy_strerror, "curl_easy_strerror") &&
	    LOAD(lib, slist_append, "curl_slist_append") &&
	    LOAD(lib, slist_free_all, "curl_slist_free_all") &&
	    LOAD(lib, url, "curl_url") &&
	    LOAD(lib, url_set, "curl_url_set") &&
	    LOAD(lib, url_get, "curl_url_get") &&
	    LOAD(lib, url_cleanup, "curl_url_cleanup") &&
	    LOAD(lib, free, "curl_free");
}

/* The version and features this file relies on. */
static bool
check_version(void)
{
	const curl_version_info_data *v = api.version_info(CURLVERSION_NOW);

	if (v == NULL) {
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be loaded: %s gives no version",
		    CURL_SONAME);
		return false;
	}
	if (v->version_num < CURL_MIN_VERSION) {
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be used: %s is version %s, older than %s",
		    CURL_SONAME, v->version != NULL ? v->version : "?",
		    CURL_MIN_VERSION_STR);
		return false;
	}
	if ((v->features & CURL_VERSION_SSL) == 0) {
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be used: %s has no TLS support",
		    CURL_SONAME);
		return false;
	}
	/* With CURLOPT_NOSIGNAL, a libcurl that resolves names
	 * synchronously would not bound the time of a lookup. */
	if ((v->features & CURL_VERSION_ASYNCHDNS) == 0) {
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be used: %s resolves names synchronously, "
		    "so http_timeout could not bound a lookup", CURL_SONAME);
		return false;
	}
	return true;
}

/* Run once per process.  curl_global_cleanup is never called: other code
 * in the host process may use libcurl too. */
static void
load_curl(void)
{
	void *lib;
	const char *e;

	(void)dlerror();
	lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		e = dlerror();
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be loaded: %s",
		    e != NULL ? e : CURL_SONAME);
		return;
	}
	if (!load_symbols(lib) || !check_version()) {
		(void)dlclose(lib);
		memset(&api, 0, sizeof(api));
		return;
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		/* lib stays loaded: its initialisation may have begun */
		snprintf(load_error, sizeof(load_error),
		    "libcurl cannot be loaded: curl_global_init failed");
		return;
	}
	load_ok = true;
}

static jwtc_rc
curl_ready(jwtc_error *err)
{
	if (pthread_once(&load_once, load_curl) != 0)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "libcurl cannot be loaded: pthread_once failed");
	if (!load_ok)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL, "%s", load_error);
	return JWTC_OK;
}

/* ---- small helpers ----------------------------------------------------------- */

int64_t
jwtc_monotonic_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

bool
jwtc_fetch_allowed(bool at_secure, bool env_cleared)
{
	return !at_secure || env_cleared;
}

bool
jwtc_at_secure(void)
{
	return getauxval(AT_SECURE) != 0;
}

/* Whether the n bytes at s are name, ASCII case ignored. */
static bool
name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/*
 * Check a URL before anything is done with it: at most MAX_URL_LEN bytes
 * of printable ASCII without spaces, the https scheme, a host, and no user
 * credentials.  On failure *why says what is wrong.
 */
static bool
url_acceptable(const char *url, const char **why)
{
	size_t len, alen, i;
	const char *auth;

	len = strnlen(url, MAX_URL_LEN + 1);
	if (len > MAX_URL_LEN) {
		*why = "URL is longer than 2048 bytes";
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c >= 0x7f) {
			*why = "URL holds spaces, control or non-ASCII "
			    "characters";
			return false;
		}
	}
	if (strncasecmp(url, "https://", 8) != 0) {
		*why = "URL is not https";
		return false;
	}
	auth = url + 8;
	alen = strcspn(auth, "/?#");
	if (memchr(auth, '@', alen) != NULL) {
		*why = "URL holds user credentials";
		return false;
	}
	if (alen == 0 || auth[0] == ':') {
		*why = "URL has no host";
		return false;
	}
	return true;
}

/* The host (and port) of url for messages: never the path or query, never
 * user credentials. */
static void
host_label(const char *url, char *buf, size_t buflen)
{
	char tmp[HOST_LABEL_MAX + 1];
	const char *auth, *at, *p;
	size_t alen;

	auth = strstr(url, "://");
	auth = auth != NULL ? auth + 3 : url;
	alen = strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < auth + alen; p++) {
		if (*p == '@')
			at = p;
	}
	if (at != NULL) {
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	if (alen > HOST_LABEL_MAX)
		alen = HOST_LABEL_MAX;
	memcpy(tmp, auth, alen);
	tmp[alen] = '\0';
	jwtc_sanitize(buf, buflen, alen > 0 ? tmp : "(no host)",
	    HOST_LABEL_MAX);
}

/*
 * "scheme://host:port" of url with the host in lower case and the port
 * made explicit, in buf.  Returns 0, -1 when url cannot be parsed, -2 when
 * out of memory.
 */
static int
origin_of(const char *url, char *buf, size_t buflen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL;
	int ret = -1;
	int n;
	size_t i;

	u = api.url();
	if (u == NULL)
		return -2;
	if (api.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (api.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    api.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    api.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	for (i = 0; scheme[i] != '\0'; i++)
		scheme[i] = (char)tolower((unsigned char)scheme[i]);
	for (i = 0; host[i] != '\0'; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	n = snprintf(buf, buflen, "%s://%s:%s", scheme, host, port);
	if (n < 0 || (size_t)n >= buflen)
		goto out;
	ret = 0;
 out:
	api.free(scheme);
	api.free(host);
	api.free(port);
	api.url_cleanup(u);
	return ret;
}

/* ---- one transfer ------------------------------------------------------------ */

struct xfer {
	CURL *easy;
	size_t max;              /* body bound */
	/* body of a 200 response */
	char *body;
	size_t len, cap;
	size_t discarded;        /* body bytes of other responses */
	bool too_big;
	bool no_memory;
	/* headers of the current response */
	size_t header_bytes;
	bool headers_too_big;
	char *etag;
	char *last_modified;
	long cc_max_age;         /* smallest max-age seen, -1 none */
	bool cc_no_cache;        /* no-store or no-cache seen */
	char errbuf[CURL_ERROR_SIZE];
};

/* Forget the headers captured so far (a new response begins). */
static void
xfer_reset_headers(struct xfer *x)
{
	free(x->etag);
	free(x->last_modified);
	x->etag = NULL;
	x->last_modified = NULL;
	x->cc_max_age = -1;
	x->cc_no_cache = false;
}

/* Prepare for the next request of the same transfer. */
static void
xfer_reset(struct xfer *x)
{
	xfer_reset_headers(x);
	free(x->body);
	x->body = NULL;
	x->len = 0;
	x->cap = 0;
	x->discarded = 0;
	x->too_big = false;
	x->header_bytes = 0;
	x->headers_too_big = false;
	x->errbuf[0] = '\0';
}

static void
xfer_clear(struct xfer *x)
{
	xfer_reset(x);
	if (x->easy != NULL)
		api.easy_cleanup(x->easy);
	x->easy = NULL;
}

/* Append n bytes to the body, within x->max. */
static bool
body_append(struct xfer *x, const char *p, size_t n)
{
	size_t need, cap;
	char *grown;

	if (n > x->max - x->len) {
		x->too_big = true;
		return false;
	}
	need = x->len + n + 1;            /* at most max + 1 */
	if (need > x->cap) {
		cap = x->cap > 0 ? x->cap : 4096;
		while (cap < need)
			cap *= 2;
		if (cap > x->max + 1)
			cap = x->max + 1;
		grown = realloc(x->body, cap);
		if (grown == NULL) {
			x->no_memory = true;
			return false;
		}
		x->body = grown;
		x->cap = cap;
	}
	memcpy(x->body + x->len, p, n);
	x->len += n;
	x->body[x->len] = '\0';
	return true;
}

/* CURLOPT_WRITEFUNCTION: keep the body of a 200 response; count and drop
 * any other.  Returning less than given fails the transfer. */
static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	long code = 0;
	size_t n;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return 0;
	n = size * nmemb;
	if (api.easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK)
		return 0;
	if (code != 200) {
		if (n > x->max - x->discarded) {
			x->too_big = true;
			return 0;
		}
		x->discarded += n;
		return n;
	}
	return body_append(x, ptr, n) ? n : 0;
}

/* Store a validator value, or drop it when it is empty, too long or holds
 * characters that could not be sent back in a request header. */
static bool
set_validator(char **dst, const char *v, size_t len)
{
	size_t i;
	char *copy;

	free(*dst);
	*dst = NULL;
	if (len == 0 || len > MAX_VALIDATOR_LEN)
		return true;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c >= 0x7f)
			return true;
	}
	copy = jwtc_strndup(v, len);
	if (copy == NULL)
		return false;
	*dst = copy;
	return true;
}

/* A delta-seconds value (RFC 9111 1.2.2), quoted form tolerated.  Values
 * past MAX_AGE_CAP are capped; an invalid value counts as 0 (stale). */
static long
delta_seconds(const char *s, size_t len)
{
	char num[24], *end;
	long v;
	size_t i;

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	if (len >= sizeof(num))
		return MAX_AGE_CAP;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	v = strtol(num, &end, 10);
	if (end != num + len || v < 0)
		return 0;
	if (errno == ERANGE || v > MAX_AGE_CAP)
		return MAX_AGE_CAP;
	return v;
}

/* One Cache-Control directive (whitespace already trimmed). */
static void
cache_directive(struct xfer *x, const char *d, size_t len)
{
	const char *eq = memchr(d, '=', len);
	size_t nlen = eq != NULL ? (size_t)(eq - d) : len;
	long v;

	if (name_is(d, nlen, "no-store") || name_is(d, nlen, "no-cache")) {
		x->cc_no_cache = true;
		return;
	}
	if (!name_is(d, nlen, "max-age"))
		return;
	v = eq != NULL ? delta_seconds(eq + 1, len - nlen - 1) : 0;
	if (x->cc_max_age < 0 || v < x->cc_max_age)
		x->cc_max_age = v;
}

/* A Cache-Control value: directives separated by commas. */
static void
cache_control(struct xfer *x, const char *v, size_t len)
{
	size_t i = 0, start, end;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end > start)
			cache_directive(x, v + start, end - start);
	}
}

/* CURLOPT_HEADERFUNCTION: bound the headers, capture the validators and
 * Cache-Control of the last response. */
static size_t
header_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	const char *colon, *v, *end;
	size_t n, nlen;
	bool ok = true;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return 0;
	n = size * nmemb;
	if (n > MAX_HEADER_BYTES - x->header_bytes) {
		x->headers_too_big = true;
		return 0;
	}
	x->header_bytes += n;
	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		xfer_reset_headers(x);   /* interim or new response */
		return n;
	}
	if (n > MAX_HEADER_LINE)
		return n;
	colon = memchr(ptr, ':', n);
	if (colon == NULL)
		return n;
	nlen = (size_t)(colon - ptr);
	v = colon + 1;
	end = ptr + n;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	if (name_is(ptr, nlen, "etag"))
		ok = set_validator(&x->etag, v, (size_t)(end - v));
	else if (name_is(ptr, nlen, "last-modified"))
		ok = set_validator(&x->last_modified, v, (size_t)(end - v));
	else if (name_is(ptr, nlen, "cache-control"))
		cache_control(x, v, (size_t)(end - v));
	if (!ok) {
		x->no_memory = true;
		return 0;
	}
	return n;
}

/* ---- requests ---------------------------------------------------------------- */

/* Whether a validator from the caller can be sent as a header value. */
static bool
validator_ok(const char *v)
{
	size_t len = strnlen(v, MAX_VALIDATOR_LEN + 1), i;

	if (len == 0 || len > MAX_VALIDATOR_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

/* Append "name: value" to *list.  False when out of memory. */
static bool
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[MAX_VALIDATOR_LEN + 64];
	struct curl_slist *next;
	int n;

	n = snprintf(line, sizeof(line), "%s: %s", name, value);
	if (n < 0 || (size_t)n >= sizeof(line))
		return false;
	next = api.slist_append(*list, line);
	if (next == NULL)
		return false;
	*list = next;
	return true;
}

/*
 * The request headers.  Validators that could not be sent safely are left
 * out; *conditional says whether any was sent.  NULL when out of memory.
 */
static struct curl_slist *
request_headers(const jwtc_http_opts *opts, bool *conditional)
{
	struct curl_slist *list = NULL;
	bool cond = false;

	if (!add_header(&list, "Accept", "application/json"))
		goto fail;
	if (opts->etag != NULL && validator_ok(opts->etag)) {
		if (!add_header(&list, "If-None-Match", opts->etag))
			goto fail;
		cond = true;
	}
	if (opts->last_modified != NULL && validator_ok(opts->last_modified)) {
		if (!add_header(&list, "If-Modified-Since", opts->last_modified))
			goto fail;
		cond = true;
	}
	*conditional = cond;
	return list;
 fail:
	if (list != NULL)
		api.slist_free_all(list);
	return NULL;
}

static bool
opt_long(CURL *e, CURLoption o, long v)
{
	return api.easy_setopt(e, o, v) == CURLE_OK;
}

static bool
opt_str(CURL *e, CURLoption o, const char *v)
{
	return api.easy_setopt(e, o, v) == CURLE_OK;
}

static bool
opt_ptr(CURL *e, CURLoption o, void *v)
{
	return api.easy_setopt(e, o, v) == CURLE_OK;
}

static bool
opt_off(CURL *e, CURLoption o, curl_off_t v)
{
	return api.easy_setopt(e, o, v) == CURLE_OK;
}

static bool
opt_fn(CURL *e, CURLoption o, curl_write_callback fn)
{
	return api.easy_setopt(e, o, fn) == CURLE_OK;
}

/* Trust: ca_file alone when set (the default CA directory is turned off
 * too), else libcurl's default store. */
static bool
set_trust(CURL *e, const char *ca_file)
{
	if (ca_file == NULL)
		return true;
	return opt_str(e, CURLOPT_CAINFO, ca_file) &&
	    opt_str(e, CURLOPT_CAPATH, NULL);
}

/*
 * The proxy is the configured one or none.  Setting CURLOPT_PROXY (to ""
 * for none) keeps libcurl from reading http_proxy, https_proxy and
 * ALL_PROXY; setting CURLOPT_NOPROXY to "" keeps it from reading no_proxy
 * and NO_PROXY, which could otherwise bypass a configured proxy.
 */
static bool
set_proxy(CURL *e, const char *proxy)
{
	if (!opt_str(e, CURLOPT_NOPROXY, ""))
		return false;
	if (proxy == NULL)
		return opt_str(e, CURLOPT_PROXY, "");
	return opt_str(e, CURLOPT_PROXY, proxy) &&
	    opt_long(e, CURLOPT_HTTPPROXYTUNNEL, 1L);
}

/* The options every request of a transfer shares. */
static bool
setup_handle(struct xfer *x, const jwtc_http_opts *opts,
    struct curl_slist *hdrs)
{
	CURL *e = x->easy;

	return opt_ptr(e, CURLOPT_ERRORBUFFER, x->errbuf) &&
	    opt_long(e, CURLOPT_NOSIGNAL, 1L) &&
	    opt_str(e, CURLOPT_PROTOCOLS_STR, "https") &&
	    opt_str(e, CURLOPT_REDIR_PROTOCOLS_STR, "https") &&
	    opt_long(e, CURLOPT_FOLLOWLOCATION, 0L) &&
	    opt_long(e, CURLOPT_HTTPGET, 1L) &&
	    opt_long(e, CURLOPT_SSL_VERIFYPEER, 1L) &&
	    opt_long(e, CURLOPT_SSL_VERIFYHOST, 2L) &&
	    opt_long(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) &&
	    set_trust(e, opts->ca_file) &&
	    set_proxy(e, opts->proxy) &&
	    opt_long(e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) &&
	    opt_str(e, CURLOPT_USERAGENT, USER_AGENT) &&
	    opt_ptr(e, CURLOPT_HTTPHEADER, hdrs) &&
	    opt_off(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opts->max_body) &&
	    opt_fn(e, CURLOPT_WRITEFUNCTION, write_cb) &&
	    opt_ptr(e, CURLOPT_WRITEDATA, x) &&
	    opt_fn(e, CURLOPT_HEADERFUNCTION, header_cb) &&
	    opt_ptr(e, CURLOPT_HEADERDATA, x);
}

/* curl's reason for a failed transfer, with its error buffer. */
static void
curl_reason(const struct xfer *x, CURLcode cc, char *buf, size_t buflen)
{
	char detail[256];
	int n;

	if (x->errbuf[0] == '\0') {
		snprintf(buf, buflen, "%s", api.easy_strerror(cc));
		return;
	}
	jwtc_sanitize(detail, sizeof(detail), x->errbuf, CURL_ERROR_SIZE);
	n = snprintf(buf, buflen, "%s (%s)", api.easy_strerror(cc), detail);
	if (n < 0 && buflen > 0)
		buf[0] = '\0';
}

/* One request of the transfer; *status is the HTTP status on JWTC_OK. */
static jwtc_rc
perform_one(struct xfer *x, const char *url, const jwtc_http_opts *opts,
    const char *host, long *status, jwtc_error *err)
{
	char reason[JWTC_ERRMSG_MAX];
	int64_t left = opts->deadline_ms - jwtc_monotonic_ms();
	long ms, code = 0;
	CURLcode cc;

	if (left <= 0)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "timed out fetching from %s: no time left", host);
	ms = left > LONG_MAX ? LONG_MAX : (long)left;
	xfer_reset(x);
	if (!opt_str(x->easy, CURLOPT_URL, url) ||
	    !opt_long(x->easy, CURLOPT_TIMEOUT_MS, ms) ||
	    !opt_long(x->easy, CURLOPT_CONNECTTIMEOUT_MS, ms))
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "libcurl refused the request to %s", host);
	cc = api.easy_perform(x->easy);
	if (api.easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK)
		code = 0;
	if (x->no_memory)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "out of memory fetching from %s", host);
	if (x->headers_too_big)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "response headers from %s larger than %d bytes", host,
		    MAX_HEADER_BYTES);
	if (x->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		if (code != 0 && code != 200)
			return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
			    "HTTP status %ld from %s", code, host);
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "body from %s larger than %zu bytes", host, x->max);
	}
	if (cc != CURLE_OK) {
		curl_reason(x, cc, reason, sizeof(reason));
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "%s from %s: %s", cc == CURLE_OPERATION_TIMEDOUT ?
		    "timed out fetching" : "cannot fetch", host, reason);
	}
	*status = code;
	return JWTC_OK;
}

static bool
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308;
}

/* The target of the redirect just received, when it stays on the origin
 * of cur.  *next is allocated. */
static jwtc_rc
redirect_target(struct xfer *x, const char *cur, const char *host,
    char **next, jwtc_error *err)
{
	char a[MAX_URL_LEN + 64], b[MAX_URL_LEN + 64];
	char to[HOST_LABEL_MAX * 4 + 8];
	char *loc = NULL, *copy;
	const char *why;
	int ra, rb;

	if (api.easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc) !=
	    CURLE_OK || loc == NULL)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "redirect without a usable Location from %s", host);
	if (!url_acceptable(loc, &why))
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "refusing a redirect from %s: %s", host, why);
	ra = origin_of(cur, a, sizeof(a));
	rb = origin_of(loc, b, sizeof(b));
	if (ra == -2 || rb == -2)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "out of memory fetching from %s", host);
	if (ra != 0 || rb != 0 || strcmp(a, b) != 0) {
		host_label(loc, to, sizeof(to));
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "refusing a redirect from %s to another origin (%s)",
		    host, to);
	}
	copy = jwtc_strdup(loc);
	if (copy == NULL)
		return jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "out of memory fetching from %s", host);
	*next = copy;
	return JWTC_OK;
}

/* The final status: 200, or 304 to a conditional request. */
static jwtc_rc
check_status(long status, bool conditional, const char *host,
    jwtc_error *err)
{
	if (status == 200)
		return JWTC_OK;
	if (status == 304 && conditional)
		return JWTC_OK;
	if (status == 304)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "HTTP status 304 from %s to a request without validators",
		    host);
	if (is_redirect(status))
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "more than %d redirects from %s", MAX_REDIRECTS, host);
	return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
	    "HTTP status %ld from %s", status, host);
}

static void
resp_init(jwtc_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->max_age = -1;
}

void
jwtc_http_resp_clear(jwtc_http_resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->etag);
	free(r->last_modified);
	resp_init(r);
}

/* The checks made before libcurl is loaded. */
static jwtc_rc
check_request(const char *url, const jwtc_http_opts *opts, const char *host,
    jwtc_error *err)
{
	const char *why;

	if (!url_acceptable(url, &why))
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "refusing to fetch from %s: %s", host, why);
	if (opts->max_body == 0 || opts->max_body > MAX_BODY_LIMIT)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "refusing to fetch from %s: body bound %zu out of range",
		    host, opts->max_body);
	if (opts->deadline_ms <= jwtc_monotonic_ms())
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "timed out fetching from %s: no time left", host);
	/* a second guard behind jwtc_fetch_allowed: libcurl would write TLS
	 * secrets to the file this names */
	if (jwtc_at_secure() && getenv("SSLKEYLOGFILE") != NULL)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "refusing to fetch from %s: setuid process with "
		    "SSLKEYLOGFILE in its environment", host);
	return JWTC_OK;
}

jwtc_rc
jwtc_http_get(const char *url, const jwtc_http_opts *opts,
    jwtc_http_resp *out, jwtc_error *err)
{
	struct xfer x;
	struct curl_slist *hdrs = NULL;
	char host[HOST_LABEL_MAX * 4 + 8];
	char *cur = NULL, *next = NULL;
	long status = 0;
	bool conditional = false;
	int hops;
	jwtc_rc rc;

	memset(&x, 0, sizeof(x));
	x.cc_max_age = -1;
	if (out != NULL)
		resp_init(out);
	if (url == NULL || opts == NULL || out == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "jwtc_http_get: missing argument");
	host_label(url, host, sizeof(host));
	rc = check_request(url, opts, host, err);
	if (rc != JWTC_OK)
		return rc;
	rc = curl_ready(err);
	if (rc != JWTC_OK)
		return rc;

	x.max = opts->max_body;
	x.easy = api.easy_init();
	if (x.easy != NULL)
		hdrs = request_headers(opts, &conditional);
	if (hdrs != NULL)
		cur = jwtc_strdup(url);
	if (cur == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "out of memory fetching from %s", host);
		goto out;
	}
	if (!setup_handle(&x, opts, hdrs)) {
		rc = jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "libcurl refused an option for %s", host);
		goto out;
	}

	for (hops = 0;; hops++) {
		rc = perform_one(&x, cur, opts, host, &status, err);
		if (rc != JWTC_OK)
			goto out;
		if (!is_redirect(status) || hops == MAX_REDIRECTS)
			break;
		rc = redirect_target(&x, cur, host, &next, err);
		if (rc != JWTC_OK)
			goto out;
		free(cur);
		cur = next;
		next = NULL;
	}
	rc = check_status(status, conditional, host, err);
	if (rc != JWTC_OK)
		goto out;

	if (status == 200 && x.body == NULL) {
		x.body = jwtc_strdup("");
		if (x.body == NULL) {
			rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
			    "out of memory fetching from %s", host);
			goto out;
		}
	}
	out->status = status;
	if (status == 200) {
		out->body = x.body;
		out->body_len = x.len;
		x.body = NULL;
	}
	out->etag = x.etag;
	out->last_modified = x.last_modified;
	x.etag = NULL;
	x.last_modified = NULL;
	out->max_age = x.cc_no_cache ? 0 : x.cc_max_age;
	rc = JWTC_OK;
 out:
	free(cur);
	if (hdrs != NULL)
		api.slist_free_all(hdrs);
	xfer_clear(&x);
	return rc;
}

/* ---- discovery ----------------------------------------------------------------- */

/* A string member of root, or an error naming it. */
static jwtc_rc
string_member(const json_t *root, const char *name, const char **s,
    size_t *len, jwtc_error *err)
{
	const json_t *v = json_object_get(root, name);

	if (v == NULL)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "discovery document has no %s", name);
	if (!json_is_string(v))
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "discovery document: %s is not a string", name);
	*s = json_string_value(v);
	*len = json_string_length(v);
	return JWTC_OK;
}

jwtc_rc
jwtc_discovery_parse(const char *buf, size_t len, const char *issuer,
    char **jwks_uri, jwtc_error *err)
{
	char why[JWTC_ERRMSG_MAX / 2], got[HOST_LABEL_MAX * 4 + 8];
	char want[HOST_LABEL_MAX * 4 + 8];
	json_t *root = NULL;
	const char *s, *bad;
	char *uri;
	size_t slen;
	jwtc_rc rc;

	if (buf == NULL || issuer == NULL || jwks_uri == NULL)
		return jwtc_seterr(err, JWTC_ERR_INTERNAL,
		    "jwtc_discovery_parse: missing argument");
	if (len > JWTC_MAX_DISCOVERY_SIZE)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "discovery document larger than %d bytes",
		    JWTC_MAX_DISCOVERY_SIZE);
	root = jwtc_json_parse_object(buf, len, why, sizeof(why));
	if (root == NULL)
		return jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "discovery document: %s", why);

	rc = string_member(root, "issuer", &s, &slen, err);
	if (rc != JWTC_OK)
		goto out;
	if (slen != strlen(issuer) || memcmp(s, issuer, slen) != 0) {
		jwtc_sanitize(got, sizeof(got), s, HOST_LABEL_MAX);
		jwtc_sanitize(want, sizeof(want), issuer, HOST_LABEL_MAX);
		rc = jwtc_seterr(err, JWTC_ERR_KEYS_UNAVAILABLE,
		    "discovery document names issuer %s, not %s", got, want);
		goto out;
	}

	rc = string_member(root, "jwks_uri", &s, &slen, err);
	if (rc != JWTC_OK)
		goto out;
	rc = JWTC_ERR_KEYS_UNAVAILABLE;
	if (slen != strlen(s)) {
		jwtc_seterr(err, rc, "discovery document: jwks_uri holds a "
		    "NUL byte");
		goto out;
	}
	if (!url_acceptable(s, &bad)) {
		jwtc_seterr(err, rc, "discovery document: jwks_uri: %s", bad);
		goto out;
	}
	uri = jwtc_strdup(s);
	if (uri == NULL) {
		rc = jwtc_seterr(err, JWTC_ERR_NO_MEMORY,
		    "out of memory reading a discovery document");
		goto out;
	}
	*jwks_uri = uri;
	rc = JWTC_OK;
 out:
	json_decref(root);
	return rc;
}
