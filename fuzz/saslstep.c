/*
 * saslstep.c - one server exchange of the SASL plugin, as libsasl2 would
 * run it, with the client's first message taken from a fuzz input.
 *
 * The plugin is set up once through its real entry point,
 * sasl_server_plug_init, with minimal utils: getopt answers jwt_config
 * (a configuration written to a private temporary directory at the first
 * input, removed at exit) and jwt_issuers; log and seterror discard.  The
 * one issuer section reads its keys from a jwks_file, so nothing is ever
 * fetched.  Each input then runs mech_new, mech_step with the input, and,
 * when the plugin sends an error challenge, mech_step with the client's
 * answer (%x01 for an input of odd length, something else otherwise) and
 * once more after the end, then mech_dispose: the mechanism's own server
 * step, the strict parser, the verification through the shared context,
 * the error JSON and the identity checks.  Not covered: libsasl2 itself
 * (its canon_user is replaced by one that keeps the name), security
 * layers (the mechanisms have none) and the client side.
 *
 * Checks: the parser's promises on the message; every return is one the
 * mechanism documents; SASL_OK only for a well-formed message whose token
 * verified, with the identity set; a challenge is a JSON object with a
 * "status" string.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "parse.h"
#include "saslstep.h"

#define ISS "https://idp.example"
#define AUD "mail.example"
/* The public half of the key the signed inputs of the corpus were made
 * with (ES256, kid "fz"). */
#define JWKS "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\"," \
	"\"x\":\"0FeodG6C-TfNkgYM0CQPw53UKg_EKlQAu79KIYtAcTY\"," \
	"\"y\":\"-NL4zDo2cYawXKDxSskmrAzeF3xM1WIr2rVnfhDqaJk\"," \
	"\"kid\":\"fz\",\"alg\":\"ES256\"}]}"
#define NAME_MAX_LEN 1024

/* The plugin's entry point (plugin.c); no header declares it. */
int sasl_server_plug_init(const sasl_utils_t *u, int max_version,
    int *out_version, sasl_server_plug_t **pluglist, int *plugcount);

static char dir[64];
static char conf_path[128];
static sasl_utils_t utils;
static sasl_server_plug_t *plugs;
static int nplugs;

/* What the host's canon_user gave back; the names live here. */
static char authid_buf[NAME_MAX_LEN + 1];
static char user_buf[NAME_MAX_LEN + 1];

static int
fake_getopt(void *context, const char *plugin_name, const char *option,
    const char **result, unsigned *len)
{
	(void)context;
	(void)plugin_name;
	if (strcmp(option, "jwt_config") == 0)
		*result = conf_path;
	else if (strcmp(option, "jwt_issuers") == 0)
		*result = "corp";
	else
		return SASL_FAIL;
	if (len != NULL)
		*len = 0;
	return SASL_OK;
}

static void
fake_log(sasl_conn_t *conn, int level, const char *fmt, ...)
{
	(void)conn;
	(void)level;
	(void)fmt;
}

static void
fake_seterror(sasl_conn_t *conn, unsigned flags, const char *fmt, ...)
{
	(void)conn;
	(void)flags;
	(void)fmt;
}

/* libsasl2's canon_user, less its plugins: the name kept as it is. */
static int
fake_canon_user(sasl_conn_t *conn, const char *in, unsigned inlen,
    unsigned flags, sasl_out_params_t *op)
{
	size_t n = inlen > 0 ? inlen : strlen(in);

	(void)conn;
	if (n == 0 || n > NAME_MAX_LEN)
		return SASL_BADPROT;
	if (flags & SASL_CU_AUTHID) {
		memcpy(authid_buf, in, n);
		authid_buf[n] = '\0';
		op->authid = authid_buf;
		op->alen = (unsigned)n;
	}
	if (flags & SASL_CU_AUTHZID) {
		memcpy(user_buf, in, n);
		user_buf[n] = '\0';
		op->user = user_buf;
		op->ulen = (unsigned)n;
	}
	return SASL_OK;
}

static void
path_in_dir(char *out, size_t outlen, const char *name)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		abort();
}

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	path_in_dir(path, sizeof(path), name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		abort();
}

static void
remove_dir(void)
{
	static const char *const files[] = { "jwt-auth.conf", "jwks.json" };
	static const char *const dirs[] = { "cache", "state" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path_in_dir(path, sizeof(path), files[i]);
		(void)unlink(path);
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path_in_dir(path, sizeof(path), dirs[i]);
		(void)rmdir(path);
	}
	(void)rmdir(dir);
}

static void
setup(void)
{
	char conf[1024], cache[128], state[128];
	int version = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "/tmp/jwt-auth-fuzz.XXXXXX") >=
	    sizeof(dir) || mkdtemp(dir) == NULL)
		abort();
	path_in_dir(conf_path, sizeof(conf_path), "jwt-auth.conf");
	path_in_dir(cache, sizeof(cache), "cache");
	path_in_dir(state, sizeof(state), "state");
	if (mkdir(cache, 0700) != 0 || mkdir(state, 0700) != 0)
		abort();
	write_file("jwks.json", JWKS "\n");
	if ((size_t)snprintf(conf, sizeof(conf), "[global]\n"
	    "cache_dir = %s\nstate_dir = %s\n\n[issuer corp]\n"
	    "issuer = " ISS "\naudience = " AUD "\njwks_file = %s/jwks.json\n"
	    "algorithms = ES256\n", cache, state, dir) >= sizeof(conf))
		abort();
	write_file("jwt-auth.conf", conf);
	if (atexit(remove_dir) != 0)
		abort();
	utils.getopt = fake_getopt;
	utils.log = fake_log;
	utils.seterror = fake_seterror;
	if (sasl_server_plug_init(&utils, SASL_SERVER_PLUG_VERSION, &version,
	    &plugs, &nplugs) != SASL_OK || nplugs != 2)
		abort();
	/* a configuration that works: the mechanisms are offered */
	if (plugs[0].mech_avail(plugs[0].glob_context, NULL, NULL) !=
	    SASL_OK)
		abort();
}

/* The parser's promises on an accepted message. */
static void
check_msg(const uint8_t *msg, size_t len, const sjwt_msg *m)
{
	if (m->token != NULL) {
		if ((const uint8_t *)m->token < msg ||
		    (const uint8_t *)m->token + m->token_len > msg + len ||
		    !sjwt_is_b64token(m->token, m->token_len))
			abort();
	} else if (m->token_len != 0) {
		abort();
	}
	if (memchr(m->authzid, '\0', sizeof(m->authzid)) == NULL ||
	    memchr(m->user, '\0', sizeof(m->user)) == NULL)
		abort();
}

static sjwt_perr
parse(int mech, const uint8_t *data, size_t size)
{
	sjwt_perr e;
	sjwt_msg m;

	memset(&m, 0, sizeof(m));
	if (mech == SASLSTEP_XOAUTH2)
		e = sjwt_parse_xoauth2((const char *)data, size, &m);
	else
		e = sjwt_parse_oauthbearer((const char *)data, size, &m);
	if (e == SJWT_PARSE_OK)
		check_msg(data, size, &m);
	else if (sjwt_perr_str(e) == NULL)
		abort();
	return e;
}

/* An error challenge: a JSON object with a status. */
static void
check_challenge(const char *out, unsigned outlen)
{
	json_error_t jerr;
	json_t *o;

	if (out == NULL || outlen == 0)
		abort();
	o = json_loadb(out, outlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o) ||
	    !json_is_string(json_object_get(o, "status")))
		abort();
	json_decref(o);
}

static void
check_first(int r, sjwt_perr e, const sasl_out_params_t *op)
{
	switch (r) {
	case SASL_OK:
		if (e != SJWT_PARSE_OK || op->authid == NULL ||
		    op->doneflag != 1)
			abort();
		break;
	case SASL_CONTINUE:
	case SASL_BADPROT:
	case SASL_BADAUTH:
	case SASL_NOAUTHZ:
	case SASL_UNAVAIL:
	case SASL_NOMEM:
	case SASL_FAIL:
		if (r != SASL_BADPROT && e != SJWT_PARSE_OK)
			abort();
		break;
	default:
		abort();
	}
}

void
saslstep_run(int mech, const uint8_t *data, size_t size)
{
	static const char ack[] = "\001", other[] = "\002";
	sasl_server_params_t sp;
	sasl_out_params_t op;
	const sasl_server_plug_t *p;
	const char *out = NULL;
	unsigned outlen = 0;
	void *conn = NULL;
	sjwt_perr e;
	int r;

	if (plugs == NULL)
		setup();
	if (size > 65536)
		return;
	p = &plugs[mech];
	e = parse(mech, data, size);
	memset(&sp, 0, sizeof(sp));
	memset(&op, 0, sizeof(op));
	sp.utils = &utils;
	sp.canon_user = fake_canon_user;
	if (p->mech_new(p->glob_context, &sp, NULL, 0, &conn) != SASL_OK)
		abort();
	r = p->mech_step(conn, &sp, (const char *)data, (unsigned)size, &out,
	    &outlen, &op);
	check_first(r, e, &op);
	if (r == SASL_CONTINUE) {
		check_challenge(out, outlen);
		r = p->mech_step(conn, &sp, size % 2 == 1 ? ack : other, 1,
		    &out, &outlen, &op);
		if (r != (size % 2 == 1 ? SASL_BADAUTH : SASL_BADPROT))
			abort();
	}
	/* the exchange is over: another step is a protocol error */
	if (p->mech_step(conn, &sp, ack, 1, &out, &outlen, &op) !=
	    SASL_BADPROT)
		abort();
	p->mech_dispose(conn, &utils);
}
