/* terminate.c — being written (issue 8). */
#include "api/objects.h"

int api_terminate_attach(gql_schema *s, char *err, size_t err_size) {
  (void)s;
  (void)err;
  (void)err_size;
  return 0;
}
