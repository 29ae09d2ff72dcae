#!/usr/bin/env python3
"""Compares two JSON Lines files cell by cell with the rules of the interop corpus
(/work/shared/interop/README.md): integers as 64-bit (or wider) integers whether written as JSON
numbers or strings, floats by bit pattern after parsing (any NaN matches any NaN, -0.0 differs
from 0.0), everything else by equality. Stdlib only.

  compare_jsonl.py (--kinds k1,k2,... | --schema X.schema.json) A.jsonl B.jsonl
                   [--sort-by-first-column] [--max-diffs N]

Kinds are the README's `value` names (boolean, integer, decimal_unscaled, float32_text,
float64_text, days_since_epoch, time_since_midnight, timestamp_since_epoch, string, hex); get them
for a Parquet file with `node tools/oracle/kinds.mjs FILE`. A cell "__unsupported__" (written by a
reader that cannot represent the column, see tools/oracle/README.md) is not compared, and its column
is listed as skipped. Prints the first differences (row, column index, both values), then
'N rows compared, M cells differ' last. Exit 0 iff no difference and, when there are rows, at least
one column was compared.
"""
import argparse
import json
import math
import re
import struct
import sys

UNSUPPORTED = "__unsupported__"
INT_KINDS = {"integer", "decimal_unscaled", "days_since_epoch", "time_since_midnight",
             "timestamp_since_epoch"}
FLOAT_KINDS = {"float32_text", "float64_text"}
KNOWN_KINDS = INT_KINDS | FLOAT_KINDS | {"boolean", "string", "hex"}
INT_TEXT = re.compile(r"-?[0-9]+\Z")
SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class Bad(Exception):
    """A cell that does not follow the representation of its kind."""


def normalize(kind, v):
    """Canonical comparable value of a non-null cell; raises Bad for a malformed cell."""
    if kind in INT_KINDS:
        if isinstance(v, bool):
            raise Bad("boolean where an integer is expected")
        if isinstance(v, int):
            return v
        if isinstance(v, str) and INT_TEXT.match(v):
            return int(v)
        if isinstance(v, float) and v.is_integer():
            return int(v)
        raise Bad("not an integer")
    if kind in FLOAT_KINDS:
        if isinstance(v, bool):
            raise Bad("boolean where a float is expected")
        if isinstance(v, str):
            x = SPECIAL.get(v)
            if x is None:
                try:
                    x = float(v)
                except ValueError:
                    raise Bad("not a float") from None
        elif isinstance(v, (int, float)):
            x = float(v)
        else:
            raise Bad("not a float")
        if math.isnan(x):
            return b"NaN"  # any NaN matches any NaN
        try:
            return struct.pack("<f" if kind == "float32_text" else "<d", x)
        except OverflowError:
            raise Bad("float32 out of range") from None
    if kind == "boolean" and not isinstance(v, bool):
        raise Bad("not a boolean")
    if kind in ("string", "hex") and not isinstance(v, str):
        raise Bad("not a string")
    return v


def same(kind, a, b):
    if a is None or b is None:
        return a is None and b is None
    try:
        return normalize(kind, a) == normalize(kind, b)
    except Bad:
        return False


def sort_key(kinds, row):
    key = []
    for k, v in zip(kinds, row):
        if v is None or v == UNSUPPORTED:
            key.append((0,))
            continue
        try:
            n = normalize(k, v)
        except Bad:
            key.append((2, str(v)))
            continue
        key.append((1, n) if isinstance(n, (int, bool, str, bytes)) else (2, str(n)))
    return key


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
            if not isinstance(row, list):
                sys.exit(f"{path}:{n}: not a JSON array")
            rows.append(row)
    return rows


def kinds_from_schema(path):
    with open(path, encoding="utf-8") as f:
        return [c["value"] for c in json.load(f)["columns"]]


def compare(kinds, a_rows, b_rows, max_diffs=10, out=None):
    """Prints differences; returns (rows compared, cells differing, skipped column indexes,
    other problems)."""
    out = out or sys.stdout
    shown = 0
    differ = 0
    skipped = set()
    problems = []
    if len(a_rows) != len(b_rows):
        problems.append(f"row counts differ: A has {len(a_rows)}, B has {len(b_rows)}")
    n = min(len(a_rows), len(b_rows))
    for i in range(n):
        a, b = a_rows[i], b_rows[i]
        if len(a) != len(kinds) or len(b) != len(kinds):
            differ += 1
            if shown < max_diffs:
                print(f"row {i}: {len(a)} and {len(b)} values, {len(kinds)} kinds", file=out)
                shown += 1
            continue
        for j, k in enumerate(kinds):
            if a[j] == UNSUPPORTED or b[j] == UNSUPPORTED:
                skipped.add(j)
                continue
            if not same(k, a[j], b[j]):
                differ += 1
                if shown < max_diffs:
                    print(f"row {i} column {j} ({k}): A {json.dumps(a[j])[:200]}  "
                          f"B {json.dumps(b[j])[:200]}", file=out)
                    shown += 1
    return n, differ, skipped, problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--kinds", help="comma-separated kinds, one per column")
    g.add_argument("--schema", help="an interop corpus X.schema.json giving the kinds")
    ap.add_argument("--sort-by-first-column", action="store_true",
                    help="sort both sides by the first column (then the others) before comparing")
    ap.add_argument("--max-diffs", type=int, default=10)
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args(argv)

    kinds = args.kinds.split(",") if args.kinds is not None else kinds_from_schema(args.schema)
    if args.kinds == "":
        kinds = []
    unknown = sorted(set(kinds) - KNOWN_KINDS)
    if unknown:
        print(f"warning: unknown kinds compared by equality: {', '.join(unknown)}", file=sys.stderr)
    a_rows, b_rows = read_rows(args.a), read_rows(args.b)
    if args.sort_by_first_column:
        a_rows.sort(key=lambda r: sort_key(kinds, r))
        b_rows.sort(key=lambda r: sort_key(kinds, r))
    n, differ, skipped, problems = compare(kinds, a_rows, b_rows, args.max_diffs)
    for p in problems:
        print(p)
    if skipped:
        print(f"skipped columns ({UNSUPPORTED}): {', '.join(str(j) for j in sorted(skipped))}")
    nothing = n > 0 and kinds and len(skipped) == len(kinds)
    if nothing:
        print("no column was compared: every column is unsupported by a reader")
    print(f"{n} rows compared, {differ} cells differ")
    return 0 if differ == 0 and not problems and not nothing else 1


if __name__ == "__main__":
    sys.exit(main())
