/*
 * saslstep.h - a server exchange of the SASL plugin driven from a fuzz
 * input (saslstep.c), shared by fuzz_oauthbearer.c and fuzz_xoauth2.c.
 */
#ifndef JWT_AUTH_SASLSTEP_H
#define JWT_AUTH_SASLSTEP_H

#include <stddef.h>
#include <stdint.h>

/* The mechanisms, in the order sasl_server_plug_init lists them. */
#define SASLSTEP_OAUTHBEARER 0
#define SASLSTEP_XOAUTH2 1

/* Run one server exchange of mechanism mech with data as the client's
 * first message; aborts when the plugin breaks one of its promises. */
void saslstep_run(int mech, const uint8_t *data, size_t size);

#endif
