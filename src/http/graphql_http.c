/* graphql_http.c — the GraphQL endpoint: request parameters from the URL or
 * the body, content negotiation, running the engine and choosing the HTTP
 * status (docs/http.md explains each choice).
 *
 * Request errors (unreadable JSON, a missing or mistyped parameter) answer
 * 400 with a GraphQL-shaped body; an unsupported body type 415; a method
 * other than GET/POST 405; a mutation over GET 405 with "Allow: POST".
 * Once the engine ran, application/json answers 200 (the errors are in the
 * body), application/graphql-response+json answers 400 when no execution
 * happened (syntax, validation and variable errors). */
#include "http/graphql_http.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/json.h"
#include "graphql/exec.h"

/* ---- header parsing ---- */

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Trims spaces around [*s, *e). */
static void trim(const char **s, const char **e) {
  while (*s < *e && is_space(**s))
    (*s)++;
  while (*e > *s && is_space((*e)[-1]))
    (*e)--;
}

/* Is [s, e) equal to lit, ignoring ASCII case? */
static bool span_ieq(const char *s, const char *e, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(e - s) == n && strncasecmp(s, lit, n) == 0;
}

/* One element of a comma-separated header list such as Accept: the media
 * type and its parameters (`;`-separated name=value pairs). */
typedef struct header_item {
  const char *type, *type_end;
  const char *params, *params_end; /* after the first ';', may be empty */
} header_item;

/* Splits [s, e) into its media type and parameters. */
static header_item split_item(const char *s, const char *e) {
  header_item it;
  const char *semi = memchr(s, ';', (size_t)(e - s));
  it.type = s;
  it.type_end = semi ? semi : e;
  trim(&it.type, &it.type_end);
  it.params = semi ? semi + 1 : e;
  it.params_end = e;
  return it;
}

/* Takes the next element of the comma-separated list [*p, end) into *it
 * and moves *p past it; false when the list is used up (or *p is NULL). */
static bool next_item(const char **p, const char *end, header_item *it) {
  if (!*p || *p >= end)
    return false;
  const char *comma = memchr(*p, ',', (size_t)(end - *p));
  const char *e = comma ? comma : end;
  *it = split_item(*p, e);
  *p = e + 1;
  return true;
}

/* Finds parameter `name` in the item's parameters; sets [*v, *ve) to its
 * value with surrounding quotes removed. */
static bool item_param(const header_item *it, const char *name, const char **v, const char **ve) {
  const char *p = it->params;
  while (p < it->params_end) {
    const char *end = memchr(p, ';', (size_t)(it->params_end - p));
    if (!end)
      end = it->params_end;
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq) {
      const char *ns = p, *ne = eq, *vs = eq + 1, *vend = end;
      trim(&ns, &ne);
      trim(&vs, &vend);
      if (vend - vs >= 2 && *vs == '"' && vend[-1] == '"') {
        vs++;
        vend--;
      }
      if (span_ieq(ns, ne, name)) {
        *v = vs;
        *ve = vend;
        return true;
      }
    }
    p = end + 1;
  }
  return false;
}

/* How specifically the media range [s, e) matches `type` (application/…):
 * 3 exactly, 2 as application/ any subtype, 1 as any type, 0 not at all. */
static int range_match(const char *s, const char *e, const char *type) {
  if (span_ieq(s, e, type))
    return 3;
  if (span_ieq(s, e, "application/*"))
    return 2;
  if (span_ieq(s, e, "*/*"))
    return 1;
  return 0;
}

/* The best (most specific) match of one candidate type over the Accept list. */
typedef struct media_score {
  int specificity;
  double q;
} media_score;

static void score_range(media_score *sc, const header_item *it, const char *type, double q) {
  int spec = range_match(it->type, it->type_end, type);
  if (spec > sc->specificity) {
    sc->specificity = spec;
    sc->q = q;
  }
}

http_media http_negotiate_media(const char *accept) {
  if (!accept)
    return HTTP_MEDIA_JSON;
  media_score gr = {0, 0.0}, js = {0, 0.0};
  const char *p = accept, *end_all = accept + strlen(accept);
  bool any = false;
  header_item it;
  while (next_item(&p, end_all, &it)) {
    if (it.type == it.type_end)
      continue;
    any = true;
    const char *v, *ve;
    double q = item_param(&it, "q", &v, &ve) ? strtod(v, NULL) : 1.0;
    score_range(&gr, &it, "application/graphql-response+json", q);
    score_range(&js, &it, "application/json", q);
  }
  if (!any)
    return HTTP_MEDIA_JSON; /* an empty Accept header says nothing */
  if (gr.specificity == 0)
    gr.q = 0;
  if (js.specificity == 0)
    js.q = 0;
  if (gr.q > js.q || (gr.q > 0 && gr.q == js.q && gr.specificity == 3))
    return HTTP_MEDIA_GRAPHQL_JSON;
  return js.q > 0 ? HTTP_MEDIA_JSON : HTTP_MEDIA_NONE;
}

double http_accept_q(const char *accept, const char *type) {
  double best = 0.0;
  const char *p = accept, *end_all = accept ? accept + strlen(accept) : NULL;
  header_item it;
  while (next_item(&p, end_all, &it)) {
    const char *v, *ve;
    if (span_ieq(it.type, it.type_end, type)) {
      double q = item_param(&it, "q", &v, &ve) ? strtod(v, NULL) : 1.0;
      if (q > best)
        best = q;
    }
  }
  return best;
}

const char *http_media_content_type(http_media m) {
  return m == HTTP_MEDIA_GRAPHQL_JSON ? "application/graphql-response+json; charset=utf-8"
                                      : "application/json; charset=utf-8";
}

/* ---- responses ---- */

void http_error_response(http_response *res, arena *a, int status, http_media m,
                         const char *message) {
  res->status = status;
  res->content_type = http_media_content_type(m == HTTP_MEDIA_NONE ? HTTP_MEDIA_JSON : m);
  buf_init(&res->body, a);
  json_writer w;
  json_writer_init(&w, &res->body);
  json_begin_object(&w);
  json_key(&w, "errors");
  json_begin_array(&w);
  json_begin_object(&w);
  json_key(&w, "message");
  json_str(&w, message);
  json_end_object(&w);
  json_end_array(&w);
  json_end_object(&w);
}

/* ---- request parameters ---- */

typedef enum body_kind { BODY_JSON, BODY_GRAPHQL, BODY_UNSUPPORTED } body_kind;

/* application/json or application/graphql, in UTF-8 (the default). */
static body_kind body_kind_of(const char *content_type) {
  if (!content_type)
    return BODY_UNSUPPORTED;
  header_item it = split_item(content_type, content_type + strlen(content_type));
  const char *v, *ve;
  if (item_param(&it, "charset", &v, &ve) && !span_ieq(v, ve, "utf-8") && !span_ieq(v, ve, "utf8"))
    return BODY_UNSUPPORTED;
  if (span_ieq(it.type, it.type_end, "application/json"))
    return BODY_JSON;
  if (span_ieq(it.type, it.type_end, "application/graphql"))
    return BODY_GRAPHQL;
  return BODY_UNSUPPORTED;
}

/* The parameters of a GraphQL request, whatever carried them. */
typedef struct gql_params {
  const char *query;
  size_t query_len;
  const char *operation_name; /* NULL: none */
  const json_t *variables;    /* an object, or NULL */
  json_t *owned[3];           /* jansson values to release afterwards */
  size_t n_owned;
} gql_params;

/* A request error: the status and the message of the response. */
typedef struct param_error {
  int status;
  const char *message;
} param_error;

static bool fail(param_error *e, int status, const char *message) {
  e->status = status;
  e->message = message;
  return false;
}

/* Parses `text` (a URL parameter, or the string Dagster's clients may send
 * as "variables") as JSON that must be an object or null. */
static bool parse_json_object(gql_params *p, const char *name, const char *text, size_t len,
                              const json_t **out, arena *a, param_error *e) {
  char why[160];
  json_t *v = json_parse_text(text, len, why, sizeof why);
  if (!v)
    return fail(e, 400, arena_printf(a, "The \"%s\" parameter is not valid JSON: %s.", name, why));
  p->owned[p->n_owned++] = v;
  if (json_is_null(v)) {
    *out = NULL;
    return true;
  }
  if (!json_is_object(v))
    return fail(e, 400, arena_printf(a, "The \"%s\" parameter must be a JSON object.", name));
  *out = v;
  return true;
}

/* Checks an "operationName" value: a string or null. */
static bool take_operation_name(gql_params *p, const json_t *v, param_error *e) {
  if (!v || json_is_null(v))
    return true;
  if (!json_is_string(v))
    return fail(e, 400, "The \"operationName\" parameter must be a string.");
  p->operation_name = json_string_value(v);
  return true;
}

/* Checks a "variables" value: an object, null, or a string holding either. */
static bool take_variables(gql_params *p, const json_t *v, arena *a, param_error *e) {
  if (!v || json_is_null(v))
    return true;
  if (json_is_object(v)) {
    p->variables = v;
    return true;
  }
  if (json_is_string(v))
    return parse_json_object(p, "variables", json_string_value(v), json_string_length(v),
                             &p->variables, a, e);
  return fail(e, 400, "The \"variables\" parameter must be a JSON object.");
}

static bool params_from_json_body(gql_params *p, const http_graphql_request *req, arena *a,
                                  param_error *e) {
  if (req->body_len == 0)
    return fail(e, 400, "The request body is empty: it must be a JSON object with a \"query\".");
  char why[160];
  json_t *doc = json_parse_text(req->body, req->body_len, why, sizeof why);
  if (!doc)
    return fail(e, 400, arena_printf(a, "The request body is not valid JSON: %s.", why));
  p->owned[p->n_owned++] = doc;
  if (!json_is_object(doc))
    return fail(e, 400, "The request body must be a JSON object.");
  const json_t *q = json_object_get(doc, "query");
  if (!q || json_is_null(q))
    return fail(e, 400, "The request has no \"query\" parameter.");
  if (!json_is_string(q))
    return fail(e, 400, "The \"query\" parameter must be a string.");
  p->query = json_string_value(q);
  p->query_len = json_string_length(q);
  const json_t *ext = json_object_get(doc, "extensions");
  if (ext && !json_is_null(ext) && !json_is_object(ext))
    return fail(e, 400, "The \"extensions\" parameter must be a JSON object.");
  return take_operation_name(p, json_object_get(doc, "operationName"), e) &&
         take_variables(p, json_object_get(doc, "variables"), a, e);
}

static bool params_from_post(gql_params *p, const http_graphql_request *req, arena *a,
                             param_error *e) {
  switch (body_kind_of(req->content_type)) {
  case BODY_JSON:
    return params_from_json_body(p, req, a, e);
  case BODY_GRAPHQL:
    p->query = req->body ? req->body : "";
    p->query_len = req->body_len;
    return true;
  case BODY_UNSUPPORTED:
    break;
  }
  return fail(e, 415,
              "Unsupported Content-Type: send application/json (a JSON object with a "
              "\"query\") or application/graphql, in UTF-8.");
}

static bool params_from_url(gql_params *p, const http_graphql_request *req, arena *a,
                            param_error *e) {
  if (!req->query)
    return fail(e, 400, "The request has no \"query\" parameter.");
  p->query = req->query;
  p->query_len = strlen(req->query);
  p->operation_name = req->operation_name;
  const json_t *ext = NULL;
  if (req->variables && !parse_json_object(p, "variables", req->variables, strlen(req->variables),
                                           &p->variables, a, e))
    return false;
  return !req->extensions ||
         parse_json_object(p, "extensions", req->extensions, strlen(req->extensions), &ext, a, e);
}

/* ---- the endpoint ---- */

/* The HTTP status for an engine outcome under the negotiated media type. */
static int outcome_status(gql_outcome o, http_media m) {
  switch (o) {
  case GQL_OUTCOME_EXECUTED:
    return 200;
  case GQL_OUTCOME_FORBIDDEN:
    return 405;
  case GQL_OUTCOME_SYNTAX_ERROR:
  case GQL_OUTCOME_INVALID:
  case GQL_OUTCOME_REQUEST_ERROR:
    break;
  }
  return m == HTTP_MEDIA_GRAPHQL_JSON ? 400 : 200;
}

void http_graphql_handle(const http_graphql *g, const http_graphql_request *req, arena *a,
                         http_response *res) {
  memset(res, 0, sizeof *res);
  buf_init(&res->body, a);
  http_media m = http_negotiate_media(req->accept);
  if (m == HTTP_MEDIA_NONE) {
    http_error_response(res, a, 406, HTTP_MEDIA_JSON,
                        "Not acceptable: the GraphQL endpoint answers "
                        "application/graphql-response+json or application/json.");
    return;
  }
  bool is_get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
  if (!is_get && strcmp(req->method, "POST") != 0) {
    http_error_response(res, a, 405, m, "The GraphQL endpoint accepts GET and POST requests.");
    res->allow = "GET, POST";
    return;
  }

  gql_params p = {0};
  param_error e = {0};
  bool ok = is_get ? params_from_url(&p, req, a, &e) : params_from_post(&p, req, a, &e);
  if (!ok) {
    http_error_response(res, a, e.status, m, e.message);
  } else {
    if (p.operation_name && !*p.operation_name)
      p.operation_name = NULL; /* some clients send "" for "no name" */
    gql_request r = {
        .schema = g->schema,
        .operation_name = p.operation_name,
        .variables = p.variables,
        .context = g->context,
        .arena = a,
    };
    gql_run_options opts = {
        .limits = g->limits, .forbid_mutations = is_get, .forbid_subscriptions = true};
    gql_outcome o = gql_run(&r, p.query, p.query_len, &opts, &res->body);
    res->status = outcome_status(o, m);
    res->content_type = http_media_content_type(m);
    if (o == GQL_OUTCOME_FORBIDDEN)
      res->allow = "POST";
  }
  for (size_t i = 0; i < p.n_owned; i++)
    json_decref(p.owned[i]);
}
