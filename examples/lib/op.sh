# op.sh — helpers for op scripts written in POSIX sh (sourced, not run):
# reading the op's config (JSON in DAGD_OP_CONFIG), a resource's config, and
# writing structured events (JSON lines in DAGD_EVENTS). Only sh and awk are
# needed. A script sources it relative to itself:
#
#   . "${0%/*}/../../lib/op.sh"
#
# JSON is read by flattening it into lines "path<TAB>value", one for each
# string, number and boolean (null and empty containers give no line): the
# path joins object keys and list indexes with dots, so
# {"db": {"hosts": ["a", "b"]}, "n": 2} gives "db.hosts.0 a", "db.hosts.1 b"
# and "n 2". Strings are unescaped, except that newline, carriage return
# and tab stay written as \n, \r and \t, to keep one value a line.
#
# awk runs with LC_ALL=C: it then counts and copies bytes, so UTF-8 text
# passes through unchanged and sprintf("%c", n) writes the byte n (in a
# UTF-8 locale gawk would encode n >= 128 as a character of two bytes).

# json_flat JSON: prints the flattened lines of JSON; exits 2 (with a
# message on stderr) when it is not valid JSON.
json_flat() {
  printf '%s' "$1" | LC_ALL=C awk '
    function fail(msg) {
      printf "op.sh: invalid JSON: %s at character %d\n", msg, pos > "/dev/stderr"
      failed = 1
      exit 2
    }
    function skip_space() {
      while (pos <= n && index(" \t\n\r", substr(s, pos, 1))) pos++
    }
    function join(path, key) { return path == "" ? key : path "." key }
    function utf8(cp) {
      if (cp < 128) return sprintf("%c", cp)
      if (cp < 2048) return sprintf("%c%c", 192 + int(cp / 64), 128 + cp % 64)
      if (cp < 65536)
        return sprintf("%c%c%c", 224 + int(cp / 4096), 128 + int(cp / 64) % 64, 128 + cp % 64)
      return sprintf("%c%c%c%c", 240 + int(cp / 262144), 128 + int(cp / 4096) % 64,
                     128 + int(cp / 64) % 64, 128 + cp % 64)
    }
    function hex4(   h, i, d, v) {
      h = substr(s, pos, 4)
      if (h !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) fail("bad \\u escape")
      v = 0
      for (i = 1; i <= 4; i++) {
        d = index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
        v = v * 16 + d
      }
      pos += 4
      return v
    }
    # The string starting at pos (on its opening quote), unescaped.
    function string_value(   out, c, e, cp, lo) {
      pos++
      out = ""
      for (;;) {
        if (pos > n) fail("unterminated string")
        c = substr(s, pos, 1)
        pos++
        if (c == "\"") return out
        if (c != "\\") { out = out c; continue }
        e = substr(s, pos, 1)
        pos++
        if (e == "\"" || e == "\\" || e == "/") out = out e
        else if (e == "n") out = out "\\n"
        else if (e == "r") out = out "\\r"
        else if (e == "t") out = out "\\t"
        else if (e == "b") out = out sprintf("%c", 8)
        else if (e == "f") out = out sprintf("%c", 12)
        else if (e == "u") {
          cp = hex4()
          if (cp >= 55296 && cp < 56320 && substr(s, pos, 2) == "\\u") {
            pos += 2
            lo = hex4()
            cp = 65536 + (cp - 55296) * 1024 + (lo - 56320)
          }
          out = out utf8(cp)
        } else fail("bad escape")
      }
    }
    function value(path,   c, word) {
      skip_space()
      c = substr(s, pos, 1)
      if (c == "{") return object_value(path)
      if (c == "[") return array_value(path)
      if (c == "\"") { print path "\t" string_value(); return }
      word = ""
      while (pos <= n && !index(",]} \t\n\r", substr(s, pos, 1))) {
        word = word substr(s, pos, 1)
        pos++
      }
      if (word == "null") return
      if (word != "true" && word != "false" && word !~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/)
        fail("unexpected \"" word "\"")
      print path "\t" word
    }
    function object_value(path,   key, c) {
      pos++
      skip_space()
      if (substr(s, pos, 1) == "}") { pos++; return }
      for (;;) {
        skip_space()
        if (substr(s, pos, 1) != "\"") fail("expected a key")
        key = string_value()
        skip_space()
        if (substr(s, pos, 1) != ":") fail("expected :")
        pos++
        value(join(path, key))
        skip_space()
        c = substr(s, pos, 1)
        pos++
        if (c == "}") return
        if (c != ",") fail("expected , or }")
      }
    }
    function array_value(path,   i, c) {
      pos++
      skip_space()
      if (substr(s, pos, 1) == "]") { pos++; return }
      for (i = 0; ; i++) {
        value(join(path, i))
        skip_space()
        c = substr(s, pos, 1)
        pos++
        if (c == "]") return
        if (c != ",") fail("expected , or ]")
      }
    }
    { s = s $0 "\n" }
    END {
      if (failed) exit 2
      n = length(s)
      pos = 1
      skip_space()
      if (pos > n) fail("empty text")
      value("")
      skip_space()
      if (pos <= n) fail("text after the value")
    }'
}

# json_get JSON PATH [DEFAULT]: prints the value at PATH; when there is
# none, prints DEFAULT, or without a default says so on stderr and fails
# (exit 1); JSON that does not parse fails with exit 2.
json_get() {
  # Flattened first, so that invalid JSON fails here (exit 2) rather than
  # looking like a missing key that a default would cover.
  _json_lines=$(json_flat "$1") || return 2
  if _json_value=$(printf '%s\n' "$_json_lines" | LC_ALL=C awk -F '\t' -v k="$2" '
      $1 == k { sub(/^[^\t]*\t/, ""); print; found = 1; exit }
      END { exit found ? 0 : 1 }'); then
    printf '%s\n' "$_json_value"
  elif [ $# -ge 3 ]; then
    printf '%s\n' "$3"
  else
    echo "op.sh: no value for '$2' in $1" >&2
    return 1
  fi
}

# json_list JSON PATH: prints the items of the list at PATH (scalars), one
# a line, in order; nothing when there is none.
json_list() {
  _json_lines=$(json_flat "$1") || return 2
  printf '%s\n' "$_json_lines" | LC_ALL=C awk -F '\t' -v k="$2" '
    index($1, k ".") == 1 && substr($1, length(k) + 2) ~ /^[0-9]+$/ {
      sub(/^[^\t]*\t/, "")
      print
    }'
}

# config PATH [DEFAULT]: json_get on the op's config.
config() {
  json_get "${DAGD_OP_CONFIG:-"{}"}" "$@"
}

# resource_config RESOURCE PATH [DEFAULT]: json_get on a resource's config,
# which arrives as JSON in DAGD_RESOURCE_<resource>.
resource_config() {
  eval "_json_resource=\${DAGD_RESOURCE_$1:-\"{}\"}"
  shift
  json_get "$_json_resource" "$@"
}

# json_string TEXT: TEXT as a JSON string literal: \ and " escaped, tab,
# carriage return and newline as \t, \r and \n, the other control bytes
# (1 to 31) as \u00XX; every other byte as it is.
json_string() {
  printf '%s' "$1" | LC_ALL=C awk '
    BEGIN {
      for (i = 1; i < 32; i++) escaped[sprintf("%c", i)] = sprintf("\\u%04x", i)
      escaped["\t"] = "\\t"
      escaped["\r"] = "\\r"
      escaped["\\"] = "\\\\"
      escaped["\""] = "\\\""
      printf "\""
    }
    {
      if (NR > 1) printf "\\n"
      for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        printf "%s", (c in escaped) ? escaped[c] : c
      }
    }
    END { printf "\"" }'
}

# log_event LEVEL MESSAGE: appends a log message event to DAGD_EVENTS (when
# the op runs without it, e.g. by hand, prints the message on stderr).
log_event() {
  if [ -n "${DAGD_EVENTS:-}" ]; then
    printf '{"type": "log", "level": %s, "message": %s}\n' "$(json_string "$1")" \
      "$(json_string "$2")" >>"$DAGD_EVENTS"
  else
    printf '%s: %s\n' "$1" "$2" >&2
  fi
}

# materialize ASSET_KEY [LABEL VALUE]...: reports an asset materialization
# (the key's parts joined by '/', e.g. sales/report) with text metadata, one
# LABEL VALUE pair each (without DAGD_EVENTS, prints it on stderr).
materialize() {
  _asset=$1
  shift
  _metadata=""
  while [ $# -ge 2 ]; do
    _metadata="$_metadata${_metadata:+, }$(json_string "$1"): $(json_string "$2")"
    shift 2
  done
  if [ -n "${DAGD_EVENTS:-}" ]; then
    printf '{"type": "asset_materialization", "asset_key": %s, "metadata": {%s}}\n' \
      "$(json_string "$_asset")" "$_metadata" >>"$DAGD_EVENTS"
  else
    printf 'materialized %s\n' "$_asset" >&2
  fi
}
