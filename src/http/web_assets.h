/* web_assets.h — the playground's files embedded in the binary.
 *
 * The table is generated at build time by web/embed_assets.cmake from web/
 * (playground.html, playground.js) and web/node_modules (the graphiql and
 * react UMD builds) into build/generated/web_assets.c, the dagd_web
 * library. static.c serves it; nothing else should need it. */
#ifndef DAGD_HTTP_WEB_ASSETS_H
#define DAGD_HTTP_WEB_ASSETS_H

#include <stddef.h>

/* One embedded file. data is followed by a NUL byte that len does not count,
 * so text files can be read as C strings. */
typedef struct http_web_asset {
  const char *name;         /* the file name, as served under /graphql/static/ */
  const char *content_type; /* e.g. "text/javascript; charset=utf-8" */
  const char *tag;          /* 20 hex digits of the content's SHA-256 */
  const unsigned char *data;
  size_t len;
} http_web_asset;

/* Every embedded file, in no particular order. */
extern const http_web_asset http_web_assets[];

/* The number of entries in http_web_assets. */
extern const size_t http_web_asset_count;

#endif
