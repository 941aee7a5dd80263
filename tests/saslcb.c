/*
 * saslcb.c - libsasl2's global callbacks for the tests and benchmarks
 * that run the SASL plugin.  See saslcb.h.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "saslcb.h"

static int
get_opt(void *context, const char *plugin_name, const char *option,
    const char **result, unsigned *len)
{
	const saslcb *cb = context;
	const char *v = NULL;

	(void)plugin_name;
	if (strcmp(option, "jwt_config") == 0)
		v = cb->config;
	else if (strcmp(option, "jwt_issuers") == 0)
		v = cb->issuers;
	else if (strcmp(option, "jwt_authzid") == 0)
		v = cb->authzid;
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
	const saslcb *cb = context;

	*path = cb->plugdir;
	return SASL_OK;
}

static int
get_confpath(void *context, char **path)
{
	const saslcb *cb = context;

	*path = cb->confdir;
	return SASL_OK;
}

static int
log_cb(void *context, int level, const char *message)
{
	const saslcb *cb = context;

	if (level <= cb->echo_level)
		fprintf(stderr, "%s%slog %d: %s\n", cb->name != NULL ?
		    cb->name : "", cb->name != NULL ? ": " : "", level,
		    message);
	if (cb->sink != NULL)
		cb->sink(cb->sink_arg, level, message);
	if (cb->last != NULL && cb->last_size > 0)
		(void)snprintf(cb->last, cb->last_size, "%s", message);
	return SASL_OK;
}

static void
set(sasl_callback_t *c, unsigned long id, int (*proc)(void), void *context)
{
	c->id = id;
	c->proc = proc;
	c->context = context;
}

void
saslcb_setup(saslcb *cb)
{
	sasl_callback_t *c = cb->client;

	set(&cb->server[0], SASL_CB_GETPATH, SASLCB_PROC(get_path), cb);
	set(&cb->server[1], SASL_CB_GETCONFPATH, SASLCB_PROC(get_confpath),
	    cb);
	set(&cb->server[2], SASL_CB_GETOPT, SASLCB_PROC(get_opt), cb);
	set(&cb->server[3], SASL_CB_LOG, SASLCB_PROC(log_cb), cb);
	set(&cb->server[4], SASL_CB_LIST_END, NULL, NULL);

	set(c++, SASL_CB_GETPATH, SASLCB_PROC(get_path), cb);
	if (cb->confdir != NULL)
		set(c++, SASL_CB_GETCONFPATH, SASLCB_PROC(get_confpath), cb);
	set(c++, SASL_CB_LOG, SASLCB_PROC(log_cb), cb);
	set(c, SASL_CB_LIST_END, NULL, NULL);
}

int
saslcb_empty_user(void *context, int id, const char **result, unsigned *len)
{
	(void)context;
	if (id != SASL_CB_USER && id != SASL_CB_AUTHNAME)
		return SASL_BADPARAM;
	*result = "";
	if (len != NULL)
		*len = 0;
	return SASL_OK;
}

int
saslcb_secret(sasl_conn_t *conn, void *context, int id,
    sasl_secret_t **psecret)
{
	sasl_secret_t *const *secret = context;

	(void)conn;
	if (id != SASL_CB_PASS)
		return SASL_FAIL;
	*psecret = *secret;
	return SASL_OK;
}
