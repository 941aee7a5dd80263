/*
 * test_fetch.c - HTTPS fetching and discovery documents (common/fetch.c).
 *
 * Groups, run in this order in one process:
 *   offline  the fetch decision, discovery documents, and the requests
 *            refused before libcurl is loaded (which must stay unmapped);
 *   load     libcurl mapped on first use, a refused connection, a server
 *            that never answers, threads, and a libcurl that cannot load;
 *   server   requests to `openssl s_server -HTTP` on 127.0.0.1 with a CA
 *            and certificates made here: headers, sizes, statuses,
 *            redirects, trust, proxies (skipped without the openssl tool);
 *   issuer   a running test issuer named by JWT_AUTH_TEST_ISSUER and
 *            JWT_AUTH_TEST_CA (skipped when they are not set).
 * Nothing but 127.0.0.1 is contacted.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "internal.h"

#define ISS "https://idp.example.com"
#define LOAD_FAILURE_ARG "--load-failure-child"

/* ---- helpers ------------------------------------------------------------- */

/* Whether a library whose path contains "libcurl" is mapped. */
static bool
curl_mapped(void)
{
	size_t len = 0;
	char *maps = unit_read_file("/proc/self/maps", &len);
	bool found;

	assert_non_null(maps);
	found = unit_memmem(maps, len, "libcurl");
	free(maps);
	return found;
}

static jwtc_http_opts
opts_in(int64_t ms)
{
	jwtc_http_opts o;

	memset(&o, 0, sizeof(o));
	o.deadline_ms = jwtc_monotonic_ms() + ms;
	o.max_body = 64 * 1024;
	return o;
}

/* A string of n copies of c, then tail; allocated. */
static char *
repeat(char c, size_t n, const char *tail)
{
	size_t tl = strlen(tail);
	char *s = malloc(n + tl + 1);

	assert_non_null(s);
	memset(s, c, n);
	memcpy(s + n, tail, tl + 1);
	return s;
}

/* snprintf into a fresh buffer. */
static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	va_start(ap, f);
	(void)vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* ---- the fetch decision ---------------------------------------------------- */

static void
test_fetch_allowed(void **state)
{
	(void)state;
	assert_true(jwtc_fetch_allowed(false, false));
	assert_true(jwtc_fetch_allowed(false, true));
	assert_false(jwtc_fetch_allowed(true, false));
	assert_true(jwtc_fetch_allowed(true, true));
	/* the test itself is not setuid */
	assert_false(jwtc_at_secure());
}

static void
test_monotonic(void **state)
{
	int64_t a, b;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	(void)state;
	a = jwtc_monotonic_ms();
	assert_true(a > 0);
	(void)nanosleep(&ts, NULL);
	b = jwtc_monotonic_ms();
	assert_true(b >= a + 15);
	assert_true(b < a + 5000);
}

/* ---- discovery documents ------------------------------------------------------- */

struct disc_case {
	const char *doc;
	const char *want;        /* substring of the message */
};

static void
expect_discovery_fail(const char *doc, size_t len, const char *issuer,
    const char *want)
{
	char *sentinel = (char *)(uintptr_t)0x1;
	char *uri = sentinel;
	jwtc_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_discovery_parse(doc, len, issuer, &uri, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_ptr_equal(uri, sentinel);
	assert_int_equal(err.rc, JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, want);
}

static const struct disc_case disc_bad[] = {
	/* issuer */
	{ "{\"issuer\":\"" ISS "/\",\"jwks_uri\":\"" ISS "/k\"}",
	  "names issuer https://idp.example.com/, not https://idp.example.com" },
	{ "{\"issuer\":\"https://IDP.example.com\",\"jwks_uri\":\"" ISS "/k\"}",
	  "names issuer" },
	{ "{\"issuer\":\"HTTPS://idp.example.com\",\"jwks_uri\":\"" ISS "/k\"}",
	  "names issuer" },
	{ "{\"issuer\":\"" ISS " \",\"jwks_uri\":\"" ISS "/k\"}",
	  "names issuer" },
	{ "{\"issuer\":\"https://idp.example.co\",\"jwks_uri\":\"" ISS "/k\"}",
	  "names issuer" },
	{ "{\"issuer\":\"" ISS "\\u0000x\",\"jwks_uri\":\"" ISS "/k\"}",
	  "invalid JSON" },
	{ "{\"issuer\":\"\",\"jwks_uri\":\"" ISS "/k\"}", "names issuer" },
	{ "{\"issuer\":\"" ISS "/realms/a\",\"jwks_uri\":\"" ISS "/k\"}",
	  "names issuer" },
	{ "{\"jwks_uri\":\"" ISS "/k\"}", "has no issuer" },
	{ "{\"Issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\"}",
	  "has no issuer" },
	{ "{\"issuer\":null,\"jwks_uri\":\"" ISS "/k\"}",
	  "issuer is not a string" },
	{ "{\"issuer\":1,\"jwks_uri\":\"" ISS "/k\"}",
	  "issuer is not a string" },
	{ "{\"issuer\":true,\"jwks_uri\":\"" ISS "/k\"}",
	  "issuer is not a string" },
	{ "{\"issuer\":[\"" ISS "\"],\"jwks_uri\":\"" ISS "/k\"}",
	  "issuer is not a string" },
	{ "{\"issuer\":{\"a\":1},\"jwks_uri\":\"" ISS "/k\"}",
	  "issuer is not a string" },
	/* jwks_uri */
	{ "{\"issuer\":\"" ISS "\"}", "has no jwks_uri" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_url\":\"" ISS "/k\"}",
	  "has no jwks_uri" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":null}",
	  "jwks_uri is not a string" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":5}",
	  "jwks_uri is not a string" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":[\"" ISS "/k\"]}",
	  "jwks_uri is not a string" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"http://idp.example.com/k\"}",
	  "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"/k\"}", "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"k.json\"}",
	  "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"//idp.example.com/k\"}",
	  "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"\"}", "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"ftp://idp.example.com/k\"}",
	  "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"file:///etc/passwd\"}",
	  "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"https:/idp.example.com/k\"}",
	  "URL is not https" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"https://\"}", "no host" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"https:///k\"}", "no host" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"https://:443/k\"}",
	  "no host" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k k\"}", "spaces" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\" " ISS "/k\"}", "spaces" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\\u0001\"}",
	  "control" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\\n\"}", "control" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\\u007f\"}",
	  "control" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/\\u00e9\"}",
	  "non-ASCII" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\\u0000\"}",
	  "invalid JSON" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":"
	  "\"https://u:p@idp.example.com/k\"}", "user credentials" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":"
	  "\"https://u@idp.example.com/k\"}", "user credentials" },
	/* the document */
	{ "[]", "not an object" },
	{ "\"" ISS "\"", "invalid JSON" },
	{ "null", "invalid JSON" },
	{ "[{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\"}]",
	  "not an object" },
	{ "", "invalid JSON" },
	{ "{\"issuer\":", "invalid JSON" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\"} x",
	  "invalid JSON" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\"}{}",
	  "invalid JSON" },
	{ "{\"issuer\":\"" ISS "\",\"issuer\":\"" ISS "\","
	  "\"jwks_uri\":\"" ISS "/k\"}", "duplicate" },
	{ "{\"issuer\":\"https://evil.example\",\"issuer\":\"" ISS "\","
	  "\"jwks_uri\":\"" ISS "/k\"}", "duplicate" },
	{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\","
	  "\"jwks_uri\":\"https://evil.example/k\"}", "duplicate" },
	{ "{'issuer':'" ISS "'}", "invalid JSON" },
};

static void
test_discovery_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(disc_bad) / sizeof(disc_bad[0]); i++) {
		print_message("case %zu\n", i);
		expect_discovery_fail(disc_bad[i].doc, strlen(disc_bad[i].doc),
		    ISS, disc_bad[i].want);
	}
	assert_true(i >= 25);
}

static void
test_discovery_sizes(void **state)
{
	const char *head = "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS
	    "/k\",\"pad\":\"";
	size_t hl = strlen(head), total = JWTC_MAX_DISCOVERY_SIZE;
	char *doc, *uri = NULL, *longuri, *json;
	jwtc_error err;

	(void)state;
	/* a document of exactly the limit is read... */
	doc = malloc(total + 2);
	assert_non_null(doc);
	memcpy(doc, head, hl);
	memset(doc + hl, 'a', total - hl - 2);
	memcpy(doc + total - 2, "\"}", 3);
	assert_int_equal(jwtc_discovery_parse(doc, total, ISS, &uri, &err),
	    JWTC_OK);
	assert_string_equal(uri, ISS "/k");
	free(uri);
	uri = NULL;
	/* ...one byte more is not, whatever it holds */
	memcpy(doc + total - 2, " \"}", 4);
	expect_discovery_fail(doc, total + 1, ISS, "larger than 65536 bytes");
	free(doc);

	/* a NUL byte in the text */
	{
		static const char nul[] = "{\"issuer\":\"" ISS "\"}\0";

		expect_discovery_fail(nul, sizeof(nul) - 1, ISS, "NUL byte");
	}

	/* nesting */
	doc = fmt("{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\","
	    "\"x\":%s1%s}", "[[[[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]]]]]");
	expect_discovery_fail(doc, strlen(doc), ISS, "nested deeper");
	free(doc);

	/* jwks_uri of 2048 bytes is taken, 2049 is not */
	longuri = repeat('a', 2048 - strlen(ISS "/"), "");
	json = fmt("{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/%s\"}",
	    longuri);
	assert_int_equal(jwtc_discovery_parse(json, strlen(json), ISS, &uri,
	    &err), JWTC_OK);
	assert_int_equal(strlen(uri), 2048);
	free(uri);
	uri = NULL;
	free(json);
	json = fmt("{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/%sb\"}",
	    longuri);
	expect_discovery_fail(json, strlen(json), ISS, "longer than 2048");
	free(json);
	free(longuri);
}

static void
test_discovery_good(void **state)
{
	static const struct {
		const char *doc, *issuer, *uri;
	} good[] = {
		{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/k\"}", ISS,
		  ISS "/k" },
		{ " {\n \"jwks_uri\" : \"" ISS "/k\" ,\"issuer\":\"" ISS
		  "\" }\n", ISS, ISS "/k" },
		{ "{\"issuer\":\"https:\\/\\/idp.example.com\","
		  "\"jwks_uri\":\"https:\\/\\/idp.example.com\\/k\"}", ISS,
		  ISS "/k" },
		{ "{\"issuer\":\"" ISS "/realms/a\",\"jwks_uri\":\"" ISS
		  "/realms/a/protocol/openid-connect/certs\","
		  "\"authorization_endpoint\":\"" ISS "/auth\","
		  "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
		  "\"claims_parameter_supported\":false,\"x\":{\"y\":[1,2]}}",
		  ISS "/realms/a",
		  ISS "/realms/a/protocol/openid-connect/certs" },
		{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":"
		  "\"https://keys.example.net:8443/jwks?v=1#frag\"}", ISS,
		  "https://keys.example.net:8443/jwks?v=1#frag" },
		{ "{\"issuer\":\"" ISS "\",\"jwks_uri\":"
		  "\"HTTPS://idp.example.com/k\"}", ISS,
		  "HTTPS://idp.example.com/k" },
		{ "{\"issuer\":\"idp\",\"jwks_uri\":\"https://[::1]:8443/k\"}",
		  "idp", "https://[::1]:8443/k" },
	};
	char *uri;
	jwtc_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		print_message("case %zu\n", i);
		uri = NULL;
		memset(&err, 0, sizeof(err));
		assert_int_equal(jwtc_discovery_parse(good[i].doc,
		    strlen(good[i].doc), good[i].issuer, &uri, &err), JWTC_OK);
		assert_non_null(uri);
		assert_string_equal(uri, good[i].uri);
		free(uri);
	}
}

static void
test_discovery_args(void **state)
{
	const char *doc = "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS
	    "/k\"}";
	char *uri = NULL;
	jwtc_error err;

	(void)state;
	assert_int_equal(jwtc_discovery_parse(NULL, 0, ISS, &uri, &err),
	    JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_discovery_parse(doc, strlen(doc), NULL, &uri,
	    &err), JWTC_ERR_INTERNAL);
	assert_int_equal(jwtc_discovery_parse(doc, strlen(doc), ISS, NULL,
	    &err), JWTC_ERR_INTERNAL);
	assert_null(uri);
	/* err may be NULL */
	assert_int_equal(jwtc_discovery_parse("[]", 2, ISS, &uri, NULL),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	/* a message names both issuers, with control bytes escaped */
	{
		static const char esc[] = "{\"issuer\":\"https://a\\u001b[31m\","
		    "\"jwks_uri\":\"" ISS "/k\"}";

		expect_discovery_fail(esc, sizeof(esc) - 1, ISS,
		    "https://a\\x1b[31m, not " ISS);
	}
	/* the check needs no libcurl */
	assert_false(curl_mapped());
}

/* ---- requests refused before libcurl is loaded ---------------------------------- */

static void
expect_get_fail(const char *url, const jwtc_http_opts *o, jwtc_rc rc,
    const char *want)
{
	jwtc_http_resp r;
	jwtc_error err;

	memset(&r, 0xa5, sizeof(r));
	memset(&err, 0, sizeof(err));
	assert_int_equal(jwtc_http_get(url, o, &r, &err), rc);
	assert_int_equal(err.rc, rc);
	assert_contains(err.msg, want);
	/* the response is empty after a failure */
	assert_int_equal(r.status, 0);
	assert_null(r.body);
	assert_int_equal(r.body_len, 0);
	assert_null(r.etag);
	assert_null(r.last_modified);
	assert_int_equal(r.max_age, -1);
	jwtc_http_resp_clear(&r);
}

static void
test_get_refused_urls(void **state)
{
	static const struct {
		const char *url, *want;
	} bad[] = {
		{ "http://127.0.0.1/x", "URL is not https" },
		{ "HTTP://127.0.0.1/x", "URL is not https" },
		{ "ftp://127.0.0.1/x", "URL is not https" },
		{ "file:///etc/passwd", "URL is not https" },
		{ "gopher://127.0.0.1/x", "URL is not https" },
		{ "httpss://127.0.0.1/x", "URL is not https" },
		{ "https:/127.0.0.1/x", "URL is not https" },
		{ "127.0.0.1/x", "URL is not https" },
		{ "//127.0.0.1/x", "URL is not https" },
		{ "", "URL is not https" },
		{ "https://user:pass@127.0.0.1/x", "user credentials" },
		{ "https://user@127.0.0.1/x", "user credentials" },
		{ "https://@127.0.0.1/x", "user credentials" },
		{ "https://", "no host" },
		{ "https:///x", "no host" },
		{ "https://:443/x", "no host" },
		{ "https://?x", "no host" },
		{ "https://127.0.0.1/a b", "spaces" },
		{ " https://127.0.0.1/", "spaces" },
		{ "https://127.0.0.1/a\tb", "control" },
		{ "https://127.0.0.1/a\r\nX: y", "control" },
		{ "https://127.0.0.1/\x7f", "control" },
		{ "https://127.0.0.1/\xc3\xa9", "non-ASCII" },
	};
	jwtc_http_opts o = opts_in(5000);
	char *longurl;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("case %zu\n", i);
		expect_get_fail(bad[i].url, &o, JWTC_ERR_KEYS_UNAVAILABLE,
		    bad[i].want);
	}
	longurl = repeat('a', 2049 - strlen("https://127.0.0.1/"), "");
	{
		char *u = fmt("https://127.0.0.1/%s", longurl);

		assert_int_equal(strlen(u), 2049);
		expect_get_fail(u, &o, JWTC_ERR_KEYS_UNAVAILABLE,
		    "longer than 2048");
		free(u);
	}
	free(longurl);
	assert_false(curl_mapped());
}

/* Messages name the host, never credentials, path or query. */
static void
test_get_message_names_host_only(void **state)
{
	jwtc_http_opts o = opts_in(5000);
	jwtc_http_resp r;
	jwtc_error err;

	(void)state;
	assert_int_equal(jwtc_http_get(
	    "https://alice:hunter2@127.0.0.1:8443/p?token=abc", &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "127.0.0.1:8443");
	assert_null(strstr(err.msg, "hunter2"));
	assert_null(strstr(err.msg, "alice"));
	assert_null(strstr(err.msg, "token"));
	assert_null(strstr(err.msg, "/p"));
	assert_int_equal(jwtc_http_get("http://idp.example.com/x?secret=1",
	    &o, &r, &err), JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "idp.example.com");
	assert_null(strstr(err.msg, "secret"));
	assert_false(curl_mapped());
}

static void
test_get_refused_opts(void **state)
{
	jwtc_http_opts o = opts_in(5000);
	const char *url = "https://127.0.0.1:1/x";
	jwtc_http_resp r;
	jwtc_error err;

	(void)state;
	/* the deadline has passed, or is now */
	o.deadline_ms = jwtc_monotonic_ms() - 1;
	expect_get_fail(url, &o, JWTC_ERR_KEYS_UNAVAILABLE, "no time left");
	o.deadline_ms = 0;
	expect_get_fail(url, &o, JWTC_ERR_KEYS_UNAVAILABLE, "no time left");
	o.deadline_ms = INT64_MIN;
	expect_get_fail(url, &o, JWTC_ERR_KEYS_UNAVAILABLE, "no time left");
	/* body bounds */
	o = opts_in(5000);
	o.max_body = 0;
	expect_get_fail(url, &o, JWTC_ERR_INTERNAL, "out of range");
	o.max_body = SIZE_MAX;
	expect_get_fail(url, &o, JWTC_ERR_INTERNAL, "out of range");
	/* missing arguments */
	o = opts_in(5000);
	expect_get_fail(NULL, &o, JWTC_ERR_INTERNAL, "missing argument");
	expect_get_fail(url, NULL, JWTC_ERR_INTERNAL, "missing argument");
	assert_int_equal(jwtc_http_get(url, &o, NULL, &err),
	    JWTC_ERR_INTERNAL);
	/* err may be NULL */
	assert_int_equal(jwtc_http_get("http://x/", &o, &r, NULL),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_false(curl_mapped());
}

static void
test_resp_clear(void **state)
{
	jwtc_http_resp r;

	(void)state;
	jwtc_http_resp_clear(NULL);
	memset(&r, 0, sizeof(r));
	r.status = 200;
	r.body = strdup("{}");
	r.body_len = 2;
	r.etag = strdup("\"e\"");
	r.last_modified = strdup("Mon, 01 Jan 2024 00:00:00 GMT");
	r.max_age = 60;
	jwtc_http_resp_clear(&r);
	assert_null(r.body);
	assert_null(r.etag);
	assert_null(r.last_modified);
	assert_int_equal(r.body_len, 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.max_age, -1);
	jwtc_http_resp_clear(&r);        /* twice is harmless */
}

/* ---- loading libcurl --------------------------------------------------------------- */

/* A refused connection loads libcurl and fails as "keys unavailable". */
static void
test_loads_on_first_fetch(void **state)
{
	jwtc_http_opts o = opts_in(5000);
	jwtc_http_resp r;
	jwtc_error err;

	(void)state;
	assert_false(curl_mapped());
	assert_int_equal(jwtc_http_get("https://127.0.0.1:1/.well-known/x",
	    &o, &r, &err), JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "cannot fetch from 127.0.0.1:1");
	assert_contains(err.msg, "connect");
	assert_null(strstr(err.msg, "well-known"));
	assert_null(r.body);
	assert_true(curl_mapped());
}

struct thread_arg {
	jwtc_rc rc;
	char msg[JWTC_ERRMSG_MAX];
};

static void *
refused_thread(void *p)
{
	struct thread_arg *a = p;
	jwtc_http_opts o = opts_in(5000);
	jwtc_http_resp r;
	jwtc_error err;
	int i;

	for (i = 0; i < 5; i++) {
		memset(&err, 0, sizeof(err));
		a->rc = jwtc_http_get("https://127.0.0.1:1/k", &o, &r, &err);
		memcpy(a->msg, err.msg, sizeof(a->msg));
		jwtc_http_resp_clear(&r);
		if (a->rc != JWTC_ERR_KEYS_UNAVAILABLE)
			break;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[8];
	struct thread_arg a[8];
	size_t i;

	(void)state;
	memset(a, 0, sizeof(a));
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, refused_thread,
		    &a[i]), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(a[i].rc, JWTC_ERR_KEYS_UNAVAILABLE);
		assert_contains(a[i].msg, "127.0.0.1:1");
	}
}

/* A listener that never accepts: the TLS handshake never starts.  The
 * upper bound only tells a deadline from none; under memcheck (make
 * check-valgrind) setting up TLS alone takes seconds. */
static void
test_deadline_bounds_a_silent_server(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	jwtc_http_opts o;
	jwtc_http_resp r;
	jwtc_error err;
	int64_t t0, took, bound = 3000;
	char *url;
	jwtc_rc rc;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	url = fmt("https://127.0.0.1:%u/k", (unsigned)ntohs(sa.sin_port));

	o = opts_in(400);
	t0 = jwtc_monotonic_ms();
	rc = jwtc_http_get(url, &o, &r, &err);
	took = jwtc_monotonic_ms() - t0;
	free(url);
	(void)close(fd);
	if (getenv("JWT_AUTH_UNDER_VALGRIND") != NULL)
		bound = 60000;
	assert_int_equal(rc, JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "timed out fetching from 127.0.0.1");
	assert_true(took >= 300);
	assert_true(took < bound);
}

/* In a child started with LD_LIBRARY_PATH naming a directory whose
 * libcurl.so.4 is not a library: the fetch fails as internal error. */
static int
load_failure_child(void)
{
	jwtc_http_opts o = opts_in(5000);
	jwtc_http_resp r;
	jwtc_error err;
	jwtc_rc rc;

	memset(&err, 0, sizeof(err));
	rc = jwtc_http_get("https://127.0.0.1:1/k", &o, &r, &err);
	printf("%d %s\n", (int)rc, err.msg);
	if (rc != JWTC_ERR_INTERNAL ||
	    strstr(err.msg, "libcurl cannot be loaded") == NULL ||
	    strstr(err.msg, "libcurl.so.4") == NULL)
		return 1;
	/* the failure is remembered, not retried into a crash */
	rc = jwtc_http_get("https://127.0.0.1:1/k", &o, &r, &err);
	return rc == JWTC_ERR_INTERNAL ? 0 : 2;
}

/* Run argv with stdin and stderr on /dev/null, stdout to out_path (or
 * /dev/null), in cwd when not NULL.  The child is terminated when this
 * process ends, however it ends.  Returns the child's pid. */
static pid_t
spawn(char *const argv[], const char *cwd, const char *out_path,
    char *const envp[])
{
	pid_t parent = getpid();
	pid_t pid = fork();
	int null, o;

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(125);
	null = open("/dev/null", O_RDWR);
	o = out_path != NULL ?
	    open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null;
	if (null < 0 || o < 0 || (cwd != NULL && chdir(cwd) != 0))
		_exit(126);
	(void)dup2(null, 0);
	(void)dup2(o, 1);
	(void)dup2(null, 2);
	if (envp != NULL)
		execve(argv[0], argv, envp);
	else
		execvp(argv[0], argv);
	_exit(127);
}

static int
wait_status(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_load_failure(void **state)
{
	char exe[4096], *dir, *lib, *env0, *out, *text;
	char *argv[3], *envp[2];
	ssize_t n;
	pid_t pid;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	dir = unit_tmpdir();
	assert_non_null(dir);
	lib = unit_write_text(dir, "libcurl.so.4", 0644, "not a library\n");
	assert_non_null(lib);
	env0 = fmt("LD_LIBRARY_PATH=%s", dir);
	out = unit_path(dir, "out");
	argv[0] = exe;
	argv[1] = (char *)(uintptr_t)LOAD_FAILURE_ARG;
	argv[2] = NULL;
	envp[0] = env0;
	envp[1] = NULL;
	pid = spawn(argv, NULL, out, envp);
	assert_int_equal(wait_status(pid), 0);
	text = unit_read_file(out, NULL);
	assert_non_null(text);
	assert_contains(text, "libcurl cannot be loaded");
	free(text);
	free(out);
	free(env0);
	free(lib);
	unit_rmtree(dir);
	free(dir);
}

/* ---- a local HTTPS server: openssl s_server -HTTP ---------------------------------------- */

struct server {
	pid_t pid;
	unsigned port;
};

struct env {
	char *dir;               /* certificates and the server's files */
	char *www;
	char *ca, *other_ca;
	struct server good;      /* certificate for 127.0.0.1 */
	struct server wrong;     /* certificate for 127.0.0.2 only */
	char *base;              /* https://127.0.0.1:PORT */
};

static const char ssl_cnf[] =
    "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = x\n"
    "[ca]\nbasicConstraints = critical,CA:TRUE\n"
    "keyUsage = critical,keyCertSign,cRLSign\n"
    "subjectKeyIdentifier = hash\n"
    "[good]\nbasicConstraints = critical,CA:FALSE\n"
    "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n"
    "[wrong]\nbasicConstraints = critical,CA:FALSE\n"
    "subjectAltName = IP:127.0.0.2\nextendedKeyUsage = serverAuth\n";

static bool
openssl_run(const char *dir, const char *ext, const char *name,
    const char *cn, bool signed_by_ca)
{
	char key[64], crt[64], subj[96];
	char *argv[32];
	size_t n = 0;

	snprintf(key, sizeof(key), "%s.key", name);
	snprintf(crt, sizeof(crt), "%s.pem", name);
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	argv[n++] = (char *)(uintptr_t)"openssl";
	argv[n++] = (char *)(uintptr_t)"req";
	argv[n++] = (char *)(uintptr_t)"-x509";
	argv[n++] = (char *)(uintptr_t)"-config";
	argv[n++] = (char *)(uintptr_t)"t.cnf";
	argv[n++] = (char *)(uintptr_t)"-extensions";
	argv[n++] = (char *)(uintptr_t)ext;
	argv[n++] = (char *)(uintptr_t)"-newkey";
	argv[n++] = (char *)(uintptr_t)"ec";
	argv[n++] = (char *)(uintptr_t)"-pkeyopt";
	argv[n++] = (char *)(uintptr_t)"ec_paramgen_curve:P-256";
	argv[n++] = (char *)(uintptr_t)"-nodes";
	argv[n++] = (char *)(uintptr_t)"-days";
	argv[n++] = (char *)(uintptr_t)"2";
	argv[n++] = (char *)(uintptr_t)"-subj";
	argv[n++] = subj;
	argv[n++] = (char *)(uintptr_t)"-keyout";
	argv[n++] = key;
	argv[n++] = (char *)(uintptr_t)"-out";
	argv[n++] = crt;
	if (signed_by_ca) {
		argv[n++] = (char *)(uintptr_t)"-CA";
		argv[n++] = (char *)(uintptr_t)"ca.pem";
		argv[n++] = (char *)(uintptr_t)"-CAkey";
		argv[n++] = (char *)(uintptr_t)"ca.key";
	}
	argv[n] = NULL;
	return wait_status(spawn(argv, dir, NULL, NULL)) == 0;
}

/* Start s_server in e->www with name.pem/name.key; wait for its port. */
static bool
server_start(struct env *e, const char *name, struct server *s)
{
	char crt[4096], key[4096], outname[64];
	char *argv[12], *out, *text;
	size_t n = 0;
	int i;
	const char *p;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	snprintf(crt, sizeof(crt), "%s/%s.pem", e->dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", e->dir, name);
	snprintf(outname, sizeof(outname), "%s.out", name);
	out = unit_path(e->dir, outname);
	assert_non_null(out);
	argv[n++] = (char *)(uintptr_t)"openssl";
	argv[n++] = (char *)(uintptr_t)"s_server";
	argv[n++] = (char *)(uintptr_t)"-HTTP";
	argv[n++] = (char *)(uintptr_t)"-accept";
	argv[n++] = (char *)(uintptr_t)"127.0.0.1:0";
	argv[n++] = (char *)(uintptr_t)"-cert";
	argv[n++] = crt;
	argv[n++] = (char *)(uintptr_t)"-key";
	argv[n++] = key;
	argv[n] = NULL;
	s->pid = spawn(argv, e->www, out, NULL);
	s->port = 0;
	for (i = 0; i < 250 && s->port == 0; i++) {
		(void)nanosleep(&ts, NULL);
		text = unit_read_file(out, NULL);
		p = text != NULL ? strstr(text, "ACCEPT 127.0.0.1:") : NULL;
		if (p != NULL && strchr(p, '\n') != NULL)
			s->port = (unsigned)strtoul(p + 17, NULL, 10);
		free(text);
	}
	free(out);
	return s->port != 0;
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		(void)kill(s->pid, SIGTERM);
		(void)wait_status(s->pid);
	}
	s->pid = 0;
}

/* Serve an HTTP response (head lines joined by CRLF, then body) at
 * /name. */
static void
serve(const struct env *e, const char *name, const char *head,
    const char *body, size_t bodylen)
{
	size_t hl = strlen(head), i, o = 0;
	char *buf = malloc(2 * hl + 4 + bodylen);
	char *path;

	assert_non_null(buf);
	for (i = 0; i < hl; i++) {
		if (head[i] == '\n')
			buf[o++] = '\r';
		buf[o++] = head[i];
	}
	memcpy(buf + o, "\r\n\r\n", 4);
	o += 4;
	memcpy(buf + o, body, bodylen);
	o += bodylen;
	path = unit_write_file(e->www, name, 0644, buf, o);
	assert_non_null(path);
	free(path);
	free(buf);
}

static void
serve_text(const struct env *e, const char *name, const char *head,
    const char *body)
{
	serve(e, name, head, body, strlen(body));
}

static bool
have_openssl(void)
{
	char *argv[] = { (char *)(uintptr_t)"openssl", (char *)(uintptr_t)
	    "version", NULL };

	return wait_status(spawn(argv, NULL, NULL, NULL)) == 0;
}

static void
server_files(struct env *e)
{
	static const char ok[] = "{\"keys\":[]}";
	char *s, *big;
	size_t i;

	serve_text(e, "ok", "HTTP/1.0 200 OK\nContent-Type: application/json\n"
	    "ETag: \"v1\"\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\n"
	    "Cache-Control: public, max-age=120", ok);
	serve_text(e, "plain", "HTTP/1.0 200 OK", ok);
	serve_text(e, "empty", "HTTP/1.0 200 OK\nContent-Length: 0", "");
	serve_text(e, "notmod", "HTTP/1.0 304 Not Modified\nETag: \"v2\"\n"
	    "Cache-Control: max-age=30", "");
	s = fmt("{\"issuer\":\"%s\",\"jwks_uri\":\"%s/ok\"}", e->base,
	    e->base);
	serve_text(e, "disc", "HTTP/1.0 200 OK\nContent-Type: application/json",
	    s);
	free(s);

	/* Cache-Control */
	serve_text(e, "cc-none", "HTTP/1.0 200 OK", ok);
	serve_text(e, "cc-upper", "HTTP/1.0 200 OK\ncache-control: MAX-AGE=60",
	    ok);
	serve_text(e, "cc-zero", "HTTP/1.0 200 OK\nCache-Control: max-age=0",
	    ok);
	serve_text(e, "cc-nostore", "HTTP/1.0 200 OK\nCache-Control: no-store",
	    ok);
	serve_text(e, "cc-nocache", "HTTP/1.0 200 OK\n"
	    "Cache-Control: max-age=100, no-cache", ok);
	serve_text(e, "cc-nocache-first", "HTTP/1.0 200 OK\n"
	    "Cache-Control: no-cache\nCache-Control: max-age=100", ok);
	serve_text(e, "cc-junk", "HTTP/1.0 200 OK\nCache-Control: max-age=1x",
	    ok);
	serve_text(e, "cc-neg", "HTTP/1.0 200 OK\nCache-Control: max-age=-5",
	    ok);
	serve_text(e, "cc-empty", "HTTP/1.0 200 OK\nCache-Control: max-age=",
	    ok);
	serve_text(e, "cc-bare", "HTTP/1.0 200 OK\nCache-Control: max-age", ok);
	serve_text(e, "cc-huge", "HTTP/1.0 200 OK\n"
	    "Cache-Control: max-age=99999999999999999999999999", ok);
	serve_text(e, "cc-two", "HTTP/1.0 200 OK\nCache-Control: max-age=50\n"
	    "Cache-Control: max-age=40", ok);
	serve_text(e, "cc-quoted", "HTTP/1.0 200 OK\n"
	    "Cache-Control: max-age=\"30\"", ok);
	serve_text(e, "cc-smax", "HTTP/1.0 200 OK\nCache-Control: s-maxage=5",
	    ok);
	serve_text(e, "cc-space", "HTTP/1.0 200 OK\n"
	    "Cache-Control:   private ,  max-age=77  ", ok);
	serve_text(e, "cc-prefix", "HTTP/1.0 200 OK\n"
	    "Cache-Control: xmax-age=5, max-ages=6", ok);

	/* validators */
	s = fmt("HTTP/1.0 200 OK\nETag: \"%0300d\"", 1);
	serve_text(e, "etag-long", s, ok);
	free(s);
	serve_text(e, "etag-weak", "HTTP/1.0 200 OK\netag:   W/\"w1\"  ", ok);
	/* headers of an interim response are not the final response's */
	serve_text(e, "interim", "HTTP/1.1 103 Early Hints\nETag: \"early\"\n"
	    "Cache-Control: max-age=9\n\nHTTP/1.0 200 OK\nX-A: b", ok);

	/* statuses */
	serve_text(e, "s201", "HTTP/1.0 201 Created", ok);
	serve_text(e, "s204", "HTTP/1.0 204 No Content", "");
	serve_text(e, "s300", "HTTP/1.0 300 Multiple Choices", ok);
	serve_text(e, "s404", "HTTP/1.0 404 Not Found", "secret body bytes");
	serve_text(e, "s500", "HTTP/1.0 500 Internal Server Error",
	    "secret body bytes");
	serve_text(e, "s503", "HTTP/1.0 503 Service Unavailable\n"
	    "Retry-After: 5", "");

	/* sizes */
	big = repeat('x', 2000, "");
	serve(e, "big-cl", "HTTP/1.0 200 OK\nContent-Length: 2000", big, 2000);
	serve(e, "big-nocl", "HTTP/1.0 200 OK", big, 2000);
	serve(e, "exact", "HTTP/1.0 200 OK", big, 1000);
	serve(e, "s404-big", "HTTP/1.0 404 Not Found", big, 2000);
	free(big);
	big = malloc(70 * 1024);
	assert_non_null(big);
	memcpy(big, "HTTP/1.0 200 OK", 16);
	for (i = 0; i < 70; i++) {
		size_t l = strlen(big);

		memcpy(big + l, "\nX-Pad: ", 8);
		memset(big + l + 8, 'p', 990);
		big[l + 998] = '\0';
	}
	serve_text(e, "hdr-bomb", big, ok);
	free(big);

	/* redirects */
	serve_text(e, "r-rel", "HTTP/1.0 302 Found\nLocation: /ok", "");
	s = fmt("HTTP/1.0 301 Moved\nLocation: %s/ok", e->base);
	serve_text(e, "r-abs", s, "moved");
	free(s);
	serve_text(e, "r-303", "HTTP/1.0 303 See Other\nLocation: ok", "");
	serve_text(e, "r-307", "HTTP/1.0 307 Temporary\nLocation: /ok", "");
	serve_text(e, "r-308", "HTTP/1.0 308 Permanent\nLocation: /ok", "");
	serve_text(e, "r1", "HTTP/1.0 302 Found\nLocation: /ok", "");
	serve_text(e, "r2", "HTTP/1.0 302 Found\nLocation: /r1", "");
	serve_text(e, "r3", "HTTP/1.0 302 Found\nLocation: /r2", "");
	serve_text(e, "r4", "HTTP/1.0 302 Found\nLocation: /r3", "");
	serve_text(e, "r-loop", "HTTP/1.0 302 Found\nLocation: /r-loop", "");
	s = fmt("HTTP/1.0 302 Found\nLocation: http://127.0.0.1:%u/ok",
	    e->good.port);
	serve_text(e, "r-http", s, "");
	free(s);
	s = fmt("HTTP/1.0 302 Found\nLocation: https://127.0.0.1:%u/ok",
	    e->wrong.port);
	serve_text(e, "r-port", s, "");
	free(s);
	s = fmt("HTTP/1.0 302 Found\nLocation: https://127.0.0.2:%u/ok",
	    e->good.port);
	serve_text(e, "r-host", s, "");
	free(s);
	s = fmt("HTTP/1.0 302 Found\nLocation: https://u:sekrit@127.0.0.1:%u/ok",
	    e->good.port);
	serve_text(e, "r-cred", s, "");
	free(s);
	serve_text(e, "r-file", "HTTP/1.0 302 Found\nLocation: file:///etc/passwd",
	    "");
	serve_text(e, "r-none", "HTTP/1.0 302 Found", "");
	serve_text(e, "r-etag", "HTTP/1.0 302 Found\nETag: \"redirect\"\n"
	    "Cache-Control: max-age=5\nLocation: /plain", "");
}

static int
server_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char *cnf;

	if (e == NULL)
		return -1;
	*state = e;
	if (!have_openssl()) {
		print_message("openssl tool not found: server tests skipped\n");
		return 0;
	}
	e->dir = unit_tmpdir();
	if (e->dir == NULL)
		return -1;
	e->www = unit_path(e->dir, "www");
	if (e->www == NULL || mkdir(e->www, 0755) != 0)
		return -1;
	cnf = unit_write_text(e->dir, "t.cnf", 0644, ssl_cnf);
	free(cnf);
	if (!openssl_run(e->dir, "ca", "ca", "jwt-auth test CA", false) ||
	    !openssl_run(e->dir, "ca", "other", "jwt-auth other CA", false) ||
	    !openssl_run(e->dir, "good", "good", "127.0.0.1", true) ||
	    !openssl_run(e->dir, "wrong", "wrong", "127.0.0.2", true)) {
		print_message("openssl req failed: server tests skipped\n");
		return 0;
	}
	e->ca = unit_path(e->dir, "ca.pem");
	e->other_ca = unit_path(e->dir, "other.pem");
	if (!server_start(e, "good", &e->good) ||
	    !server_start(e, "wrong", &e->wrong)) {
		print_message("openssl s_server did not start: server tests "
		    "skipped\n");
		server_stop(&e->good);
		server_stop(&e->wrong);
		return 0;
	}
	e->base = fmt("https://127.0.0.1:%u", e->good.port);
	server_files(e);
	return 0;
}

static int
server_teardown(void **state)
{
	struct env *e = *state;

	if (e == NULL)
		return 0;
	server_stop(&e->good);
	server_stop(&e->wrong);
	unit_rmtree(e->dir);
	free(e->dir);
	free(e->www);
	free(e->ca);
	free(e->other_ca);
	free(e->base);
	free(e);
	return 0;
}

static struct env *
server_env(void **state)
{
	struct env *e = *state;

	if (e == NULL || e->base == NULL)
		skip();
	return e;
}

static jwtc_http_opts
server_opts(const struct env *e)
{
	jwtc_http_opts o = opts_in(10000);

	o.ca_file = e->ca;
	return o;
}

/* GET base/path; JWTC_OK or the failure with err. */
static jwtc_rc
get(const struct env *e, const char *path, const jwtc_http_opts *o,
    jwtc_http_resp *r, jwtc_error *err)
{
	char *url = fmt("%s/%s", e->base, path);
	jwtc_rc rc;

	memset(err, 0, sizeof(*err));
	rc = jwtc_http_get(url, o, r, err);
	if (rc != JWTC_OK)
		print_message("%s: %s\n", path, err->msg);
	free(url);
	return rc;
}

static void
expect_server_fail(const struct env *e, const char *path,
    const jwtc_http_opts *o, const char *want)
{
	jwtc_http_resp r;
	jwtc_error err;

	assert_int_equal(get(e, path, o, &r, &err), JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, want);
	assert_contains(err.msg, "127.0.0.1");
	assert_null(strstr(err.msg, "secret body"));
	assert_null(r.body);
	assert_null(r.etag);
	jwtc_http_resp_clear(&r);
}

static void
test_server_ok(void **state)
{
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;
	char *uri = NULL;

	assert_int_equal(get(e, "ok", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"keys\":[]}");
	assert_int_equal(r.body_len, strlen("{\"keys\":[]}"));
	assert_string_equal(r.etag, "\"v1\"");
	assert_string_equal(r.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
	assert_int_equal(r.max_age, 120);
	jwtc_http_resp_clear(&r);

	/* a discovery document, end to end */
	assert_int_equal(get(e, "disc", &o, &r, &err), JWTC_OK);
	assert_int_equal(jwtc_discovery_parse(r.body, r.body_len, e->base,
	    &uri, &err), JWTC_OK);
	assert_non_null(uri);
	assert_true(strncmp(uri, e->base, strlen(e->base)) == 0);
	free(uri);
	jwtc_http_resp_clear(&r);

	/* an empty body is a body */
	assert_int_equal(get(e, "empty", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(r.body);
	assert_int_equal(r.body_len, 0);
	assert_null(r.etag);
	assert_int_equal(r.max_age, -1);
	jwtc_http_resp_clear(&r);
}

static void
test_server_cache_control(void **state)
{
	static const struct {
		const char *path;
		long max_age;
	} cases[] = {
		{ "cc-none", -1 }, { "cc-upper", 60 }, { "cc-zero", 0 },
		{ "cc-nostore", 0 }, { "cc-nocache", 0 },
		{ "cc-nocache-first", 0 }, { "cc-junk", 0 }, { "cc-neg", 0 },
		{ "cc-empty", 0 }, { "cc-bare", 0 },
		{ "cc-huge", 2147483647L }, { "cc-two", 40 },
		{ "cc-quoted", 30 }, { "cc-smax", -1 }, { "cc-space", 77 },
		{ "cc-prefix", -1 },
	};
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].path);
		assert_int_equal(get(e, cases[i].path, &o, &r, &err), JWTC_OK);
		assert_int_equal(r.max_age, cases[i].max_age);
		jwtc_http_resp_clear(&r);
	}
}

static void
test_server_validators(void **state)
{
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;

	/* an ETag too long to store is dropped */
	assert_int_equal(get(e, "etag-long", &o, &r, &err), JWTC_OK);
	assert_null(r.etag);
	jwtc_http_resp_clear(&r);
	/* header names without case, values trimmed */
	assert_int_equal(get(e, "etag-weak", &o, &r, &err), JWTC_OK);
	assert_string_equal(r.etag, "W/\"w1\"");
	jwtc_http_resp_clear(&r);
	assert_int_equal(get(e, "interim", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"keys\":[]}");
	assert_null(r.etag);
	assert_int_equal(r.max_age, -1);
	jwtc_http_resp_clear(&r);

	/* 304 answers a conditional request only */
	expect_server_fail(e, "notmod", &o, "304");
	o.etag = "\"v1\"";
	assert_int_equal(get(e, "notmod", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.status, 304);
	assert_null(r.body);
	assert_int_equal(r.body_len, 0);
	assert_string_equal(r.etag, "\"v2\"");
	assert_int_equal(r.max_age, 30);
	jwtc_http_resp_clear(&r);
	o.etag = NULL;
	o.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
	assert_int_equal(get(e, "notmod", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.status, 304);
	jwtc_http_resp_clear(&r);
	/* validators that cannot be sent are not sent */
	o.last_modified = NULL;
	o.etag = "\"v1\"\r\nX-Injected: 1";
	expect_server_fail(e, "notmod", &o, "without validators");
	o.etag = "";
	expect_server_fail(e, "notmod", &o, "without validators");
}

static void
test_server_statuses(void **state)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ "s201", "HTTP status 201" },
		{ "s204", "HTTP status 204" },
		{ "s300", "HTTP status 300" },
		{ "s404", "HTTP status 404" },
		{ "s500", "HTTP status 500" },
		{ "s503", "HTTP status 503" },
		{ "s404-big", "HTTP status 404" },
	};
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	size_t i;

	o.max_body = 1000;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_server_fail(e, cases[i].path, &o, cases[i].want);
}

static void
test_server_sizes(void **state)
{
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;

	o.max_body = 1000;
	expect_server_fail(e, "big-cl", &o, "larger than 1000 bytes");
	expect_server_fail(e, "big-nocl", &o, "larger than 1000 bytes");
	expect_server_fail(e, "hdr-bomb", &o, "headers");
	expect_server_fail(e, "hdr-bomb", &o, "larger than 65536 bytes");
	o.max_body = 999;
	expect_server_fail(e, "exact", &o, "larger than 999 bytes");
	o.max_body = 1000;
	assert_int_equal(get(e, "exact", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.body_len, 1000);
	assert_int_equal(strlen(r.body), 1000);
	jwtc_http_resp_clear(&r);
	o.max_body = 2000;
	assert_int_equal(get(e, "big-nocl", &o, &r, &err), JWTC_OK);
	assert_int_equal(r.body_len, 2000);
	jwtc_http_resp_clear(&r);
}

static void
test_server_redirects(void **state)
{
	static const char *const ok[] = {
		"r-rel", "r-abs", "r-303", "r-307", "r-308", "r3",
	};
	static const struct {
		const char *path, *want;
	} bad[] = {
		{ "r4", "more than 3 redirects" },
		{ "r-loop", "more than 3 redirects" },
		{ "r-http", "URL is not https" },
		{ "r-file", "URL is not https" },
		{ "r-port", "another origin" },
		{ "r-host", "another origin (127.0.0.2" },
		{ "r-cred", "user credentials" },
		{ "r-none", "without a usable Location" },
	};
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		print_message("%s\n", ok[i]);
		assert_int_equal(get(e, ok[i], &o, &r, &err), JWTC_OK);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.body, "{\"keys\":[]}");
		assert_string_equal(r.etag, "\"v1\"");
		assert_int_equal(r.max_age, 120);
		jwtc_http_resp_clear(&r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i].path);
		expect_server_fail(e, bad[i].path, &o, bad[i].want);
	}
	/* the credentials of a refused Location are not repeated */
	assert_int_equal(get(e, "r-cred", &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_null(strstr(err.msg, "sekrit"));
	/* the headers of a redirect do not leak into the final response */
	assert_int_equal(get(e, "r-etag", &o, &r, &err), JWTC_OK);
	assert_null(r.etag);
	assert_int_equal(r.max_age, -1);
	jwtc_http_resp_clear(&r);
}

static void
test_server_trust(void **state)
{
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;
	char *url;

	/* another CA */
	o.ca_file = e->other_ca;
	expect_server_fail(e, "ok", &o, "certificate");
	/* the system store does not hold the test CA */
	o.ca_file = NULL;
	expect_server_fail(e, "ok", &o, "certificate");
	/* a CA file that does not exist */
	o.ca_file = "/nonexistent/ca.pem";
	expect_server_fail(e, "ok", &o, "cannot fetch");
	/* the right CA, a certificate for another name */
	o = server_opts(e);
	url = fmt("https://127.0.0.1:%u/ok", e->wrong.port);
	assert_int_equal(jwtc_http_get(url, &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "certificate");
	free(url);
	/* and the same CA with the right name works */
	assert_int_equal(get(e, "ok", &o, &r, &err), JWTC_OK);
	jwtc_http_resp_clear(&r);
}

static void
test_server_proxy(void **state)
{
	struct env *e = server_env(state);
	jwtc_http_opts o = server_opts(e);
	jwtc_http_resp r;
	jwtc_error err;

	/* proxy variables of the environment are ignored */
	assert_int_equal(setenv("https_proxy", "http://127.0.0.1:1", 1), 0);
	assert_int_equal(setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1), 0);
	assert_int_equal(setenv("ALL_PROXY", "http://127.0.0.1:1", 1), 0);
	assert_int_equal(get(e, "ok", &o, &r, &err), JWTC_OK);
	jwtc_http_resp_clear(&r);
	/* the configured proxy is used (here: one that refuses) */
	o.proxy = "http://127.0.0.1:1";
	assert_int_equal(get(e, "ok", &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "cannot fetch");
	/* and no_proxy in the environment does not bypass it */
	assert_int_equal(setenv("no_proxy", "*", 1), 0);
	assert_int_equal(setenv("NO_PROXY", "*", 1), 0);
	assert_int_equal(get(e, "ok", &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	(void)unsetenv("https_proxy");
	(void)unsetenv("HTTPS_PROXY");
	(void)unsetenv("ALL_PROXY");
	(void)unsetenv("no_proxy");
	(void)unsetenv("NO_PROXY");
}

/* ---- a running test issuer (JWT_AUTH_TEST_ISSUER, JWT_AUTH_TEST_CA) ---------------- */

struct issuer_env {
	const char *base, *ca, *other_ca;
	char *tmp;
	char *made_ca;
};

static int
issuer_setup(void **state)
{
	struct issuer_env *ie = calloc(1, sizeof(*ie));
	char *cnf;

	if (ie == NULL)
		return -1;
	*state = ie;
	ie->base = getenv("JWT_AUTH_TEST_ISSUER");
	ie->ca = getenv("JWT_AUTH_TEST_CA");
	if (ie->base == NULL || *ie->base == '\0' || ie->ca == NULL ||
	    *ie->ca == '\0') {
		print_message("JWT_AUTH_TEST_ISSUER and JWT_AUTH_TEST_CA not "
		    "set: issuer tests skipped\n");
		ie->base = NULL;
		return 0;
	}
	if (strncmp(ie->base, "https://127.0.0.1:", 18) != 0) {
		print_message("JWT_AUTH_TEST_ISSUER is not on 127.0.0.1: "
		    "issuer tests skipped\n");
		ie->base = NULL;
		return 0;
	}
	ie->other_ca = getenv("JWT_AUTH_TEST_OTHER_CA");
	if ((ie->other_ca == NULL || *ie->other_ca == '\0') &&
	    have_openssl()) {
		ie->tmp = unit_tmpdir();
		if (ie->tmp == NULL)
			return -1;
		cnf = unit_write_text(ie->tmp, "t.cnf", 0644, ssl_cnf);
		free(cnf);
		if (openssl_run(ie->tmp, "ca", "other", "other CA", false))
			ie->made_ca = unit_path(ie->tmp, "other.pem");
		ie->other_ca = ie->made_ca;
	}
	return 0;
}

static int
issuer_teardown(void **state)
{
	struct issuer_env *ie = *state;

	if (ie == NULL)
		return 0;
	unit_rmtree(ie->tmp);
	free(ie->tmp);
	free(ie->made_ca);
	free(ie);
	return 0;
}

static struct issuer_env *
issuer_env(void **state)
{
	struct issuer_env *ie = *state;

	if (ie == NULL || ie->base == NULL)
		skip();
	return ie;
}

static jwtc_rc
issuer_get(const struct issuer_env *ie, const jwtc_http_opts *o,
    jwtc_http_resp *r, jwtc_error *err)
{
	char *url = fmt("%s/.well-known/openid-configuration", ie->base);
	jwtc_rc rc;

	memset(err, 0, sizeof(*err));
	rc = jwtc_http_get(url, o, r, err);
	free(url);
	return rc;
}

static void
test_issuer_discovery(void **state)
{
	struct issuer_env *ie = issuer_env(state);
	jwtc_http_opts o = opts_in(10000);
	jwtc_http_resp r;
	jwtc_error err;
	char *uri = NULL;

	o.ca_file = ie->ca;
	o.max_body = JWTC_MAX_DISCOVERY_SIZE;
	assert_int_equal(issuer_get(ie, &o, &r, &err), JWTC_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(r.body);
	assert_int_equal(jwtc_discovery_parse(r.body, r.body_len, ie->base,
	    &uri, &err), JWTC_OK);
	assert_true(strncmp(uri, "https://", 8) == 0);
	free(uri);
	jwtc_http_resp_clear(&r);
}

static void
test_issuer_max_body(void **state)
{
	struct issuer_env *ie = issuer_env(state);
	jwtc_http_opts o = opts_in(10000);
	jwtc_http_resp r;
	jwtc_error err;

	o.ca_file = ie->ca;
	o.max_body = 10;
	assert_int_equal(issuer_get(ie, &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "larger than 10 bytes");
	assert_null(r.body);
}

static void
test_issuer_wrong_ca(void **state)
{
	struct issuer_env *ie = issuer_env(state);
	jwtc_http_opts o = opts_in(10000);
	jwtc_http_resp r;
	jwtc_error err;

	if (ie->other_ca == NULL)
		skip();
	o.ca_file = ie->other_ca;
	assert_int_equal(issuer_get(ie, &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
	assert_contains(err.msg, "certificate");
	/* nor does the system store know the test CA */
	o.ca_file = NULL;
	assert_int_equal(issuer_get(ie, &o, &r, &err),
	    JWTC_ERR_KEYS_UNAVAILABLE);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_fetch_allowed),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_discovery_table),
		cmocka_unit_test(test_discovery_sizes),
		cmocka_unit_test(test_discovery_good),
		cmocka_unit_test(test_discovery_args),
		cmocka_unit_test(test_get_refused_urls),
		cmocka_unit_test(test_get_message_names_host_only),
		cmocka_unit_test(test_get_refused_opts),
		cmocka_unit_test(test_resp_clear),
	};
	const struct CMUnitTest load[] = {
		cmocka_unit_test(test_loads_on_first_fetch),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_deadline_bounds_a_silent_server),
		cmocka_unit_test(test_load_failure),
	};
	const struct CMUnitTest server[] = {
		cmocka_unit_test(test_server_ok),
		cmocka_unit_test(test_server_cache_control),
		cmocka_unit_test(test_server_validators),
		cmocka_unit_test(test_server_statuses),
		cmocka_unit_test(test_server_sizes),
		cmocka_unit_test(test_server_redirects),
		cmocka_unit_test(test_server_trust),
		cmocka_unit_test(test_server_proxy),
	};
	const struct CMUnitTest issuer[] = {
		cmocka_unit_test(test_issuer_discovery),
		cmocka_unit_test(test_issuer_max_body),
		cmocka_unit_test(test_issuer_wrong_ca),
	};
	int failed = 0;

	if (argc == 2 && strcmp(argv[1], LOAD_FAILURE_ARG) == 0)
		return load_failure_child();
	/* a clean proxy environment to start from */
	(void)unsetenv("no_proxy");
	(void)unsetenv("NO_PROXY");
	failed += cmocka_run_group_tests_name("offline", offline, NULL, NULL);
	failed += cmocka_run_group_tests_name("load", load, NULL, NULL);
	failed += cmocka_run_group_tests_name("server", server, server_setup,
	    server_teardown);
	failed += cmocka_run_group_tests_name("issuer", issuer, issuer_setup,
	    issuer_teardown);
	return failed == 0 ? 0 : 1;
}
