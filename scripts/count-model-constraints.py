#!/usr/bin/env python3
"""Counts, per action, the inputs a coverage-style enumeration of the service
model gives: those that break exactly one constraint, and those that sit
exactly on a bound.

Usage: scripts/count-model-constraints.py [--json] [MODEL]
MODEL defaults to crates/dpconform-protocol/model/datapipeline.json.

The enumeration is that of a Schemathesis coverage phase, read on the model's
shapes. Every position of an action's input is visited, at every depth: the
body itself, each member of a structure, and the member of a list (reached
with a one-item list; every other part of the input valid and minimal). At a
position, the inputs that break exactly one constraint are:

  missing      a required member left out
  null         a required member, or a list item, set to JSON null
  wrong_type   a JSON value of another type: for a string, enum, boolean,
               timestamp (epoch seconds, a number in awsJson), list or
               structure the 4 other types of string/number/boolean/array/
               object; for an integer those 4 and a fractional number (5)
  below_min    a string one character shorter than a min > 0
  above_max    a string one character longer than its max
  pattern      a string within its bounds with a character outside the pattern
  enum         a string not in the enum
  list_short   a list one item shorter than a min > 0
  list_long    a list one item longer than its max
  unknown      a structure with one member it does not declare

and the inputs exactly on a bound (valid) are:

  str_at_min   a string of exactly min characters (min 0: the empty string)
  str_at_max   a string of exactly max characters
  list_at_min  a list of exactly min items (where the model declares a min)
  list_at_max  a list of exactly max items
  (where min == max, one input)

Not counted as breaking anything: null for an optional member (awsJson reads
it as absent). It is shown as null_optional. An unknown member is ignored by
awsJson services, so `unknown` breaks only the closed-schema reading.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODEL = os.path.join(ROOT, "crates", "dpconform-protocol", "model", "datapipeline.json")

NEGATIVE = ["missing", "null", "wrong_type", "below_min", "above_max", "pattern", "enum", "list_short", "list_long", "unknown"]
BOUNDARY = ["str_at_min", "str_at_max", "list_at_min", "list_at_max"]
SHORT = {
    "missing": "miss",
    "null": "null",
    "wrong_type": "type",
    "below_min": "<min",
    "above_max": ">max",
    "pattern": "patt",
    "enum": "enum",
    "list_short": "l<min",
    "list_long": "l>max",
    "unknown": "unkn",
    "str_at_min": "s=min",
    "str_at_max": "s=max",
    "list_at_min": "l=min",
    "list_at_max": "l=max",
}


def wrong_types(shape_type):
    if shape_type == "integer" or shape_type == "long":
        return 5
    return 4


def walk(shapes, name, counts, path, required, is_item, positions, depth=0):
    if depth > 32:
        raise SystemExit(f"recursive shape at {path}")
    s = shapes[name]
    t = s["type"]
    positions.append(path)
    if required:
        counts["missing"] += 1
    if required or is_item:
        counts["null"] += 1
    elif path != "(body)":
        counts["null_optional"] += 1
    counts["wrong_type"] += wrong_types(t)
    if t == "string":
        if "enum" in s:
            counts["enum"] += 1
        if s.get("min", 0) > 0:
            counts["below_min"] += 1
        if "max" in s:
            counts["above_max"] += 1
        if "pattern" in s:
            counts["pattern"] += 1
        if "min" in s or "max" in s:
            if "min" in s and "max" in s and s["min"] == s["max"]:
                counts["str_at_min"] += 1
            else:
                counts["str_at_min"] += "min" in s
                counts["str_at_max"] += "max" in s
    elif t == "list":
        if s.get("min", 0) > 0:
            counts["list_short"] += 1
        if "max" in s:
            counts["list_long"] += 1
        if "min" in s and "max" in s and s["min"] == s["max"]:
            counts["list_at_min"] += 1
        else:
            counts["list_at_min"] += "min" in s
            counts["list_at_max"] += "max" in s
        walk(shapes, s["member"]["shape"], counts, f"{path}[]", False, True, positions, depth + 1)
    elif t == "map":
        if "max" in s:
            counts["list_long"] += 1
        walk(shapes, s["key"]["shape"], counts, f"{path}{{key}}", True, False, positions, depth + 1)
        walk(shapes, s["value"]["shape"], counts, f"{path}{{value}}", False, True, positions, depth + 1)
    elif t == "structure":
        counts["unknown"] += 1
        req = set(s.get("required", []))
        for m, ref in sorted(s.get("members", {}).items()):
            sub = m if path == "(body)" else f"{path}.{m}"
            walk(shapes, ref["shape"], counts, sub, m in req, False, positions, depth + 1)


def count(model):
    shapes = model["shapes"]
    result = {}
    for op_name, op in sorted(model["operations"].items()):
        counts = dict.fromkeys(NEGATIVE + BOUNDARY + ["null_optional"], 0)
        positions = []
        if "input" in op:
            walk(shapes, op["input"], counts, "(body)", False, False, positions)
        counts["positions"] = len(positions)
        counts["break_one"] = sum(counts[k] for k in NEGATIVE)
        counts["on_bound"] = sum(counts[k] for k in BOUNDARY)
        counts["declared_errors"] = len(op.get("errors", []))
        result[op_name] = counts
    return result


def main():
    args = sys.argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    path = args[0] if args else DEFAULT_MODEL
    model = json.load(open(path, encoding="utf-8"))
    result = count(model)
    totals = {k: sum(r[k] for r in result.values()) for k in next(iter(result.values()))}
    if as_json:
        print(json.dumps({"actions": result, "total": totals}, indent=2, sort_keys=True))
        return
    cols = ["positions"] + NEGATIVE + ["break_one"] + BOUNDARY + ["on_bound", "null_optional", "declared_errors"]
    names = dict(SHORT, positions="pos", break_one="BREAK1", on_bound="ONBND", null_optional="nulopt", declared_errors="errs")
    heads = [names[c] for c in cols]
    width = max(len(n) for n in result) + 1
    print("action".ljust(width) + " ".join(h.rjust(6) for h in heads))
    for name, r in result.items():
        print(name.ljust(width) + " ".join(str(r[c]).rjust(6) for c in cols))
    print("TOTAL".ljust(width) + " ".join(str(totals[c]).rjust(6) for c in cols))
    print()
    print(f"{len(result)} actions; {totals['break_one']} inputs break exactly one constraint; "
          f"{totals['on_bound']} sit exactly on a bound; {totals['declared_errors']} (action, declared error) pairs.")


if __name__ == "__main__":
    main()
