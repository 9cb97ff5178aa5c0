#!/usr/bin/env python3
"""generate.py — writes the YAML test data of tests/unit/base/test_yaml.c.

PyYAML is the oracle; this script is run by hand during development (python3
with python3-yaml), and its outputs are committed, so the test suite itself
needs no Python:

  emit.json     [{"flags": [...], "data": <JSON value>, "yaml": <text>}]: what
                yaml.dump writes for data under each set of options
  resolve.json  [{"text": <plain scalar>, "kind": ..., "value": ...}]: what
                Dagster's loader (SafeLoader without timestamps) makes of a
                top-level plain scalar

The Dagster dumper and loader below restate the classes of Dagster's
dagster/_utils/yaml_utils.py (SafeDumper/SafeLoader without the timestamp
resolver; strings that start with "0" single-quoted), which
dump_run_config_yaml uses for runConfigYaml.

Usage: python3 tests/unit/base/yaml_cases/generate.py
"""
import json
import math
import os
import random

import yaml

TIMESTAMP = "tag:yaml.org,2002:timestamp"


def without_timestamps(cls):
    cls.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != TIMESTAMP]
        for ch, resolvers in cls.yaml_implicit_resolvers.items()
    }
    return cls


@without_timestamps
class DagsterLoader(yaml.SafeLoader):
    pass


@without_timestamps
class DagsterDumper(yaml.SafeDumper):
    pass


def leading_zero_representer(dumper, value):
    if value.startswith("0"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


DagsterDumper.add_representer(str, leading_zero_representer)


def dump(data, flags):
    kwargs = dict(default_flow_style=False, sort_keys="sort_keys" in flags,
                  allow_unicode="allow_unicode" in flags)
    if "dagster" in flags:
        kwargs["Dumper"] = DagsterDumper
    return yaml.dump(data, **kwargs)


RUN_CONFIG = ["sort_keys", "allow_unicode", "dagster"]
FLAG_SETS = [
    RUN_CONFIG,
    ["sort_keys"],  # yaml.dump(data)
    ["allow_unicode"],
    ["dagster", "allow_unicode"],  # rootDefaultYaml: sort_keys=False
    [],
]

TRICKY = [
    "", " ", "  ", "a", "abc", "true", "True", "TRUE", "tRue", "yes", "Yes", "YES", "no",
    "NO", "on", "On", "off", "OFF", "y", "n", "Y", "N", "null", "Null", "NULL", "nULL", "~",
    "1", "-1", "+1", "0", "-0", "00", "012", "019", "08", "0x1F", "0x", "0xG", "0b101", "0b",
    "0b2", "0o17", "1_000", "_1", "1_", "1:30", "1:60", "1:3:5", "-1:30", "1:30.5", "190:20:30",
    "1.0", "1.", ".5", "._5", "1_000.5", "1e3", "1E3", "1.0e3", "1.0e+3", "1.0E-3", "1.e+5",
    ".5e+1", "-.5", "+.5", "-1.5", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".iNf", ".nan",
    ".NaN", ".NAN", "+.nan", "-.nan", "inf", "nan", "NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43", "2001-12-14T21:59:43Z", "2001-1-1",
    "2001-01-01 1:2:3", "2001-01-01T01:02:03.5+05:30", "20011214", "<<", "=", "==", "!", "&",
    "*", "|", ">", "-", "--", "---", "---a", "--- a", "...", "....", "- a", "-a", "a-", "a: b",
    "a:b", "a :b", "a:", ":", ":a", ": a", "a #b", "a#b", "#a", "?", "? a", "?a", "a?", "[a]",
    "a[b]", "{a}", "a{b}", "a,b", "a, b", ",a", "@a", "`a", "%a", "'a'", "\"a\"", "it's",
    "say \"hi\"", "a\nb", "a\n", "\na", "a\n\nb", "a\n\n\nb", "a \nb", "a\n b", "\n", "\n\n",
    " a", "a ", "a  b", "a   b", "\t", "a\tb", "\ta", "\r", "a\r\nb", "\u00e9", "caf\u00e9",
    "\u65e5\u672c\u8a9e", "\U0001F600", "a\U0001F600 b\nc", "a\x00b", "\x07", "\x1b", "\x7f",
    "\x85", "a\x85b", "\u2028", "a\u2028b", "\u2029", "\u00a0", "a\u00a0b", "\ufeff",
    "\ufeffa", "\ue000", "\ufffd", "\ufffe", "\x01\x02", "a\\b", "\\", "C:\\path\\to",
    "http://example.com/a?b=c#d", "key: value # comment", "- item", "${VAR}", "$HOME",
    "a\"b'c", "'", "''", "\"", "a'", "'a", "0abc", "0", "0.5", "0 a", "007", "0\n1",
    "0'", "0 ", "echo hello && ls -la | grep x > out.txt", "SELECT * FROM t WHERE a = 'b';",
]


def words(rng, n, space="  "):
    pool = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
            "sed", "do", "eiusmod", "tempor", "a", "I", "supercalifragilisticexpialidocious",
            "caf\u00e9", "\u65e5\u672c", "x:", "#y", "it's", "\"q\"", "tab\t", "-", "--"]
    out = []
    for _ in range(n):
        out.append(rng.choice(pool))
    sep = [" "] * 8 + [space, "\n", "\n\n", " \n"]
    text = ""
    for i, w in enumerate(out):
        text += w
        if i + 1 < len(out):
            text += rng.choice(sep)
    return text


def long_strings(rng):
    out = []
    for n in (10, 14, 15, 16, 17, 20, 30, 45):
        out.append(" ".join(["word"] * n))
        out.append(" ".join(["w%d" % i for i in range(n * 2)]))
    out.append("x" * 100)
    out.append("x" * 100 + " " + "y" * 100)
    out.append("y " * 60)
    out.append(" ".join(["ab"] * 50) + "  " + " ".join(["cd"] * 50))
    out.append("k" * 127)
    out.append("k" * 128)
    out.append("k" * 129)
    for _ in range(24):
        out.append(words(rng, rng.randint(10, 50)))
    return out


def random_string(rng):
    r = rng.random()
    if r < 0.35:
        return rng.choice(TRICKY)
    if r < 0.45:
        return words(rng, rng.randint(1, 40))
    pool = ("abcxyzABC0123456789 _-.:#?,[]{}'\"!&*|>%@`~=<\\/\n\t" +
            "\u00e9\u00a0\u2028\u65e5\U0001F600\x85\x00\x1b")
    weights = [6 if c.isalnum() and c.isascii() else 1 for c in pool]
    n = rng.choice([0, 1, 1, 2, 3, 4, 5, 8, 12, 20, 40, 90])
    return "".join(rng.choices(pool, weights, k=n))


def random_float(rng):
    return rng.choice([
        0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 100.0, 1e16, 1e15, 1e17, -1e16, 1e-5, 1.5e-5,
        1e-4, 0.0001, 1e22, 1e100, 5e-324, 1.7976931348623157e308, 123456789.123,
        rng.random(), rng.random() * 10 ** rng.randint(-10, 25), -rng.random() * 1e6,
        float(rng.randint(-10 ** 6, 10 ** 6)),
    ])


def random_int(rng):
    return rng.choice([0, 1, -1, 7, 10, 100, 1000, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1, -2 ** 63,
                       rng.randint(-10 ** 9, 10 ** 9), rng.randint(-2 ** 63, 2 ** 63 - 1)])


def random_value(rng, depth):
    r = rng.random()
    if depth < 4 and r < 0.3:
        return {key(random_string(rng)): random_value(rng, depth + 1)
                for _ in range(rng.choice([0, 1, 2, 3, 5]))}
    if depth < 4 and r < 0.45:
        return [random_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 4]))]
    r = rng.random()
    if r < 0.55:
        return random_string(rng)
    if r < 0.7:
        return random_int(rng)
    if r < 0.85:
        return random_float(rng)
    return rng.choice([True, False, None])


def key(s):
    """s as a mapping key: jansson reads no NUL in an object key."""
    return s.replace("\x00", "")


def emit_cases(rng):
    data = []
    # every tricky string as a top-level value, a value, a key and a list item
    for s in TRICKY:
        data.append(s)
        data.append({"key": s, key(s): [s, {"k": s}]})
    for s in long_strings(rng):
        data.append({"key": s, key(s): 1})
        data.append({"outer": {"inner": s, "list": [[s]]}})
    for f in [random_float(rng) for _ in range(30)] + [0.0, -0.0, 1e16, 2.5, 1e-7, 1e300]:
        data.append(f)
        data.append({"f": f})
    for i in [0, 1, -1, 2 ** 63 - 1, -2 ** 63, 12345]:
        data.append(i)
        data.append([i])
    data += [True, False, None, {}, [], [[]], [{}], {"a": {}}, {"a": []}, [[1, 2], [3, [4, 5]]],
             [{"a": 1, "b": [1, 2]}, {"c": {"d": [{}]}}], {"a": [[1], {"b": None}]},
             {"z": 1, "a": 2, "m": {"y": 1, "b": 2}}, {"\u00e9": 1, "e": 2, "f": 3, "E": 4}]
    data.append({"ops": {"extract": {"config": {"url": "https://example.com/data.csv",
                                                 "retries": 3, "ratio": 0.5, "verbose": True,
                                                 "columns": ["a", "b", "01"],
                                                 "when": "2024-01-01", "empty": ""}}},
                 "resources": {"db": {"config": {"password": None, "port": "5432"}}},
                 "execution": {"config": {"multiprocess": {"max_concurrent": 4}}}})
    for _ in range(200):
        data.append(random_value(rng, 0))
    cases = []
    for i, d in enumerate(data):
        # scalars under every set of options; collections under Dagster's and one other
        flag_sets = FLAG_SETS if not isinstance(d, (dict, list)) else [
            RUN_CONFIG, FLAG_SETS[1 + i % (len(FLAG_SETS) - 1)]]
        for flags in flag_sets:
            cases.append({"flags": flags, "data": d, "yaml": dump(d, flags)})
    return cases


def resolve_cases():
    texts = [t for t in TRICKY if t and "\n" not in t]
    texts += ["0b_", "0x_", "0_", "-0b11", "+0x_a", "-012", "9223372036854775807",
              "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
              "0x8000000000000000", "1__2.3__4", "1.__", "123.e-_5", "1:59", "59:59:59",
              "1:5:9.25", "-1:30.5", "1e400", "1.0e+400", "-1.0e+400", "1.0e-400",
              "0.1", "3.14159", "1_2_3", "0777", "0o777", "0X1F", "0B1", "1_000_000",
              "2001-12-14", "yes", "Off", "oN", "~", "=", "a b", "1 2", "Truee"]
    cases = []
    for t in texts:
        try:
            node = yaml.compose(t, Loader=DagsterLoader)
        except yaml.YAMLError:
            continue
        if not isinstance(node, yaml.ScalarNode) or node.style is not None or node.value != t:
            continue
        try:
            v = yaml.load(t, Loader=DagsterLoader)
        except Exception:  # PyYAML raises ValueError for 0b_
            cases.append({"text": t, "kind": "error"})
            continue
        if v is None:
            cases.append({"text": t, "kind": "null"})
        elif isinstance(v, bool):
            cases.append({"text": t, "kind": "bool", "value": v})
        elif isinstance(v, int):
            if -2 ** 63 <= v < 2 ** 63:
                cases.append({"text": t, "kind": "int", "value": str(v)})
            else:
                cases.append({"text": t, "kind": "error"})
        elif isinstance(v, float):
            cases.append({"text": t, "kind": "float", "value": repr(v)})
        else:
            cases.append({"text": t, "kind": "string", "value": v})
    return cases


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(20240601)
    for name, cases in (("emit.json", emit_cases(rng)), ("resolve.json", resolve_cases())):
        with open(os.path.join(here, name), "w", encoding="utf-8") as f:
            # one case a line, so that a diff shows which cases changed
            f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False, allow_nan=False)
                                        for c in cases) + "\n]\n")
        print(name, len(cases), "cases")


if __name__ == "__main__":
    main()
