/* version.h — the dagd version: printed by `dagd --version`, reported by the
 * webserver's /server_info and by the API's `version` field. It lives in
 * base/ so every module can include it without depending on cli/. */
#ifndef DAGD_BASE_VERSION_H
#define DAGD_BASE_VERSION_H

#define DAGD_VERSION "0.1.0"

#endif
