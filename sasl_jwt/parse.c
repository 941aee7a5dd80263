/*
 * parse.c - strict parsers of the OAUTHBEARER and XOAUTH2 client messages.
 *
 * OAUTHBEARER (RFC 7628 section 3.1):
 *   client-resp = gs2-header kvsep *kvpair kvsep
 *   gs2-header  = "n," [ "a=" saslname ] ","       (RFC 5801, no binding)
 *   kvpair      = key "=" value kvsep, key = 1*ALPHA,
 *                 value = *(VCHAR / SP / HTAB / CR / LF), kvsep = %x01
 *   auth value  = "Bearer" SP b64token, or empty (a discovery request)
 * Stricter than the grammar where a server gains from it: the channel
 * binding flags "y" and "p=" are refused (no -PLUS variant is offered),
 * each key may appear once, exactly one space follows the scheme, and an
 * authorization identity holds no control character and is valid UTF-8.
 *
 * XOAUTH2 (Google's format):
 *   "user=" NAME %x01 "auth=Bearer" SP TOKEN %x01 %x01
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <string.h>

#include "parse.h"

#define KVSEP '\001'

static const char *const perr_text[SJWT_PARSE_COUNT] = {
	[SJWT_PARSE_OK] = "ok",
	[SJWT_PARSE_EMPTY] = "empty message",
	[SJWT_PARSE_TOO_LONG] = "message too long",
	[SJWT_PARSE_NUL] = "NUL byte in the message",
	[SJWT_PARSE_CBIND] = "channel binding requested (only \"n,\" is "
	    "accepted)",
	[SJWT_PARSE_GS2] = "malformed GS2 header",
	[SJWT_PARSE_AUTHZID] = "bad authorization identity in a= (empty, bad "
	    "=XX escape, control character or invalid UTF-8)",
	[SJWT_PARSE_SEPARATOR] = "%x01 separator missing",
	[SJWT_PARSE_KEY] = "key is not 1*ALPHA followed by '='",
	[SJWT_PARSE_VALUE] = "value holds a byte that is not allowed",
	[SJWT_PARSE_DUPLICATE] = "key given twice",
	[SJWT_PARSE_PAIRS] = "too many key/value pairs",
	[SJWT_PARSE_NO_AUTH] = "no auth= pair",
	[SJWT_PARSE_SCHEME] = "auth= is not \"Bearer\" and one space",
	[SJWT_PARSE_TOKEN] = "token is not a b64token",
	[SJWT_PARSE_PORT] = "port= is not a port number",
	[SJWT_PARSE_END] = "message does not end in %x01%x01",
	[SJWT_PARSE_USER] = "user= missing, empty or invalid",
};

const char *
sjwt_perr_str(sjwt_perr e)
{
	if ((unsigned)e >= SJWT_PARSE_COUNT || perr_text[e] == NULL)
		return "unknown parse error";
	return perr_text[e];
}

/* ---- character classes ------------------------------------------------- */

static bool
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* VCHAR / SP / HTAB / CR / LF */
static bool
is_value_char(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool
sjwt_is_b64token(const char *token, size_t len)
{
	size_t i = 0;

	if (token == NULL)
		return false;
	while (i < len) {
		unsigned char c = (unsigned char)token[i];

		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' &&
		    c != '_' && c != '~' && c != '+' && c != '/')
			break;
		i++;
	}
	if (i == 0)
		return false;
	while (i < len && token[i] == '=')
		i++;
	return i == len;
}

/* Well-formed UTF-8: no overlong forms, no surrogates, at most U+10FFFF. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned long cp;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* An identity for SASL: 1..SJWT_MAX_ID bytes, no control character,
 * valid UTF-8. */
static bool
identity_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > SJWT_MAX_ID)
		return false;
	for (i = 0; i < len; i++)
		if (is_control((unsigned char)s[i]))
			return false;
	return utf8_valid((const unsigned char *)s, len);
}

/* ---- shared pieces ------------------------------------------------------ */

static sjwt_perr
check_bounds(const char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return SJWT_PARSE_EMPTY;
	if (len > SJWT_MAX_MESSAGE)
		return SJWT_PARSE_TOO_LONG;
	if (memchr(buf, '\0', len) != NULL)
		return SJWT_PARSE_NUL;
	return SJWT_PARSE_OK;
}

/* "Bearer" (any case), exactly one space, then a b64token. */
static sjwt_perr
parse_bearer(const char *v, size_t n, const char **tok, size_t *toklen)
{
	static const char scheme[] = "bearer";
	const size_t sl = sizeof(scheme) - 1;
	size_t i;

	if (n < sl + 1)
		return SJWT_PARSE_SCHEME;
	for (i = 0; i < sl; i++)
		if (ascii_lower((unsigned char)v[i]) != (unsigned char)scheme[i])
			return SJWT_PARSE_SCHEME;
	if (v[sl] != ' ')
		return SJWT_PARSE_SCHEME;
	if (n > sl + 1 && (v[sl + 1] == ' ' || v[sl + 1] == '\t'))
		return SJWT_PARSE_SCHEME;
	if (!sjwt_is_b64token(v + sl + 1, n - sl - 1))
		return SJWT_PARSE_TOKEN;
	*tok = v + sl + 1;
	*toklen = n - sl - 1;
	return SJWT_PARSE_OK;
}

/* ---- OAUTHBEARER ------------------------------------------------------------ */

/* saslname from buf[*pos] up to the ',' that ends it, unescaped into out
 * (SJWT_MAX_ID + 1 bytes).  *pos is left on the ','. */
static sjwt_perr
parse_saslname(const char *buf, size_t len, size_t *pos, char *out)
{
	size_t p = *pos, n = 0;

	while (p < len && buf[p] != ',') {
		char c = buf[p];

		if (c == '=') {
			if (len - p >= 3 && buf[p + 1] == '2' &&
			    buf[p + 2] == 'C')
				c = ',';
			else if (len - p >= 3 && buf[p + 1] == '3' &&
			    buf[p + 2] == 'D')
				c = '=';
			else
				return SJWT_PARSE_AUTHZID;
			p += 3;
		} else {
			p++;
		}
		if (n >= SJWT_MAX_ID)
			return SJWT_PARSE_AUTHZID;
		out[n++] = c;
	}
	if (p >= len)
		return SJWT_PARSE_GS2;
	out[n] = '\0';
	if (!identity_ok(out, n))
		return SJWT_PARSE_AUTHZID;
	*pos = p;
	return SJWT_PARSE_OK;
}

/* "n," ["a=" saslname] ",": *pos is left after the second ','. */
static sjwt_perr
parse_gs2(const char *buf, size_t len, size_t *pos, sjwt_msg *m)
{
	size_t p;
	sjwt_perr e;

	if (buf[0] == 'y' || buf[0] == 'p')
		return SJWT_PARSE_CBIND;
	if (len < 3 || buf[0] != 'n' || buf[1] != ',')
		return SJWT_PARSE_GS2;
	p = 2;
	if (buf[p] == 'a') {
		if (len - p < 2 || buf[p + 1] != '=')
			return SJWT_PARSE_GS2;
		p += 2;
		e = parse_saslname(buf, len, &p, m->authzid);
		if (e != SJWT_PARSE_OK)
			return e;
		m->has_authzid = true;
	}
	if (p >= len || buf[p] != ',')
		return SJWT_PARSE_GS2;
	*pos = p + 1;
	return SJWT_PARSE_OK;
}

static sjwt_perr
check_port(const char *v, size_t n)
{
	unsigned long port = 0;
	size_t i;

	if (n == 0 || n > 5)
		return SJWT_PARSE_PORT;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)v[i]))
			return SJWT_PARSE_PORT;
		port = port * 10 + (unsigned long)(v[i] - '0');
	}
	return port >= 1 && port <= 65535 ? SJWT_PARSE_OK : SJWT_PARSE_PORT;
}

typedef struct kv_seen {
	size_t n;
	const char *key[SJWT_MAX_PAIRS];
	size_t len[SJWT_MAX_PAIRS];
} kv_seen;

/* Record a key; a duplicate or one too many is an error. */
static sjwt_perr
seen_add(kv_seen *s, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->len[i] == len && memcmp(s->key[i], key, len) == 0)
			return SJWT_PARSE_DUPLICATE;
	if (s->n >= SJWT_MAX_PAIRS)
		return SJWT_PARSE_PAIRS;
	s->key[s->n] = key;
	s->len[s->n] = len;
	s->n++;
	return SJWT_PARSE_OK;
}

static bool
key_is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(key, name, len) == 0;
}

/* One pair's meaning: auth, host, port; other keys are extensions and are
 * only checked for form. */
static sjwt_perr
apply_pair(const char *key, size_t klen, const char *v, size_t vlen,
    sjwt_msg *m, bool *has_auth)
{
	sjwt_perr e = SJWT_PARSE_OK;

	if (key_is(key, klen, "auth")) {
		*has_auth = true;
		if (vlen > 0)
			e = parse_bearer(v, vlen, &m->token, &m->token_len);
	} else if (key_is(key, klen, "port")) {
		e = check_port(v, vlen);
		m->has_port = true;
	} else if (key_is(key, klen, "host")) {
		m->has_host = true;
	}
	return e;
}

sjwt_perr
sjwt_parse_oauthbearer(const char *buf, size_t len, sjwt_msg *out)
{
	sjwt_msg m;
	kv_seen seen;
	size_t pos = 0, i;
	bool has_auth = false;
	sjwt_perr e;

	e = check_bounds(buf, len);
	if (e != SJWT_PARSE_OK)
		return e;
	memset(&m, 0, sizeof(m));
	memset(&seen, 0, sizeof(seen));
	e = parse_gs2(buf, len, &pos, &m);
	if (e != SJWT_PARSE_OK)
		return e;
	if (pos >= len || buf[pos] != KVSEP)
		return SJWT_PARSE_SEPARATOR;
	pos++;
	for (;;) {
		const char *key, *val, *end;
		size_t klen, vlen;

		if (pos >= len)
			return SJWT_PARSE_END;
		if (buf[pos] == KVSEP) {
			pos++;
			break;
		}
		key = buf + pos;
		while (pos < len && is_alpha((unsigned char)buf[pos]))
			pos++;
		klen = (size_t)(buf + pos - key);
		if (klen == 0 || pos >= len || buf[pos] != '=')
			return SJWT_PARSE_KEY;
		pos++;
		val = buf + pos;
		end = memchr(val, KVSEP, len - pos);
		if (end == NULL)
			return SJWT_PARSE_END;
		vlen = (size_t)(end - val);
		for (i = 0; i < vlen; i++)
			if (!is_value_char((unsigned char)val[i]))
				return SJWT_PARSE_VALUE;
		e = seen_add(&seen, key, klen);
		if (e == SJWT_PARSE_OK)
			e = apply_pair(key, klen, val, vlen, &m, &has_auth);
		if (e != SJWT_PARSE_OK)
			return e;
		pos += vlen + 1;
	}
	if (pos != len)
		return SJWT_PARSE_END;
	if (!has_auth)
		return SJWT_PARSE_NO_AUTH;
	*out = m;
	return SJWT_PARSE_OK;
}

/* ---- XOAUTH2 ------------------------------------------------------------------ */

sjwt_perr
sjwt_parse_xoauth2(const char *buf, size_t len, sjwt_msg *out)
{
	static const char user_eq[] = "user=", auth_eq[] = "auth=";
	const size_t ul = sizeof(user_eq) - 1, al = sizeof(auth_eq) - 1;
	sjwt_msg m;
	const char *name, *val, *end;
	size_t pos, nlen, vlen;
	sjwt_perr e;

	e = check_bounds(buf, len);
	if (e != SJWT_PARSE_OK)
		return e;
	memset(&m, 0, sizeof(m));
	if (len < ul || memcmp(buf, user_eq, ul) != 0)
		return SJWT_PARSE_USER;
	name = buf + ul;
	end = memchr(name, KVSEP, len - ul);
	if (end == NULL)
		return SJWT_PARSE_SEPARATOR;
	nlen = (size_t)(end - name);
	if (!identity_ok(name, nlen))
		return SJWT_PARSE_USER;
	memcpy(m.user, name, nlen);
	m.user[nlen] = '\0';
	pos = ul + nlen + 1;
	if (len - pos < al || memcmp(buf + pos, auth_eq, al) != 0)
		return SJWT_PARSE_NO_AUTH;
	pos += al;
	val = buf + pos;
	end = memchr(val, KVSEP, len - pos);
	if (end == NULL)
		return SJWT_PARSE_END;
	vlen = (size_t)(end - val);
	e = parse_bearer(val, vlen, &m.token, &m.token_len);
	if (e != SJWT_PARSE_OK)
		return e;
	pos += vlen + 1;
	if (len - pos != 1 || buf[pos] != KVSEP)
		return SJWT_PARSE_END;
	*out = m;
	return SJWT_PARSE_OK;
}
