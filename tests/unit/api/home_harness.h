/* home_harness.h — for the API tests that query a real instance (events,
 * subscriptions): harness.h plus a temporary DAGD_HOME with an instance
 * opened on it (run/fixtures/core/home.h) that the running test reaches
 * through `fx`, since the tests' helpers are called from deep inside
 * cases and from the subscription watcher's sinks. Header-only (static),
 * included once by each such test file. */
#ifndef DAGD_TESTS_API_HOME_HARNESS_H
#define DAGD_TESTS_API_HOME_HARNESS_H

#include "harness.h"

#include "../run/fixtures/core/home.h"
#include "run/compute_logs.h"
#include "run/events.h"

/* The fixture of the running test. */
static home_fixture *fx;

/* cmocka setup: home_setup, and fx set to its fixture (teardown:
 * home_teardown). */
static inline int home_harness_setup(void **state) {
  if (home_setup(state) != 0)
    return -1;
  fx = *state;
  return 0;
}

#endif
