#!/usr/bin/env python3
"""Round trip with real implementations: files featmerge writes (every type x codec x
nullable/required x dictionary on/off, several row groups and pages, an empty file and a
20,000-column file) are read by featmerge itself, DuckDB, Polars and parquet-rs (parquet-wasm),
and every cell equals what was written.

Usage: roundtrip_test.py FEATMERGE ROUNDTRIP_WRITER WORK_DIR
"""
import io
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "oracle"))
import compare_jsonl  # noqa: E402

READERS = ["featmerge", "duckdb", "polars", "parquetwasm"]


def read_with(reader, fm, path):
    if reader == "featmerge":
        cmd = [fm, "cat", str(path), "--jsonl"]
    else:
        cmd = ["node", str(ROOT / "tools/oracle/read_jsonl.mjs"), "--reader", reader, str(path)]
    r = subprocess.run(cmd, capture_output=True, timeout=600)
    if r.returncode != 0:
        return None, f"exit {r.returncode}: {r.stderr.decode(errors='replace').strip()[-300:]}"
    return [json.loads(l) for l in r.stdout.decode("utf-8").splitlines() if l.strip()], None


def check(fm, path, reader):
    stem = str(path)[: -len(".parquet")]
    kinds = Path(stem + ".kinds").read_text().strip().split(",")
    want = [json.loads(l) for l in Path(stem + ".expected.jsonl").read_text().splitlines() if l.strip()]
    got, err = read_with(reader, fm, path)
    if err:
        return f"{path.name} [{reader}]: {err}"
    out = io.StringIO()
    n, differ, skipped, problems = compare_jsonl.compare(kinds, want, got, max_diffs=3, out=out)
    if differ or problems:
        return f"{path.name} [{reader}]: " + "; ".join(problems + out.getvalue().splitlines())
    if skipped:
        names = ",".join(str(j) for j in sorted(skipped))
        print(f"note: {path.name} [{reader}]: columns {names} not representable by this reader")
    if want and len(skipped) == len(kinds):
        return f"{path.name} [{reader}]: no column compared"
    return None


def main():
    fm, writer, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run([writer, str(work)], check=True)
    files = sorted(work.glob("*.parquet"))
    jobs = [(f, r) for f in files for r in READERS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: check(fm, job[0], job[1]), jobs))
    failures = [r for r in results if r]
    for f in failures:
        print("FAIL", f)
    print(f"{len(jobs) - len(failures)} passed, {len(failures)} failed")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
