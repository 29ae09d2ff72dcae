#!/usr/bin/env python3
"""Interop corpus test: every `ok` file of the corpus is read by `featmerge cat --jsonl` with
exactly the expected contents and by `featmerge inspect --json` with the expected schema; every
`error` file is refused by inspect, cat and check with exit code 2 and one line on stderr (no
crash, no hang; check also prints its INVALID report on stdout).

Usage: corpus_test.py FEATMERGE CORPUS_DIR
"""
import io
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tools" / "oracle"))
import compare_jsonl  # noqa: E402  (ours: the corpus comparison rules)


def logical_text(col):
    """The corpus' logical type object as featmerge inspect's text."""
    lt = col.get("logical_type")
    if lt is None:
        return col.get("converted_type")
    t = lt["type"]
    if t == "TIMESTAMP" or t == "TIME":
        return f"{t}({lt['unit']},{'utc' if lt['isAdjustedToUTC'] else 'local'})"
    if t == "DECIMAL":
        return f"DECIMAL({lt['precision']},{lt['scale']})"
    if t == "INTEGER":
        return f"{'INT' if lt['isSigned'] else 'UINT'}({lt['bitWidth']})"
    return t


def check_schema(fm, path, schema):
    r = subprocess.run([fm, "inspect", str(path), "--json", "--no-chunks"], capture_output=True, timeout=60)
    if r.returncode != 0:
        return f"inspect exit {r.returncode}: {r.stderr.decode(errors='replace').strip()[:200]}"
    got = json.loads(r.stdout)
    if got["num_rows"] != schema["num_rows"]:
        return f"num_rows {got['num_rows']} != {schema['num_rows']}"
    if got["num_row_groups"] != schema["num_row_groups"]:
        return f"num_row_groups {got['num_row_groups']} != {schema['num_row_groups']}"
    if got["created_by"] != (schema.get("created_by") or ""):
        return f"created_by {got['created_by']!r} != {schema.get('created_by')!r}"
    if len(got["columns"]) != len(schema["columns"]):
        return f"{len(got['columns'])} columns != {len(schema['columns'])}"
    for g, e in zip(got["columns"], schema["columns"]):
        if g["name"] != e["name"] or g["physical_type"] != e["physical_type"] or g["repetition"] != e["repetition"]:
            return f"column {e['name']}: got {g['name']} {g['physical_type']} {g['repetition']}"
        if e.get("type_length") and g.get("type_length") != e["type_length"]:
            return f"column {e['name']}: type_length {g.get('type_length')} != {e['type_length']}"
        want = logical_text(e)
        have = g["logical_type"] or None
        # Files with only a converted type: featmerge shows the equivalent logical type.
        if e.get("logical_type") is not None and have != want:
            return f"column {e['name']}: logical type {have!r} != {want!r}"
        if g.get("value_kind") != e["value"]:
            return f"column {e['name']}: value kind {g.get('value_kind')!r} != {e['value']!r}"
    return None


def check_contents(fm, path, schema, expected):
    r = subprocess.run([fm, "cat", str(path), "--jsonl"], capture_output=True, timeout=120)
    if r.returncode != 0:
        return f"cat exit {r.returncode}: {r.stderr.decode(errors='replace').strip()[:200]}"
    kinds = [c["value"] for c in schema["columns"]]
    try:
        got_rows = [json.loads(l) for l in r.stdout.decode("utf-8").split("\n") if l.strip()]
    except ValueError as e:
        return f"cat printed invalid JSON: {e}"
    want_rows = [json.loads(l) for l in expected.read_text().split("\n") if l.strip()]
    out = io.StringIO()
    _, differ, _, problems = compare_jsonl.compare(kinds, want_rows, got_rows, max_diffs=3, out=out)
    if differ or problems:
        return "; ".join(problems + out.getvalue().strip().splitlines())
    return None


def check_error(fm, path):
    for cmd in ("inspect", "cat", "check"):
        try:
            r = subprocess.run([fm, cmd, str(path)], capture_output=True, timeout=30)
        except subprocess.TimeoutExpired:
            return f"{cmd}: hung (> 30 s)"
        err = r.stderr.decode(errors="replace").strip()
        if r.returncode != 2:
            return f"{cmd}: exit {r.returncode} (want 2): {err[:200]}"
        if len(err.splitlines()) != 1 or not err.startswith("featmerge: "):
            return f"{cmd}: stderr is not one 'featmerge: ...' line: {err[:200]!r}"
        if cmd == "check":
            if b"INVALID" not in r.stdout:
                return f"check: no INVALID report on stdout: {r.stdout[:200]!r}"
        elif r.stdout.strip():
            return f"{cmd}: printed rows for a file that must be refused"
    return None


def main():
    fm, corpus = sys.argv[1], Path(sys.argv[2])
    manifest = corpus / "MANIFEST.tsv"
    if not manifest.exists():
        print(f"corpus not found at {corpus}")
        return 1
    lines = manifest.read_text().splitlines()
    header = lines[0].split("\t")
    failed, passed = 0, 0
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        path = corpus / row["file"]
        stem = row["file"][: -len(".parquet")]
        if row["expected"] == "ok":
            schema = json.loads((corpus / f"{stem}.schema.json").read_text())
            problem = check_schema(fm, path, schema) or check_contents(
                fm, path, schema, corpus / f"{stem}.expected.jsonl")
        else:
            problem = check_error(fm, path)
        if problem:
            failed += 1
            print(f"FAIL {row['file']}: {problem}")
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
