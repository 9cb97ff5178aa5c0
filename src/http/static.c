/* static.c — the GraphiQL playground page and the embedded files it loads
 * (static.h). The files come from the table web_assets.h declares, generated
 * at build time; the page is rendered per request from the embedded
 * template web/playground.html, whose {{…}} placeholders depend on the path
 * prefix. Asset URLs carry their content tag (`?v=`), so an asset fetched by
 * that URL can be cached for good (immutable); other URLs revalidate with
 * the ETag. */
#include "http/static.h"

#include <string.h>

#include "base/arena.h"
#include "base/version.h"
#include "http/web_assets.h"

#define PLAYGROUND_TEMPLATE "playground.html"

/* The page may load and connect only to dagd itself; GraphiQL sets inline
 * styles and its fonts are data: URLs. */
#define PLAYGROUND_CSP                                                                             \
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                      \
  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "                              \
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

bool http_static_wants_playground(const char *method, const char *accept) {
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    return false;
  double html = http_accept_q(accept, "text/html");
  return html > 0 && html > http_accept_q(accept, "application/json") &&
         html > http_accept_q(accept, "application/graphql-response+json");
}

static const http_web_asset *find_asset(const char *name, size_t len) {
  for (size_t i = 0; i < http_web_asset_count; i++) {
    const http_web_asset *w = &http_web_assets[i];
    if (strlen(w->name) == len && memcmp(w->name, name, len) == 0)
      return w;
  }
  return NULL;
}

static void add_header(http_response *res, const char *name, const char *value) {
  for (size_t i = 0; i < HTTP_RESPONSE_MAX_HEADERS; i++) {
    if (!res->headers[i].name) {
      res->headers[i].name = name;
      res->headers[i].value = value;
      return;
    }
  }
}

/* ---- the page ---- */

/* Appends s escaped for an HTML attribute value in double quotes. */
static void put_attr(buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&':
      buf_puts(b, "&amp;");
      break;
    case '<':
      buf_puts(b, "&lt;");
      break;
    case '>':
      buf_puts(b, "&gt;");
      break;
    case '"':
      buf_puts(b, "&quot;");
      break;
    case '\'':
      buf_puts(b, "&#39;");
      break;
    default:
      buf_putc(b, *s);
    }
  }
}

/* Expands one placeholder (the text between "{{" and "}}"). An unknown one,
 * or an asset the build did not embed, is kept as it is, so the mistake
 * shows in the page (and in the tests) rather than vanishing. */
static void expand(buf *out, const char *prefix, const char *token, size_t len, arena *a) {
  static const char asset_kw[] = "ASSET ";
  const size_t kw_len = sizeof asset_kw - 1;
  if (len == 8 && memcmp(token, "ENDPOINT", 8) == 0) {
    put_attr(out, arena_printf(a, "%s/graphql", prefix));
    return;
  }
  if (len == 7 && memcmp(token, "VERSION", 7) == 0) {
    put_attr(out, DAGD_VERSION);
    return;
  }
  if (len > kw_len && memcmp(token, asset_kw, kw_len) == 0) {
    const http_web_asset *w = find_asset(token + kw_len, len - kw_len);
    if (w) {
      put_attr(out, arena_printf(a, "%s" HTTP_STATIC_PATH "%s?v=%s", prefix, w->name, w->tag));
      return;
    }
  }
  buf_puts(out, "{{");
  buf_append(out, token, len);
  buf_puts(out, "}}");
}

void http_static_playground(const char *prefix, arena *a, http_response *res) {
  const http_web_asset *tpl = find_asset(PLAYGROUND_TEMPLATE, strlen(PLAYGROUND_TEMPLATE));
  res->status = 200;
  res->content_type = tpl->content_type;
  buf_init(&res->body, a);
  buf_reserve(&res->body, tpl->len + 512);
  const char *p = (const char *)tpl->data, *end = p + tpl->len;
  while (p < end) {
    const char *open = strstr(p, "{{");
    const char *close = open ? strstr(open + 2, "}}") : NULL;
    if (!close) {
      buf_append(&res->body, p, (size_t)(end - p));
      break;
    }
    buf_append(&res->body, p, (size_t)(open - p));
    expand(&res->body, prefix, open + 2, (size_t)(close - open - 2), a);
    p = close + 2;
  }
  /* The same URL answers JSON to API clients: caches must key on Accept. */
  add_header(res, "Vary", "Accept");
  add_header(res, "Cache-Control", "no-cache");
  add_header(res, "Content-Security-Policy", PLAYGROUND_CSP);
  add_header(res, "X-Content-Type-Options", "nosniff");
}

/* ---- the assets ---- */

/* Does an If-None-Match list name this ETag (or "*")? Weak tags match too
 * (RFC 9110 §13.1.2 compares them weakly). */
static bool etag_matches(const char *if_none_match, const char *etag) {
  size_t n = strlen(etag);
  for (const char *p = if_none_match; *p;) {
    p += strspn(p, " \t,");
    if (*p == '*')
      return true;
    if (strncmp(p, "W/", 2) == 0)
      p += 2;
    if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
      return true;
    p += strcspn(p, ",");
  }
  return false;
}

bool http_static_asset(const http_static_request *req, arena *a, http_response *res) {
  const http_web_asset *w = find_asset(req->name, strlen(req->name));
  /* The template is served rendered, at /graphql only. */
  if (!w || strcmp(w->name, PLAYGROUND_TEMPLATE) == 0)
    return false;
  const char *etag = arena_printf(a, "\"%s\"", w->tag);
  bool pinned = req->version && strcmp(req->version, w->tag) == 0;
  add_header(res, "ETag", etag);
  add_header(res, "Cache-Control", pinned ? "public, max-age=31536000, immutable" : "no-cache");
  add_header(res, "X-Content-Type-Options", "nosniff");
  res->content_type = w->content_type;
  buf_init(&res->body, a);
  /* A 304 carries no body; libmicrohttpd drops it but announces its length,
   * which must then be the 200's (RFC 9110 §8.6), hence the data either way. */
  bool fresh = req->if_none_match && etag_matches(req->if_none_match, etag);
  res->status = fresh ? 304 : 200;
  res->static_data = w->data;
  res->static_len = w->len;
  return true;
}
