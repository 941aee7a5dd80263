/*
 * sasl-demo - one OAUTHBEARER exchange through the real libsasl2, client
 * and server in one process, for the README demo.  The plugin is loaded
 * from PLUGIN_DIR (SASL_CB_GETPATH, nothing else) and its options come
 * from SASL_CB_GETOPT: jwt_config = CONFIG, jwt_issuers = ISSUERS.  The
 * token is read from standard input, never from the command line.
 *
 *   sasl-demo PLUGIN_DIR CONFIG ISSUERS <TOKEN
 *
 * Prints the mechanism, what the plugin logged (at notice and above), the
 * server's error message and the client's answer to it, and the outcome.
 * Exit status: 0 authenticated, 1 refused (SASL_BADAUTH), 2 usage or any
 * other failure.  A test tool, never installed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sasl/sasl.h>

#define EXIT_REFUSED 1
#define EXIT_OTHER 2
#define MAX_TOKEN 16384
#define MAX_ROUNDS 4
#define APP "jwt-auth-demo"
#define SERVICE "imap"
#define FQDN "localhost"
#define MECH "OAUTHBEARER"

/* Cast a callback to libsasl2's generic function type. */
#define CB(f) ((int (*)(void))(void (*)(void))(f))

static struct {
	char *plugdir;
	const char *config;
	const char *issuers;
} opt;

/* The token as the client's SASL_CB_PASS secret. */
static sasl_secret_t *secret;
static size_t secret_size;

/* ---- callbacks ------------------------------------------------------------ */

static int
get_opt(void *context, const char *plugin_name, const char *option,
    const char **result, unsigned *len)
{
	const char *v = NULL;

	(void)context;
	(void)plugin_name;
	if (strcmp(option, "jwt_config") == 0)
		v = opt.config;
	else if (strcmp(option, "jwt_issuers") == 0)
		v = opt.issuers;
	if (v == NULL)
		return SASL_FAIL;
	*result = v;
	if (len != NULL)
		*len = (unsigned)strlen(v);
	return SASL_OK;
}

static int
get_path(void *context, const char **path)
{
	(void)context;
	*path = opt.plugdir;
	return SASL_OK;
}

/* No SASL configuration file of the system is read: APP.conf is looked
 * for in the plugin directory only. */
static int
get_confpath(void *context, char **path)
{
	(void)context;
	*path = opt.plugdir;
	return SASL_OK;
}

static int
log_line(void *context, int level, const char *message)
{
	(void)context;
	if (level <= SASL_LOG_NOTE && message != NULL)
		printf("sasl log: %s\n", message);
	return SASL_OK;
}

/* SASL_CB_USER: no authorization identity (the token's user). */
static int
get_user(void *context, int id, const char **result, unsigned *len)
{
	(void)context;
	if (id != SASL_CB_USER)
		return SASL_BADPARAM;
	*result = "";
	if (len != NULL)
		*len = 0;
	return SASL_OK;
}

static int
get_pass(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret)
{
	(void)conn;
	(void)context;
	if (id != SASL_CB_PASS || secret == NULL)
		return SASL_FAIL;
	*psecret = secret;
	return SASL_OK;
}

/* ---- the token ------------------------------------------------------------- */

/* Read the token from standard input into secret: at most MAX_TOKEN
 * bytes, the line end dropped. */
static int
read_token(void)
{
	static char buf[MAX_TOKEN + 2];
	sasl_secret_t *sec = NULL;
	size_t n, size;
	int rc = -1;

	n = fread(buf, 1, sizeof(buf), stdin);
	if (ferror(stdin)) {
		fprintf(stderr, "sasl-demo: cannot read the token\n");
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0 || n > MAX_TOKEN) {
		fprintf(stderr, "sasl-demo: expected one token of 1 to %d "
		    "bytes on standard input\n", MAX_TOKEN);
		goto out;
	}
	size = sizeof(*sec) + n;
	sec = malloc(size);
	if (sec == NULL) {
		fprintf(stderr, "sasl-demo: out of memory\n");
		goto out;
	}
	sec->len = (unsigned long)n;
	memcpy(sec->data, buf, n);
	secret = sec;
	secret_size = size;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* ---- one exchange ------------------------------------------------------------ */

static void
show_text(const char *what, const char *p, unsigned len)
{
	unsigned i;

	printf("%s: ", what);
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("%%x%02x", (unsigned)(unsigned char)p[i]);
	}
	putchar('\n');
}

/* Run the client against the server as a protocol would: the client's
 * first message as the initial response, then challenges and answers
 * until the server is done.  Returns the exit status. */
static int
exchange(void)
{
	sasl_callback_t ccb[] = {
		{ SASL_CB_USER, CB(get_user), NULL },
		{ SASL_CB_PASS, CB(get_pass), NULL },
		{ SASL_CB_LIST_END, NULL, NULL }
	};
	sasl_conn_t *s = NULL, *c = NULL;
	sasl_interact_t *prompts = NULL;
	const char *out = NULL, *sout = NULL, *chosen = NULL;
	const void *user = NULL;
	unsigned outlen = 0, soutlen = 0;
	int rc = EXIT_OTHER, r, rounds = 0;

	r = sasl_server_new(SERVICE, FQDN, NULL, NULL, NULL, NULL, 0, &s);
	if (r != SASL_OK) {
		fprintf(stderr, "sasl-demo: sasl_server_new: %s\n",
		    sasl_errstring(r, NULL, NULL));
		goto out;
	}
	r = sasl_client_new(SERVICE, FQDN, NULL, NULL, ccb, 0, &c);
	if (r != SASL_OK) {
		fprintf(stderr, "sasl-demo: sasl_client_new: %s\n",
		    sasl_errstring(r, NULL, NULL));
		goto out;
	}
	r = sasl_client_start(c, MECH, &prompts, &out, &outlen, &chosen);
	if (r != SASL_CONTINUE || chosen == NULL) {
		fprintf(stderr, "sasl-demo: sasl_client_start: %s\n",
		    sasl_errdetail(c));
		goto out;
	}
	printf("mechanism: %s\n", chosen);
	r = sasl_server_start(s, chosen, out, outlen, &sout, &soutlen);
	while (r == SASL_CONTINUE && rounds < MAX_ROUNDS) {
		rounds++;
		show_text("server challenge", sout != NULL ? sout : "",
		    sout != NULL ? soutlen : 0);
		r = sasl_client_step(c, sout, soutlen, &prompts, &out, &outlen);
		if (r != SASL_OK && r != SASL_CONTINUE) {
			fprintf(stderr, "sasl-demo: sasl_client_step: %s\n",
			    sasl_errdetail(c));
			goto out;
		}
		show_text("client answer", out != NULL ? out : "",
		    out != NULL ? outlen : 0);
		r = sasl_server_step(s, out, outlen, &sout, &soutlen);
	}
	if (r == SASL_OK) {
		if (sasl_getprop(s, SASL_USERNAME, &user) != SASL_OK ||
		    user == NULL) {
			fprintf(stderr, "sasl-demo: no SASL_USERNAME\n");
			goto out;
		}
		printf("server: SASL_OK, authenticated user=%s\n",
		    (const char *)user);
		rc = 0;
	} else if (r == SASL_BADAUTH) {
		printf("server: SASL_BADAUTH (%s), nobody authenticated\n",
		    sasl_errstring(r, NULL, NULL));
		rc = EXIT_REFUSED;
	} else {
		printf("server: %s\n", sasl_errstring(r, NULL, NULL));
	}
out:
	sasl_dispose(&c);
	sasl_dispose(&s);
	return rc;
}

int
main(int argc, char **argv)
{
	sasl_callback_t cbs[] = {
		{ SASL_CB_GETPATH, CB(get_path), NULL },
		{ SASL_CB_GETCONFPATH, CB(get_confpath), NULL },
		{ SASL_CB_GETOPT, CB(get_opt), NULL },
		{ SASL_CB_LOG, CB(log_line), NULL },
		{ SASL_CB_LIST_END, NULL, NULL }
	};
	int rc = EXIT_OTHER, r;
	int server_up = 0, client_up = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: sasl-demo PLUGIN_DIR CONFIG ISSUERS "
		    "<TOKEN\n");
		return EXIT_OTHER;
	}
	opt.plugdir = argv[1];
	opt.config = argv[2];
	opt.issuers = argv[3];
	if (read_token() != 0)
		goto out;
	r = sasl_server_init(cbs, APP);
	if (r != SASL_OK) {
		fprintf(stderr, "sasl-demo: sasl_server_init: %s\n",
		    sasl_errstring(r, NULL, NULL));
		goto out;
	}
	server_up = 1;
	r = sasl_client_init(cbs);
	if (r != SASL_OK) {
		fprintf(stderr, "sasl-demo: sasl_client_init: %s\n",
		    sasl_errstring(r, NULL, NULL));
		goto out;
	}
	client_up = 1;
	rc = exchange();
out:
	if (client_up)
		(void)sasl_client_done();
	if (server_up)
		(void)sasl_server_done();
	if (secret != NULL)
		OPENSSL_cleanse(secret, secret_size);
	free(secret);
	return rc;
}
