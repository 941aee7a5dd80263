/*
 * json.c - the one way the core parses JSON: objects only, duplicate
 * members refused, nesting bounded.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

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

json_t *
jwtc_json_parse_object(const char *buf, size_t len, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root;

	if (buf == NULL) {
		snprintf(why, whylen, "no JSON text");
		return NULL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, whylen, "NUL byte in JSON text");
		return NULL;
	}
	if (nesting_exceeds(buf, len, JWTC_MAX_JSON_DEPTH)) {
		snprintf(why, whylen, "JSON nested deeper than %d levels",
		    JWTC_MAX_JSON_DEPTH);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* jansson may quote the input ("... near 'xyz'"): keep only
		 * its description, since the input can be a token. */
		char *near = strstr(jerr.text, " near ");

		if (near != NULL)
			*near = '\0';
		snprintf(why, whylen, "invalid JSON at offset %d: %s",
		    jerr.position, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(why, whylen, "JSON text is not an object");
		json_decref(root);
		return NULL;
	}
	return root;
}
