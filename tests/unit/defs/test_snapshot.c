/* test_snapshot.c — unit tests for src/defs/snapshot.c: a job's snapshot
 * is JSON that loads back (defs_load_text) into an equal job — names,
 * wiring, Dagster types, op and resource settings, config schemas with the
 * same type keys, graphs with their mappings, run configs, presets — whose
 * snapshot is the same text; the text is canonical (definition order of
 * ops does not matter) and holds only what the job uses; the
 * id is the text's SHA-1, and a subset's id is derived from its parent's id
 * and its selected nodes. The fixture snapshot/rich.yaml exercises every
 * config schema form, awkward strings and floats, and nested graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "defs/run_config.h"
#include "defs/selection.h"
#include "defs/snapshot.h"

#define RICH "tests/unit/defs/snapshot/rich.yaml"
#define HELLO "examples/hello/defs.yaml"

static defs_definitions *load_file(const char *path) {
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_file(path, &err);
  if (!d)
    print_error("%s", err.data);
  buf_free(&err);
  assert_non_null(d);
  return d;
}

static defs_definitions *load_text(const char *path, const char *text) {
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_text(path, text, strlen(text), &err);
  if (!d)
    print_error("%s\nwhile loading:\n%s\n", err.data, text);
  buf_free(&err);
  assert_non_null(d);
  return d;
}

/* The snapshot as a heap string (free it). */
static char *snapshot(const defs_definitions *d, const defs_job *job) {
  buf out;
  buf_init(&out, NULL);
  defs_job_snapshot(d, job, &out);
  assert_non_null(out.data);
  return out.data;
}

/* ---- Deep comparison of two loaded jobs ---------------------------------------- */

static void assert_same_str(const char *a, const char *b) {
  if (!a || !b)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

static void assert_same_json(const json_t *a, const json_t *b) {
  if (!a || !b)
    assert_ptr_equal(a, b);
  else
    assert_true(json_equal((json_t *)a, (json_t *)b));
}

static void assert_same_pairs(const defs_pair *a, size_t na, const defs_pair *b, size_t nb) {
  assert_int_equal(na, nb);
  for (size_t i = 0; i < na; i++) {
    assert_string_equal(a[i].key, b[i].key);
    assert_string_equal(a[i].value, b[i].value);
  }
}

static void assert_same_ios(const defs_io *a, size_t na, const defs_io *b, size_t nb) {
  assert_int_equal(na, nb);
  for (size_t i = 0; i < na; i++) {
    assert_string_equal(a[i].name, b[i].name);
    assert_string_equal(a[i].type->key, b[i].type->key);
    assert_string_equal(a[i].type->name, b[i].type->name);
    assert_same_str(a[i].description, b[i].description);
  }
}

static void assert_same_schema(const defs_config_schema *a, const defs_config_schema *b) {
  if (!a || !b) {
    assert_ptr_equal(a, b);
    return;
  }
  assert_string_equal(a->type->key, b->type->key);
  assert_int_equal(a->required, b->required);
  assert_same_json(a->default_value, b->default_value);
}

static void assert_same_op(const defs_op *a, const defs_op *b) {
  assert_string_equal(a->name, b->name);
  assert_same_str(a->description, b->description);
  assert_same_str(a->shell, b->shell);
  assert_int_equal(a->n_argv, b->n_argv);
  for (size_t i = 0; i < a->n_argv; i++)
    assert_string_equal(a->argv[i], b->argv[i]);
  assert_same_pairs(a->tags, a->n_tags, b->tags, b->n_tags);
  assert_same_schema(a->config, b->config);
  assert_same_ios(a->inputs, a->n_inputs, b->inputs, b->n_inputs);
  assert_same_ios(a->outputs, a->n_outputs, b->outputs, b->n_outputs);
  assert_int_equal(a->n_required_resources, b->n_required_resources);
  for (size_t i = 0; i < a->n_required_resources; i++)
    assert_string_equal(a->required_resources[i], b->required_resources[i]);
  assert_int_equal(a->max_retries, b->max_retries);
  assert_true(a->retry_delay == b->retry_delay);
  assert_true(a->timeout == b->timeout);
  assert_same_pairs(a->env, a->n_env, b->env, b->n_env);
}

static void assert_same_nodes(const defs_node *a, size_t na, const defs_node *b, size_t nb);

static void assert_same_graph(const defs_graph *a, const defs_graph *b) {
  assert_string_equal(a->name, b->name);
  assert_same_str(a->description, b->description);
  assert_same_ios(a->inputs, a->n_inputs, b->inputs, b->n_inputs);
  assert_same_ios(a->outputs, a->n_outputs, b->outputs, b->n_outputs);
  assert_int_equal(a->n_input_mappings, b->n_input_mappings);
  for (size_t i = 0; i < a->n_input_mappings; i++) {
    assert_string_equal(a->input_mappings[i].input->name, b->input_mappings[i].input->name);
    assert_string_equal(a->input_mappings[i].node->name, b->input_mappings[i].node->name);
    assert_string_equal(a->input_mappings[i].node_input->name,
                        b->input_mappings[i].node_input->name);
  }
  assert_int_equal(a->n_output_mappings, b->n_output_mappings);
  for (size_t i = 0; i < a->n_output_mappings; i++) {
    assert_string_equal(a->output_mappings[i].output->name, b->output_mappings[i].output->name);
    assert_string_equal(a->output_mappings[i].node->name, b->output_mappings[i].node->name);
    assert_string_equal(a->output_mappings[i].node_output->name,
                        b->output_mappings[i].node_output->name);
  }
  assert_same_nodes(a->nodes, a->n_nodes, b->nodes, b->n_nodes);
  for (size_t i = 0; i < a->n_nodes; i++)
    assert_string_equal(a->order[i]->name, b->order[i]->name);
}

static void assert_same_nodes(const defs_node *a, size_t na, const defs_node *b, size_t nb) {
  assert_int_equal(na, nb);
  for (size_t i = 0; i < na; i++) {
    assert_string_equal(a[i].name, b[i].name);
    assert_int_equal(a[i].op != NULL, b[i].op != NULL);
    if (a[i].op)
      assert_same_op(a[i].op, b[i].op);
    else
      assert_same_graph(a[i].graph, b[i].graph);
    size_t n;
    defs_node_inputs(&a[i], &n);
    for (size_t k = 0; k < n; k++) {
      const defs_binding *x = &a[i].inputs[k], *y = &b[i].inputs[k];
      assert_string_equal(x->input->name, y->input->name);
      assert_int_equal(x->fan_in, y->fan_in);
      assert_int_equal(x->n_sources, y->n_sources);
      for (size_t s = 0; s < x->n_sources; s++) {
        assert_string_equal(x->sources[s].node->name, y->sources[s].node->name);
        assert_string_equal(x->sources[s].output->name, y->sources[s].output->name);
      }
      assert_same_str(x->graph_input ? x->graph_input->name : NULL,
                      y->graph_input ? y->graph_input->name : NULL);
    }
  }
}

static void assert_same_job(const defs_job *a, const defs_job *b) {
  assert_string_equal(a->name, b->name);
  assert_same_str(a->description, b->description);
  assert_same_pairs(a->tags, a->n_tags, b->tags, b->n_tags);
  assert_same_nodes(a->nodes, a->n_nodes, b->nodes, b->n_nodes);
  for (size_t i = 0; i < a->n_nodes; i++)
    assert_string_equal(a->order[i]->name, b->order[i]->name);
  assert_same_json(a->run_config, b->run_config);
  assert_int_equal(a->executor, b->executor);
  assert_int_equal(a->max_concurrent, b->max_concurrent);
  assert_int_equal(a->n_presets, b->n_presets);
  for (size_t i = 0; i < a->n_presets; i++) {
    const defs_preset *p = &a->presets[i], *q = &b->presets[i];
    assert_string_equal(p->name, q->name);
    assert_same_json(p->run_config, q->run_config);
    assert_int_equal(p->n_op_selection, q->n_op_selection);
    for (size_t k = 0; k < p->n_op_selection; k++)
      assert_string_equal(p->op_selection[k], q->op_selection[k]);
    assert_same_pairs(p->tags, p->n_tags, q->tags, q->n_tags);
  }
}

/* The key of the job's whole run config schema. */
static char *run_config_key(const defs_definitions *d, const defs_job *job) {
  defs_config_registry *r = defs_config_registry_new();
  buf err;
  buf_init(&err, NULL);
  const defs_config_type *t = defs_job_run_config_schema(r, d, job, &err);
  if (!t)
    print_error("%s", err.data);
  assert_non_null(t);
  char *key = strdup(t->key);
  buf_free(&err);
  defs_config_registry_free(r);
  return key;
}

/* Snapshots the job, reloads the snapshot, and checks that the reloaded
 * job is the same and snapshots to the same text. */
static void assert_round_trip(const char *path, const char *job_name) {
  defs_definitions *d = load_file(path);
  const defs_job *job = defs_find_job(d, job_name);
  assert_non_null(job);
  char *text = snapshot(d, job);
  json_error_t jerr;
  json_t *parsed = json_loads(text, JSON_ALLOW_NUL, &jerr);
  if (!parsed)
    print_error("not JSON: %s\n%s\n", jerr.text, text);
  assert_non_null(parsed);
  json_decref(parsed);

  defs_definitions *d2 = load_text("snapshot.json", text);
  const defs_job *job2 = defs_find_job(d2, job_name);
  assert_non_null(job2);
  assert_int_equal(d2->n_jobs, 1);
  assert_string_equal(d2->repository_name, d->repository_name);
  assert_string_equal(d2->working_directory, d->working_directory);
  assert_same_job(job, job2);
  assert_int_equal(d2->n_resources, d->n_resources);
  for (size_t i = 0; i < d->n_resources; i++) {
    const defs_resource *r = &d->resources[i], *r2 = defs_find_resource(d2, r->name);
    assert_non_null(r2);
    assert_same_str(r->description, r2->description);
    assert_same_schema(r->config, r2->config);
  }
  char *k1 = run_config_key(d, job), *k2 = run_config_key(d2, job2);
  assert_string_equal(k1, k2);
  free(k1);
  free(k2);

  char *again = snapshot(d2, job2);
  assert_string_equal(text, again);
  free(again);
  free(text);
  defs_definitions_release(d2);
  defs_definitions_release(d);
}

static void test_round_trip_rich(void **state) {
  (void)state;
  assert_round_trip(RICH, "big");
  assert_round_trip(RICH, "tiny");
}

static void test_round_trip_example(void **state) {
  (void)state;
  assert_round_trip(HELLO, "hello_etl");
}

/* What the text says, checked on the parsed JSON. */
static void test_contents(void **state) {
  (void)state;
  defs_definitions *d = load_file(RICH);
  char *text = snapshot(d, defs_find_job(d, "tiny"));
  json_t *doc = json_loads(text, JSON_ALLOW_NUL, NULL);
  assert_non_null(doc);
  /* Only the op the job uses, but every resource (the run config schema has them all). */
  assert_int_equal(json_object_size(json_object_get(doc, "ops")), 1);
  assert_non_null(json_object_get(json_object_get(doc, "ops"), "other"));
  assert_null(json_object_get(doc, "graphs"));
  assert_int_equal(json_object_size(json_object_get(doc, "resources")), 3);
  assert_int_equal(json_object_size(json_object_get(doc, "jobs")), 1);
  assert_string_equal(json_string_value(json_object_get(doc, "working_directory")),
                      d->working_directory);
  assert_true(d->working_directory[0] == '/');
  /* The default `result` output is said explicitly. */
  assert_string_equal(
      json_string_value(json_object_get(
          json_object_get(json_object_get(json_object_get(doc, "ops"), "other"), "outputs"),
          "result")),
      "Any");
  json_decref(doc);
  free(text);

  /* A job with graphs declares every graph and op met, nested ones included. */
  text = snapshot(d, defs_find_job(d, "big"));
  doc = json_loads(text, JSON_ALLOW_NUL, NULL);
  const char *key;
  json_t *v;
  buf names;
  buf_init(&names, NULL);
  json_object_foreach(json_object_get(doc, "ops"), key, v) buf_printf(&names, "%s ", key);
  json_object_foreach(json_object_get(doc, "graphs"), key, v) buf_printf(&names, "%s ", key);
  assert_string_equal(names.data, "extract shout sink inner outer ");
  /* Floats that YAML 1.1 would read as strings keep a ".0". */
  assert_non_null(strstr(text, "\"default\":1.0e+16"));
  assert_non_null(strstr(text, "\"default\":1.0e-05"));
  buf_free(&names);
  json_decref(doc);
  free(text);
  defs_definitions_release(d);
}

/* Definition order of ops and graphs does not change the text; that of
 * resources does (the run config schema's default follows it). */
static void test_canonical(void **state) {
  (void)state;
  static const char *const a = "resources: {r1: {config: {type: String, default: s}}, r2: {config: "
                               "{type: Int, default: 1}}}\n"
                               "ops:\n"
                               "  one: {command: ['true'], outputs: {n: Int}}\n"
                               "  two: {command: ['true'], inputs: {n: Int}, resources: [r1, r2]}\n"
                               "graphs:\n"
                               "  ga: {outputs: {n: x.n}, ops: {x: {op: one}}}\n"
                               "  gb: {inputs: {n: y.n}, ops: {y: {op: two}}}\n"
                               "jobs:\n"
                               "  j: {ops: {x: {op: ga}, y: {op: gb, inputs: {n: x.n}}}}\n";
  static const char *const b = "ops:\n"
                               "  two: {command: ['true'], inputs: {n: Int}, resources: [r1, r2]}\n"
                               "  one: {command: ['true'], outputs: {n: Int}}\n"
                               "  unused: {command: ['false']}\n"
                               "graphs:\n"
                               "  gb: {inputs: {n: y.n}, ops: {y: {op: two}}}\n"
                               "  ga: {outputs: {n: x.n}, ops: {x: {op: one}}}\n"
                               "resources: {r1: {config: {type: String, default: s}}, r2: {config: "
                               "{type: Int, default: 1}}}\n"
                               "jobs:\n"
                               "  other: {ops: {unused: }}\n"
                               "  j: {ops: {x: {op: ga}, y: {op: gb, inputs: {n: x.n}}}}\n";
  defs_definitions *da = load_text("dir/a.yaml", a), *db = load_text("dir/b.yaml", b);
  char *ta = snapshot(da, defs_find_job(da, "j")), *tb = snapshot(db, defs_find_job(db, "j"));
  assert_string_equal(ta, tb);
  char ia[DEFS_SNAPSHOT_ID_LEN + 1], ib[DEFS_SNAPSHOT_ID_LEN + 1], io[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(da, defs_find_job(da, "j"), ia);
  defs_job_snapshot_id(db, defs_find_job(db, "j"), ib);
  defs_job_snapshot_id(db, defs_find_job(db, "other"), io);
  assert_string_equal(ia, ib);
  assert_string_not_equal(ia, io);

  /* Resources in another order: another run config schema, another text. */
  buf c;
  buf_init(&c, NULL);
  buf_puts(&c, "resources: {r2: {config: {type: Int, default: 1}}, r1: {config: {type: String, "
               "default: s}}}\n");
  buf_puts(&c, strchr(a, '\n') + 1);
  defs_definitions *dc = load_text("dir/c.yaml", c.data);
  char *tc = snapshot(dc, defs_find_job(dc, "j"));
  assert_string_not_equal(ta, tc);
  char *ka = run_config_key(da, defs_find_job(da, "j")),
       *kc = run_config_key(dc, defs_find_job(dc, "j"));
  assert_string_not_equal(ka, kc);
  free(ka);
  free(kc);
  free(tc);
  buf_free(&c);
  defs_definitions_release(dc);
  free(ta);
  free(tb);
  defs_definitions_release(da);
  defs_definitions_release(db);
}

static void sha1_hex(const char *text, size_t n, char out[41]) {
  unsigned char digest[20];
  assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA1, text, n, digest), 0);
  for (int i = 0; i < 20; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static void test_ids(void **state) {
  (void)state;
  defs_definitions *d = load_file(RICH);
  const defs_job *job = defs_find_job(d, "big");
  char *text = snapshot(d, job);
  char id[DEFS_SNAPSHOT_ID_LEN + 1], expected[41];
  defs_job_snapshot_id(d, job, id);
  sha1_hex(text, strlen(text), expected);
  assert_string_equal(id, expected);
  assert_int_equal(strlen(id), DEFS_SNAPSHOT_ID_LEN);

  /* A subset: the parent's text, an id of its own from the parent's id and
   * the sorted selected names. */
  arena *a = arena_new(0);
  buf err;
  buf_init(&err, a);
  const defs_job *sub = defs_job_subset(job, (const char *const[]){"second", "fan"}, 2, a, &err);
  assert_non_null(sub);
  char *sub_text = snapshot(d, sub);
  assert_string_equal(sub_text, text);
  char sub_id[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(d, sub, sub_id);
  buf seed;
  buf_init(&seed, a);
  buf_printf(&seed, "%s\nfan,second", id);
  sha1_hex(seed.data, seed.len, expected);
  assert_string_equal(sub_id, expected);
  assert_string_not_equal(sub_id, id);

  /* The same nodes selected otherwise, or through a subset of a subset,
   * give the same id. */
  const defs_job *same = defs_job_subset(job, (const char *const[]){"+fan"}, 1, a, &err);
  const defs_job *wide = defs_job_subset(job, (const char *const[]){"*fan"}, 1, a, &err);
  const defs_job *nested = defs_job_subset(wide, (const char *const[]){"second+"}, 1, a, &err);
  assert_non_null(same);
  assert_non_null(nested);
  char other[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(d, same, other);
  assert_string_not_equal(other, sub_id); /* +fan also selects first */
  defs_job_snapshot_id(d, nested, other);
  assert_string_equal(other, sub_id);
  char *nested_text = snapshot(d, nested);
  assert_string_equal(nested_text, text);

  free(nested_text);
  free(sub_text);
  free(text);
  arena_free(a);
  defs_definitions_release(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_rich),
      cmocka_unit_test(test_round_trip_example),
      cmocka_unit_test(test_contents),
      cmocka_unit_test(test_canonical),
      cmocka_unit_test(test_ids),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
