/*
 * saslcb.h - libsasl2's global callbacks for the programs that run the
 * SASL plugin through libsasl2 (tests and benchmarks): where plugins and
 * their configuration are, the plugin's options and what becomes of the
 * log lines, all given as data.
 *
 * Fill in a saslcb, call saslcb_setup, then pass cb.server to
 * sasl_server_init and cb.client to sasl_client_init.  The saslcb must
 * outlive libsasl2's use of it (until sasl_*_done).
 */
#ifndef SASLCB_H
#define SASLCB_H

#include <stddef.h>

#include <sasl/sasl.h>

/* Cast a callback to libsasl2's generic function type. */
#define SASLCB_PROC(f) ((int (*)(void))(void (*)(void))(f))

typedef struct saslcb {
	/* SASL_CB_GETOPT: jwt_config, jwt_issuers, jwt_authzid (NULL: unset) */
	const char *config;
	const char *issuers;
	const char *authzid;
	const char *plugdir;        /* SASL_CB_GETPATH */
	char *confdir;              /* SASL_CB_GETCONFPATH (NULL: libsasl2's) */
	/* SASL_CB_LOG: lines of level <= echo_level go to standard error,
	 * after "name: " when name is set (echo_level -1: none) ... */
	const char *name;
	int echo_level;
	/* ... every line to sink(sink_arg, level, line) when sink is set ... */
	void (*sink)(void *arg, int level, const char *message);
	void *sink_arg;
	/* ... and the last line into last[last_size] when last is set. */
	char *last;
	size_t last_size;
	/* filled by saslcb_setup */
	sasl_callback_t server[5];
	sasl_callback_t client[4];
} saslcb;

void saslcb_setup(saslcb *cb);

/* SASL_CB_USER and SASL_CB_AUTHNAME: the empty string. */
int saslcb_empty_user(void *context, int id, const char **result,
    unsigned *len);
/* SASL_CB_PASS: context is a sasl_secret_t **, the secret to give. */
int saslcb_secret(sasl_conn_t *conn, void *context, int id,
    sasl_secret_t **psecret);

#endif /* SASLCB_H */
