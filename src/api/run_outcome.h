/* run_outcome.h — private to launch.c and terminate.c: the objects the run
 * mutations answer with a run in them (LaunchRunSuccess,
 * TerminateRunSuccess, TerminateRunFailure), backed by one struct and one
 * pair of resolvers (implemented in terminate.c). */
#ifndef DAGD_API_RUN_OUTCOME_H
#define DAGD_API_RUN_OUTCOME_H

#include "api/objects.h"

typedef struct api_run_outcome {
  const store_run *run;
  const char *message; /* TerminateRunFailure's; NULL for the others */
} api_run_outcome;

/* An object of the named type around the run (kept by reference: it must
 * live in the request arena) and message. */
gql_rv api_run_outcome_object(const gql_resolve_info *info, const char *type_name,
                              const store_run *run, const char *message);

/* Resolvers of the outcome's `run` (a Run object) and `message` fields. */
gql_rv api_run_outcome_run(const gql_resolve_info *info, const void *parent, void *data);
gql_rv api_run_outcome_message(const gql_resolve_info *info, const void *parent, void *data);

#endif
