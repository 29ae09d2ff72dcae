#!/usr/bin/env python3
"""kill -9 at many points of `featmerge merge`, then the same command again: the final file
must be byte-identical to an uninterrupted run's, and after each kill there must be no file at
the final path unless it is the complete one.

Kill points come from the merge's test hook (FEATMERGE_CRASH_AT=<point>:<n>: SIGKILL the n-th
time the run passes <point>), plus kills after random delays.

Usage: kill_test.py FEATMERGE WORK_DIR
"""
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

POINTS = [
    "preflight:1", "aligning:1", "journal-created:1",
    "chunk-committed:1", "chunk-committed:2", "chunk-committed:7", "chunk-committed:40",
    "chunk-committed:95", "chunk-committed:160", "chunk-committed:230",
    "journal-synced:1", "chunk-committed:333", "chunk-committed:600",
    "row-group-closed:1", "row-group-closed:2", "row-group-closed:3",
    "footer-written:1", "before-rename:1", "after-rename:1", "manifest-written:1",
]


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def merge(fm, data, out, env=None, extra=()):
    cmd = [fm, "merge", str(data), "-o", str(out), "--quiet", "--row-group-rows", "900",
           "--threads", "2", *extra]
    return subprocess.run(cmd, capture_output=True, timeout=300, env=env)


def main():
    fm, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run([fm, "gen", str(work / "in"), "--pairs", "p", "--profile", "bqx", "--tables",
                    "14", "--cols", "6", "--rows", "4000", "--seed", "5", "--unsorted", "2"],
                   check=True, capture_output=True)
    data = work / "in" / "p"
    ref = work / "ref.parquet"
    r = merge(fm, data, ref)
    if r.returncode != 0:
        print("reference merge failed:", r.stderr.decode())
        return 1
    want = sha(ref)
    failures = []
    tried = 0
    for i, point in enumerate(POINTS):
        out = work / f"k{i}.parquet"
        env = dict(os.environ, FEATMERGE_CRASH_AT=point)
        r = merge(fm, data, out, env=env)
        tried += 1
        killed = r.returncode == -signal.SIGKILL
        if not killed and r.returncode != 0:
            failures.append(f"{point}: exit {r.returncode}: {r.stderr.decode()[-300:]}")
            continue
        if killed and out.exists() and sha(out) != want:
            failures.append(f"{point}: an incomplete file was left at the final path")
            continue
        r = merge(fm, data, out)
        if r.returncode != 0:
            failures.append(f"{point}: resume failed: exit {r.returncode}: {r.stderr.decode()[-300:]}")
            continue
        if sha(out) != want:
            failures.append(f"{point}: resumed output differs from the uninterrupted run")
            continue
        leftovers = [p.name for p in work.glob(f"k{i}.parquet.*") if not p.name.endswith(".manifest.json")]
        if leftovers:
            failures.append(f"{point}: leftovers after the resumed run: {leftovers}")
        print(f"ok {point}{'' if killed else ' (finished before the point)'}")
    # Random kills: SIGKILL after a random delay, several times in a row, then finish.
    rng = random.Random(1)
    for trial in range(4):
        out = work / f"r{trial}.parquet"
        for _ in range(3):
            p = subprocess.Popen([fm, "merge", str(data), "-o", str(out), "--quiet",
                                  "--row-group-rows", "900"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.01, 0.4))
            p.send_signal(signal.SIGKILL)
            p.wait()
            tried += 1
            if out.exists() and sha(out) != want:
                failures.append(f"random kill {trial}: incomplete file at the final path")
        r = merge(fm, data, out)
        if r.returncode != 0 or sha(out) != want:
            failures.append(f"random kill {trial}: final output wrong (exit {r.returncode})")
        else:
            print(f"ok random kills {trial}")
    for f in failures:
        print("FAIL", f)
    print(f"{tried} kills tried")
    print(f"{tried - len(failures)} passed, {len(failures)} failed")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
