#!/usr/bin/env python3
"""Self-check of the oracles: reads every `ok` file of an interop corpus with each reader of
read_jsonl.mjs and compares the output with X.expected.jsonl (compare_jsonl.py rules).

  check_readers.py CORPUS_DIR [--readers duckdb,polars,parquetwasm] [--jobs N] [--verbose]

Per file and reader: `match` (every cell equal), `match, skipped COLS` (equal where the reader could
represent the column; COLS printed "__unsupported__"), `MISMATCH` or `ERROR`. Ends with one line per
reader. Exit 0 iff no MISMATCH/ERROR and every skipped column is one tools/oracle/README.md lists as
a known limitation (KNOWN_SKIPS below).
"""
import argparse
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import compare_jsonl  # noqa: E402

# reader -> [(predicate(column of schema.json, its column_chunks entry), why)]: the limits of each
# reader listed in tools/oracle/README.md; a skipped column that matches none of them is a failure.
def _encs(ch):
    return set((ch or {}).get("data_page_encodings", {}))


def _wide_decimal(c, ch):
    return c["value"] == "decimal_unscaled" and (c.get("precision") or 0) > 38


KNOWN_SKIPS = {
    "duckdb": [
        (_wide_decimal, "DECIMAL with precision > 38 (read as DOUBLE)"),
        (lambda c, ch: (ch or {}).get("codec") == "LZ4", "deprecated LZ4 codec (Hadoop framing)"),
        (lambda c, ch: "BYTE_STREAM_SPLIT" in _encs(ch) and c["physical_type"] not in ("FLOAT", "DOUBLE"),
         "BYTE_STREAM_SPLIT on INT32/INT64/FIXED_LEN_BYTE_ARRAY"),
    ],
    "polars": [
        (_wide_decimal, "DECIMAL with precision > 38"),
        (lambda c, ch: c.get("converted_type") == "INTERVAL", "INTERVAL"),
        (lambda c, ch: c["physical_type"] == "FIXED_LEN_BYTE_ARRAY" and c["value"] == "hex"
         and _encs(ch) & {"BYTE_STREAM_SPLIT", "DELTA_BYTE_ARRAY"},
         "FIXED_LEN_BYTE_ARRAY with BYTE_STREAM_SPLIT or DELTA_BYTE_ARRAY encoding"),
        (lambda c, ch: c["value"] == "integer" and c.get("logical_type") is None
         and c.get("converted_type") is None,  # only when read back as a temporal type
         "plain INT32/INT64 that an ARROW:schema hint turns into a temporal type"),
    ],
    "parquetwasm": [
        (lambda c, ch: c.get("converted_type") == "INTERVAL", "INTERVAL (read as DAY_TIME, months lost)"),
    ],
}


def known_skip(reader, col, chunk):
    for pred, why in KNOWN_SKIPS.get(reader, []):
        if pred(col, chunk):
            return why
    return None


def check(reader, corpus, stem):
    schema = json.loads((corpus / f"{stem}.schema.json").read_text())
    cols = schema["columns"]
    kinds = [c["value"] for c in cols]
    try:
        r = subprocess.run(["node", str(HERE / "read_jsonl.mjs"), "--reader", reader,
                            str(corpus / f"{stem}.parquet"), "--skip-unreadable-columns"],
                           capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "ERROR", "no answer in 120 s", []
    if r.returncode != 0:
        return "ERROR", r.stderr.decode(errors="replace").strip()[-300:], []
    got = [json.loads(l) for l in r.stdout.decode("utf-8").split("\n") if l.strip()]
    want = compare_jsonl.read_rows(corpus / f"{stem}.expected.jsonl")
    buf = io.StringIO()
    n, differ, skipped, problems = compare_jsonl.compare(kinds, want, got, 3, out=buf)
    skipped_desc = [f"{cols[j]['name']}" for j in sorted(skipped)]
    chunks = schema.get("column_chunks", {})
    unknown = [cols[j]["name"] for j in sorted(skipped)
               if not known_skip(reader, cols[j], chunks.get(cols[j]["name"]))]
    if differ or problems:
        return "MISMATCH", (buf.getvalue() + "\n".join(problems)).strip(), skipped_desc
    if unknown:
        return "MISMATCH", f"unexpected __unsupported__ in {', '.join(unknown)}", skipped_desc
    return "match", "", skipped_desc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--readers", default="duckdb,polars,parquetwasm")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    lines = (corpus / "MANIFEST.tsv").read_text().splitlines()
    head = lines[0].split("\t")
    stems = [e["file"][: -len(".parquet")] for e in (dict(zip(head, l.split("\t"))) for l in lines[1:])
             if e["expected"] == "ok"]
    readers = args.readers.split(",")
    jobs = [(r, s) for r in readers for s in stems]
    with ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(lambda j: check(j[0], corpus, j[1]), jobs))
    bad = 0
    summary = {r: {"match": 0, "skips": 0, "bad": 0} for r in readers}
    for (reader, stem), (status, detail, skipped) in zip(jobs, results):
        s = summary[reader]
        if status != "match":
            s["bad"] += 1
            bad += 1
        elif skipped:
            s["skips"] += 1
        else:
            s["match"] += 1
        if status != "match" or skipped or args.verbose:
            extra = f", skipped {', '.join(skipped)}" if skipped else ""
            print(f"{reader:12} {stem}: {status}{extra}")
            if detail:
                print("    " + detail.replace("\n", "\n    "))
    for r in readers:
        s = summary[r]
        print(f"{r}: {s['match']}/{len(stems)} files match exactly, {s['skips']} match except known "
              f"unsupported columns, {s['bad']} mismatch or error")
    total = len(jobs)
    print(f"oracle self-check: {total - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
