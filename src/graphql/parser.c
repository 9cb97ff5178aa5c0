/* parser.c — recursive-descent parser for GraphQL documents.
 *
 * Executable documents and the whole type-system language, following the
 * grammar of the spec (October 2021 + draft) and graphql-js 16's choices
 * where the spec leaves room (descriptions on operations, fragments and
 * variables are accepted and dropped; fragment variables are not). The
 * parser reads one token ahead (two for descriptions and `extend`), stops at
 * the first error and reports it as graphql-js words it.
 *
 * Errors unwind with longjmp to gql_parse: everything allocated so far lives
 * in the arena, and the only other resource, the scratch stack, is released
 * there. Lists (selections, arguments, ...) are collected on that scratch
 * stack and copied into the arena at their exact size once complete, so
 * parsing allocates nothing per token beyond the nodes themselves. Nesting
 * (selection sets, list and object values, list types) is bounded by
 * gql_limits.max_depth, which also bounds the recursion. */
#include "graphql/parser.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "graphql/lexer.h"
#include "graphql/schema.h" /* the directive location names */

const gql_limits gql_default_limits = {
    .max_document_bytes = 1024 * 1024,
    .max_tokens = 100000,
    .max_depth = 128,
};

#define SCRATCH_INLINE 4096
#define SCRATCH_ALIGN 16

typedef struct parser {
  gql_lexer lx;
  arena *a;
  gql_errors *errs;
  gql_token tok;   /* the current token */
  gql_token ahead; /* the one after it, when has_ahead */
  bool has_ahead;
  size_t n_tokens;
  size_t max_tokens;
  unsigned depth;
  unsigned max_depth;
  jmp_buf on_error;
  /* scratch stack for lists under construction */
  unsigned char *stack;
  size_t top;
  size_t cap;
  _Alignas(SCRATCH_ALIGN) unsigned char inline_stack[SCRATCH_INLINE];
} parser;

/* ---- errors ---- */

static _Noreturn void fail_at(parser *p, gql_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void fail_at(parser *p, gql_loc loc, const char *fmt, ...) {
  /* messages quote token values, which may be long: sized to fit */
  va_list ap;
  va_start(ap, fmt);
  char *msg = arena_vprintf(p->a, fmt, ap);
  va_end(ap);
  gql_errors_add(p->errs, loc, "Syntax Error: %s", msg);
  longjmp(p->on_error, 1);
}

/* graphql-js's getTokenDesc: the kind, then the value for tokens that have one. */
static const char *token_desc(parser *p, const gql_token *t) {
  const char *kind = gql_token_kind_desc(t->kind);
  switch (t->kind) {
  case GQL_TOK_NAME:
  case GQL_TOK_INT:
  case GQL_TOK_FLOAT:
    return arena_printf(p->a, "%s \"%.*s\"", kind, (int)t->len, t->start);
  case GQL_TOK_STRING:
  case GQL_TOK_BLOCK_STRING:
    return arena_printf(p->a, "%s \"%s\"", kind, t->str);
  default:
    return kind;
  }
}

static _Noreturn void unexpected(parser *p, const gql_token *t) {
  fail_at(p, t->loc, "Unexpected %s.", token_desc(p, t));
}

/* ---- tokens ---- */

static void lex(parser *p, gql_token *t) {
  if (!gql_lexer_next(&p->lx, t))
    longjmp(p->on_error, 1);
}

static void advance(parser *p) {
  if (p->has_ahead) {
    p->tok = p->ahead;
    p->has_ahead = false;
  } else {
    lex(p, &p->tok);
  }
  if (p->tok.kind != GQL_TOK_EOF && p->max_tokens && ++p->n_tokens > p->max_tokens)
    fail_at(p, p->tok.loc, "Document exceeds the maximum of %zu tokens.", p->max_tokens);
}

static const gql_token *lookahead(parser *p) {
  if (!p->has_ahead) {
    lex(p, &p->ahead);
    p->has_ahead = true;
  }
  return &p->ahead;
}

static inline bool peek(const parser *p, gql_token_kind kind) { return p->tok.kind == kind; }

static inline bool optional(parser *p, gql_token_kind kind) {
  if (p->tok.kind != kind)
    return false;
  advance(p);
  return true;
}

/* Consumes a token of the kind and returns its location. */
static gql_loc expect(parser *p, gql_token_kind kind) {
  if (p->tok.kind != kind) {
    fail_at(p, p->tok.loc, "Expected %s, found %s.", gql_token_kind_desc(kind),
            token_desc(p, &p->tok));
  }
  gql_loc loc = p->tok.loc;
  advance(p);
  return loc;
}

static inline bool is_keyword(const gql_token *t, const char *word) {
  size_t n = strlen(word);
  return t->kind == GQL_TOK_NAME && t->len == n && memcmp(t->start, word, n) == 0;
}

static void expect_keyword(parser *p, const char *word) {
  if (!is_keyword(&p->tok, word)) {
    fail_at(p, p->tok.loc, "Expected \"%s\", found %s.", word, token_desc(p, &p->tok));
  }
  advance(p);
}

static bool optional_keyword(parser *p, const char *word) {
  if (!is_keyword(&p->tok, word))
    return false;
  advance(p);
  return true;
}

/* A Name: returns a NUL-terminated copy in the arena and its location. */
static const char *parse_name(parser *p, gql_loc *loc) {
  if (p->tok.kind != GQL_TOK_NAME)
    expect(p, GQL_TOK_NAME);
  if (loc)
    *loc = p->tok.loc;
  const char *name = arena_strndup(p->a, p->tok.start, p->tok.len);
  advance(p);
  return name;
}

/* ---- nesting ---- */

static void enter(parser *p) {
  if (++p->depth > p->max_depth)
    fail_at(p, p->tok.loc, "Document exceeds the maximum nesting depth of %u.", p->max_depth);
}

static inline void leave(parser *p) { p->depth--; }

/* ---- the scratch stack ----
 * vec_begin marks where a list starts; vec_push appends one element (a
 * copy of `item`); vec_end copies the list into the arena and pops it. Lists
 * nest: an inner list is begun and ended before the outer one pushes. */

static inline size_t align_up(size_t n) {
  return (n + SCRATCH_ALIGN - 1) & ~(size_t)(SCRATCH_ALIGN - 1);
}

/* Returns the mark to hand to vec_end: the top before the list (its items
 * start at the next aligned offset, and the padding goes away with them). */
static size_t vec_begin(parser *p) {
  size_t mark = p->top;
  p->top = align_up(mark);
  return mark;
}

static void vec_push(parser *p, const void *item, size_t size) {
  if (p->top + size + SCRATCH_ALIGN > p->cap) {
    size_t cap = p->cap * 2;
    while (cap < p->top + size + SCRATCH_ALIGN)
      cap *= 2;
    unsigned char *grown = xmalloc(cap);
    memcpy(grown, p->stack, p->top);
    if (p->stack != p->inline_stack)
      free(p->stack);
    p->stack = grown;
    p->cap = cap;
  }
  memcpy(p->stack + p->top, item, size);
  p->top += size;
}

static void *vec_end(parser *p, size_t mark, size_t size, size_t *count) {
  size_t start = align_up(mark);
  size_t bytes = p->top - start;
  *count = bytes / size;
  p->top = mark;
  if (bytes == 0)
    return NULL;
  void *out = arena_alloc(p->a, bytes);
  memcpy(out, p->stack + start, bytes);
  return out;
}

/* ---- values ---- */

static gql_value *parse_value(parser *p, bool is_const);

static gql_value *new_value(parser *p, gql_value_kind kind) {
  gql_value *v = ARENA_NEW(p->a, gql_value);
  v->kind = kind;
  v->loc = p->tok.loc;
  return v;
}

/* Fills ival (or int_overflow) and fval of an INT from its text. */
static void set_int(gql_value *v) {
  const char *s = v->str;
  bool neg = *s == '-';
  if (neg)
    s++;
  uint64_t mag = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (; *s; s++) {
    uint64_t d = (uint64_t)(*s - '0');
    if (mag > (limit - d) / 10) {
      v->int_overflow = true;
      break;
    }
    mag = mag * 10 + d;
  }
  if (!v->int_overflow)
    v->ival = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
  v->fval = strtod(v->str, NULL);
}

static gql_value *parse_list(parser *p, bool is_const) {
  gql_value *v = new_value(p, GQL_VALUE_LIST);
  enter(p);
  advance(p); /* [ */
  size_t mark = vec_begin(p);
  while (!optional(p, GQL_TOK_BRACKET_R)) {
    gql_value *item = parse_value(p, is_const);
    vec_push(p, &item, sizeof item);
  }
  v->items = vec_end(p, mark, sizeof(gql_value *), &v->n_items);
  leave(p);
  return v;
}

static gql_value *parse_object(parser *p, bool is_const) {
  gql_value *v = new_value(p, GQL_VALUE_OBJECT);
  enter(p);
  advance(p); /* { */
  size_t mark = vec_begin(p);
  while (!optional(p, GQL_TOK_BRACE_R)) {
    gql_object_field f;
    f.name = parse_name(p, &f.loc);
    expect(p, GQL_TOK_COLON);
    f.value = parse_value(p, is_const);
    vec_push(p, &f, sizeof f);
  }
  v->fields = vec_end(p, mark, sizeof(gql_object_field), &v->n_fields);
  leave(p);
  return v;
}

static gql_value *parse_value(parser *p, bool is_const) {
  const gql_token *t = &p->tok;
  gql_value *v;
  switch (t->kind) {
  case GQL_TOK_BRACKET_L:
    return parse_list(p, is_const);
  case GQL_TOK_BRACE_L:
    return parse_object(p, is_const);
  case GQL_TOK_INT:
  case GQL_TOK_FLOAT:
    v = new_value(p, t->kind == GQL_TOK_INT ? GQL_VALUE_INT : GQL_VALUE_FLOAT);
    v->str = arena_strndup(p->a, t->start, t->len);
    v->str_len = t->len;
    if (v->kind == GQL_VALUE_INT)
      set_int(v);
    else
      v->fval = strtod(v->str, NULL);
    advance(p);
    return v;
  case GQL_TOK_STRING:
  case GQL_TOK_BLOCK_STRING:
    v = new_value(p, GQL_VALUE_STRING);
    v->str = t->str;
    v->str_len = t->str_len;
    v->block = t->kind == GQL_TOK_BLOCK_STRING;
    advance(p);
    return v;
  case GQL_TOK_NAME:
    if (is_keyword(t, "true") || is_keyword(t, "false")) {
      v = new_value(p, GQL_VALUE_BOOLEAN);
      v->boolean = t->start[0] == 't';
      advance(p);
    } else if (is_keyword(t, "null")) {
      v = new_value(p, GQL_VALUE_NULL);
      advance(p);
    } else {
      v = new_value(p, GQL_VALUE_ENUM);
      v->str = parse_name(p, NULL);
    }
    return v;
  case GQL_TOK_DOLLAR:
    v = new_value(p, GQL_VALUE_VARIABLE);
    if (is_const) {
      gql_token dollar = *t;
      advance(p);
      if (p->tok.kind == GQL_TOK_NAME)
        fail_at(p, dollar.loc, "Unexpected variable \"$%.*s\" in constant value.", (int)p->tok.len,
                p->tok.start);
      unexpected(p, &dollar);
    }
    advance(p);
    v->str = parse_name(p, NULL);
    return v;
  default:
    unexpected(p, t);
  }
}

/* ---- directives, arguments, types ---- */

static void parse_arguments(parser *p, bool is_const, gql_argument **args, size_t *n) {
  *args = NULL;
  *n = 0;
  if (!optional(p, GQL_TOK_PAREN_L))
    return;
  size_t mark = vec_begin(p);
  do {
    gql_argument arg;
    arg.name = parse_name(p, &arg.name_loc);
    arg.loc = arg.name_loc;
    expect(p, GQL_TOK_COLON);
    arg.value = parse_value(p, is_const);
    vec_push(p, &arg, sizeof arg);
  } while (!optional(p, GQL_TOK_PAREN_R));
  *args = vec_end(p, mark, sizeof(gql_argument), n);
}

static void parse_directives(parser *p, bool is_const, gql_directive **dirs, size_t *n) {
  *dirs = NULL;
  *n = 0;
  if (!peek(p, GQL_TOK_AT))
    return;
  size_t mark = vec_begin(p);
  while (peek(p, GQL_TOK_AT)) {
    gql_directive d;
    d.loc = p->tok.loc;
    advance(p);
    d.name = parse_name(p, NULL);
    parse_arguments(p, is_const, &d.args, &d.n_args);
    vec_push(p, &d, sizeof d);
  }
  *dirs = vec_end(p, mark, sizeof(gql_directive), n);
}

static gql_type_ref *parse_type(parser *p) {
  gql_type_ref *t = ARENA_NEW(p->a, gql_type_ref);
  t->loc = p->tok.loc;
  if (peek(p, GQL_TOK_BRACKET_L)) {
    enter(p);
    advance(p);
    t->kind = GQL_TYPE_REF_LIST;
    t->of = parse_type(p);
    expect(p, GQL_TOK_BRACKET_R);
    leave(p);
  } else {
    t->kind = GQL_TYPE_REF_NAMED;
    t->name = parse_name(p, NULL);
  }
  if (optional(p, GQL_TOK_BANG)) {
    gql_type_ref *nn = ARENA_NEW(p->a, gql_type_ref);
    nn->kind = GQL_TYPE_REF_NON_NULL;
    nn->loc = t->loc;
    nn->of = t;
    return nn;
  }
  return t;
}

/* ---- selections ---- */

static gql_selection_set *parse_selection_set(parser *p);

static void parse_fragment_selection(parser *p, gql_selection *s) {
  s->loc = p->tok.loc;
  advance(p); /* ... */
  bool has_on = optional_keyword(p, "on");
  if (!has_on && peek(p, GQL_TOK_NAME)) {
    s->kind = GQL_SELECTION_FRAGMENT_SPREAD;
    s->name = parse_name(p, &s->name_loc);
    parse_directives(p, false, &s->directives, &s->n_directives);
    return;
  }
  s->kind = GQL_SELECTION_INLINE_FRAGMENT;
  if (has_on)
    s->type_condition = parse_name(p, &s->type_condition_loc);
  parse_directives(p, false, &s->directives, &s->n_directives);
  s->selection_set = parse_selection_set(p);
}

static void parse_field(parser *p, gql_selection *s) {
  s->kind = GQL_SELECTION_FIELD;
  s->name = parse_name(p, &s->loc);
  if (optional(p, GQL_TOK_COLON)) {
    s->alias = s->name;
    s->name = parse_name(p, NULL);
  }
  parse_arguments(p, false, &s->args, &s->n_args);
  parse_directives(p, false, &s->directives, &s->n_directives);
  if (peek(p, GQL_TOK_BRACE_L))
    s->selection_set = parse_selection_set(p);
}

static gql_selection_set *parse_selection_set(parser *p) {
  gql_selection_set *set = ARENA_NEW(p->a, gql_selection_set);
  set->loc = p->tok.loc;
  if (!peek(p, GQL_TOK_BRACE_L))
    expect(p, GQL_TOK_BRACE_L);
  enter(p);
  advance(p);
  size_t mark = vec_begin(p);
  do {
    gql_selection s;
    memset(&s, 0, sizeof s);
    if (peek(p, GQL_TOK_SPREAD))
      parse_fragment_selection(p, &s);
    else
      parse_field(p, &s);
    vec_push(p, &s, sizeof s);
  } while (!optional(p, GQL_TOK_BRACE_R));
  set->items = vec_end(p, mark, sizeof(gql_selection), &set->n_items);
  leave(p);
  return set;
}

/* ---- executable definitions ---- */

static bool peek_description(const parser *p) {
  return peek(p, GQL_TOK_STRING) || peek(p, GQL_TOK_BLOCK_STRING);
}

/* An optional description: its decoded text, or NULL. */
static const char *parse_description(parser *p) {
  if (!peek_description(p))
    return NULL;
  const char *s = p->tok.str;
  advance(p);
  return s;
}

static gql_operation_type parse_operation_type(parser *p) {
  gql_token t = p->tok;
  expect(p, GQL_TOK_NAME);
  if (is_keyword(&t, "query"))
    return GQL_OP_QUERY;
  if (is_keyword(&t, "mutation"))
    return GQL_OP_MUTATION;
  if (is_keyword(&t, "subscription"))
    return GQL_OP_SUBSCRIPTION;
  unexpected(p, &t);
}

static void parse_variable_definitions(parser *p, gql_operation *op) {
  if (!optional(p, GQL_TOK_PAREN_L))
    return;
  size_t mark = vec_begin(p);
  do {
    gql_variable_definition v;
    memset(&v, 0, sizeof v);
    parse_description(p); /* the draft allows one; the AST has no place for it */
    v.loc = expect(p, GQL_TOK_DOLLAR);
    v.name = parse_name(p, &v.name_loc);
    expect(p, GQL_TOK_COLON);
    v.type = parse_type(p);
    if (optional(p, GQL_TOK_EQUALS))
      v.default_value = parse_value(p, true);
    parse_directives(p, true, &v.directives, &v.n_directives);
    vec_push(p, &v, sizeof v);
  } while (!optional(p, GQL_TOK_PAREN_R));
  op->vars = vec_end(p, mark, sizeof(gql_variable_definition), &op->n_vars);
}

static void parse_operation(parser *p, gql_definition *def) {
  gql_operation *op = &def->u.operation;
  def->kind = GQL_DEF_OPERATION;
  op->type = GQL_OP_QUERY;
  if (!peek(p, GQL_TOK_BRACE_L)) {
    parse_description(p);
    op->type = parse_operation_type(p);
    if (peek(p, GQL_TOK_NAME))
      op->name = parse_name(p, &op->name_loc);
    parse_variable_definitions(p, op);
    parse_directives(p, false, &op->directives, &op->n_directives);
  }
  op->selection_set = parse_selection_set(p);
}

static void parse_fragment_definition(parser *p, gql_definition *def) {
  gql_fragment *f = &def->u.fragment;
  def->kind = GQL_DEF_FRAGMENT;
  parse_description(p);
  expect_keyword(p, "fragment");
  if (is_keyword(&p->tok, "on"))
    unexpected(p, &p->tok);
  f->name = parse_name(p, &f->name_loc);
  expect_keyword(p, "on");
  f->type_condition = parse_name(p, &f->type_condition_loc);
  parse_directives(p, false, &f->directives, &f->n_directives);
  f->selection_set = parse_selection_set(p);
}

/* ---- type-system definitions ---- */

static void parse_input_value_defs(parser *p, gql_token_kind open, gql_token_kind close,
                                   gql_input_value_def **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!optional(p, open))
    return;
  size_t mark = vec_begin(p);
  do {
    gql_input_value_def d;
    memset(&d, 0, sizeof d);
    d.description = parse_description(p);
    d.name = parse_name(p, &d.loc);
    expect(p, GQL_TOK_COLON);
    d.type = parse_type(p);
    if (optional(p, GQL_TOK_EQUALS))
      d.default_value = parse_value(p, true);
    parse_directives(p, true, &d.directives, &d.n_directives);
    vec_push(p, &d, sizeof d);
  } while (!optional(p, close));
  *out = vec_end(p, mark, sizeof(gql_input_value_def), n);
}

/* Name (sep Name)*, with an optional leading separator: implements A & B, = A | B. */
static gql_name_ref *parse_name_list(parser *p, gql_token_kind sep, size_t *n) {
  optional(p, sep);
  size_t mark = vec_begin(p);
  do {
    gql_name_ref r;
    r.name = parse_name(p, &r.loc);
    vec_push(p, &r, sizeof r);
  } while (optional(p, sep));
  return vec_end(p, mark, sizeof(gql_name_ref), n);
}

static void parse_implements(parser *p, gql_typedef *t) {
  if (optional_keyword(p, "implements"))
    t->interfaces = parse_name_list(p, GQL_TOK_AMP, &t->n_interfaces);
}

static void parse_fields_definition(parser *p, gql_typedef *t) {
  if (!optional(p, GQL_TOK_BRACE_L))
    return;
  size_t mark = vec_begin(p);
  do {
    gql_field_def f;
    memset(&f, 0, sizeof f);
    f.description = parse_description(p);
    f.name = parse_name(p, &f.loc);
    parse_input_value_defs(p, GQL_TOK_PAREN_L, GQL_TOK_PAREN_R, &f.args, &f.n_args);
    expect(p, GQL_TOK_COLON);
    f.type = parse_type(p);
    parse_directives(p, true, &f.directives, &f.n_directives);
    vec_push(p, &f, sizeof f);
  } while (!optional(p, GQL_TOK_BRACE_R));
  t->fields = vec_end(p, mark, sizeof(gql_field_def), &t->n_fields);
}

static void parse_enum_values(parser *p, gql_typedef *t) {
  if (!optional(p, GQL_TOK_BRACE_L))
    return;
  size_t mark = vec_begin(p);
  do {
    gql_enum_value_def v;
    memset(&v, 0, sizeof v);
    v.description = parse_description(p);
    const gql_token *tk = &p->tok;
    bool is_name = tk->kind == GQL_TOK_NAME;
    bool is_str = tk->kind == GQL_TOK_STRING || tk->kind == GQL_TOK_BLOCK_STRING;
    const char *text = is_str ? tk->str : tk->start;
    size_t len = is_str ? tk->str_len : tk->len;
    if ((is_name || is_str) &&
        ((len == 4 && (!memcmp(text, "true", 4) || !memcmp(text, "null", 4))) ||
         (len == 5 && !memcmp(text, "false", 5)))) {
      fail_at(p, tk->loc, "%s is reserved and cannot be used for an enum value.",
              token_desc(p, tk));
    }
    v.name = parse_name(p, &v.loc);
    parse_directives(p, true, &v.directives, &v.n_directives);
    vec_push(p, &v, sizeof v);
  } while (!optional(p, GQL_TOK_BRACE_R));
  t->values = vec_end(p, mark, sizeof(gql_enum_value_def), &t->n_values);
}

static void parse_operation_types(parser *p, gql_schema_def *s) {
  size_t mark = vec_begin(p);
  do {
    gql_operation_type_def o;
    o.loc = p->tok.loc;
    o.operation = parse_operation_type(p);
    expect(p, GQL_TOK_COLON);
    o.type_name = parse_name(p, NULL);
    vec_push(p, &o, sizeof o);
  } while (!optional(p, GQL_TOK_BRACE_R));
  s->operation_types = vec_end(p, mark, sizeof(gql_operation_type_def), &s->n_operation_types);
}

static void parse_schema(parser *p, gql_definition *def, bool extension) {
  gql_schema_def *s = &def->u.schema;
  def->kind = GQL_DEF_SCHEMA;
  s->extension = extension;
  if (!extension)
    s->description = parse_description(p);
  expect_keyword(p, "schema");
  parse_directives(p, true, &s->directives, &s->n_directives);
  if (extension) {
    if (optional(p, GQL_TOK_BRACE_L))
      parse_operation_types(p, s);
    if (s->n_directives == 0 && s->n_operation_types == 0)
      unexpected(p, &p->tok);
  } else {
    expect(p, GQL_TOK_BRACE_L);
    parse_operation_types(p, s);
  }
}

static const struct {
  const char *keyword;
  gql_typedef_kind kind;
} type_keywords[] = {
    {"scalar", GQL_TYPEDEF_SCALAR},       {"type", GQL_TYPEDEF_OBJECT},
    {"interface", GQL_TYPEDEF_INTERFACE}, {"union", GQL_TYPEDEF_UNION},
    {"enum", GQL_TYPEDEF_ENUM},           {"input", GQL_TYPEDEF_INPUT_OBJECT},
};

/* A type definition or extension; the current token is the description (if
 * any, for definitions) and then the keyword of `kind`. */
static void parse_typedef(parser *p, gql_definition *def, gql_typedef_kind kind, bool extension) {
  gql_typedef *t = &def->u.type;
  def->kind = GQL_DEF_TYPE;
  t->kind = kind;
  t->extension = extension;
  if (!extension)
    t->description = parse_description(p);
  advance(p); /* the keyword, already checked by the caller */
  t->name = parse_name(p, &t->name_loc);
  bool empty;
  switch (kind) {
  case GQL_TYPEDEF_SCALAR:
    parse_directives(p, true, &t->directives, &t->n_directives);
    empty = t->n_directives == 0;
    break;
  case GQL_TYPEDEF_OBJECT:
  case GQL_TYPEDEF_INTERFACE:
    parse_implements(p, t);
    parse_directives(p, true, &t->directives, &t->n_directives);
    parse_fields_definition(p, t);
    empty = t->n_interfaces == 0 && t->n_directives == 0 && t->n_fields == 0;
    break;
  case GQL_TYPEDEF_UNION:
    parse_directives(p, true, &t->directives, &t->n_directives);
    if (optional(p, GQL_TOK_EQUALS))
      t->members = parse_name_list(p, GQL_TOK_PIPE, &t->n_members);
    empty = t->n_directives == 0 && t->n_members == 0;
    break;
  case GQL_TYPEDEF_ENUM:
    parse_directives(p, true, &t->directives, &t->n_directives);
    parse_enum_values(p, t);
    empty = t->n_directives == 0 && t->n_values == 0;
    break;
  case GQL_TYPEDEF_INPUT_OBJECT:
  default:
    parse_directives(p, true, &t->directives, &t->n_directives);
    parse_input_value_defs(p, GQL_TOK_BRACE_L, GQL_TOK_BRACE_R, &t->input_fields,
                           &t->n_input_fields);
    empty = t->n_directives == 0 && t->n_input_fields == 0;
    break;
  }
  if (extension && empty)
    unexpected(p, &p->tok);
}

static bool is_directive_location(const gql_token *t) {
  for (size_t i = 0; i < GQL_DL_COUNT; i++)
    if (is_keyword(t, gql_directive_location_names[i]))
      return true;
  return false;
}

static void parse_directive_definition(parser *p, gql_definition *def) {
  gql_directive_def *d = &def->u.directive;
  def->kind = GQL_DEF_DIRECTIVE;
  d->description = parse_description(p);
  expect_keyword(p, "directive");
  expect(p, GQL_TOK_AT);
  d->name = parse_name(p, &d->name_loc);
  parse_input_value_defs(p, GQL_TOK_PAREN_L, GQL_TOK_PAREN_R, &d->args, &d->n_args);
  d->repeatable = optional_keyword(p, "repeatable");
  expect_keyword(p, "on");
  optional(p, GQL_TOK_PIPE);
  size_t mark = vec_begin(p);
  do {
    gql_token t = p->tok;
    gql_name_ref r;
    r.name = parse_name(p, &r.loc);
    if (!is_directive_location(&t))
      unexpected(p, &t);
    vec_push(p, &r, sizeof r);
  } while (optional(p, GQL_TOK_PIPE));
  d->locations = vec_end(p, mark, sizeof(gql_name_ref), &d->n_locations);
}

/* Dispatches on the keyword `kw` of a type-system definition (after an
 * optional description) or extension; false when kw is no such keyword. */
static bool parse_type_system(parser *p, gql_definition *def, const gql_token *kw, bool extension) {
  if (is_keyword(kw, "schema")) {
    parse_schema(p, def, extension);
    return true;
  }
  for (size_t i = 0; i < sizeof type_keywords / sizeof *type_keywords; i++) {
    if (is_keyword(kw, type_keywords[i].keyword)) {
      parse_typedef(p, def, type_keywords[i].kind, extension);
      return true;
    }
  }
  if (!extension && is_keyword(kw, "directive")) {
    parse_directive_definition(p, def);
    return true;
  }
  return false;
}

static void parse_definition(parser *p, gql_definition *def) {
  memset(def, 0, sizeof *def);
  def->loc = p->tok.loc;
  if (peek(p, GQL_TOK_BRACE_L)) {
    parse_operation(p, def);
    return;
  }
  bool has_description = peek_description(p);
  /* copied: lookahead() may be invalidated by advancing */
  gql_token kw = has_description ? *lookahead(p) : p->tok;
  if (has_description && kw.kind == GQL_TOK_BRACE_L)
    fail_at(p, p->tok.loc,
            "Unexpected description, descriptions are not supported on shorthand queries.");
  if (kw.kind == GQL_TOK_NAME) {
    if (parse_type_system(p, def, &kw, false))
      return;
    if (is_keyword(&kw, "query") || is_keyword(&kw, "mutation") ||
        is_keyword(&kw, "subscription")) {
      parse_operation(p, def);
      return;
    }
    if (is_keyword(&kw, "fragment")) {
      parse_fragment_definition(p, def);
      return;
    }
    if (has_description)
      fail_at(p, p->tok.loc,
              "Unexpected description, only GraphQL definitions support descriptions.");
    if (is_keyword(&kw, "extend")) {
      gql_token what = *lookahead(p);
      advance(p); /* extend */
      if (parse_type_system(p, def, &what, true))
        return;
      unexpected(p, &what);
    }
  }
  unexpected(p, &kw);
}

/* ---- entry points ---- */

static void parser_init(parser *p, arena *a, const char *src, size_t len, const gql_limits *lim,
                        gql_errors *errs) {
  if (!src) { /* an empty document may come as NULL */
    src = "";
    len = 0;
  }
  gql_lexer_init(&p->lx, a, src, len, errs);
  p->a = a;
  p->errs = errs;
  p->has_ahead = false;
  p->n_tokens = 0;
  p->max_tokens = lim->max_tokens;
  p->depth = 0;
  p->max_depth = lim->max_depth ? lim->max_depth : gql_default_limits.max_depth;
  p->stack = p->inline_stack;
  p->top = 0;
  p->cap = SCRATCH_INLINE;
}

static void parser_done(parser *p) {
  if (p->stack != p->inline_stack)
    free(p->stack);
}

gql_document *gql_parse(arena *a, const char *src, size_t len, const gql_limits *lim,
                        gql_errors *errs) {
  if (!lim)
    lim = &gql_default_limits;
  parser *p = xmalloc(sizeof *p);
  parser_init(p, a, src, len, lim, errs);
  gql_document *doc = NULL;
  if (lim->max_document_bytes && len > lim->max_document_bytes) {
    gql_errors_add(errs, gql_lexer_loc_at(&p->lx, src + lim->max_document_bytes),
                   "Syntax Error: Document is larger than the maximum of %zu bytes.",
                   lim->max_document_bytes);
  } else if (setjmp(p->on_error) == 0) {
    doc = ARENA_NEW(a, gql_document);
    advance(p);
    size_t mark = vec_begin(p);
    do {
      gql_definition def;
      parse_definition(p, &def);
      vec_push(p, &def, sizeof def);
    } while (!peek(p, GQL_TOK_EOF));
    doc->defs = vec_end(p, mark, sizeof(gql_definition), &doc->n_defs);
  } else {
    doc = NULL;
  }
  parser_done(p);
  free(p);
  return doc;
}

gql_value *gql_parse_value(arena *a, const char *src, size_t len, gql_errors *errs) {
  parser *p = xmalloc(sizeof *p);
  parser_init(p, a, src, len, &gql_default_limits, errs);
  gql_value *v = NULL;
  if (len > gql_default_limits.max_document_bytes) {
    gql_errors_add(errs, gql_lexer_loc_at(&p->lx, src + gql_default_limits.max_document_bytes),
                   "Syntax Error: Document is larger than the maximum of %zu bytes.",
                   gql_default_limits.max_document_bytes);
  } else if (setjmp(p->on_error) == 0) {
    advance(p);
    v = parse_value(p, true);
    expect(p, GQL_TOK_EOF);
  } else {
    v = NULL;
  }
  parser_done(p);
  free(p);
  return v;
}
