#!/usr/bin/env python3
"""kill -9 during `featmerge run` over three pairs, then the same run again: every output must be
byte-identical to an uninterrupted run's, and after each kill no final path may hold a file
other than the complete one.

Three ways to die:
- every merge child SIGKILLs itself at one test-hook point (FEATMERGE_CRASH_AT, inherited);
- the `run` process is SIGKILLed after a random delay (its children then get SIGTERM from the
  kernel, PR_SET_PDEATHSIG, and stop cleanly);
- the run and all its children are SIGKILLed at once, as when the node or the job dies.

Usage: run_kill_test.py FEATMERGE WORK_DIR
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

PAIRS = ["a", "b", "c"]
POINTS = [
    "preflight:1", "aligning:1", "journal-created:1", "chunk-committed:3", "chunk-committed:60",
    "row-group-closed:2", "journal-synced:1", "footer-written:1", "before-rename:1",
    "after-rename:1", "manifest-written:1",
]
FAILURES = []


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fail(what):
    print("FAIL", what)
    FAILURES.append(what)


def write_config(work, name, out_dir):
    # 512 MiB per merge (2 jobs): ASan builds run this test too, and their shadow memory counts
    # in the RSS the merge's memory guard watches.
    path = work / f"{name}.toml"
    path.write_text(
        "[paths]\n"
        'input = "in/{pair}"\n'
        f'output = "{out_dir}/training_{{pair}}.parquet"\n'
        "[merge]\n"
        'require_marker = "_COMPLETE"\n'
        'memory_budget = "1GiB"\n'
        "row_group_rows = 900\n"
        "threads = 2\n"
        "[run]\n"
        "jobs = 2\n"
        "check = false\n"
        "[pairs]\n"
        f"list = [{', '.join(chr(34) + p + chr(34) for p in PAIRS)}]\n")
    return path


def outputs(work, out_dir):
    return {p: work / out_dir / f"training_{p}.parquet" for p in PAIRS}


def run(fm, config, env=None):
    return subprocess.run([fm, "run", str(config)], capture_output=True, timeout=600, env=env,
                          cwd=config.parent)


def children(pid):
    """Direct children of pid (every thread's list)."""
    kids = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids.update(int(k) for k in (task / "children").read_text().split())
        except OSError:
            pass
    return kids


def gone(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state in ("Z", "X")
    except OSError:
        return True


def wait_gone(pids, label):
    deadline = time.time() + 120
    while not all(gone(p) for p in pids):
        if time.time() > deadline:
            fail(f"{label}: merge children {sorted(p for p in pids if not gone(p))} still running "
                 "2 minutes after the run was killed")
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            return
        time.sleep(0.02)


def check_final_paths(outs, want, label):
    for pair, out in outs.items():
        if out.exists() and sha(out) != want[pair]:
            fail(f"{label}: an incomplete or wrong file at the final path of pair {pair}")


def rerun_and_compare(fm, config, outs, want, label):
    r = run(fm, config)
    if r.returncode != 0:
        fail(f"{label}: the rerun exited {r.returncode}: {r.stderr.decode(errors='replace')[-400:]}")
        return False
    for pair, out in outs.items():
        if not out.exists() or sha(out) != want[pair]:
            fail(f"{label}: pair {pair} differs from the uninterrupted run after the rerun")
            return False
        left = [p.name for p in out.parent.glob(out.name + ".*") if not p.name.endswith(".manifest.json")]
        if left:
            fail(f"{label}: leftovers after the rerun: {left}")
            return False
    return True


def main():
    fm, work = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    r = subprocess.run([fm, "gen", str(work / "in"), "--pairs", ",".join(PAIRS), "--profile", "bqx",
                        "--tables", "8", "--cols", "6", "--rows", "20000", "--seed", "7"],
                       capture_output=True)
    if r.returncode != 0:
        print("gen failed:", r.stderr.decode())
        return 1
    ref_config = write_config(work, "ref", "ref")
    t0 = time.time()
    r = run(fm, ref_config)
    duration = time.time() - t0  # random kills fall within a run's span (ASan builds are slower)
    if r.returncode != 0:
        print("reference run failed:", r.stderr.decode(errors="replace"))
        return 1
    want = {p: sha(o) for p, o in outputs(work, "ref").items()}
    tried = 0

    # Every merge child dies at the same hook point.
    for i, point in enumerate(POINTS):
        out_dir = f"hook{i}"
        config = write_config(work, out_dir, out_dir)
        outs = outputs(work, out_dir)
        r = run(fm, config, env=dict(os.environ, FEATMERGE_CRASH_AT=point))
        tried += 1
        check_final_paths(outs, want, point)
        if rerun_and_compare(fm, config, outs, want, point):
            print(f"ok   every merge killed at {point} (run exit {r.returncode})")

    # The run itself dies: alone (children stop on SIGTERM), or with all its children.
    rng = random.Random(3)
    mid_run = 0  # kills that met a run still writing
    for trial in range(6):
        whole_tree = trial % 2 == 1
        out_dir = f"rand{trial}"
        config = write_config(work, out_dir, out_dir)
        outs = outputs(work, out_dir)
        label = f"random kill {trial} ({'run and children' if whole_tree else 'run only'})"
        for _ in range(2):
            p = subprocess.Popen([fm, "run", str(config)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, cwd=work)
            time.sleep(rng.uniform(0.05, 0.9) * duration)
            if p.poll() is None and any(Path(str(o) + ".partial").exists() or not o.exists()
                                        for o in outs.values()):
                mid_run += 1
            # Stopped first, the run cannot start another merge between the listing of its
            # children and its death (such a child would outlive the kill and hold its lock).
            p.send_signal(signal.SIGSTOP)
            kids = children(p.pid)
            if whole_tree:
                for k in kids:
                    try:
                        os.kill(k, signal.SIGKILL)
                    except OSError:
                        pass
            p.send_signal(signal.SIGKILL)
            p.wait()
            tried += 1
            wait_gone(kids, label)
            check_final_paths(outs, want, label)
        if rerun_and_compare(fm, config, outs, want, label):
            print(f"ok   {label}")

    if mid_run < 3:
        fail(f"only {mid_run} random kills met a run still writing (tune the delays)")
    print(f"{tried} kills tried ({mid_run} random ones mid-run), {len(FAILURES)} failures")
    if not FAILURES:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
