/* printer.c — GraphQL syntax back to text, formatted as graphql-js's print().
 *
 * Output goes through a small writer that indents after every newline it
 * writes, so nested blocks come out indented however deep they sit. Where
 * graphql-js decides a layout from the printed length of a part (field
 * arguments longer than 80 columns, arguments with descriptions), the part
 * is printed into a scratch buffer first, measured, then copied through the
 * writer, which indents it for its position. */
#include "graphql/printer.h"

#include <string.h>

#include "graphql/inspect.h"

#define MAX_LINE_LENGTH 80

typedef struct printer {
  buf *out;
  unsigned indent;
} printer;

/* ---- the writer ---- */

static void put_n(printer *pr, const char *s, size_t n) {
  while (n > 0) {
    const char *nl = memchr(s, '\n', n);
    if (!nl) {
      buf_append(pr->out, s, n);
      return;
    }
    size_t k = (size_t)(nl - s) + 1;
    buf_append(pr->out, s, k);
    for (unsigned i = 0; i < pr->indent; i++)
      buf_append(pr->out, "  ", 2);
    s += k;
    n -= k;
  }
}

static void put(printer *pr, const char *s) { put_n(pr, s, strlen(s)); }

/* Length in UTF-16 code units, which is what graphql-js measures. */
static size_t js_length(const char *s, size_t n) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) != 0x80)
      len += c >= 0xF0 ? 2 : 1;
  }
  return len;
}

/* ---- strings ---- */

/* printString: JSON-like, escaping C0 and C1 controls, '"' and '\'. */
static void print_string(printer *pr, const char *s, size_t n) {
  buf *b = pr->out;
  buf_putc(b, '"');
  size_t run = 0; /* bytes to copy as they are */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    unsigned code;
    size_t skip = 1;
    if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F) {
      code = c;
    } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
               (unsigned char)s[i + 1] <= 0x9F) {
      code = (unsigned char)s[i + 1];
      skip = 2;
    } else {
      run++;
      continue;
    }
    buf_append(b, s + i - run, run);
    run = 0;
    switch (code) {
    case '"':
      buf_puts(b, "\\\"");
      break;
    case '\\':
      buf_puts(b, "\\\\");
      break;
    case '\b':
      buf_puts(b, "\\b");
      break;
    case '\t':
      buf_puts(b, "\\t");
      break;
    case '\n':
      buf_puts(b, "\\n");
      break;
    case '\f':
      buf_puts(b, "\\f");
      break;
    case '\r':
      buf_puts(b, "\\r");
      break;
    default:
      buf_printf(b, "\\u%04X", code);
      break;
    }
    i += skip - 1;
  }
  buf_append(b, s + n - run, run);
  buf_putc(b, '"');
}

static bool is_ws(char c) { return c == ' ' || c == '\t'; }

/* printBlockString: """...""" with the line breaks that keep the value
 * intact when it is read back (the block-string dedent must not eat it). */
static void print_block_string(printer *pr, const char *s, size_t n) {
  /* the value as lines, with """ escaped */
  buf esc;
  buf_init(&esc, NULL);
  size_t lines = 1;
  bool later_lines_indented =
      true; /* every line after the first is empty or starts with white space */
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"' && n - i >= 3 && s[i + 1] == '"' && s[i + 2] == '"') {
      buf_append(&esc, "\\\"\"\"", 4);
      i += 2;
      continue;
    }
    if (s[i] == '\n' || s[i] == '\r') {
      if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
        buf_putc(&esc, s[i++]);
      lines++;
      if (i + 1 < n && s[i + 1] != '\n' && s[i + 1] != '\r' && !is_ws(s[i + 1]))
        later_lines_indented = false;
    }
    buf_putc(&esc, s[i]);
  }
  const char *e = buf_cstr(&esc);
  bool single = lines == 1;
  bool force_leading = lines > 1 && later_lines_indented;
  bool trailing_triple = esc.len >= 4 && memcmp(e + esc.len - 4, "\\\"\"\"", 4) == 0;
  bool trailing_quote = n > 0 && s[n - 1] == '"' && !trailing_triple;
  bool trailing_slash = n > 0 && s[n - 1] == '\\';
  bool force_trailing = trailing_quote || trailing_slash;
  bool multi =
      !single || js_length(s, n) > 70 || force_trailing || force_leading || trailing_triple;
  bool skip_leading = single && n > 0 && is_ws(s[0]);
  put(pr, "\"\"\"");
  if ((multi && !skip_leading) || force_leading)
    put(pr, "\n");
  put_n(pr, e, esc.len);
  if (multi || force_trailing)
    put(pr, "\n");
  put(pr, "\"\"\"");
  buf_free(&esc);
}

/* isPrintableAsBlockString: whether a description reads back the same
 * when printed as a block string. */
static bool printable_as_block(const char *s) {
  if (!*s)
    return true;
  bool empty_line = true, has_indent = false, common_indent = true, seen_nonempty = false;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    /* graphql-js's list: C0 controls below 0x10 except tab and newline */
    if (c <= 0x08 || (c >= 0x0B && c <= 0x0F))
      return false;
    if (c == '\n') {
      if (empty_line && !seen_nonempty)
        return false;
      seen_nonempty = true;
      empty_line = true;
      has_indent = false;
    } else if (c == ' ' || c == '\t') {
      has_indent = has_indent || empty_line;
    } else {
      common_indent = common_indent && has_indent;
      empty_line = false;
    }
  }
  if (empty_line)
    return false;
  if (common_indent && seen_nonempty)
    return false;
  return true;
}

static void print_description(printer *pr, const char *desc) {
  if (!desc)
    return;
  size_t n = strlen(desc);
  if (printable_as_block(desc))
    print_block_string(pr, desc, n);
  else
    print_string(pr, desc, n);
  put(pr, "\n");
}

/* ---- values ---- */

static void print_value_in(printer *pr, const gql_value *v) {
  if (!v) {
    put(pr, "null");
    return;
  }
  switch (v->kind) {
  case GQL_VALUE_VARIABLE:
    put(pr, "$");
    put(pr, v->str);
    break;
  case GQL_VALUE_INT:
    if (v->str)
      put(pr, v->str);
    else
      buf_printf(pr->out, "%lld", (long long)v->ival);
    break;
  case GQL_VALUE_FLOAT:
    if (v->str)
      put(pr, v->str);
    else
      gql_put_js_number(pr->out, v->fval);
    break;
  case GQL_VALUE_STRING:
    if (v->block)
      print_block_string(pr, v->str ? v->str : "", v->str ? v->str_len : 0);
    else
      print_string(pr, v->str ? v->str : "", v->str ? v->str_len : 0);
    break;
  case GQL_VALUE_BOOLEAN:
    put(pr, v->boolean ? "true" : "false");
    break;
  case GQL_VALUE_NULL:
    put(pr, "null");
    break;
  case GQL_VALUE_ENUM:
    put(pr, v->str);
    break;
  case GQL_VALUE_LIST:
    put(pr, "[");
    for (size_t i = 0; i < v->n_items; i++) {
      if (i)
        put(pr, ", ");
      print_value_in(pr, v->items[i]);
    }
    put(pr, "]");
    break;
  case GQL_VALUE_OBJECT:
    put(pr, "{");
    for (size_t i = 0; i < v->n_fields; i++) {
      if (i)
        put(pr, ", ");
      put(pr, v->fields[i].name);
      put(pr, ": ");
      print_value_in(pr, v->fields[i].value);
    }
    put(pr, "}");
    break;
  }
}

void gql_print_value(buf *out, const gql_value *v) {
  printer pr = {out, 0};
  print_value_in(&pr, v);
}

static void print_type(printer *pr, const gql_type_ref *t) {
  switch (t->kind) {
  case GQL_TYPE_REF_NAMED:
    put(pr, t->name);
    break;
  case GQL_TYPE_REF_LIST:
    put(pr, "[");
    print_type(pr, t->of);
    put(pr, "]");
    break;
  case GQL_TYPE_REF_NON_NULL:
    print_type(pr, t->of);
    put(pr, "!");
    break;
  }
}

void gql_print_type_ref(buf *out, const gql_type_ref *t) {
  printer pr = {out, 0};
  print_type(&pr, t);
}

/* ---- directives and arguments ---- */

static void print_argument(printer *pr, const gql_argument *a) {
  put(pr, a->name);
  put(pr, ": ");
  print_value_in(pr, a->value);
}

static void print_directives(printer *pr, const gql_directive *d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i)
      put(pr, " ");
    put(pr, "@");
    put(pr, d[i].name);
    if (d[i].n_args) {
      put(pr, "(");
      for (size_t j = 0; j < d[i].n_args; j++) {
        if (j)
          put(pr, ", ");
        print_argument(pr, &d[i].args[j]);
      }
      put(pr, ")");
    }
  }
}

/* " @a @b" when there are directives. */
static void print_directives_after(printer *pr, const gql_directive *d, size_t n) {
  if (n) {
    put(pr, " ");
    print_directives(pr, d, n);
  }
}

/* Opens an indented block "{"; items start with newline_item. */
static void block_open(printer *pr, const char *open) {
  put(pr, open);
  pr->indent++;
}

static void newline_item(printer *pr) { put(pr, "\n"); }

static void block_close(printer *pr, const char *close) {
  pr->indent--;
  put(pr, "\n");
  put(pr, close);
}

/* ---- selections ---- */

static void print_selection_set(printer *pr, const gql_selection_set *set);

static void print_field(printer *pr, const gql_selection *s) {
  size_t prefix = 0;
  if (s->alias) {
    put(pr, s->alias);
    put(pr, ": ");
    prefix += strlen(s->alias) + 2;
  }
  put(pr, s->name);
  prefix += strlen(s->name);
  if (s->n_args) {
    /* one line unless that line would pass 80 columns */
    buf tmp;
    buf_init(&tmp, NULL);
    printer sub = {&tmp, 0};
    for (size_t i = 0; i < s->n_args; i++) {
      if (i)
        put(&sub, ", ");
      print_argument(&sub, &s->args[i]);
    }
    if (prefix + js_length(tmp.data, tmp.len) + 2 > MAX_LINE_LENGTH) {
      block_open(pr, "(");
      for (size_t i = 0; i < s->n_args; i++) {
        newline_item(pr);
        print_argument(pr, &s->args[i]);
      }
      block_close(pr, ")");
    } else {
      put(pr, "(");
      put_n(pr, tmp.data, tmp.len);
      put(pr, ")");
    }
    buf_free(&tmp);
  }
  print_directives_after(pr, s->directives, s->n_directives);
  if (s->selection_set) {
    put(pr, " ");
    print_selection_set(pr, s->selection_set);
  }
}

static void print_selection(printer *pr, const gql_selection *s) {
  switch (s->kind) {
  case GQL_SELECTION_FIELD:
    print_field(pr, s);
    break;
  case GQL_SELECTION_FRAGMENT_SPREAD:
    put(pr, "...");
    put(pr, s->name);
    print_directives_after(pr, s->directives, s->n_directives);
    break;
  case GQL_SELECTION_INLINE_FRAGMENT:
    put(pr, "...");
    if (s->type_condition) {
      put(pr, " on ");
      put(pr, s->type_condition);
    }
    print_directives_after(pr, s->directives, s->n_directives);
    put(pr, " ");
    print_selection_set(pr, s->selection_set);
    break;
  }
}

static void print_selection_set(printer *pr, const gql_selection_set *set) {
  if (!set || set->n_items == 0)
    return;
  block_open(pr, "{");
  for (size_t i = 0; i < set->n_items; i++) {
    newline_item(pr);
    print_selection(pr, &set->items[i]);
  }
  block_close(pr, "}");
}

/* ---- executable definitions ---- */

static const char *operation_name(gql_operation_type t) {
  switch (t) {
  case GQL_OP_MUTATION:
    return "mutation";
  case GQL_OP_SUBSCRIPTION:
    return "subscription";
  case GQL_OP_QUERY:
  default:
    return "query";
  }
}

static void print_variable_definition(printer *pr, const gql_variable_definition *v) {
  put(pr, "$");
  put(pr, v->name);
  put(pr, ": ");
  print_type(pr, v->type);
  if (v->default_value) {
    put(pr, " = ");
    print_value_in(pr, v->default_value);
  }
  print_directives_after(pr, v->directives, v->n_directives);
}

static void print_operation(printer *pr, const gql_operation *op) {
  if (op->type == GQL_OP_QUERY && !op->name && !op->n_vars && !op->n_directives) {
    print_selection_set(pr, op->selection_set);
    return;
  }
  put(pr, operation_name(op->type));
  if (op->name || op->n_vars)
    put(pr, " ");
  if (op->name)
    put(pr, op->name);
  if (op->n_vars) {
    /* graphql-js puts each definition on its own line (not indented) when
     * one of them spans lines */
    buf tmp;
    buf_init(&tmp, NULL);
    printer sub = {&tmp, 0};
    for (size_t i = 0; i < op->n_vars; i++)
      print_variable_definition(&sub, &op->vars[i]);
    bool multiline = memchr(tmp.data, '\n', tmp.len) != NULL;
    put(pr, multiline ? "(\n" : "(");
    for (size_t i = 0; i < op->n_vars; i++) {
      if (i)
        put(pr, multiline ? "\n" : ", ");
      print_variable_definition(pr, &op->vars[i]);
    }
    put(pr, multiline ? "\n)" : ")");
    buf_free(&tmp);
  }
  print_directives_after(pr, op->directives, op->n_directives);
  put(pr, " ");
  print_selection_set(pr, op->selection_set);
}

static void print_fragment(printer *pr, const gql_fragment *f) {
  put(pr, "fragment ");
  put(pr, f->name);
  put(pr, " on ");
  put(pr, f->type_condition);
  put(pr, " ");
  if (f->n_directives) {
    print_directives(pr, f->directives, f->n_directives);
    put(pr, " ");
  }
  print_selection_set(pr, f->selection_set);
}

/* ---- type-system definitions ---- */

static void print_input_value_def(printer *pr, const gql_input_value_def *d) {
  print_description(pr, d->description);
  put(pr, d->name);
  put(pr, ": ");
  print_type(pr, d->type);
  if (d->default_value) {
    put(pr, " = ");
    print_value_in(pr, d->default_value);
  }
  print_directives_after(pr, d->directives, d->n_directives);
}

/* Argument definitions: one line, or one per line (indented) when any of
 * them spans lines (a description does). */
static void print_argument_defs(printer *pr, const gql_input_value_def *args, size_t n) {
  if (!n)
    return;
  bool multiline = false;
  buf tmp;
  buf_init(&tmp, NULL);
  printer sub = {&tmp, 0};
  for (size_t i = 0; i < n && !multiline; i++) {
    buf_truncate(&tmp, 0);
    print_input_value_def(&sub, &args[i]);
    multiline = memchr(tmp.data, '\n', tmp.len) != NULL;
  }
  buf_free(&tmp);
  if (multiline) {
    block_open(pr, "(");
    for (size_t i = 0; i < n; i++) {
      newline_item(pr);
      print_input_value_def(pr, &args[i]);
    }
    block_close(pr, ")");
    return;
  }
  put(pr, "(");
  for (size_t i = 0; i < n; i++) {
    if (i)
      put(pr, ", ");
    print_input_value_def(pr, &args[i]);
  }
  put(pr, ")");
}

static void print_name_refs(printer *pr, const gql_name_ref *r, size_t n, const char *sep) {
  for (size_t i = 0; i < n; i++) {
    if (i)
      put(pr, sep);
    put(pr, r[i].name);
  }
}

static void print_fields(printer *pr, const gql_field_def *f, size_t n) {
  if (!n)
    return;
  block_open(pr, " {");
  for (size_t i = 0; i < n; i++) {
    newline_item(pr);
    print_description(pr, f[i].description);
    put(pr, f[i].name);
    print_argument_defs(pr, f[i].args, f[i].n_args);
    put(pr, ": ");
    print_type(pr, f[i].type);
    print_directives_after(pr, f[i].directives, f[i].n_directives);
  }
  block_close(pr, "}");
}

static const char *typedef_keyword(gql_typedef_kind k) {
  switch (k) {
  case GQL_TYPEDEF_SCALAR:
    return "scalar";
  case GQL_TYPEDEF_OBJECT:
    return "type";
  case GQL_TYPEDEF_INTERFACE:
    return "interface";
  case GQL_TYPEDEF_UNION:
    return "union";
  case GQL_TYPEDEF_ENUM:
    return "enum";
  case GQL_TYPEDEF_INPUT_OBJECT:
  default:
    return "input";
  }
}

static void print_typedef(printer *pr, const gql_typedef *t) {
  if (t->extension)
    put(pr, "extend ");
  else
    print_description(pr, t->description);
  put(pr, typedef_keyword(t->kind));
  put(pr, " ");
  put(pr, t->name);
  if (t->n_interfaces) {
    put(pr, " implements ");
    print_name_refs(pr, t->interfaces, t->n_interfaces, " & ");
  }
  print_directives_after(pr, t->directives, t->n_directives);
  switch (t->kind) {
  case GQL_TYPEDEF_OBJECT:
  case GQL_TYPEDEF_INTERFACE:
    print_fields(pr, t->fields, t->n_fields);
    break;
  case GQL_TYPEDEF_UNION:
    if (t->n_members) {
      put(pr, " = ");
      print_name_refs(pr, t->members, t->n_members, " | ");
    }
    break;
  case GQL_TYPEDEF_ENUM:
    if (t->n_values) {
      block_open(pr, " {");
      for (size_t i = 0; i < t->n_values; i++) {
        newline_item(pr);
        print_description(pr, t->values[i].description);
        put(pr, t->values[i].name);
        print_directives_after(pr, t->values[i].directives, t->values[i].n_directives);
      }
      block_close(pr, "}");
    }
    break;
  case GQL_TYPEDEF_INPUT_OBJECT:
    if (t->n_input_fields) {
      block_open(pr, " {");
      for (size_t i = 0; i < t->n_input_fields; i++) {
        newline_item(pr);
        print_input_value_def(pr, &t->input_fields[i]);
      }
      block_close(pr, "}");
    }
    break;
  case GQL_TYPEDEF_SCALAR:
    break;
  }
}

static void print_schema(printer *pr, const gql_schema_def *s) {
  if (s->extension)
    put(pr, "extend ");
  else
    print_description(pr, s->description);
  put(pr, "schema");
  print_directives_after(pr, s->directives, s->n_directives);
  if (s->n_operation_types) {
    block_open(pr, " {");
    for (size_t i = 0; i < s->n_operation_types; i++) {
      newline_item(pr);
      put(pr, operation_name(s->operation_types[i].operation));
      put(pr, ": ");
      put(pr, s->operation_types[i].type_name);
    }
    block_close(pr, "}");
  }
}

static void print_directive_def(printer *pr, const gql_directive_def *d) {
  print_description(pr, d->description);
  put(pr, "directive @");
  put(pr, d->name);
  print_argument_defs(pr, d->args, d->n_args);
  if (d->repeatable)
    put(pr, " repeatable");
  put(pr, " on ");
  print_name_refs(pr, d->locations, d->n_locations, " | ");
}

void gql_print_document(buf *out, const gql_document *doc) {
  printer pr = {out, 0};
  for (size_t i = 0; i < doc->n_defs; i++) {
    if (i)
      put(&pr, "\n\n");
    const gql_definition *d = &doc->defs[i];
    switch (d->kind) {
    case GQL_DEF_OPERATION:
      print_operation(&pr, &d->u.operation);
      break;
    case GQL_DEF_FRAGMENT:
      print_fragment(&pr, &d->u.fragment);
      break;
    case GQL_DEF_SCHEMA:
      print_schema(&pr, &d->u.schema);
      break;
    case GQL_DEF_TYPE:
      print_typedef(&pr, &d->u.type);
      break;
    case GQL_DEF_DIRECTIVE:
      print_directive_def(&pr, &d->u.directive);
      break;
    }
  }
}
