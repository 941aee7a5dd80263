/*
 * test_cache.c - the cache file: its format refused in every malformed
 * shape, written atomically, read only when trusted, and the refresh lock.
 * Behaviour against a live issuer is tests/test_issuer.sh.
 */
#include "unit.h"

#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "internal.h"

#define ISS "https://idp.example"

static char *dir;
static int dirfd_;

static int
setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	if (dir == NULL)
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd_ < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(dirfd_);
	unit_rmtree(dir);
	free(dir);
	return 0;
}

#define GOOD_JWKS "{\\\"keys\\\":[]}"

struct pcase {
	const char *text;
	const char *why;   /* NULL: accepted */
};

static const struct pcase parse_cases[] = {
	{ "{\"format\":1,\"issuer\":\"" ISS "\"}", NULL },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"jwks\":\"" GOOD_JWKS "\","
	  "\"fetched_at\":10,\"fresh_until\":20,\"stale_until\":30}", NULL },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"etag\":\"\\\"x\\\"\","
	  "\"failures\":3,\"backoff_until\":99}", NULL },
	/* refused */
	{ "", "JSON" },
	{ "[]", "not an object" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\"", "JSON" },
	{ "{\"issuer\":\"" ISS "\"}", "format" },
	{ "{\"format\":2,\"issuer\":\"" ISS "\"}", "format" },
	{ "{\"format\":\"1\",\"issuer\":\"" ISS "\"}", "format" },
	{ "{\"format\":1}", "issuer is missing" },
	{ "{\"format\":1,\"issuer\":7}", "issuer" },
	{ "{\"format\":1,\"issuer\":\"https://other.example\"}",
	  "another issuer" },
	{ "{\"format\":1,\"issuer\":\"" ISS "/\"}", "another issuer" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"issuer\":\"" ISS "\"}",
	  "duplicate" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"jwks\":{}}", "jwks" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"jwks_uri\":[1]}",
	  "jwks_uri" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"etag\":5}", "etag" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"last_modified\":true}",
	  "last_modified" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"last_failure\":[]}",
	  "last_failure" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"fetched_at\":\"10\"}",
	  "fetched_at" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"fresh_until\":-1}",
	  "fresh_until" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"stale_until\":1.5}",
	  "stale_until" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"backoff_until\":"
	  "9007199254740993}", "backoff_until" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"kid_refetch_at\":null}",
	  "kid_refetch_at" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"failures\":-2}",
	  "failures" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"last_attempt\":{}}",
	  "last_attempt" },
	/* fresh after stale, fetched after fresh */
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"fresh_until\":30,"
	  "\"stale_until\":20}", "out of order" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"jwks\":\"" GOOD_JWKS "\","
	  "\"fetched_at\":40,\"fresh_until\":30,\"stale_until\":50}",
	  "out of order" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"x\":[[[[[[[[[[[[[[[[[[1]]]]]"
	  "]]]]]]]]]]]]]}", "deeper" },
	{ "{\"format\":1,\"issuer\":\"" ISS "\",\"etag\":\"a\\u0000b\"}",
	  "JSON" },
};

static void
test_parse_table(void **state)
{
	size_t i, refused = 0;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct pcase *c = &parse_cases[i];
		jwtc_cache_entry e;
		jwtc_error err;
		jwtc_rc rc;

		memset(&e, 0, sizeof(e));
		memset(&err, 0, sizeof(err));
		rc = jwtc_cache_parse(c->text, strlen(c->text), ISS, &e, &err);
		if (c->why == NULL) {
			if (rc != JWTC_OK)
				fail_msg("case %zu refused: %s", i, err.msg);
			assert_string_equal(e.issuer, ISS);
		} else {
			if (rc != JWTC_ERR_CONFIG)
				fail_msg("case %zu: got %s, want a refusal", i,
				    jwtc_rc_str(rc));
			if (strstr(err.msg, c->why) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i,
				    err.msg, c->why);
			assert_null(e.issuer);
			refused++;
		}
		jwtc_cache_entry_clear(&e);
	}
	assert_true(refused > 20);
}

static void
fill(jwtc_cache_entry *e)
{
	static char iss[] = ISS, uri[] = ISS "/jwks",
	    jwks[] = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}",
	    etag[] = "\"v1\"", fail[] = "HTTP status 503";

	memset(e, 0, sizeof(*e));
	e->issuer = iss;
	e->jwks_uri = uri;
	e->jwks = jwks;
	e->jwks_len = strlen(jwks);
	e->etag = etag;
	e->fetched_at = 1000;
	e->fresh_until = 2000;
	e->stale_until = 3000;
	e->last_attempt = 1500;
	e->backoff_until = 1505;
	e->kid_refetch_at = 1400;
	e->failures = 1;
	e->last_failure = fail;
	e->last_failure_at = 1500;
}

static void
test_write_read(void **state)
{
	jwtc_cache_entry in, out, copy;
	jwtc_error err;
	struct stat st;

	(void)state;
	fill(&in);
	assert_int_equal(jwtc_cache_write(dirfd_, "a.json", &in, &err),
	    JWTC_OK);
	memset(&out, 0, sizeof(out));
	assert_int_equal(jwtc_cache_read(dirfd_, "a.json", ISS, &out, &st,
	    &err), JWTC_OK);
	assert_string_equal(out.jwks, in.jwks);
	assert_int_equal(out.jwks_len, in.jwks_len);
	assert_string_equal(out.etag, in.etag);
	assert_string_equal(out.jwks_uri, in.jwks_uri);
	assert_string_equal(out.last_failure, in.last_failure);
	assert_int_equal(out.fetched_at, 1000);
	assert_int_equal(out.fresh_until, 2000);
	assert_int_equal(out.stale_until, 3000);
	assert_int_equal(out.backoff_until, 1505);
	assert_int_equal(out.kid_refetch_at, 1400);
	assert_int_equal(out.failures, 1);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_true(S_ISREG(st.st_mode));
	/* read for another issuer: refused */
	jwtc_cache_entry_clear(&out);
	assert_int_equal(jwtc_cache_read(dirfd_, "a.json", ISS "/x", &out,
	    NULL, &err), JWTC_ERR_CONFIG);
	/* a deep copy survives the original */
	assert_int_equal(jwtc_cache_read(dirfd_, "a.json", ISS, &out, NULL,
	    &err), JWTC_OK);
	assert_int_equal(jwtc_cache_entry_copy(&out, &copy), JWTC_OK);
	jwtc_cache_entry_clear(&out);
	assert_string_equal(copy.jwks, in.jwks);
	jwtc_cache_entry_clear(&copy);
	/* no temp file is left behind */
	{
		DIR *d = opendir(dir);
		struct dirent *de;
		size_t n = 0;

		assert_non_null(d);
		while ((de = readdir(d)) != NULL)
			n += strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0;
		closedir(d);
		assert_int_equal(n, 1);
	}
}

static void
test_read_refusals(void **state)
{
	jwtc_cache_entry in, out;
	jwtc_error err;
	char *p, target[512];

	(void)state;
	fill(&in);
	memset(&out, 0, sizeof(out));
	/* absent */
	assert_int_equal(jwtc_cache_read(dirfd_, "none.json", ISS, &out, NULL,
	    &err), JWTC_ERR_NO_KEY);
	/* a symbolic link to a good file */
	assert_int_equal(jwtc_cache_write(dirfd_, "real.json", &in, &err),
	    JWTC_OK);
	snprintf(target, sizeof(target), "%s/real.json", dir);
	assert_int_equal(symlinkat(target, dirfd_, "link.json"), 0);
	assert_int_equal(jwtc_cache_read(dirfd_, "link.json", ISS, &out, NULL,
	    &err), JWTC_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "symbolic link"));
	/* group- and other-writable */
	assert_int_equal(jwtc_cache_write(dirfd_, "gw.json", &in, &err),
	    JWTC_OK);
	assert_int_equal(fchmodat(dirfd_, "gw.json", 0664, 0), 0);
	assert_int_equal(jwtc_cache_read(dirfd_, "gw.json", ISS, &out, NULL,
	    &err), JWTC_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "writable by group"));
	assert_int_equal(fchmodat(dirfd_, "gw.json", 0646, 0), 0);
	assert_int_equal(jwtc_cache_read(dirfd_, "gw.json", ISS, &out, NULL,
	    &err), JWTC_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "writable by others"));
	/* a directory */
	assert_int_equal(mkdirat(dirfd_, "dir.json", 0755), 0);
	assert_int_equal(jwtc_cache_read(dirfd_, "dir.json", ISS, &out, NULL,
	    &err), JWTC_ERR_CONFIG);
	/* truncated, as by a killed writer that bypassed the rename */
	p = unit_write_text(dir, "trunc.json", 0644,
	    "{\"format\":1,\"issuer\":\"" ISS "\",\"jwks\":\"{");
	assert_non_null(p);
	free(p);
	assert_int_equal(jwtc_cache_read(dirfd_, "trunc.json", ISS, &out,
	    NULL, &err), JWTC_ERR_CONFIG);
	/* owned by another user: only root can make one */
	if (geteuid() == 0) {
		assert_int_equal(fchownat(dirfd_, "real.json", 65534, 65534, 0),
		    0);
		assert_int_equal(jwtc_cache_read(dirfd_, "real.json", ISS, &out,
		    NULL, &err), JWTC_ERR_CONFIG);
		assert_non_null(strstr(err.msg, "owned by uid 65534"));
	} else {
		print_message("not root: the foreign-owner case is skipped\n");
	}
	assert_null(out.issuer);
}

/* A write into a directory that refuses it reports the failure and leaves
 * the old file as it was. */
static void
test_write_refused(void **state)
{
	jwtc_cache_entry in, out;
	jwtc_error err;
	pid_t pid;
	int status;

	(void)state;
	fill(&in);
	assert_int_equal(jwtc_cache_write(dirfd_, "ro.json", &in, &err),
	    JWTC_OK);
	if (geteuid() != 0) {
		skip();
		return;
	}
	/* an unprivileged process cannot write a root-owned 0755 dir */
	assert_int_equal(fchmod(dirfd_, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		jwtc_cache_entry mine;
		jwtc_error e2;

		fill(&mine);
		mine.fetched_at = 1;
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		if (jwtc_cache_write(dirfd_, "ro.json", &mine, &e2) !=
		    JWTC_ERR_CONFIG || strstr(e2.msg, "cannot create") == NULL)
			_exit(1);
		/* but it may read */
		memset(&mine, 0, sizeof(mine));
		if (jwtc_cache_read(dirfd_, "ro.json", ISS, &mine, NULL, &e2) !=
		    JWTC_OK)
			_exit(2);
		jwtc_cache_entry_clear(&mine);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(jwtc_cache_read(dirfd_, "ro.json", ISS, &out, NULL,
	    &err), JWTC_OK);
	assert_int_equal(out.fetched_at, 1000);
	jwtc_cache_entry_clear(&out);
	assert_int_equal(fchmod(dirfd_, 0700), 0);
}

static void
test_lock(void **state)
{
	char why[256];
	int a, b, c;
	int64_t t0;

	(void)state;
	a = jwtc_cache_lock(dirfd_, "x.lock", 0, NULL, 0);
	assert_true(a >= 0);
	/* flock locks belong to the open file: a second open conflicts,
	 * as another process would */
	b = jwtc_cache_lock(dirfd_, "x.lock", 0, NULL, 0);
	assert_int_equal(b, -1);
	t0 = jwtc_monotonic_ms();
	b = jwtc_cache_lock(dirfd_, "x.lock", t0 + 200, NULL, 0);
	assert_int_equal(b, -1);
	assert_true(jwtc_monotonic_ms() - t0 >= 200);
	jwtc_cache_unlock(a);
	b = jwtc_cache_lock(dirfd_, "x.lock", 0, NULL, 0);
	assert_true(b >= 0);
	jwtc_cache_unlock(b);
	/* a lock file that is a symlink or group-writable is not used */
	assert_int_equal(symlinkat("/tmp", dirfd_, "l.lock"), 0);
	assert_int_equal(jwtc_cache_lock(dirfd_, "l.lock", 0, why,
	    sizeof(why)), -2);
	assert_non_null(strstr(why, "l.lock"));
	assert_non_null(strstr(why, "symbolic link"));
	c = openat(dirfd_, "g.lock", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(c >= 0);
	assert_int_equal(fchmod(c, 0660), 0);
	close(c);
	assert_int_equal(jwtc_cache_lock(dirfd_, "g.lock", 0, why,
	    sizeof(why)), -2);
	assert_non_null(strstr(why, "writable by group"));
}

static void
test_names(void **state)
{
	jwtc_issuer_cfg a, b;
	char ja[JWTC_CACHE_NAME_LEN], la[JWTC_CACHE_NAME_LEN];
	char jb[JWTC_CACHE_NAME_LEN], lb[JWTC_CACHE_NAME_LEN];
	static char i1[] = ISS, i2[] = ISS "/", u[] = ISS "/keys",
	    ca[] = "/etc/ca.pem", proxy[] = "http://127.0.0.1:3128";
	size_t i;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.issuer = i1;
	b.issuer = i1;
	jwtc_cache_names(&a, ja, la);
	jwtc_cache_names(&b, jb, lb);
	assert_string_equal(ja, jb);
	assert_int_equal(strlen(ja), 64 + 5);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", ja[i]));
	assert_string_equal(ja + 64, ".json");
	assert_string_equal(la + 64, ".lock");
	assert_memory_equal(ja, la, 64);
	b.issuer = i2;
	jwtc_cache_names(&b, jb, lb);
	assert_string_not_equal(ja, jb);
	b.issuer = i1;
	b.jwks_uri = u;
	jwtc_cache_names(&b, jb, lb);
	assert_string_not_equal(ja, jb);
	/* another trust (CA file, proxy, x5c CA): another file */
	b.jwks_uri = NULL;
	b.ca_file = ca;
	jwtc_cache_names(&b, jb, lb);
	assert_string_not_equal(ja, jb);
	b.ca_file = NULL;
	b.http_proxy = proxy;
	jwtc_cache_names(&b, jb, lb);
	assert_string_not_equal(ja, jb);
	b.http_proxy = NULL;
	b.x5c_ca_file = ca;
	jwtc_cache_names(&b, jb, lb);
	assert_string_not_equal(ja, jb);
	b.x5c_ca_file = NULL;
	jwtc_cache_names(&b, jb, lb);
	assert_string_equal(ja, jb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_read_refusals),
		cmocka_unit_test(test_write_refused),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
