/*
 * json.c - the one way the core parses JSON: objects only, duplicate
 * members refused, nesting bounded.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

/* Deepest nesting of arrays and objects in buf, counted outside strings,
 * or -1 when the limit is passed (the scan stops there). */
static int
nesting_exceeds(const char *buf, size_t len, int limit)
{
	int depth = 0;
	bool in_string = false, escaped = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > limit)
				return 1;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

/* ---- the tree of a parse against its text ------------------------------- */

/*
 * jansson 2.14 drops a byte when its token buffer cannot grow, so that a
 * string or a number can come out other than the text holds.  The tree is
 * therefore walked together with the text: jansson keeps the members of
 * an object in the order they came in, and the elements of an array, so
 * that each item of the text meets its value in the tree.
 */

/* What the scratch buffer holds beyond len: a real is rewritten with its
 * exponent ("e-" and up to 19 digits) and a NUL. */
#define SCRATCH_EXTRA 32

/* Exponents of reals are read up to this size: beyond it a real is zero
 * or out of range whatever the digits before it (a text is far shorter
 * than this many digits). */
#define EXP_CAP 1000000000000000LL

struct walk {
	const char *buf;
	size_t len;
	size_t pos;                /* the next character of buf to read */
	char *scratch;             /* len + SCRATCH_EXTRA bytes */
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The next character that is not white space, or -1 at the end. */
static int
peek(struct walk *w)
{
	char c;

	for (; w->pos < w->len; w->pos++) {
		c = w->buf[w->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return (unsigned char)c;
	}
	return -1;
}

static bool
hex4(const char *p, unsigned long *out)
{
	unsigned long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (is_digit(c))
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* The UTF-8 bytes of code point cp; their number. */
static size_t
utf8(unsigned long cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The escape at buf[*at] (a backslash) decoded into out (at most 4
 * bytes, never more than the escape's length); *at moves past it. */
static bool
decode_escape(const struct walk *w, size_t *at, unsigned char *out,
    size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *b = w->buf, *e;
	size_t i = *at;
	unsigned long cp, lo;

	if (w->len - i < 2)
		return false;
	if (b[i + 1] != 'u') {
		e = memchr(from, b[i + 1], sizeof(from) - 1);
		if (e == NULL)
			return false;
		out[0] = (unsigned char)to[e - from];
		*at = i + 2;
		*n = 1;
		return true;
	}
	if (w->len - i < 6 || !hex4(b + i + 2, &cp))
		return false;
	i += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return false;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (w->len - i < 6 || b[i] != '\\' || b[i + 1] != 'u' ||
		    !hex4(b + i + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return false;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		i += 6;
	}
	*at = i;
	*n = utf8(cp, out);
	return true;
}

/* The string at buf[pos] (a quote) decoded into scratch; *n its length.
 * It is never longer than its text, so that len bytes hold it. */
static bool
decode_string(struct walk *w, size_t *n)
{
	unsigned char *out = (unsigned char *)w->scratch;
	size_t i = w->pos + 1, k = 0, m;

	for (;;) {
		if (i >= w->len)
			return false;
		if (w->buf[i] == '"')
			break;
		if (w->buf[i] != '\\') {
			out[k++] = (unsigned char)w->buf[i++];
			continue;
		}
		if (!decode_escape(w, &i, out + k, &m))
			return false;
		k += m;
	}
	w->pos = i + 1;
	*n = k;
	return true;
}

static bool
match_string(struct walk *w, const json_t *v)
{
	size_t n;

	return json_is_string(v) && decode_string(w, &n) &&
	    n == json_string_length(v) &&
	    memcmp(w->scratch, json_string_value(v), n) == 0;
}

/* The member name at buf[pos] against the key of iter.  jansson refuses
 * a NUL in a member name; from 2.14 on it also gives the key's length. */
static bool
match_key(struct walk *w, void *iter)
{
	const char *key = json_object_iter_key(iter);
	size_t n, keylen;

	if (!decode_string(w, &n))
		return false;
#if JANSSON_VERSION_HEX >= 0x020e00
	keylen = json_object_iter_key_len(iter);
#else
	keylen = strlen(key);
#endif
	return n == keylen && memcmp(w->scratch, key, n) == 0;
}

static bool
match_literal(struct walk *w, const char *word, bool same_type)
{
	size_t n = strlen(word);

	if (!same_type || w->len - w->pos < n ||
	    memcmp(w->buf + w->pos, word, n) != 0)
		return false;
	w->pos += n;
	return true;
}

/* An integer of the text (-?[0-9]+) against v, exactly: both as a sign
 * and a magnitude, so that no range is assumed ("-0" is 0 to jansson). */
static bool
match_integer(const char *p, const char *end, const json_t *v)
{
	uint64_t u = 0, tmag;
	json_int_t t;
	bool neg = false;
	unsigned d;

	if (!json_is_integer(v))
		return false;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p == end)
		return false;
	for (; p < end; p++) {
		if (!is_digit(*p))
			return false;
		d = (unsigned)(*p - '0');
		if (u > (UINT64_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	t = json_integer_value(v);
	tmag = t < 0 ? (uint64_t)-(t + 1) + 1 : (uint64_t)t;
	return tmag == u && (t < 0) == (neg && u != 0);
}

/*
 * A real of the text against v, bit for bit.  jansson gives strtod's
 * value of the text, after putting the locale's decimal point in place of
 * '.'.  strtod here would read the text in the caller's locale, so the
 * text is first rewritten without a decimal point: "-12.50e3" becomes
 * "-1250e1", the same decimal value in digits, a sign and an exponent,
 * which strtod reads alike in every locale.  strtod rounds correctly
 * (glibc), so that the same value gives the same double.  Past EXP_CAP the
 * exponent stops growing: the value is then zero or infinite either way,
 * and jansson refuses an infinite one.
 */
static bool
match_real(struct walk *w, const char *p, const char *end, const json_t *v)
{
	char *s = w->scratch, *stop = NULL;
	size_t k = 0, frac = 0;
	long long e = 0;
	bool eneg = false;
	double d, t;

	if (!json_is_real(v))
		return false;
	if (p < end && *p == '-')
		s[k++] = *p++;
	while (p < end && is_digit(*p))
		s[k++] = *p++;
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++, frac++)
			s[k++] = *p;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		for (; p < end && is_digit(*p); p++) {
			if (e < EXP_CAP)
				e = e * 10 + (*p - '0');
		}
	}
	if (p != end)
		return false;
	e = (eneg ? -e : e) - (long long)frac;
	if (snprintf(s + k, SCRATCH_EXTRA, "e%lld", e) >= SCRATCH_EXTRA)
		return false;
	d = strtod(s, &stop);
	if (stop == s || *stop != '\0')
		return false;
	t = json_real_value(v);
	return memcmp(&d, &t, sizeof(d)) == 0;
}

/* The number at buf[pos]: an integer unless it has a fraction or an
 * exponent, as jansson reads it. */
static bool
match_number(struct walk *w, const json_t *v)
{
	const char *p = w->buf + w->pos, *end;
	bool real = false;
	size_t i;
	char c;

	for (i = w->pos; i < w->len; i++) {
		c = w->buf[i];
		if (c == '.' || c == 'e' || c == 'E')
			real = true;
		else if (!is_digit(c) && c != '-' && c != '+')
			break;
	}
	if (i == w->pos)
		return false;
	end = w->buf + i;
	w->pos = i;
	return real ? match_real(w, p, end, v) : match_integer(p, end, v);
}

static bool match_value(struct walk *w, const json_t *v, int depth);

static bool
match_object(struct walk *w, const json_t *v, int depth)
{
	/* json_object_iter wants a non-const object; it does not change it */
	json_t *o = (json_t *)(uintptr_t)v;
	void *it;

	if (!json_is_object(v))
		return false;
	it = json_object_iter(o);
	w->pos++;
	if (peek(w) == '}') {
		w->pos++;
		return it == NULL;
	}
	for (;;) {
		if (it == NULL || peek(w) != '"' || !match_key(w, it) ||
		    peek(w) != ':')
			return false;
		w->pos++;
		if (!match_value(w, json_object_iter_value(it), depth))
			return false;
		it = json_object_iter_next(o, it);
		if (peek(w) == '}') {
			w->pos++;
			return it == NULL;
		}
		if (peek(w) != ',')
			return false;
		w->pos++;
	}
}

static bool
match_array(struct walk *w, const json_t *v, int depth)
{
	size_t i = 0, n;

	if (!json_is_array(v))
		return false;
	n = json_array_size(v);
	w->pos++;
	if (peek(w) == ']') {
		w->pos++;
		return n == 0;
	}
	for (;;) {
		if (i >= n || !match_value(w, json_array_get(v, i), depth))
			return false;
		i++;
		if (peek(w) == ']') {
			w->pos++;
			return i == n;
		}
		if (peek(w) != ',')
			return false;
		w->pos++;
	}
}

/* The value at the next non-blank character against v.  depth counts the
 * arrays and objects around it, bounded as jwtc_json_parse bounds the
 * text, so that the recursion is. */
static bool
match_value(struct walk *w, const json_t *v, int depth)
{
	switch (peek(w)) {
	case '{':
		return depth < JWTC_MAX_JSON_DEPTH &&
		    match_object(w, v, depth + 1);
	case '[':
		return depth < JWTC_MAX_JSON_DEPTH &&
		    match_array(w, v, depth + 1);
	case '"':
		return match_string(w, v);
	case 't':
		return match_literal(w, "true", json_is_true(v));
	case 'f':
		return match_literal(w, "false", json_is_false(v));
	case 'n':
		return match_literal(w, "null", json_is_null(v));
	case -1:
		return false;
	default:
		return match_number(w, v);
	}
}

bool
jwtc_json_matches_text(const char *buf, size_t len, const json_t *root)
{
	struct walk w;
	bool ok;

	if (buf == NULL || root == NULL || len > SIZE_MAX - SCRATCH_EXTRA)
		return false;
	memset(&w, 0, sizeof(w));
	w.buf = buf;
	w.len = len;
	w.scratch = malloc(len + SCRATCH_EXTRA);
	if (w.scratch == NULL)
		return false;
	ok = match_value(&w, root, 0) && peek(&w) == -1;
	/* the text may hold a symmetric key ("k" of a JWK) */
	OPENSSL_cleanse(w.scratch, len + SCRATCH_EXTRA);
	free(w.scratch);
	return ok;
}

/*
 * One parse; *failed when jansson could not allocate.  jansson reports
 * some failed allocations as syntax errors ("string or '}' expected"),
 * some not at all (an empty error), and one not even by failing: when its
 * token buffer cannot grow, it drops a byte and goes on, so that a string
 * comes out other than the text holds.  malloc's ENOMEM is a sign, but
 * jansson clears errno for each number it reads; the result is therefore
 * compared with the text, item by item (errno is read before).
 */
static json_t *
load(const char *buf, size_t len, json_error_t *jerr, bool *failed)
{
	json_t *root;

	memset(jerr, 0, sizeof(*jerr));
	errno = 0;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, jerr);
	*failed = errno == ENOMEM || (root == NULL && (jerr->text[0] == '\0' ||
	    json_error_code(jerr) == json_error_out_of_memory)) ||
	    (root != NULL && !jwtc_json_matches_text(buf, len, root));
	if (*failed) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

jwtc_rc
jwtc_json_parse(const char *buf, size_t len, json_t **out, char *why,
    size_t whylen)
{
	json_error_t jerr;
	json_t *root;
	bool failed;

	if (buf == NULL) {
		snprintf(why, whylen, "no JSON text");
		return JWTC_ERR_MALFORMED;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, whylen, "NUL byte in JSON text");
		return JWTC_ERR_MALFORMED;
	}
	if (nesting_exceeds(buf, len, JWTC_MAX_JSON_DEPTH)) {
		snprintf(why, whylen, "JSON nested deeper than %d levels",
		    JWTC_MAX_JSON_DEPTH);
		return JWTC_ERR_MALFORMED;
	}
	root = load(buf, len, &jerr, &failed);
	/* once more: glibc's malloc may also leave ENOMEM when it got the
	 * memory in the end (from mmap, after brk failed) */
	if (failed)
		root = load(buf, len, &jerr, &failed);
	if (failed) {
		snprintf(why, whylen, "out of memory");
		return JWTC_ERR_NO_MEMORY;
	}
	if (root == NULL) {
		/* jansson may quote the input ("... near 'xyz'"): keep only
		 * its description, since the input can be a token. */
		char *near = strstr(jerr.text, " near ");

		if (near != NULL)
			*near = '\0';
		snprintf(why, whylen, "invalid JSON at offset %d: %s",
		    jerr.position, jerr.text);
		return JWTC_ERR_MALFORMED;
	}
	if (!json_is_object(root)) {
		snprintf(why, whylen, "JSON text is not an object");
		json_decref(root);
		return JWTC_ERR_MALFORMED;
	}
	*out = root;
	return JWTC_OK;
}

json_t *
jwtc_json_parse_object(const char *buf, size_t len, char *why, size_t whylen)
{
	json_t *root = NULL;

	if (jwtc_json_parse(buf, len, &root, why, whylen) != JWTC_OK)
		return NULL;
	return root;
}
