/*
 * coreinfo.c - the few facts about a configuration the SASL plugin needs
 * that the public interface of the core does not give: where a section's
 * issuer publishes its discovery document and which scope it requires
 * (for the error message a client gets), and which files a section reads
 * (to notice a change).  Read from the core's own structures (internal.h);
 * this is the only file of the plugin that includes internal.h.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sasl_jwt.h"

#define WELL_KNOWN "/.well-known/openid-configuration"

static const jwtc_issuer_cfg *
find_section(const jwtc_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_issuers; i++)
		if (strcmp(cfg->issuers[i].name, name) == 0)
			return &cfg->issuers[i];
	return NULL;
}

static char *
discovery_of(const jwtc_issuer_cfg *is)
{
	size_t n, wl = sizeof(WELL_KNOWN) - 1;
	char *url;

	if (is->discovery_url != NULL)
		return jwtc_strdup(is->discovery_url);
	if (strncmp(is->issuer, "https://", 8) != 0)
		return NULL;
	n = strlen(is->issuer);
	while (n > 8 && is->issuer[n - 1] == '/')
		n--;
	url = malloc(n + wl + 1);
	if (url == NULL)
		return NULL;
	memcpy(url, is->issuer, n);
	memcpy(url + n, WELL_KNOWN, wl + 1);
	return url;
}

static char *
join_list(const jwtc_list *l)
{
	size_t i, len = 0, at = 0;
	char *s;

	if (l->n == 0)
		return NULL;
	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		size_t k = strlen(l->v[i]);

		if (i > 0)
			s[at++] = ' ';
		memcpy(s + at, l->v[i], k);
		at += k;
	}
	s[at] = '\0';
	return s;
}

int
sjwt_section_info(const jwtc_ctx *ctx, const char *section, char **discovery,
    char **scope)
{
	const jwtc_config *cfg = jwtc_ctx_config(ctx);
	const jwtc_issuer_cfg *is = NULL;
	char *d = NULL, *s = NULL;

	*discovery = NULL;
	*scope = NULL;
	if (cfg == NULL)
		return 0;
	if (section != NULL && section[0] != '\0')
		is = find_section(cfg, section);
	else if (jwtc_ctx_count(ctx) == 1)
		is = find_section(cfg, jwtc_ctx_section(ctx, 0));
	if (is == NULL)
		return 0;
	d = discovery_of(is);
	s = join_list(&is->required_scope);
	if ((d == NULL && (is->discovery_url != NULL ||
	    strncmp(is->issuer, "https://", 8) == 0)) ||
	    (s == NULL && is->required_scope.n > 0)) {
		free(d);
		free(s);
		return -1;
	}
	*discovery = d;
	*scope = s;
	return 0;
}

/* Whether name is in the list (spaces or commas); an empty list holds
 * every name. */
static bool
listed(const char *list, const char *name)
{
	size_t nl = strlen(name);
	const char *p = list;
	bool empty = true;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n > 0)
			empty = false;
		if (n == nl && n > 0 && memcmp(p, name, n) == 0)
			return true;
		p += n;
	}
	return empty;
}

static int
add_path(char ***v, size_t *n, const char *path)
{
	char **nv;
	char *copy;

	if (path == NULL)
		return 0;
	copy = jwtc_strdup(path);
	if (copy == NULL)
		return -1;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL) {
		free(copy);
		return -1;
	}
	nv[*n] = copy;
	*v = nv;
	(*n)++;
	return 0;
}

int
sjwt_config_files(const jwtc_config *cfg, const char *issuers, char ***out,
    size_t *n)
{
	char **v = NULL;
	size_t k = 0, i;

	*out = NULL;
	*n = 0;
	for (i = 0; cfg != NULL && i < cfg->n_issuers; i++) {
		const jwtc_issuer_cfg *is = &cfg->issuers[i];

		if (!listed(issuers != NULL ? issuers : "", is->name))
			continue;
		if (add_path(&v, &k, is->jwks_file) != 0 ||
		    add_path(&v, &k, is->hmac_secret_file) != 0)
			goto fail;
	}
	*out = v;
	*n = k;
	return 0;
fail:
	for (i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return -1;
}
