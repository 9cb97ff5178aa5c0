/* version.h — the dagd version, printed by `dagd --version`. */
#ifndef DAGD_CLI_VERSION_H
#define DAGD_CLI_VERSION_H

#define DAGD_VERSION "0.1.0"

#endif
