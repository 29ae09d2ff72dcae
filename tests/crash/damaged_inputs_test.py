#!/usr/bin/env python3
"""Damaged and unsupported files inside a merge directory. Each must make `featmerge merge` and
`featmerge check --against DIR` exit 2 with exactly one stderr line that names the file: no
crash, no hang (timeouts), nothing at the output path.

- every file ../shared/interop/MANIFEST.tsv marks `error`, placed in a generated directory as a
  feature table, and separately as the spine;
- the same files paired with the valid file they were derived from and joined on their `id`
  column, so the damage is met where pages are decoded (the executor), not only in preflight;
- generated tables damaged the way disks and copies damage files: the footer cut, the file cut
  in half, one byte flipped in the middle of a column chunk (the page CRC catches it).

Usage: damaged_inputs_test.py FEATMERGE CORPUS_DIR WORK_DIR
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

FAILURES = []
TIMEOUT = 60


def check(cond, what):
    if not cond:
        print("FAIL " + what)
        FAILURES.append(what)
    return cond


def run(cmd):
    try:
        return subprocess.run([str(c) for c in cmd], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def expect_refused(cmd, names, out, label):
    """cmd must exit 2 with one 'featmerge: ' stderr line containing `names` and write no `out`."""
    r = run(cmd)
    if not check(r is not None, f"{label}: hung (> {TIMEOUT} s)"):
        return
    err = r.stderr.decode(errors="replace").strip()
    lines = err.splitlines()
    ok = check(r.returncode == 2, f"{label}: exit {r.returncode}, want 2: {err[:300]}")
    ok &= check(len(lines) == 1 and lines[0].startswith("featmerge: "),
                f"{label}: stderr is not one 'featmerge: ' line: {err[:400]!r}")
    ok &= check(names in err, f"{label}: the error does not name '{names}': {err[:300]}")
    if out is not None:
        ok &= check(not Path(out).exists(), f"{label}: something was written at {out}")
    if ok:
        print(f"ok   {label}: {lines[0][:160]}")


def merge(fm, d, out, *extra):
    return [fm, "merge", d, "-o", out, "--quiet", "--threads", "2", *extra]


def fresh_copy(src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    return dst


def chunk_ranges(fm, path):
    """(start, length) of every column chunk of a file, from `featmerge inspect --json`."""
    j = json.loads(subprocess.run([fm, "inspect", str(path), "--json"], capture_output=True,
                                  check=True, timeout=TIMEOUT).stdout)
    out = []
    for g in j["row_groups"]:
        for c in g["chunks"]:
            start = min(c["data_page_offset"], c.get("dictionary_page_offset") or c["data_page_offset"])
            out.append((start, c["compressed_bytes"]))
    return out


def corpus_files(fm, corpus, clean, good_out, work):
    rows = [dict(zip(*(lambda h, l: (h, l.split("\t")))(
        (corpus / "MANIFEST.tsv").read_text().splitlines()[0].split("\t"), line)))
        for line in (corpus / "MANIFEST.tsv").read_text().splitlines()[1:]]
    bad = [r for r in rows if r["expected"] == "error"]
    check(len(bad) > 0, "the manifest lists files to reject")
    for row in bad:
        name = row["file"]
        stem = name[: -len(".parquet")]
        # As a feature table of a generated directory.
        d = fresh_copy(clean, work / "as_table")
        shutil.copy(corpus / name, d / name)
        out = work / f"{stem}.as_table.parquet"
        expect_refused(merge(fm, d, out), name, out, f"{name} as a table: merge")
        expect_refused([fm, "check", good_out, "--against", d], name, None,
                       f"{name} as a table: check --against")
        # As the spine.
        d = fresh_copy(clean, work / "as_spine")
        shutil.copy(corpus / name, d / "targets.parquet")
        out = work / f"{stem}.as_spine.parquet"
        expect_refused(merge(fm, d, out), str(d / "targets.parquet"), out, f"{name} as the spine: merge")
        expect_refused([fm, "check", good_out, "--against", d], str(d / "targets.parquet"), None,
                       f"{name} as the spine: check --against")
        # Joined on `id` with the valid file it was made from: damaged pages meet the executor.
        schema = json.loads((corpus / f"{stem}.schema.json").read_text())
        source = schema.get("derived_from")
        source_schema = corpus / f"{source[: -len('.parquet')]}.schema.json" if source else None
        if not source_schema or not source_schema.exists() or "id" not in [
                c["name"] for c in json.loads(source_schema.read_text())["columns"]]:
            continue
        for role in ("spine", "table"):
            d = work / f"pair_{role}"
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
            if role == "spine":
                shutil.copy(corpus / name, d / "targets.parquet")
                shutil.copy(corpus / source, d / "source.parquet")
                names = str(d / "targets.parquet")
            else:
                shutil.copy(corpus / source, d / "targets.parquet")
                shutil.copy(corpus / name, d / name)
                names = name
            out = work / f"{stem}.pair_{role}.parquet"
            expect_refused(merge(fm, d, out, "--key", "id", "--on-name-clash", "prefix"), names, out,
                           f"{name} as the {role}, joined with {source} on id: merge")


def generated_damage(fm, clean, work):
    tables = sorted(p.name for p in clean.glob("*.parquet") if p.name != "targets.parquet")
    victim = tables[len(tables) // 2]
    original = (clean / victim).read_bytes()
    footer_len = int.from_bytes(original[-8:-4], "little")
    damages = {
        "footer cut by 10 bytes": original[:-10],
        "footer cut in the middle": original[: len(original) - 8 - footer_len // 2],
        "cut in half": original[: len(original) // 2],
        "emptied": b"",
    }
    for i, (start, length) in enumerate(chunk_ranges(fm, clean / victim)):
        if i in (0, 1) or i == len(chunk_ranges(fm, clean / victim)) - 1:
            flipped = bytearray(original)
            flipped[start + length * 3 // 4] ^= 0x10
            damages[f"one byte flipped in column chunk {i}"] = bytes(flipped)
    for i, (what, data) in enumerate(damages.items()):
        d = fresh_copy(clean, work / "gen_damage")
        (d / victim).write_bytes(data)
        out = work / f"gen_damage_{i}.parquet"
        expect_refused(merge(fm, d, out), victim, out, f"generated table {what}: merge")


def main():
    fm, corpus, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]).resolve()
    if not (corpus / "MANIFEST.tsv").exists():
        print(f"corpus not found at {corpus}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    r = subprocess.run([fm, "gen", str(work / "in"), "--pairs", "p", "--tables", "3", "--cols",
                        "4", "--rows", "600", "--seed", "4", "--unsorted", "0"], capture_output=True)
    if r.returncode != 0:
        print("gen failed:", r.stderr.decode())
        return 1
    clean = work / "in" / "p"
    good_out = work / "good.parquet"
    r = run(merge(fm, clean, good_out))
    if r is None or r.returncode != 0:
        print("merging the clean directory failed")
        return 1
    corpus_files(fm, corpus, clean, good_out, work)
    generated_damage(fm, clean, work)
    print(f"{len(FAILURES)} failed")
    if not FAILURES:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
