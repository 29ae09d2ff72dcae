#!/usr/bin/env python3
"""The CLI's threaded paths end to end, short enough to run under ThreadSanitizer (label
threads): `merge` with several workers while its monitor thread reports progress (text and
--json), a SIGTERM in the middle of the writing phase then a resume, and `run` with two merges
at once. Every run must exit as expected with no sanitizer report, and the outputs must be
byte-identical whatever the thread count.

Usage: threads_cli_test.py FEATMERGE WORK_DIR
"""
import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)
    return cond


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def clean_exit(r, want, what):
    err = r.stderr.decode(errors="replace") if isinstance(r.stderr, bytes) else (r.stderr or "")
    check(r.returncode == want and "Sanitizer" not in err,
          f"{what}: exit {r.returncode} (want {want}){': ' + err[-600:] if r.returncode != want or 'Sanitizer' in err else ''}")


def merge(fm, data, out, *extra, timeout=600):
    return subprocess.run([fm, "merge", str(data), "-o", str(out), "--row-group-rows", "2000", *extra],
                          capture_output=True, timeout=timeout)


def main():
    fm, work = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    r = subprocess.run([fm, "gen", str(work / "in"), "--pairs", "a,b", "--profile", "uniform",
                        "--tables", "10", "--cols", "6", "--rows", "12000", "--seed", "2"],
                       capture_output=True)
    clean_exit(r, 0, "gen (its own thread pool)")
    data = work / "in" / "a"

    r = merge(fm, data, work / "t1.parquet", "--threads", "1", "--quiet")
    clean_exit(r, 0, "merge --threads 1")
    want = sha(work / "t1.parquet")
    r = merge(fm, data, work / "t4.parquet", "--threads", "4")
    clean_exit(r, 0, "merge --threads 4 with progress on stderr")
    check(sha(work / "t4.parquet") == want, "4 threads: byte-identical to 1 thread")
    r = merge(fm, data, work / "t3.parquet", "--threads", "3", "--json")
    clean_exit(r, 0, "merge --threads 3 --json")
    check(sha(work / "t3.parquet") == want, "3 threads: byte-identical to 1 thread")

    # SIGTERM while the workers write: the run stops cleanly (exit 130) and resumes.
    out = work / "term.parquet"
    p = subprocess.Popen([fm, "merge", str(data), "-o", str(out), "--row-group-rows", "2000",
                          "--threads", "3", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    signalled = False
    for line in p.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "progress" and event.get("phase") == "writing":
            p.send_signal(signal.SIGTERM)
            signalled = True
            break
    p.stdout.read()
    err = p.stderr.read().decode(errors="replace")
    p.wait(timeout=600)
    if signalled:
        check(p.returncode == 130 and "Sanitizer" not in err,
              f"SIGTERM while writing: exit {p.returncode} (want 130) {err[-400:] if p.returncode != 130 else ''}")
    else:
        check(p.returncode == 0 and "Sanitizer" not in err, "the run finished before SIGTERM could be sent")
    r = merge(fm, data, out, "--threads", "2", "--quiet")
    clean_exit(r, 0, "resume after SIGTERM")
    check(sha(out) == want, "resumed output byte-identical")

    # `run`: two merges at once, each with two workers.
    config = work / "pipeline.toml"
    config.write_text('[paths]\ninput = "in/{pair}"\noutput = "out/training_{pair}.parquet"\n'
                      '[merge]\nmemory_budget = "512MiB"\nthreads = 2\nrow_group_rows = 2000\n'
                      '[run]\njobs = 2\n[pairs]\nlist = ["a", "b"]\n')
    r = subprocess.run([fm, "run", str(config)], capture_output=True, timeout=900, cwd=work)
    clean_exit(r, 0, "run --jobs 2")
    logs = "".join(p.read_text(errors="replace") for p in (work / "out" / "logs").glob("*.log")) \
        if (work / "out" / "logs").exists() else ""
    check("Sanitizer" not in logs, "no sanitizer report in the merges' logs")
    check((work / "out" / "training_a.parquet").exists() and sha(work / "out" / "training_a.parquet") == want,
          "run: pair a byte-identical to the direct merge")

    print(f"{len(FAILURES)} failed")
    if not FAILURES:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
