#!/usr/bin/env python3
"""End-to-end checks of `featmerge merge` as a user runs it:
- memory does not grow with the data: peak RSS (wait4 of the child) with 4x the tables and with
  4x the rows stays within 20% of the base case (same row-group size);
- the RSS guard: a budget the run cannot keep stops it with exit code 3 and a resumable state,
  and the same command with a larger budget finishes;
- a 17,000-column output is read back by DuckDB and Polars with the values featmerge reads;
- --dry-run writes nothing and prints the plan; --json prints a summary; exit codes;
- row-split outputs (--split-rows, --split-by day|month) read back as one dataset (a glob) by
  DuckDB and Polars equal the unsplit output; re-runs skip done parts and drop stale ones;
- --split-columns with --split-rows / --split-by day: one file per row part and column group;
  each column group's row parts read back as one dataset by DuckDB and Polars equal the unsplit
  output's columns of that group;
- footers stay small: statistics for the key only by default;
- column chunks copied as stored from another writer's files (DuckDB: dictionary pages, v1 pages
  without CRC, its own encodings) read back by DuckDB, Polars, parquet-wasm and featmerge equal to
  the same merge with every chunk re-encoded;
- chunks of several smaller DuckDB row groups (v1 and DATA_PAGE_V2 pages) joined into one output
  chunk read back by the same four readers equal to the re-encoded merge.

Usage: merge_cli_test.py FEATMERGE WORK_DIR [TEST ...]   (TEST: a function name below; default all)
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "oracle"))
import compare_jsonl  # noqa: E402

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(cmd, timeout=900):
    return subprocess.run([str(c) for c in cmd], capture_output=True, timeout=timeout)


def peak_rss_mib(cmd):
    """Runs cmd, returns (exit code, peak RSS of that child in MiB, stderr)."""
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_maxrss / 1024.0, err.decode(errors="replace")


def gen(fm, out, *args):
    r = run([fm, "gen", out, "--pairs", "p", "--seed", "3", *args])
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    return Path(out) / "p"


def memory_is_flat(fm, work):
    base = gen(fm, work / "m_base", "--profile", "uniform", "--tables", "30", "--cols", "8", "--rows", "20000")
    more_tables = gen(fm, work / "m_tables", "--profile", "uniform", "--tables", "120", "--cols", "8", "--rows", "20000")
    more_rows = gen(fm, work / "m_rows", "--profile", "uniform", "--tables", "30", "--cols", "8", "--rows", "80000")
    results = {}
    # "row groups x20": the tables x4 data in row groups of 1,024 rows, about 19,000 column
    # chunks whose metadata the footer lists; the writer keeps it in the journal, not in memory.
    cases = (("base", base, "10000"), ("tables x4", more_tables, "10000"), ("rows x4", more_rows, "10000"),
             ("row groups x20", more_tables, "1024"))
    for name, data, rg_rows in cases:
        code, rss, err = peak_rss_mib([fm, "merge", data, "-o", work / f"m_{name.replace(' ', '')}.parquet",
                                       "--quiet", "--row-group-rows", rg_rows, "--threads", "2"])
        check(code == 0, f"memory: merge {name} exits 0 ({err.strip()[-200:]})")
        results[name] = rss
    print(f"     peak RSS MiB: {json.dumps({k: round(v, 1) for k, v in results.items()})}")
    for name in ("tables x4", "rows x4", "row groups x20"):
        check(results[name] <= results["base"] * 1.2,
              f"memory: peak RSS with {name} ({results[name]:.1f} MiB) within 20% of base "
              f"({results['base']:.1f} MiB)")


def rss_guard(fm, work):
    data = gen(fm, work / "g", "--profile", "uniform", "--tables", "3", "--cols", "8", "--rows", "600000")
    out = work / "g.parquet"
    r = run([fm, "merge", data, "-o", out, "--memory-budget", "48MiB", "--row-group-rows", "600000", "--threads", "2"])
    err = r.stderr.decode()
    check(r.returncode == 3, f"rss guard: exit code 3 under a 48 MiB budget (got {r.returncode}: {err.strip()[-200:]})")
    check("memory-budget" in err and "resumed" in err, "rss guard: message names the budget and says it can resume")
    check(not out.exists(), "rss guard: nothing at the final path")
    r = run([fm, "merge", data, "-o", out, "--row-group-rows", "600000", "--quiet"])
    check(r.returncode == 0 and out.exists(), "rss guard: the same command with the default budget finishes")


def wide_output(fm, work):
    data = gen(fm, work / "w", "--profile", "uniform", "--tables", "2125", "--cols", "8", "--rows", "300")
    out = work / "wide.parquet"
    r = run([fm, "merge", data, "-o", out, "--quiet"])
    check(r.returncode == 0, f"wide: merge of 2125 tables exits 0 ({r.stderr.decode()[-200:]})")
    info = json.loads(run([fm, "inspect", out, "--json", "--no-chunks", "--footer-only"]).stdout)
    check(info["num_columns"] >= 17000, f"wide: output has {info['num_columns']} columns (>= 17,000)")
    names = [c["name"] for c in info["columns"]]
    pick = [names[0], names[1], names[len(names) // 2], names[-1]]
    kinds = [next(c["value_kind"] for c in info["columns"] if c["name"] == n) for n in pick]
    ours = [json.loads(l) for l in run([fm, "cat", out, "--columns", ",".join(pick)]).stdout.decode().splitlines()]
    for reader in ("duckdb", "polars"):
        r = run(["node", ROOT / "tools/oracle/read_jsonl.mjs", "--reader", reader, out, "--columns", ",".join(pick)])
        if r.returncode != 0:
            check(False, f"wide: {reader} reads the 17,000-column file ({r.stderr.decode()[-300:]})")
            continue
        theirs = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        n, differ, skipped, problems = compare_jsonl.compare(kinds, ours, theirs, out=open(os.devnull, "w"))
        check(n == 300 and differ == 0 and not problems and not skipped,
              f"wide: {reader} reads {n} rows of 4 columns equal to featmerge's ({differ} differ)")


def cli_behaviour(fm, work):
    data = gen(fm, work / "c", "--profile", "bqx", "--tables", "6", "--rows", "1000")
    out = work / "c.parquet"
    r = run([fm, "merge", data, "-o", out, "--dry-run"])
    text = r.stdout.decode()
    check(r.returncode == 0 and "plan:" in text and "estimated peak mem" in text, "dry-run prints the checks and the plan")
    check(not out.exists() and not Path(str(out) + ".journal").exists(), "dry-run writes nothing")
    r = run([fm, "merge", data, "-o", out, "--json"])
    lines = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
    check(r.returncode == 0 and lines and lines[-1].get("event") == "summary" and lines[-1]["rows"] == 1000,
          "--json ends with a summary line")
    r = run([fm, "merge", work / "nope", "-o", out])
    check(r.returncode == 2 and r.stderr.decode().count("\n") == 1, "missing input directory: exit 2, one line")
    r = run([fm, "merge", data, "-o", out, "--memory-budget", "lots"])
    check(r.returncode == 1 and "memory-budget" in r.stderr.decode(), "bad --memory-budget: exit 1 naming the option")
    r = run([fm, "merge", data, "-o", out, "--on-duplicate-key", "maybe"])
    check(r.returncode == 1, "bad --on-duplicate-key: exit 1")


def read_all(fm, target, reader, kinds_from):
    """Rows of target (a file, or a glob read as one dataset) as JSON objects."""
    if reader == "featmerge":
        r = run([fm, "cat", target])
    else:
        r = run(["node", ROOT / "tools/oracle/read_jsonl.mjs", "--reader", reader, target])
    if r.returncode != 0:
        raise RuntimeError(f"{reader} cannot read {target}: {r.stderr.decode()[-300:]}")
    return [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]


def split_outputs(fm, work):
    data = gen(fm, work / "s", "--profile", "bqx", "--tables", "10", "--rows", "20000")
    whole = work / "s_whole.parquet"
    r = run([fm, "merge", data, "-o", whole, "--quiet"])
    check(r.returncode == 0, f"split: unsplit merge exits 0 ({r.stderr.decode()[-200:]})")
    info = json.loads(run([fm, "inspect", whole, "--json", "--footer-only"]).stdout)
    kinds = [c["value_kind"] for c in info["columns"]]
    expected = read_all(fm, whole, "featmerge", None)
    import datetime
    instants = [datetime.datetime.fromtimestamp(int(row[0]) // 10**9, datetime.timezone.utc) for row in expected]
    days = len({t.date() for t in instants})
    months = len({(t.year, t.month) for t in instants})
    for flag, value, parts in (("--split-rows", "6000", 4), ("--split-by", "day", days),
                               ("--split-by", "month", months)):
        out = work / f"s_{value}"
        r = run([fm, "merge", data, "-o", out, flag, value, "--json"])
        check(r.returncode == 0, f"split {flag} {value}: exits 0 ({r.stderr.decode()[-200:]})")
        if r.returncode != 0:
            continue
        summary = json.loads(r.stdout.decode().strip().splitlines()[-1])
        manifest = json.loads((out / "_manifest.json").read_text())
        files = sorted(p.name for p in out.glob("part-*.parquet"))
        check(len(manifest["parts"]) == parts and len(files) == parts and summary["split_parts"] == parts,
              f"split {flag} {value}: {len(files)} part files, {len(manifest['parts'])} in _manifest.json "
              f"(expected {parts})")
        check(sum(p["rows"] for p in manifest["parts"]) == 20000, f"split {flag} {value}: parts hold 20,000 rows")
        for reader in ("duckdb", "polars"):
            got = read_all(fm, str(out / "part-*.parquet"), reader, kinds)
            n, differ, skipped, problems = compare_jsonl.compare(kinds, expected, got, out=open(os.devnull, "w"))
            check(n == 20000 and differ == 0 and not problems and not skipped,
                  f"split {flag} {value}: {reader} reads the parts as one dataset equal to the unsplit "
                  f"output ({n} rows, {differ} cells differ, {problems or ''})")
        # Same command again: every part up to date, bytes unchanged.
        before = {f: (out / f).read_bytes() for f in files}
        r = run([fm, "merge", data, "-o", out, flag, value, "--json"])
        again = json.loads(r.stdout.decode().strip().splitlines()[-1]) if r.returncode == 0 else {}
        check(again.get("up_to_date") is True and all((out / f).read_bytes() == b for f, b in before.items()),
              f"split {flag} {value}: a second run finds every part up to date")
    # A coarser split of the same directory leaves no stale part behind.
    out = work / "s_6000"
    r = run([fm, "merge", data, "-o", out, "--split-rows", "15000", "--quiet"])
    files = sorted(p.name for p in out.glob("part-*"))
    check(r.returncode == 0 and files == ["part-00000.parquet", "part-00000.parquet.manifest.json",
                                          "part-00001.parquet", "part-00001.parquet.manifest.json"],
          f"split: re-split into 2 parts removes the 2 stale parts (left {files})")
    # Refusals: --split-rows needs a sorted spine; a string key cannot be split by day.
    r = run([fm, "merge", data, "-o", work / "s_bad", "--split-by", "week"])
    check(r.returncode == 1 and b"--split-by" in r.stderr, "split: --split-by week is a usage error naming the option")


def split_columns_with_row_split(fm, work):
    """--split-columns N with a row split writes OUT/part-NNNNN.cols-MMM.parquet: row part NNNNN,
    column group MMM (the key, then the next N-1 columns). The groups' schemas differ, so one glob
    over every part file is not one dataset; each group's row parts are (docs/split_outputs.md)."""
    data = gen(fm, work / "sc", "--profile", "bqx", "--tables", "3", "--rows", "6000")
    whole = work / "sc_whole.parquet"
    r = run([fm, "merge", data, "-o", whole, "--quiet"])
    check(r.returncode == 0, f"split columns: unsplit merge exits 0 ({r.stderr.decode()[-200:]})")
    info = json.loads(run([fm, "inspect", whole, "--json", "--footer-only"]).stdout)
    names = [c["name"] for c in info["columns"]]
    kinds = [c["value_kind"] for c in info["columns"]]
    expected = read_all(fm, whole, "featmerge", None)
    import datetime
    days = len({datetime.datetime.fromtimestamp(int(row[0]) // 10**9, datetime.timezone.utc).date()
                for row in expected})
    width = 30
    groups = -(-(len(names) - 1) // (width - 1))
    check(groups >= 3, f"split columns: {len(names)} columns make {groups} groups of {width}")
    for flag, value, row_parts in (("--split-rows", "2500", 3), ("--split-by", "day", days)):
        what = f"split columns + {flag} {value}"
        out = work / f"sc_{value}"
        r = run([fm, "merge", data, "-o", out, flag, value, "--split-columns", str(width), "--json"])
        check(r.returncode == 0, f"{what}: exits 0 ({r.stderr.decode()[-200:]})")
        if r.returncode != 0:
            continue
        summary = json.loads(r.stdout.decode().strip().splitlines()[-1])
        manifest = json.loads((out / "_manifest.json").read_text())
        files = sorted(p.name for p in out.glob("part-*.parquet"))
        layout = [[f"part-{i:05d}.cols-{g:03d}.parquet" for g in range(groups)] for i in range(row_parts)]
        check(summary["split_parts"] == row_parts and [p["files"] for p in manifest["parts"]] == layout
              and files == sorted(f for part in layout for f in part),
              f"{what}: {row_parts} row parts x {groups} column groups, listed in _manifest.json "
              f"({len(files)} files)")
        check(sum(p["rows"] for p in manifest["parts"]) == 6000, f"{what}: parts hold 6,000 rows")
        check(all((out / f"part-{i:05d}.parquet.manifest.json").exists() for i in range(row_parts)),
              f"{what}: every row part keeps its manifest")
        again = run([fm, "merge", data, "-o", out, flag, value, "--split-columns", str(width), "--json"])
        again_summary = json.loads(again.stdout.decode().strip().splitlines()[-1])
        check(again.returncode == 0 and again_summary.get("up_to_date") is True,
              f"{what}: a second run is up to date ({again_summary.get('up_to_date')})")
        # Each group: the key, then its slice of the unsplit output's columns, in order.
        group_names = []
        for g in range(groups):
            part = json.loads(run([fm, "inspect", out / layout[0][g], "--json", "--footer-only"]).stdout)
            group_names.append([c["name"] for c in part["columns"]])
        check(all(gn[0] == names[0] for gn in group_names)
              and [n for gn in group_names for n in gn[1:]] == names[1:],
              f"{what}: the column groups hold the key and every other column once, in order")
        for g, gnames in enumerate(group_names):
            pick = [names.index(n) for n in gnames]
            want = [[row[i] for i in pick] for row in expected]
            group_kinds = [kinds[i] for i in pick]
            for reader in ("duckdb", "polars"):
                got = read_all(fm, str(out / f"part-*.cols-{g:03d}.parquet"), reader, group_kinds)
                n, differ, skipped, problems = compare_jsonl.compare(group_kinds, want, got,
                                                                     out=open(os.devnull, "w"))
                check(n == 6000 and differ == 0 and not problems and not skipped,
                      f"{what}: {reader} reads column group {g} ('part-*.cols-{g:03d}.parquet') as one "
                      f"dataset equal to the unsplit output ({n} rows, {differ} cells differ, "
                      f"{problems or ''})")


def copied_chunks_from_another_writer(fm, work):
    data = gen(fm, work / "cc", "--profile", "uniform", "--tables", "6", "--cols", "4", "--rows",
               "8192", "--row-group-rows", "2048")
    # The feature tables rewritten by DuckDB in row groups of 2,048 rows, the spine as generated.
    duck = work / "cc_duckdb"
    duck.mkdir()
    shutil.copy(data / "targets.parquet", duck / "targets.parquet")
    statements = [f"COPY (SELECT * FROM '{f}') TO '{duck / f.name}' "
                  "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)"
                  for f in sorted(data.glob("feat_*.parquet"))]
    r = run(["node", ROOT / "tools/oracle/run_sql.mjs", *statements])
    check(r.returncode == 0, f"copied chunks: DuckDB rewrites the tables ({r.stderr.decode()[-200:]})")
    if r.returncode != 0:
        return
    copied, reencoded = work / "cc_copied.parquet", work / "cc_reencoded.parquet"
    r = run([fm, "merge", duck, "-o", copied, "--row-group-rows", "2048", "--json"])
    summary = json.loads(r.stdout.decode().strip().splitlines()[-1]) if r.returncode == 0 else {}
    columns = summary.get("columns", 0)
    # Every chunk of every DuckDB table and of the spine but the key: 4 row groups each.
    check(r.returncode == 0 and summary.get("chunks_copied") == (columns - 1) * 4,
          f"copied chunks: {summary.get('chunks_copied')} of {(columns - 1) * 4} chunks copied as stored")
    r = run([fm, "merge", duck, "-o", reencoded, "--row-group-rows", "2048", "--reencode", "--json"])
    check(r.returncode == 0 and json.loads(r.stdout.decode().strip().splitlines()[-1])["chunks_copied"] == 0,
          "copied chunks: --reencode copies none")
    for reader in ("featmerge", "duckdb", "polars", "parquetwasm"):
        a = read_all(fm, str(copied), reader, None)
        b = read_all(fm, str(reencoded), reader, None)
        check(len(a) == 8192 and a == b,
              f"copied chunks: {reader} reads the copied output equal to the re-encoded one ({len(a)} rows)")
    r = run([fm, "check", copied, "--against", duck])
    check(r.returncode == 0, f"copied chunks: check --against the inputs passes ({r.stdout.decode()[-160:]})")


def joined_chunks_from_another_writer(fm, work):
    data = gen(fm, work / "jc", "--profile", "uniform", "--tables", "6", "--cols", "4", "--rows",
               "8192", "--row-group-rows", "4096")
    # The feature tables rewritten by DuckDB in row groups of 2,048 rows (its smallest; half of
    # the output's), every other one with DATA_PAGE_V2 pages (BYTE_STREAM_SPLIT, no dictionary)
    # and the others with v1 dictionary pages; the spine as generated.
    duck = work / "jc_duckdb"
    duck.mkdir()
    shutil.copy(data / "targets.parquet", duck / "targets.parquet")
    statements = [f"COPY (SELECT * FROM '{f}') TO '{duck / f.name}' (FORMAT parquet, COMPRESSION zstd, "
                  f"ROW_GROUP_SIZE 2048{', PARQUET_VERSION V2' if i % 2 else ''})"
                  for i, f in enumerate(sorted(data.glob("feat_*.parquet")))]
    # And a table of few distinct values with NULLs in DATA_PAGE_V2 pages: dictionary-encoded
    # v2 pages, whose indices are rewritten (levels stay uncompressed in front of them).
    first = sorted(data.glob("feat_*.parquet"))[0]
    cols = [c["name"] for c in json.loads(run([fm, "inspect", first, "--json", "--footer-only"]).stdout)["columns"]
            if c["name"] != "interval_time"]
    rounded = ", ".join(f"CASE WHEN hash(interval_time) % 7 = 0 THEN NULL ELSE round({c}, 2) END AS lowcard_{n}"
                        for n, c in enumerate(cols))
    statements.append(f"COPY (SELECT interval_time, {rounded} FROM '{first}') TO '{duck / 'lowcard.parquet'}' "
                      "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048, PARQUET_VERSION V2)")
    r = run(["node", ROOT / "tools/oracle/run_sql.mjs", *statements])
    check(r.returncode == 0, f"joined chunks: DuckDB rewrites the tables ({r.stderr.decode()[-200:]})")
    if r.returncode != 0:
        return
    groups = {json.loads(run([fm, "inspect", f, "--json", "--footer-only"]).stdout).get("num_row_groups")
              for f in duck.glob("*.parquet") if f.name != "targets.parquet"}
    check(groups == {4}, f"joined chunks: DuckDB wrote 4 row groups per table ({groups})")
    lowcard = run([fm, "inspect", duck / "lowcard.parquet"]).stdout.decode()
    check("RLE_DICTIONARY" in lowcard, "joined chunks: the low-cardinality table has dictionary pages")
    joined, reencoded = work / "jc_joined.parquet", work / "jc_reencoded.parquet"
    r = run([fm, "merge", duck, "-o", joined, "--row-group-rows", "4096", "--json"])
    summary = json.loads(r.stdout.decode().strip().splitlines()[-1]) if r.returncode == 0 else {}
    columns = summary.get("columns", 0)
    # Each output chunk of a table is two DuckDB row groups joined, the spine's are copied one to
    # one. DuckDB picks the encoding per row group (dictionary or not, by cardinality); two row
    # groups that differ are re-encoded, as is the key.
    check(r.returncode == 0 and summary.get("row_groups") == 2 and
          (columns - 1) * 2 * 3 // 4 < summary.get("chunks_copied", 0) <= (columns - 1) * 2,
          f"joined chunks: {summary.get('chunks_copied')} of {(columns - 1) * 2} chunks copied as stored "
          f"in {summary.get('row_groups')} row groups ({r.stderr.decode()[-200:]})")
    r = run([fm, "merge", duck, "-o", reencoded, "--row-group-rows", "4096", "--reencode"])
    check(r.returncode == 0, "joined chunks: the --reencode merge exits 0")
    for reader in ("featmerge", "duckdb", "polars", "parquetwasm"):
        a = read_all(fm, str(joined), reader, None)
        b = read_all(fm, str(reencoded), reader, None)
        check(len(a) == 8192 and a == b,
              f"joined chunks: {reader} reads the joined output equal to the re-encoded one ({len(a)} rows)")
    r = run([fm, "check", joined, "--against", duck])
    check(r.returncode == 0, f"joined chunks: check --against the inputs passes ({r.stdout.decode()[-160:]})")


def footer_is_small(fm, work):
    data = gen(fm, work / "f", "--profile", "uniform", "--tables", "50", "--cols", "8", "--rows", "3000")
    sizes = {}
    for scope in ("key", "all"):
        out = work / f"f_{scope}.parquet"
        r = run([fm, "merge", data, "-o", out, "--quiet", "--statistics", scope])
        check(r.returncode == 0, f"footer: merge --statistics {scope} exits 0")
        info = json.loads(run([fm, "inspect", out, "--json", "--footer-only"]).stdout)
        sizes[scope] = info.get("footer_bytes") or info.get("footer_size")
        chunks = [c for rg in info.get("row_groups", []) for c in rg.get("chunks", [])]
        with_stats = [c["column"] for c in chunks if "statistics" in c]
        if scope == "key":
            check(with_stats and set(with_stats) == {"interval_time"},
                  f"footer: with --statistics key only the key has statistics ({sorted(set(with_stats))[:3]})")
    check(sizes["key"] and sizes["all"] and sizes["key"] < sizes["all"] * 0.85,
          f"footer: key-only statistics make the footer smaller ({sizes['key']} vs {sizes['all']} bytes)")
    # 401 columns x 1 row group: a footer of at most ~200 bytes a column chunk.
    check(sizes["key"] and sizes["key"] < 401 * 200, f"footer: {sizes['key']} bytes for 401 column chunks")


def main():
    fm, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tests = (cli_behaviour, memory_is_flat, rss_guard, wide_output, split_outputs,
             split_columns_with_row_split, footer_is_small, copied_chunks_from_another_writer,
             joined_chunks_from_another_writer)
    if len(sys.argv) > 3:
        tests = [t for t in tests if t.__name__ in sys.argv[3:]]
        check(len(tests) == len(sys.argv) - 3, f"known test names: {sys.argv[3:]}")
    for test in tests:
        try:
            test(fm, work)
        except Exception as e:  # a crashed step is a failed step
            check(False, f"{test.__name__}: {e}")
    print(f"{len(FAILURES) == 0 and 1 or 0} passed, {len(FAILURES)} failed")
    if not FAILURES:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
