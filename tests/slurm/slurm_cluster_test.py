#!/usr/bin/env python3
"""Integration test of `featmerge run --slurm` on a real single-node Slurm cluster.

Starts munged, slurmctld and slurmd (Debian 12's slurm-wlm and munge) configured under a
temporary directory (own slurm.conf, state, spool, pid and log files, a munge socket of its own,
free ports on 127.0.0.1), as root, then:
  1. submits a run of 3 pairs, pair c sharded 3 ways (3 shard tasks + a dependent concat job),
     waits, and checks every output is byte-identical to a local `featmerge run` of the same
     config; `run --status` says done;
  2. submits the same run into a fresh output directory, cancels one task while it writes
     (scancel), checks `run --status` shows it partial, re-submits (only what is not done is
     submitted: the cancelled task resumes from its journal), and checks the outputs are still
     byte-identical.
Everything started is stopped at the end, also on failure. Prints timings and sinfo / squeue /
scontrol show job output. Skips (exit code 77) when not root or Slurm is not installed.

Usage: slurm_cluster_test.py FEATMERGE WORK_DIR
"""
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SKIP = 77
FAILURES = []
T0 = time.monotonic()


def log(text):
    print(f"[{time.monotonic() - T0:6.1f}s] {text}", flush=True)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)
    return cond


def die_with_parent():
    """In the child before exec: SIGTERM when the test process dies (even by SIGKILL on a ctest
    timeout), so no daemon outlives the test. PR_SET_PDEATHSIG = 1."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """munged + slurmctld + slurmd under `root` (a temp dir), localhost only."""

    def __init__(self, root):
        self.root = Path(root)
        self.procs = []
        self.env = dict(os.environ, SLURM_CONF=str(self.root / "slurm.conf"))

    def start(self):
        r = self.root
        for d in ("munge", "state", "spool", "log"):
            (r / d).mkdir(mode=0o755, parents=True, exist_ok=True)
        subprocess.run(["mungekey", "--create", f"--keyfile={r}/munge/munge.key"], check=True,
                       capture_output=True)
        os.chmod(r / "munge" / "munge.key", 0o600)
        self.spawn("munged", ["munged", "-F", "-f", f"--key-file={r}/munge/munge.key",
                              f"--socket={r}/munge/munge.sock", f"--pid-file={r}/munge/munged.pid",
                              f"--log-file={r}/munge/munged.log", f"--seed-file={r}/munge/seed"])
        wait_for(lambda: (r / "munge" / "munge.sock").exists(), 20, "munged's socket")
        host = socket.gethostname().split(".")[0]
        ctld_port, d_port = free_port(), free_port()
        # A node of 2 CPUs (or what the machine has) and 4 GB; tasks ask for --mem, so memory is
        # a consumable resource (CR_Core_Memory), as on a real cluster.
        conf = f"""ClusterName=fmtest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={r}/munge/munge.sock
CredType=cred/munge
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool/slurmd-%n
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd-%n.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
DependencyParameters=kill_invalid_depend
MinJobAge=600
KillWait=10
InactiveLimit=0
NodeName=fmnode NodeAddr=127.0.0.1 NodeHostname={host} CPUs={os.cpu_count()} RealMemory=4000 State=UNKNOWN
PartitionName=fmtest Nodes=fmnode Default=YES MaxTime=INFINITE State=UP
"""
        (r / "slurm.conf").write_text(conf)
        self.spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(r / "slurm.conf")])
        self.spawn("slurmd", ["slurmd", "-D", "-N", "fmnode", "-f", str(r / "slurm.conf")])
        wait_for(lambda: "idle" in self.run(["sinfo", "-h", "-o", "%T"]).stdout, 60,
                 "the node to be idle")

    def spawn(self, name, argv):
        out = open(self.root / "log" / f"{name}.out", "w")
        self.procs.append((name, subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                                  env=self.env, preexec_fn=die_with_parent)))

    def run(self, argv, **kw):
        return subprocess.run([str(a) for a in argv], capture_output=True, text=True, env=self.env,
                              timeout=kw.pop("timeout", 120), **kw)

    def queue(self):
        r = self.run(["squeue", "-h", "-o", "%i %j %T"])
        return [line for line in r.stdout.splitlines() if line.strip()]

    def wait_idle(self, timeout, snapshot=None):
        """Waits until no job is queued or running; `snapshot` gets squeue while it runs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            q = self.queue()
            if not q:
                return True
            if snapshot is not None and not snapshot and any(" RUNNING" in line for line in q):
                snapshot.append(self.run(["squeue"]).stdout)
            time.sleep(0.5)
        return False

    def stop(self):
        # Jobs first (so no slurmstepd outlives the cluster), then the daemons, newest first.
        try:
            if self.procs:
                self.run(["scancel", "--full", "--user=root"], timeout=30)
                self.wait_idle(30)
        except Exception as e:  # noqa: BLE001 - teardown goes on whatever happened
            print(f"teardown: scancel: {e}")
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def config_text(out_dir):
    # threads = 1: two tasks share the 2-CPU node at once. row_group_rows fixed, so c has 60 row
    # groups to split over 3 shards; zstd level 9 so that a shard takes a second or more to
    # write (long enough to be cancelled mid-run). The same options locally and on the cluster.
    return f"""[paths]
input = "in/{{pair}}"
output = "{out_dir}/training_{{pair}}.parquet"
[merge]
require_marker = "_COMPLETE"
memory_budget = "256MiB"
threads = 1
row_group_rows = 2000
compression_level = 9
[pairs]
list = ["a", "b", "c"]
[slurm]
shards = {{ c = 3 }}
"""


def same_bytes(a, b):
    return Path(a).exists() and Path(b).exists() and Path(a).read_bytes() == Path(b).read_bytes()


def status(cluster, fm, config):
    r = cluster.run([fm, "run", config, "--status", "--json"])
    return json.loads(r.stdout) if r.returncode == 0 else {}


def unit_states(st):
    """{"a": "done", "c": "partial", "c shard 2/3": "partial", "c concat": ...}"""
    out = {}
    for p in st.get("pairs", []):
        out[p["pair"]] = p["state"]
        for u in p.get("units", []):
            out[f"{p['pair']} {u['name']}"] = u["state"]
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    fm, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    if os.geteuid() != 0:
        print("SKIP: the Slurm integration test starts munged, slurmctld and slurmd and must run "
              "as root (CI does)")
        return SKIP
    missing = [b for b in ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue",
                           "scancel", "sinfo", "scontrol") if shutil.which(b) is None]
    if missing:
        print(f"SKIP: Slurm/munge not installed (missing {', '.join(missing)}); "
              "`./run test` installs slurm-wlm and munge")
        return SKIP
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # SIGTERM (ctest, a user) still stops the cluster: the `finally` below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # The cluster's files in a short /tmp path: a unix socket path is limited to 108 bytes.
    cluster = Cluster(tempfile.mkdtemp(prefix="fm-slurm-"))
    timings = {}
    try:
        t = time.monotonic()
        cluster.start()
        timings["cluster start"] = time.monotonic() - t
        log(f"cluster up in {timings['cluster start']:.1f} s ({cluster.root})")
        print("---- sinfo\n" + cluster.run(["sinfo"]).stdout, flush=True)

        r = subprocess.run([fm, "gen", work / "in", "--pairs", "a,b,c", "--profile", "uniform",
                            "--tables", "30", "--cols", "4", "--rows", "120000", "--seed", "7"],
                           capture_output=True, text=True)
        if not check(r.returncode == 0, f"gen ({r.stderr.strip()[-300:]})"):
            return 1
        for name, out in (("local.toml", "local"), ("slurm.toml", "out"), ("slurm2.toml", "out2")):
            (work / name).write_text(config_text(out))
        t = time.monotonic()
        r = subprocess.run([fm, "run", work / "local.toml", "--no-check"], capture_output=True,
                           text=True)
        timings["local run (3 pairs, sequential)"] = time.monotonic() - t
        check(r.returncode == 0, f"local run exits 0 ({r.stderr.strip()[-300:]})")

        # 1. The whole run on the cluster.
        t = time.monotonic()
        r = cluster.run([fm, "run", work / "slurm.toml", "--slurm", "--submit"])
        print("---- featmerge run slurm.toml --slurm --submit\n" + r.stdout + r.stderr, flush=True)
        check(r.returncode == 0, "submission exits 0")
        check("array 0-1" in r.stdout and "array 1-3" in r.stdout and "after c.shards" in r.stdout,
              "a job array for a,b; one of 3 shards for c; a concat job after the shards")
        submission = json.loads((work / "out" / "slurm" / "submission.json").read_text())
        concat_job = submission["pairs"]["c"]["concat_job"]
        snapshot = []
        check(cluster.wait_idle(300, snapshot), "run 1 finishes within 300 s")
        timings["slurm run 1 (submit to empty queue)"] = time.monotonic() - t
        print("---- squeue (while run 1 ran)\n" + (snapshot[0] if snapshot else "(not caught)\n"))
        print(f"---- scontrol show job {concat_job} (the concat job, after run 1)\n" +
              cluster.run(["scontrol", "show", "job", concat_job]).stdout, flush=True)
        for p in "abc":
            check(same_bytes(work / "out" / f"training_{p}.parquet",
                             work / "local" / f"training_{p}.parquet"),
                  f"run 1: training_{p}.parquet is byte-identical to the local run's")
        st = unit_states(status(cluster, fm, work / "slurm.toml"))
        check(all(st.get(k) == "done" for k in ("a", "b", "c", "c shard 1/3", "c shard 2/3",
                                                 "c shard 3/3", "c concat")),
              f"run --status: everything done ({st})")
        r = cluster.run([fm, "run", work / "slurm.toml", "--slurm", "--submit"])
        check(r.returncode == 0 and "nothing to submit" in r.stdout,
              f"re-submitting a finished run submits nothing ({r.stdout.strip()})")

        # 2. Cancel a task while it writes, then re-submit.
        t = time.monotonic()
        r = cluster.run([fm, "run", work / "slurm2.toml", "--slurm", "--submit"])
        check(r.returncode == 0, f"run 2 submitted ({r.stderr.strip()})")
        submission = json.loads((work / "out2" / "slurm" / "submission.json").read_text())
        jobs = {"a": submission["pairs"]["a"]["job"], "b": submission["pairs"]["b"]["job"]}
        for k, job in submission["pairs"]["c"]["shard_jobs"].items():
            jobs[f"c shard {k}/3"] = job
        outputs = {"a": "training_a.parquet", "b": "training_b.parquet"}
        outputs.update({f"c shard {k}/3": f"training_c.shard-{k}-of-3.parquet" for k in "123"})
        # The first shard of c seen writing (its journal exists, chunks are being appended):
        # cancelled, its concat job can never run (kill_invalid_depend cancels it), and both
        # must be re-submitted.
        victim = None
        deadline = time.monotonic() + 240
        while victim is None and time.monotonic() < deadline:
            for unit in ("c shard 2/3", "c shard 1/3", "c shard 3/3"):
                partial = work / "out2" / (outputs[unit] + ".partial")
                journal = work / "out2" / (outputs[unit] + ".journal")
                try:
                    if journal.exists() and partial.stat().st_size > (256 << 10):
                        victim = unit
                        break
                except FileNotFoundError:
                    pass
            else:
                time.sleep(0.05)
        if not check(victim is not None, "a task was caught while writing"):
            return 1
        print(f"---- squeue (run 2, before cancelling {victim}: job {jobs[victim]})\n" +
              cluster.run(["squeue"]).stdout, flush=True)
        r = cluster.run(["scancel", jobs[victim]])
        log(f"scancel {jobs[victim]} ({victim}): exit {r.returncode} {r.stderr.strip()}")
        check(r.returncode == 0, "scancel exits 0")
        check(cluster.wait_idle(300), "run 2 ends within 300 s")
        print(f"---- scontrol show job {jobs[victim]} (the cancelled task)\n" +
              cluster.run(["scontrol", "show", "job", jobs[victim]]).stdout, flush=True)
        st_full = status(cluster, fm, work / "slurm2.toml")
        st = unit_states(st_full)
        print("---- featmerge run slurm2.toml --status (after the cancel)\n" +
              cluster.run([fm, "run", work / "slurm2.toml", "--status"]).stdout, flush=True)
        check(st.get(victim) == "partial", f"the cancelled {victim} is partial ({st.get(victim)})")
        check(not (work / "out2" / outputs[victim]).exists(),
              f"nothing at the cancelled {victim}'s final path")
        if victim.startswith("c "):
            check(st.get("c concat") != "done", "c's concat did not run")
        r = cluster.run([fm, "run", work / "slurm2.toml", "--slurm", "--submit"])
        print("---- featmerge run slurm2.toml --slurm --submit (re-submission)\n" + r.stdout + r.stderr,
              flush=True)
        check(r.returncode == 0, "re-submission exits 0")
        if victim.startswith("c shard"):
            k = victim.split()[2].split("/")[0]
            check(f"(array {k})" in r.stdout, f"only shard {k} of c is re-submitted")
        check(cluster.wait_idle(300), "the re-submission finishes within 300 s")
        timings["slurm run 2 (submit, cancel, re-submit, finish)"] = time.monotonic() - t
        report_name = victim  # slurm/reports/<pair>.json or <pair>.shard-K-of-N.json
        if victim.startswith("c "):
            report_name = f"c.shard-{victim.split()[2].split('/')[0]}-of-3"
        report = json.loads((work / "out2" / "slurm" / "reports" / f"{report_name}.json").read_text())
        check(report["pairs"][0]["resumed"] is True,
              f"the re-submitted {victim} resumed from its journal ({report['pairs'][0]['status']})")
        for p in "abc":
            check(same_bytes(work / "out2" / f"training_{p}.parquet",
                             work / "local" / f"training_{p}.parquet"),
                  f"run 2: training_{p}.parquet is byte-identical to the local run's")
        st = unit_states(status(cluster, fm, work / "slurm2.toml"))
        check(st.get("a") == st.get("b") == st.get("c") == "done", f"run --status: all done ({st})")
        print("---- sinfo (end)\n" + cluster.run(["sinfo"]).stdout)
        print("---- squeue (end)\n" + cluster.run(["squeue"]).stdout)
    finally:
        t = time.monotonic()
        cluster.stop()
        timings["cluster stop"] = time.monotonic() - t
        if not FAILURES:
            shutil.rmtree(cluster.root, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)  # about 1 GB of inputs and outputs
        else:
            print(f"cluster files kept for inspection: {cluster.root} (data: {work})")
    print("---- timings")
    for k, v in timings.items():
        print(f"  {k:<50} {v:6.1f} s")
    print(f"  {'total':<50} {time.monotonic() - T0:6.1f} s")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
