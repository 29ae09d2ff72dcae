#!/usr/bin/env python3
"""Merge oracle: on generated directories of several shapes, every cell of `featmerge merge`'s
output equals what DuckDB gives for the same left joins (tools/oracle/duckdb_merge.mjs).

Shapes: the bqx profile (mixed types, NULLs, gaps, extra keys, unsorted tables, several row
groups), microsecond keys in some tables against a nanosecond spine, tiny row groups, a
multi-row-group output, and edge tables (empty, key only, millisecond keys) written by DuckDB.

Usage: merge_oracle_test.py FEATMERGE WORK_DIR
"""
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "oracle"))
import compare_jsonl  # noqa: E402


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, timeout=900, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))[:300]} -> exit {r.returncode}: "
                           f"{r.stderr.decode(errors='replace')[-800:]}")
    return r.stdout.decode("utf-8")


def kinds_of(fm, path):
    info = json.loads(run([fm, "inspect", path, "--json", "--no-chunks"]))
    return [c["value_kind"] for c in info["columns"]]


def check_shape(fm, work, name, gen_args, merge_args=(), edge_tables=False):
    data = work / name
    shutil.rmtree(data, ignore_errors=True)
    run([fm, "gen", data, "--pairs", "p1", "--seed", "11", *gen_args])
    pair = data / "p1"
    if edge_tables:
        keys = f"read_parquet('{pair}/targets.parquet')"
        run(["node", ROOT / "tools/oracle/run_sql.mjs",
             f"COPY (SELECT interval_time, 1.5::DOUBLE AS empty_x FROM {keys} LIMIT 0) TO '{pair}/zz_empty.parquet' (FORMAT parquet)",
             f"COPY (SELECT interval_time FROM {keys} WHERE epoch_ns(interval_time) % 3 = 0) TO '{pair}/zz_keyonly.parquet' (FORMAT parquet)",
             f"COPY (SELECT CAST(interval_time AS TIMESTAMP_MS) AS interval_time, epoch_ms(interval_time) % 97 AS ms_val, "
             f"CASE WHEN epoch_ms(interval_time) % 5 = 0 THEN NULL ELSE 'x' || (epoch_ms(interval_time) % 7)::VARCHAR END AS ms_str "
             f"FROM {keys} WHERE epoch_ns(interval_time) % 4 <> 1 ORDER BY random()) TO '{pair}/zz_millis.parquet' (FORMAT parquet)"])
    out = work / f"{name}.parquet"
    run([fm, "merge", pair, "-o", out, "--quiet", *merge_args])
    got = [json.loads(l) for l in run([fm, "cat", out, "--jsonl"]).splitlines() if l.strip()]
    oracle = work / f"{name}.oracle.jsonl"
    run(["node", ROOT / "tools/oracle/duckdb_merge.mjs", pair, "--key", "interval_time",
         "--spine", "targets.parquet", oracle])
    want = [json.loads(l) for l in oracle.read_text().splitlines() if l.strip()]
    kinds = kinds_of(fm, out)
    buf = io.StringIO()
    n, differ, skipped, problems = compare_jsonl.compare(kinds, want, got, max_diffs=5, out=buf)
    if differ or problems or skipped:
        return f"{name}: {n} rows, {differ} cells differ, skipped {sorted(skipped)}; " + \
               "; ".join(problems + buf.getvalue().splitlines())
    print(f"ok {name}: {n} rows x {len(kinds)} columns equal to DuckDB")
    return None


def main():
    fm, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shapes = [
        ("bqx", ["--profile", "bqx", "--tables", "24", "--cols", "6", "--rows", "3000",
                 "--unsorted", "3"], []),
        ("mixed_units", ["--profile", "bqx", "--tables", "10", "--cols", "5", "--rows", "2000",
                         "--unit-mismatch", "3"], ["--row-group-rows", "700"]),
        ("tiny_row_groups", ["--profile", "bqx", "--tables", "6", "--cols", "4", "--rows", "500",
                             "--row-group-rows", "7"], ["--row-group-rows", "64", "--threads", "3"]),
        ("uniform", ["--profile", "uniform", "--tables", "12", "--cols", "8", "--rows", "4000"],
         ["--compression", "snappy"]),
    ]
    failures = []
    for name, gen_args, merge_args in shapes:
        try:
            problem = check_shape(fm, work, name, gen_args, merge_args)
        except Exception as e:  # a failed command is a failed shape, with its message
            problem = f"{name}: {e}"
        if problem:
            failures.append(problem)
    try:
        problem = check_shape(fm, work, "edge_tables", ["--profile", "bqx", "--tables", "5",
                              "--cols", "4", "--rows", "1500"], [], edge_tables=True)
    except Exception as e:
        problem = f"edge_tables: {e}"
    if problem:
        failures.append(problem)
    for f in failures:
        print("FAIL", f)
    total = len(shapes) + 1
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
