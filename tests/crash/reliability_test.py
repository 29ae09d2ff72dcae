#!/usr/bin/env python3
"""Real write failures and the output lock, through the featmerge binary:

- file-size limit: `merge` under a low RLIMIT_FSIZE (a real EFBIG from write(2); featmerge
  ignores SIGXFSZ) exits 3 with one stderr line naming the partial file and the cause, leaves
  nothing at the final path, touches no other file and keeps its state: the run without the
  limit finishes byte-identical to an uninterrupted run. Progress committed before the failure
  survives it (a resume under the limit fails, the next resume says "(resumed)").
- disk full: the output directory on a small tmpfs that another process fills while the merge
  is stopped after its preflight (root only: skipped, with the reason, where mounting is not
  permitted). Same expectations, exit 3 and "No space left on device".
- lock: a second merge on an output that a running merge holds refuses at once (exit 2, one
  line naming the holder's pid); once the holder is SIGKILLed its lock file is stale, and the
  next merge takes it over and resumes to a byte-identical file.

The state after a write failure is kept, not removed: the journal never claims bytes that
were not written, so the next run resumes from the last journal commit (the start, for runs as
short as these) and ends byte-identical.

Usage: reliability_test.py FEATMERGE WORK_DIR
"""
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

FAILURES = []
ROW_GROUP_ROWS = "700"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)
    return cond


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def snapshot(paths):
    """{path: (sha256, mtime_ns)} of every file under `paths` (files or directories)."""
    out = {}
    for p in paths:
        p = Path(p)
        for f in ([p] if p.is_file() else sorted(p.rglob("*"))):
            if f.is_file():
                out[str(f)] = (sha(f), f.stat().st_mtime_ns)
    return out


def one_line(stderr):
    lines = stderr.decode(errors="replace").strip().splitlines()
    return lines[0] if len(lines) == 1 and lines[0].startswith("featmerge: ") else None


def merge_cmd(fm, data, out, *extra):
    return [fm, "merge", str(data), "-o", str(out), "--row-group-rows", ROW_GROUP_ROWS,
            "--threads", "2", *extra]


def run(cmd, limit=None, env=None, timeout=300):
    def preexec():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([str(c) for c in cmd], capture_output=True, timeout=timeout,
                          preexec_fn=preexec, env=env)


def leftovers(out):
    return sorted(p.name for p in Path(out).parent.glob(Path(out).name + ".*")
                  if not p.name.endswith(".manifest.json"))


def start_stopped_at(cmd, point, limit=None):
    """Starts cmd with FEATMERGE_CRASH_AT=<point>:stop and waits until it stopped itself there."""
    env = dict(os.environ, FEATMERGE_CRASH_AT=point + ":stop")

    def preexec():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    p = subprocess.Popen([str(c) for c in cmd], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=preexec)
    deadline = time.time() + 120
    while time.time() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"{cmd} exited ({p.returncode}) before stopping at {point}: "
                               f"{p.stderr.read().decode(errors='replace')[-300:]}")
        try:
            state = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            state = "?"
        if state == "T":
            return p
        time.sleep(0.005)
    p.kill()
    raise RuntimeError(f"{cmd} did not stop at {point}")


def expect_write_failure(r, out, cause, label):
    line = one_line(r.stderr)
    check(r.returncode == 3, f"{label}: exit code 3 (got {r.returncode})")
    check(line is not None, f"{label}: one stderr line ({r.stderr.decode(errors='replace')[:300]!r})")
    if line:
        check(cause in line, f"{label}: the line gives the cause '{cause}': {line}")
        check(Path(out).name in line, f"{label}: the line names the file: {line}")
    check(not Path(out).exists(), f"{label}: nothing at the final path")
    left = leftovers(out)
    check(Path(str(out) + ".journal").exists() and Path(str(out) + ".partial").exists(),
          f"{label}: the partial state is kept for the next run ({left})")


def expect_finishes_identical(fm, data, out, want, label, resumed=None):
    r = run(merge_cmd(fm, data, out))
    check(r.returncode == 0, f"{label}: the next run exits 0 ({r.stderr.decode(errors='replace')[-300:]})")
    if r.returncode != 0:
        return
    check(sha(out) == want, f"{label}: its output is byte-identical to an uninterrupted run")
    if resumed is not None:
        said = b"(resumed)" in r.stdout
        check(said == resumed, f"{label}: the next run {'resumed' if resumed else 'started over'}")
    check(not leftovers(out), f"{label}: no leftovers beside the output ({leftovers(out)})")


def file_size_limit(fm, data, work, want, size):
    bystander = work / "bystander.txt"
    bystander.write_text("not featmerge's\n")
    before = snapshot([data, bystander])

    out = work / "fsize.parquet"
    r = run(merge_cmd(fm, data, out, "--quiet"), limit=size // 3)
    expect_write_failure(r, out, "File too large", "RLIMIT_FSIZE")
    check(snapshot([data, bystander]) == before, "RLIMIT_FSIZE: inputs and other files untouched")
    expect_finishes_identical(fm, data, out, want, "RLIMIT_FSIZE")

    # Committed progress survives a write failure: stop cleanly (SIGTERM) after 2 row groups,
    # resume under a limit that fails half-way through the rest, then resume without it.
    out = work / "fsize_resume.parquet"
    p = start_stopped_at(merge_cmd(fm, data, out, "--quiet"), "row-group-closed:2")
    os.kill(p.pid, signal.SIGTERM)
    os.kill(p.pid, signal.SIGCONT)
    p.communicate(timeout=120)
    check(p.returncode == 130, f"RLIMIT_FSIZE resume: a SIGTERMed run exits 130 (got {p.returncode})")
    committed = Path(str(out) + ".partial").stat().st_size
    r = run(merge_cmd(fm, data, out, "--quiet"), limit=committed + (size - committed) // 2)
    expect_write_failure(r, out, "File too large", "RLIMIT_FSIZE after a clean stop")
    expect_finishes_identical(fm, data, out, want, "RLIMIT_FSIZE after a clean stop", resumed=True)
    check(snapshot([data, bystander]) == before, "RLIMIT_FSIZE: inputs untouched by all runs")


def disk_full(fm, data, work, want):
    if os.geteuid() != 0:
        print("skip disk full: mounting a tmpfs needs root")
        return
    mnt = work / "small_fs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        print(f"skip disk full: cannot mount a tmpfs ({r.stderr.decode(errors='replace').strip()})")
        return
    try:
        bystander = mnt / "bystander.txt"
        bystander.write_text("another tenant's file\n")
        before = snapshot([data, bystander])
        out = mnt / "full.parquet"
        # Stopped after the preflight (its free-disk check passed), the disk then fills up.
        p = start_stopped_at(merge_cmd(fm, data, out, "--quiet"), "aligning:1")
        st = os.statvfs(mnt)
        filler = mnt / "filler.bin"
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - 300 * 1024))
        os.kill(p.pid, signal.SIGCONT)
        stdout, stderr = p.communicate(timeout=120)
        r = subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr)
        expect_write_failure(r, out, "No space left on device", "disk full")
        check(snapshot([data, bystander]) == before, "disk full: inputs and other files untouched")
        filler.unlink()
        expect_finishes_identical(fm, data, out, want, "disk full")
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def lock(fm, data, work, want):
    out = work / "locked.parquet"
    lock_file = Path(str(out) + ".lock")
    # Stopped once its chunks are committed: the run that takes the stale lock over resumes.
    holder = start_stopped_at(merge_cmd(fm, data, out, "--quiet"), "journal-synced:1")
    try:
        check(lock_file.read_text().strip() == str(holder.pid), "lock: the holder's pid is recorded")
        t0 = time.time()
        r = run(merge_cmd(fm, data, out, "--quiet"), timeout=60)
        elapsed = time.time() - t0
        line = one_line(r.stderr)
        check(r.returncode == 2, f"lock: a second merge is refused with exit 2 (got {r.returncode})")
        check(elapsed < 10, f"lock: ... at once ({elapsed:.1f} s)")
        check(line is not None and str(holder.pid) in line and lock_file.name in line,
              f"lock: one line naming the holder's pid and the lock: {line}")
        check(not out.exists(), "lock: the refused run wrote nothing at the final path")
    finally:
        holder.kill()  # SIGKILL: the lock file stays behind, stale
        holder.wait()
    check(lock_file.exists() and lock_file.read_text().strip() == str(holder.pid),
          "lock: a SIGKILLed holder leaves a stale lock file")
    expect_finishes_identical(fm, data, out, want, "lock: the stale lock is taken over", resumed=True)
    check(not lock_file.exists(), "lock: released at the end")


def main():
    fm, work = sys.argv[1], Path(sys.argv[2]).resolve()
    if work.exists():
        subprocess.run(["umount", str(work / "small_fs")], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    r = subprocess.run([fm, "gen", str(work / "in"), "--pairs", "p", "--profile", "bqx", "--tables",
                        "8", "--cols", "6", "--rows", "4000", "--seed", "9"], capture_output=True)
    if r.returncode != 0:
        print("gen failed:", r.stderr.decode())
        return 1
    data = work / "in" / "p"
    ref = work / "ref.parquet"
    r = run(merge_cmd(fm, data, ref, "--quiet"))
    if r.returncode != 0:
        print("reference merge failed:", r.stderr.decode())
        return 1
    want, size = sha(ref), ref.stat().st_size
    file_size_limit(fm, data, work, want, size)
    disk_full(fm, data, work, want)
    lock(fm, data, work, want)
    print(f"{len(FAILURES)} failed")
    if not FAILURES:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main())
