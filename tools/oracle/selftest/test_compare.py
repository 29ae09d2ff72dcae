#!/usr/bin/env python3
"""Unit checks of compare_jsonl.py's rules (stdlib only). Run by selftest/run.sh."""
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import compare_jsonl as c  # noqa: E402

CASES = [  # (kind, a, b, same?)
    ("integer", 5, "5", True),
    ("integer", "9007199254740993", 9007199254740993, True),
    ("integer", "18446744073709551615", "18446744073709551615", True),
    ("integer", 1, 2, False),
    ("integer", True, 1, False),
    ("integer", 1.5, 1, False),
    ("decimal_unscaled", "-12345", -12345, True),
    ("float64_text", "NaN", "NaN", True),
    ("float64_text", "-0.0", "0", False),
    ("float64_text", "-0.0", "-0", True),
    ("float64_text", "0.1", "0.10000000000000001", True),
    ("float64_text", "1e+21", "1e21", True),
    ("float64_text", "Infinity", "-Infinity", False),
    ("float32_text", "3.4028235e+38", "3.40282347e+38", True),
    ("float32_text", "0.1", "0.100000001", True),
    ("float32_text", "0.1", "0.1000001", False),
    ("string", "a\u0000b", "a\u0000b", True),
    ("string", "a", "b", False),
    ("hex", "00ff", "00ff", True),
    ("boolean", True, 1, False),
    ("integer", None, None, True),
    ("integer", None, 0, False),
]


def run_cli(kinds, a_rows, b_rows, *extra):
    with tempfile.TemporaryDirectory() as d:
        pa, pb = os.path.join(d, "a.jsonl"), os.path.join(d, "b.jsonl")
        for p, rows in ((pa, a_rows), (pb, b_rows)):
            with open(p, "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in rows)
        old = sys.stdout
        sys.stdout = io.StringIO()
        try:
            rc = c.main(["--kinds", kinds, *extra, pa, pb])
            out = sys.stdout.getvalue()
        finally:
            sys.stdout = old
        return rc, out


def main():
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL: {what}")

    for kind, a, b, want in CASES:
        check(c.same(kind, a, b) == want, f"same({kind}, {a!r}, {b!r}) should be {want}")
    rc, out = run_cli("integer,string", [[1, "a"], [2, "b"]], [[1, "a"], [2, "b"]])
    check(rc == 0 and out.strip().endswith("2 rows compared, 0 cells differ"), "equal files")
    rc, out = run_cli("integer,string", [[1, "a"], [2, "b"]], [[1, "a"], [3, "c"]])
    check(rc == 1 and "2 rows compared, 2 cells differ" in out and "row 1 column 0" in out, "differences")
    rc, out = run_cli("integer,string", [[1, "a"]], [[1, "a"], [2, "b"]])
    check(rc == 1 and "row counts differ" in out, "row count")
    rc, out = run_cli("integer,string", [[1, "a"]], [[1, "__unsupported__"]])
    check(rc == 0 and "skipped columns (__unsupported__): 1" in out, "unsupported column skipped")
    rc, out = run_cli("integer", [[1]], [["__unsupported__"]])
    check(rc == 1 and "no column was compared" in out, "all columns unsupported fails")
    rc, out = run_cli("integer,string", [[2, "b"], [1, "a"]], [[1, "a"], [2, "b"]], "--sort-by-first-column")
    check(rc == 0, "--sort-by-first-column")
    rc, out = run_cli("float64_text,integer", [["NaN", 1], ["1", 2]], [["1", 2], ["NaN", 1]],
                      "--sort-by-first-column")
    check(rc == 0, "--sort-by-first-column with NaN")
    print(f"compare_jsonl: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
