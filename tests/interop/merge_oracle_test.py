#!/usr/bin/env python3
"""Merge oracle: on generated directories of several shapes, every cell of `featmerge merge`'s
output equals what DuckDB gives for the same left joins (tools/oracle/duckdb_merge.mjs).

Shapes: the bqx profile (mixed types, NULLs, gaps, extra keys, unsorted tables, several row
groups), microsecond keys in some tables against a nanosecond spine, tiny row groups, a
multi-row-group output, and edge tables (empty, key only, millisecond keys) written by DuckDB.
As-of joins (--join asof) against DuckDB's ASOF LEFT JOIN, and with --tolerance and
--allow-exact-matches false against a hand-written reference (asof_reference).

Usage: merge_oracle_test.py FEATMERGE WORK_DIR
"""
import bisect
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


UNIT_NANOS = {"NANOS": 1, "MICROS": 1000, "MILLIS": 1000000}


def read_rows(fm, path):
    """Rows of `path` read by DuckDB (read_jsonl.mjs), the column names, and the key's ns factor."""
    info = json.loads(run([fm, "inspect", path, "--json", "--no-chunks"]))
    names = [c["name"] for c in info["columns"]]
    key = info["columns"][names.index("interval_time")]
    # "TIMESTAMP(MILLIS,utc)" from `featmerge inspect`.
    unit = next((u for u in UNIT_NANOS if u in str(key.get("logical_type"))), "NANOS")
    text = run(["node", ROOT / "tools/oracle/read_jsonl.mjs", "--reader", "duckdb", path])
    rows = [json.loads(l) for l in text.splitlines() if l.strip()]
    return names, rows, UNIT_NANOS[unit]


def asof_reference(fm, pair, spec_of):
    """The merge computed here, by hand: every spine row, then for each table (file-name order) its
    non-key columns from the latest row at or before (strictly before when not allow_exact) the
    spine's key within the tolerance (None: unlimited), as instants. spec_of(table name) gives
    (tolerance_ns, allow_exact). Duplicate keys take the first row in file order."""
    files = sorted(p.name for p in pair.glob("*.parquet") if p.name != "targets.parquet")
    names, spine_rows, spine_mult = read_rows(fm, pair / "targets.parquet")
    k = names.index("interval_time")
    out = [[r[k]] + [v for j, v in enumerate(r) if j != k] for r in spine_rows]
    for f in files:
        tnames, trows, mult = read_rows(fm, pair / f)
        tk = tnames.index("interval_time")
        tolerance, allow_exact = spec_of(f[:-len(".parquet")])
        keyed = sorted(((int(r[tk]) * mult, i) for i, r in enumerate(trows) if r[tk] is not None))
        tkeys = [x[0] for x in keyed]
        for row, srow in zip(out, spine_rows):
            s = None if srow[k] is None else int(srow[k]) * spine_mult
            pos = -1
            if s is not None:
                pos = (bisect.bisect_right if allow_exact else bisect.bisect_left)(tkeys, s) - 1
            if pos >= 0 and tolerance is not None and s - tkeys[pos] > tolerance:
                pos = -1
            if pos >= 0:
                first = bisect.bisect_left(tkeys, tkeys[pos])  # first row of that key, file order
                src = trows[keyed[first][1]]
                row.extend(v for j, v in enumerate(src) if j != tk)
            else:
                row.extend(None for j in range(len(tnames)) if j != tk)
    return out


def check_asof(fm, work):
    """As-of joins on the bqx shape (unsorted tables, microsecond keys, extra keys at +30 s) plus two
    sparse tables off the spine's grid (7-minute bars stamped 30 s late in milliseconds, unsorted;
    11-minute values 20 s early in microseconds): all tables as-of against DuckDB's ASOF LEFT JOIN,
    then tolerance and strictness (which DuckDB's ASOF does not express) against asof_reference."""
    data = work / "asof"
    shutil.rmtree(data, ignore_errors=True)
    run([fm, "gen", data, "--pairs", "p1", "--seed", "11", "--profile", "bqx", "--tables", "6",
         "--cols", "4", "--rows", "1200", "--unsorted", "2", "--unit-mismatch", "2"])
    pair = data / "p1"
    keys = f"read_parquet('{pair}/targets.parquet')"
    run(["node", ROOT / "tools/oracle/run_sql.mjs",
         f"COPY (SELECT CAST(interval_time + INTERVAL 30 SECOND AS TIMESTAMP_MS) AS interval_time, "
         f"epoch_ms(interval_time) % 101 AS bar_val, CASE WHEN epoch_ms(interval_time) % 3 = 0 THEN NULL "
         f"ELSE 'b' || (epoch_ms(interval_time) % 13)::VARCHAR END AS bar_str FROM {keys} "
         f"WHERE epoch_ms(interval_time) % 420000 = 0 ORDER BY random()) TO '{pair}/zz_bars_ms.parquet' (FORMAT parquet)",
         f"COPY (SELECT CAST(interval_time - INTERVAL 20 SECOND AS TIMESTAMP) AS interval_time, "
         f"(epoch_ms(interval_time) % 1000)::DOUBLE / 8 AS sparse_x FROM {keys} "
         f"WHERE epoch_ms(interval_time) % 660000 = 0 ORDER BY 1) TO '{pair}/zz_sparse_us.parquet' (FORMAT parquet)"])
    problems = []

    def compare(label, out, want):
        kinds = kinds_of(fm, out)
        got = [json.loads(l) for l in run(["node", ROOT / "tools/oracle/read_jsonl.mjs", "--reader",
                                            "duckdb", out]).splitlines() if l.strip()]
        buf = io.StringIO()
        n, differ, skipped, probs = compare_jsonl.compare(kinds, want, got, max_diffs=5, out=buf)
        if differ or probs or skipped or n != len(want):
            problems.append(f"{label}: {n} rows, {differ} cells differ, skipped {sorted(skipped)}; " +
                            "; ".join(probs + buf.getvalue().splitlines()))
        else:
            print(f"ok {label}: {n} rows x {len(kinds)} columns")

    out = work / "asof.parquet"
    run([fm, "merge", pair, "-o", out, "--quiet", "--join", "asof", "--row-group-rows", "500"])
    oracle = work / "asof.oracle.jsonl"
    run(["node", ROOT / "tools/oracle/duckdb_merge.mjs", pair, "--key", "interval_time",
         "--spine", "targets.parquet", "--asof", oracle])
    compare("asof (DuckDB ASOF LEFT JOIN)",
            out, [json.loads(l) for l in oracle.read_text().splitlines() if l.strip()])
    # The reference agrees with DuckDB where both apply...
    compare("asof (hand-written reference)", out, asof_reference(fm, pair, lambda t: (None, True)))

    # ...and gives tolerance and strictness: zz_* tables within 5 minutes, the bars strictly
    # before, every other table within 90 s.
    out = work / "asof_tolerance.parquet"
    run([fm, "merge", pair, "-o", out, "--quiet", "--join", "asof",
         "--tolerance", "zz_*=5m", "--tolerance", "90s", "--allow-exact-matches", "zz_bars*=false"])

    def spec(table):
        if table.startswith("zz_"):
            return 5 * 60 * 10**9, not table.startswith("zz_bars")
        return 90 * 10**9, True
    compare("asof tolerance/strict (hand-written reference)", out, asof_reference(fm, pair, spec))
    return "; ".join(problems) if problems else None


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
    try:
        problem = check_asof(fm, work)
    except Exception as e:
        problem = f"asof: {e}"
    if problem:
        failures.append(problem)
    for f in failures:
        print("FAIL", f)
    total = len(shapes) + 2
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
