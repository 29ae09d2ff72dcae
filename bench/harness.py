#!/usr/bin/env python3
"""featmerge's merge benchmark (issue 6): datasets, timed runs of featmerge and its peers, the
physical floor, a sampled cell check, and the results table. Driven by bench/run_bench.sh.

Each command is timed as a whole process (tree): wall clock (start to exit, the exit noted by a
thread blocked in wait4, within a few ms, not at the next 50 ms sample), CPU = user + sys of the process and
its reaped descendants (wait4), and peak RSS of the process tree = max(sum of VmRSS over the tree,
sampled from /proc every 50 ms; the largest VmHWM of a process of the tree, its exact peak). Memory ceiling:
a cgroup v2 child with memory.max when the cgroup v2 memory controller is delegated to us, else a
watchdog that kills the tree when its sampled RSS passes the ceiling. Timeout: the tree is killed.
Tools run round-robin (repetition k starts with tool k), medians over the successful runs.
Only the Python standard library is used.
"""
import argparse
import datetime
import fcntl
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORACLE = os.path.join(ROOT, 'tools', 'oracle')
PAIR = 'eurusd'
KEY = 'interval_time'
SPINE = 'targets.parquet'
MiB = 1 << 20
GiB = 1 << 30
PAGE = os.sysconf('SC_PAGE_SIZE')

# Dataset names are fixed so results stay comparable across runs and machines.
SCALES = {
    'a': dict(profile='uniform', tables=100, cols=8, rows=100_000),
    'b': dict(profile='uniform', tables=667, cols=8, rows=50_000),
    'c': dict(profile='uniform', tables=667, cols=16, rows=100_000),
    'r': dict(profile='bqx', tables=667, cols=None, rows=100_000),
    # A smoke test of the harness itself (seconds), never run unless named.
    'tiny': dict(profile='uniform', tables=10, cols=4, rows=2_000),
}
SEED = 1

DEFAULT_TOOLS = ['featmerge', 'featmerge_256MiB', 'polars_reference', 'polars_lazy', 'duckdb_copy']
ALL_TOOLS = DEFAULT_TOOLS + ['duckdb_staged', 'featmerge_reencode']
REFERENCE = 'featmerge'


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_size(text):
    t = text.strip().upper().replace('IB', '').replace('B', '')
    mult = {'K': 1 << 10, 'M': MiB, 'G': GiB, 'T': 1 << 40}
    if t and t[-1] in mult:
        return int(float(t[:-1]) * mult[t[-1]])
    return int(t)


# ---- tools ------------------------------------------------------------------------------------

def tool_argv(name, args, data_dir, out):
    fm = [args.featmerge, 'merge', data_dir, '-o', out, '--compression', 'zstd',
          '--compression-level', '1', '--quiet']
    peer = lambda script: ['node', os.path.join(ORACLE, script), data_dir, out, '--key', KEY,
                           '--spine', SPINE]
    if name == 'featmerge':
        return fm
    if name == 'featmerge_256MiB':
        return fm + ['--memory-budget', '256MiB']
    if name == 'featmerge_reencode':
        return fm + ['--reencode']
    if name == 'polars_reference':
        return peer('polars_reference_merge.mjs')
    if name == 'polars_lazy':
        return peer('polars_lazy_merge.mjs')
    if name == 'duckdb_copy':
        return peer('duckdb_copy_merge.mjs') + ['--memory-limit', args.duckdb_memory]
    if name == 'duckdb_staged':
        return peer('duckdb_copy_merge.mjs') + ['--staged', str(args.duckdb_staged),
                                                '--memory-limit', args.duckdb_memory]
    raise SystemExit(f'harness: unknown tool {name} (known: {", ".join(ALL_TOOLS)})')


TOOL_LABELS = {
    'featmerge': 'featmerge (default budget)',
    'featmerge_256MiB': 'featmerge --memory-budget 256MiB',
    'featmerge_reencode': 'featmerge --reencode (no chunk copied as stored)',
    'polars_reference': 'Polars eager (reference algorithm)',
    'polars_lazy': 'Polars lazy (scan + sink)',
    'duckdb_copy': 'DuckDB one COPY … LEFT JOIN',
    'duckdb_staged': 'DuckDB COPY, staged',
}


# ---- process-tree measurement -----------------------------------------------------------------

def read_loadavg():
    try:
        with open('/proc/loadavg') as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def mem_available():
    try:
        with open('/proc/meminfo') as f:
            return int(next(l.split()[1] for l in f if l.startswith('MemAvailable'))) * 1024
    except (OSError, StopIteration, ValueError):
        return None


def effective_ceiling(requested):
    """The ceiling, lowered to what the machine can give now (MemAvailable - 1 GiB): a ceiling above
    that would let the kernel's OOM killer pick a victim machine-wide first."""
    avail = mem_available()
    return requested if avail is None else max(GiB, min(requested, avail - GiB))


def tree_pids(root):
    """root and its descendants, through /proc/PID/task/TID/children (no full /proc scan)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f'/proc/{pid}/task')
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f'/proc/{pid}/task/{tid}/children') as f:
                    todo.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    return out


SELF_EXE = os.readlink('/proc/self/exe')


def tree_rss(root):
    """(sum of VmRSS over the tree, largest VmHWM of a process in it), in bytes. VmHWM is the
    exact per-process peak since its exec; the sum is only as good as the 50 ms sampling. Nothing
    is counted while the root is still the forked harness (before its exec)."""
    total, hwm = 0, 0
    try:
        if os.readlink(f'/proc/{root}/exe') == SELF_EXE:
            return 0, 0
    except OSError:
        pass
    for pid in tree_pids(root):
        try:
            with open(f'/proc/{pid}/status') as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        hwm = max(hwm, int(line.split()[1]) * 1024)
                    elif line.startswith('VmRSS:'):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, IndexError, ValueError):
            pass
    return total, hwm


class CgroupV2:
    """A throw-away cgroup v2 child of our own cgroup, used when the memory controller is
    delegated to it; gives a hard memory.max and memory.peak. None of this runs on cgroup v1."""

    def __init__(self, base):
        self.base = base
        self.n = 0

    @staticmethod
    def detect():
        if os.environ.get('BENCH_CGROUP', '1') == '0':
            return None
        if not os.path.exists('/sys/fs/cgroup/cgroup.controllers'):
            return None  # not a unified hierarchy at /sys/fs/cgroup (v1 or hybrid)
        try:
            with open('/proc/self/cgroup') as f:
                rel = next(l[3:].strip() for l in f if l.startswith('0::'))
            base = os.path.normpath('/sys/fs/cgroup/' + rel.lstrip('/'))
            with open(os.path.join(base, 'cgroup.subtree_control')) as f:
                if 'memory' not in f.read().split():
                    return None
            probe = os.path.join(base, f'fmbench-probe-{os.getpid()}')
            os.mkdir(probe)
            ok = os.path.exists(os.path.join(probe, 'memory.peak'))
            os.rmdir(probe)
            return CgroupV2(base) if ok else None
        except (OSError, StopIteration):
            return None

    def create(self, limit):
        self.n += 1
        path = os.path.join(self.base, f'fmbench-{os.getpid()}-{self.n}')
        os.mkdir(path)
        with open(os.path.join(path, 'memory.max'), 'w') as f:
            f.write(str(limit))
        try:
            with open(os.path.join(path, 'memory.swap.max'), 'w') as f:
                f.write('0')
        except OSError:
            pass
        return path

    @staticmethod
    def read(path, name):
        try:
            with open(os.path.join(path, name)) as f:
                return f.read()
        except OSError:
            return ''

    def finish(self, path):
        peak = self.read(path, 'memory.peak').strip()
        events = dict(l.split() for l in self.read(path, 'memory.events').splitlines() if l.strip())
        try:
            with open(os.path.join(path, 'cgroup.kill'), 'w') as f:
                f.write('1')
        except OSError:
            pass
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)
        return (int(peak) if peak.isdigit() else None), int(events.get('oom_kill', 0))


def measure(argv, stdout_path, stderr_path, timeout, ceiling, cgroup=None, cwd=None):
    """Runs argv as its own session; returns wall/cpu/rss/status."""
    cg_path = cgroup.create(ceiling) if cgroup else None
    preexec = None
    if cg_path:
        def preexec():
            with open(os.path.join(cg_path, 'cgroup.procs'), 'w') as f:
                f.write(str(os.getpid()))
    load0 = read_loadavg()
    with open(stdout_path, 'wb') as out, open(stderr_path, 'wb') as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                start_new_session=True, preexec_fn=preexec)
        pid, peak, hwm, killed, status, ru = proc.pid, 0, 0, None, None, None
        # A thread blocks in wait4 and notes the exit time, so the wall time is exact rather
        # than rounded up to the next 50 ms sample (which mattered for sub-second runs).
        exited = threading.Event()
        reaped = {}

        def reap():
            try:
                _, st, r = os.wait4(pid, 0)
                reaped['at'], reaped['status'], reaped['ru'] = time.monotonic(), st, r
            except BaseException as e:  # re-raised below, instead of the loop never ending
                reaped['error'] = e
            finally:
                exited.set()

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        while not exited.is_set():
            rss, largest = tree_rss(pid)
            peak, hwm = max(peak, rss), max(hwm, largest)
            elapsed = time.monotonic() - t0
            if killed is None and not cg_path and rss > ceiling:
                killed = f'memory ceiling: process tree RSS {rss / MiB:.0f} MiB > {ceiling / MiB:.0f} MiB'
            elif killed is None and elapsed > timeout:
                killed = f'timeout after {timeout:.0f} s'
            if killed:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            exited.wait(0.05)
        waiter.join()
        if 'error' in reaped:
            raise reaped['error']
        status, ru = reaped['status'], reaped['ru']
        wall = reaped['at'] - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
    try:  # leftovers of the session (a daemonised grandchild, a killed tree)
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    cg_peak, oom = cgroup.finish(cg_path) if cg_path else (None, 0)
    res = {'wall_s': round(wall, 3), 'cpu_s': round(ru.ru_utime + ru.ru_stime, 3),
           'user_s': round(ru.ru_utime, 3), 'sys_s': round(ru.ru_stime, 3),
           'rss_sampled_mib': round(peak / MiB, 1), 'hwm_largest_mib': round(hwm / MiB, 1),
           # wait4's ru_maxrss is not used: it counts the forked harness before exec (~20 MiB).
           'ru_maxrss_mib': round(ru.ru_maxrss / 1024, 1),
           'rss_mib': round(max(peak, hwm) / MiB, 1),
           'rss_source': 'proc',
           'exit': proc.returncode, 'load1_start': load0, 'load1_end': read_loadavg()}
    if peak == 0 and hwm == 0:  # exited before the first sample: an upper bound is all there is
        res['rss_mib'], res['rss_source'] = res['ru_maxrss_mib'], 'ru_maxrss (no sample; includes the fork)'
    if cg_peak is not None:
        res['cgroup_peak_mib'] = round(cg_peak / MiB, 1)  # includes page cache charged to it
    if killed:
        res['status'], res['message'] = 'failed', killed
    elif oom:
        res['status'], res['message'] = 'failed', f'out of memory (cgroup memory.max {ceiling / GiB:.0f} GiB)'
    elif proc.returncode == -signal.SIGKILL:
        res['status'] = 'failed'
        res['message'] = (f'killed by SIGKILL, not by the harness (the kernel OOM killer?) at '
                          f"{res['rss_mib']:.0f} MiB RSS")
    elif proc.returncode != 0:
        res['status'] = 'failed'
        res['message'] = last_line(stderr_path) or f'exit status {proc.returncode}'
        if proc.returncode < 0:
            res['message'] = f'killed by signal {-proc.returncode}: ' + res['message']
    else:
        res['status'] = 'ok'
    return res


def last_line(path, limit=300):
    """The most telling line of a stderr log: the last one that is not a warning, a stack frame or
    a require stack."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65536))
            lines = [l.strip() for l in f.read().decode('utf-8', 'replace').splitlines() if l.strip()]
    except OSError:
        return ''
    noise = ('- ', '* ', 'at ', 'Require stack', '^', 'Node.js v', '}', '{', 'code:', 'requireStack',
             'See also', 'Possible solutions')
    good = [l for l in lines if not l.startswith(noise) and 'warning:' not in l]
    errors = [l for l in good if 'error' in l.lower() or 'fail' in l.lower()]
    pick = (errors or good or lines or [''])[-1]
    return pick[:limit]


def last_json(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = [l for l in f.read().splitlines() if l.startswith('{')]
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


# ---- datasets ---------------------------------------------------------------------------------

def gen_args(spec):
    a = ['--pairs', PAIR, '--profile', spec['profile'], '--tables', str(spec['tables'])]
    if spec['cols']:
        a += ['--cols', str(spec['cols'])]
    return a + ['--rows', str(spec['rows']), '--seed', str(SEED)]


def dataset_key(spec):
    cols = f"c{spec['cols']}" if spec['cols'] else 'cdefault'
    return f"{spec['profile']}-t{spec['tables']}-{cols}-r{spec['rows']}-s{SEED}-{PAIR}"


def dir_bytes(path):
    total, files = 0, 0
    for name in os.listdir(path):
        if name.endswith('.parquet'):
            total += os.path.getsize(os.path.join(path, name))
            files += 1
    return total, files


def estimate_input_bytes(spec):
    if spec['profile'] == 'uniform':  # measured: 2.8 bytes a cell at a and b; 4 to be safe
        return int(spec['tables'] * (spec['cols'] + 1) * spec['rows'] * 4)
    return 12 * GiB  # the figure for the bqx profile at 667 x 100,000 (an upper bound)


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def ensure_dataset(name, args):
    """(pair dir, info) from the cache, generating it when missing; (None, reason) to skip."""
    spec = SCALES[name]
    key = dataset_key(spec)
    root = os.path.join(args.data, key)
    stamp = os.path.join(root, '.bench-dataset.json')
    pair_dir = os.path.join(root, PAIR)
    os.makedirs(args.data, exist_ok=True)
    if os.path.exists(stamp) and os.path.exists(os.path.join(pair_dir, '_COMPLETE')):
        with open(stamp) as f:
            info = json.load(f)
        info['cached'] = True
        return pair_dir, info
    need = estimate_input_bytes(spec) * 3 + 5 * GiB  # inputs + 2 outputs kept at a time + margin
    have = free_bytes(args.data)
    if have < need:
        return None, (f'skipped: needs about {need / GiB:.0f} GiB free in {args.data} '
                      f'(inputs, two outputs, margin), {have / GiB:.0f} GiB free')
    if os.path.exists(root):
        shutil.rmtree(root)
    tmp = f'{root}.tmp-{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    argv = [args.featmerge, 'gen', tmp] + gen_args(spec) + ['--json']
    log(f'==> generating dataset {name}: featmerge gen OUTDIR {" ".join(gen_args(spec))}')
    t0 = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        return None, f'skipped: featmerge gen failed: {(r.stderr.strip().splitlines() or ["?"])[-1]}'
    os.rename(tmp, root)
    size, files = dir_bytes(pair_dir)
    info = {'scale': name, 'key': key, 'gen_args': gen_args(spec), 'dir': pair_dir,
            'input_bytes': size, 'files': files, 'gen_seconds': round(time.monotonic() - t0, 1),
            'featmerge_version': version_of([args.featmerge, '--version'])}
    with open(stamp, 'w') as f:
        json.dump(info, f, indent=1)
    info['cached'] = False
    return pair_dir, info


# ---- machine ----------------------------------------------------------------------------------

def version_of(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def npm_version(pkg):
    deps = os.environ.get('FEATMERGE_NODE_DEPS', os.path.join(ROOT, '.deps', 'node'))
    try:
        with open(os.path.join(deps, 'node_modules', pkg, 'package.json')) as f:
            return json.load(f).get('version')
    except (OSError, ValueError):
        return None


def machine_info(args, cores):
    cpu = None
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next((l.split(':', 1)[1].strip() for l in f if l.startswith('model name')), None)
    except OSError:
        pass
    mem = None
    try:
        with open('/proc/meminfo') as f:
            mem = int(next(l.split()[1] for l in f if l.startswith('MemTotal'))) * 1024
    except (OSError, StopIteration):
        pass
    commit = version_of(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'])
    dirty = version_of(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no'])
    return {'host': socket.gethostname(), 'cpu': cpu, 'cores': cores,
            'mem_gib': round(mem / GiB, 1) if mem else None, 'kernel': platform.release(),
            'featmerge': version_of([args.featmerge, '--version']),
            'commit': (commit or '?') + ('+dirty' if dirty else ''),
            'node': version_of(['node', '--version']), 'nodejs_polars': npm_version('nodejs-polars'),
            'duckdb_node_api': npm_version('@duckdb/node-api')}


# ---- one scale ----------------------------------------------------------------------------------

def remove_output(path):
    for p in (path, path + '.journal', path + '.partial', path + '.manifest.json'):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def median_of(runs, field):
    vals = [r[field] for r in runs if r.get(field) is not None]
    return round(statistics.median(vals), 3) if vals else None


def run_compare(args, ref, other, log_base):
    """compare_outputs.mjs under the same watchdog as the tools (8 GiB at most, 15 min)."""
    argv = ['node', os.path.join(HERE, 'compare_outputs.mjs'), ref, other, '--key', KEY,
            '--rows', str(args.check_rows), '--cols', str(args.check_cols), '--seed', str(SEED)]
    r = measure(argv, log_base + '.out', log_base + '.err', 900, effective_ceiling(min(args.ceiling, 8 * GiB)))
    res = last_json(log_base + '.out')
    if res is None:
        return {'equal': None, 'error': r.get('message') or 'no result'}
    res['check_wall_s'], res['check_rss_mib'] = r['wall_s'], r['rss_mib']
    return res


def files_identical(a, b):
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def run_scale(name, args, cgroup, cores):
    pair_dir, info = ensure_dataset(name, args)
    result = {'scale': name, 'spec': SCALES[name], 'gen_args': gen_args(SCALES[name]),
              'started': datetime.datetime.now().isoformat(timespec='seconds'),
              'commit': args.machine['commit'], 'featmerge_version': args.machine['featmerge'],
              'config': args.config}
    if pair_dir is None:
        result['skipped'] = info
        log(f'==> scale {name}: {info}')
        return result
    result['dataset'] = info
    work = os.path.join(args.data, 'work', name)
    logs = os.path.join(work, 'logs')
    os.makedirs(logs, exist_ok=True)
    outs = {t: os.path.join(work, f'{t}.parquet') for t in args.tools}
    need = info['input_bytes'] * 2 + 2 * GiB
    if free_bytes(work) < need:
        result['skipped'] = f'skipped: {need / GiB:.0f} GiB free needed for two outputs, {free_bytes(work) / GiB:.0f} GiB free'
        log(f'==> scale {name}: {result["skipped"]}')
        return result
    log(f'==> scale {name}: {info["files"]} files, {info["input_bytes"] / MiB:.0f} MiB in {pair_dir}'
        f'{" (cached)" if info.get("cached") else ""}')
    tools = {t: {'argv': tool_argv(t, args, pair_dir, outs[t]), 'runs': []} for t in args.tools}
    failed = set()
    for rep in range(args.repeats):
        order = args.tools[rep % len(args.tools):] + args.tools[:rep % len(args.tools)]
        for t in order:
            if t in failed and not args.retry_failed:
                continue
            remove_output(outs[t])
            os.sync()  # earlier runs' dirty pages are not written back during this one
            base = os.path.join(logs, f'{t}.rep{rep + 1}')
            ceiling = effective_ceiling(args.ceiling)
            r = measure(tools[t]['argv'], base + '.out', base + '.err', args.timeout, ceiling, cgroup)
            r['ceiling_mib'] = round(ceiling / MiB)
            r['rep'] = rep + 1
            r['position'] = order.index(t) + 1
            if r['status'] == 'ok':
                if os.path.exists(outs[t]):
                    r['output_bytes'] = os.path.getsize(outs[t])
                else:
                    r['status'], r['message'] = 'failed', 'exit status 0 but no output file'
            r['tool_json'] = last_json(base + '.out')
            tools[t]['runs'].append(r)
            if r['status'] != 'ok':
                failed.add(t)
                remove_output(outs[t])  # a partial file, if any
            log(f'  [{name} {rep + 1}/{args.repeats}] {t:17s} '
                + (f"{r['wall_s']:8.2f} s wall {r['cpu_s']:8.2f} s CPU {r['rss_mib']:8.0f} MiB"
                   if r['status'] == 'ok' else f"FAILED after {r['wall_s']:.1f} s: {r['message']}")
                + f"  (load {r['load1_start']})")
            # The cell check and the output's removal happen once, as soon as the reference exists.
            ref_ok = REFERENCE in tools and os.path.exists(outs[REFERENCE]) and any(
                x['status'] == 'ok' for x in tools[REFERENCE]['runs'])
            if t != REFERENCE and r['status'] == 'ok' and 'compare' not in tools[t] and ref_ok:
                log(f'  checking {t} against {REFERENCE} (DuckDB, sampled)')
                c = run_compare(args, outs[REFERENCE], outs[t], os.path.join(logs, f'{t}.compare'))
                if t.startswith('featmerge'):
                    c['identical_bytes'] = files_identical(outs[REFERENCE], outs[t])
                tools[t]['compare'] = c
            if t != REFERENCE and not args.keep_outputs and 'compare' in tools[t]:
                remove_output(outs[t])
    for t, d in tools.items():
        ok = [r for r in d['runs'] if r['status'] == 'ok']
        bad = [r for r in d['runs'] if r['status'] != 'ok']
        d['ok_runs'] = len(ok)
        d['status'] = 'ok' if ok and not bad else ('partial' if ok else 'failed')
        if bad:
            d['message'] = bad[0]['message']
        d['median'] = {f: median_of(ok, f) for f in ('wall_s', 'cpu_s', 'rss_mib', 'output_bytes')}
        d['range'] = {f: [min(r[f] for r in ok), max(r[f] for r in ok)] if ok else None
                      for f in ('wall_s', 'cpu_s', 'rss_mib')}
        if t != REFERENCE and 'compare' not in d and ok:
            d['compare'] = {'equal': None, 'error': 'no featmerge output to compare with'}
    result['tools'] = tools
    result['order'] = args.tools

    # Floor: on the reference output of the last repetition.
    if args.floor and os.path.exists(outs.get(REFERENCE, '')):
        runs = []
        for rep in range(args.repeats):
            r = subprocess.run([args.floor_bin, pair_dir, outs[REFERENCE], '--level', '1'],
                               capture_output=True, text=True)
            if r.returncode != 0:
                runs.append({'error': r.stderr.strip()[-300:]})
                break
            runs.append(json.loads(r.stdout))
        good = [r for r in runs if 'error' not in r]
        if good:
            floor = dict(good[-1])
            for f in ('read_cpu_s', 'decompress_cpu_s', 'compress_cpu_s', 'total_cpu_s',
                      'read_wall_s', 'decompress_wall_s', 'compress_wall_s'):
                floor[f] = round(statistics.median(r[f] for r in good), 4)
            floor['cores'] = cores
            floor['wall_s'] = round(floor['total_cpu_s'] / cores, 3)
            floor['runs'] = len(good)
            result['floor'] = floor
            log(f"  [{name}] floor: read {floor['read_cpu_s']:.2f} + decompress {floor['decompress_cpu_s']:.2f}"
                f" + compress {floor['compress_cpu_s']:.2f} core-s = {floor['wall_s']:.2f} s on {cores} cores")
        else:
            result['floor'] = {'error': runs[-1]['error']}
    if not args.keep_outputs and REFERENCE in outs:
        remove_output(outs[REFERENCE])
    return result


# ---- report -----------------------------------------------------------------------------------

def fmt(v, digits=1):
    if v is None:
        return '–'
    if isinstance(v, float) and v >= 100:
        return f'{v:,.0f}'
    return f'{v:,.{digits}f}'


def ratio(a, b):
    if a is None or not b:
        return '–'
    r = a / b
    return f'{r:.2f}×' if r < 10 else f'{r:.0f}×'


def with_range(d, field, digits=1):
    """'median (min–max)' when the runs differ by more than 10%."""
    m, rg = d['median'].get(field), (d.get('range') or {}).get(field)
    if rg is None:  # results written before ranges were stored
        vals = [r[field] for r in d.get('runs', []) if r.get('status') == 'ok' and r.get(field) is not None]
        rg = [min(vals), max(vals)] if vals else None
    if m is None or not rg or rg[0] == rg[1] or (rg[1] - rg[0]) <= 0.1 * m:
        return fmt(m, digits)
    return f'{fmt(m, digits)} ({fmt(rg[0], digits)}–{fmt(rg[1], digits)})'


def scale_loads(s):
    return [r['load1_start'] for d in s.get('tools', {}).values() for r in d['runs']
            if r.get('load1_start') is not None]


def check_text(t, d):
    if t == REFERENCE:
        return 'reference'
    c = d.get('compare')
    if not c:
        return '–'
    if c.get('equal') is None:
        return 'not checked: ' + str(c.get('error', ''))[:80]
    if c['equal']:
        s = f"same ({c['sampled_rows']} rows × all cols, {c['sampled_columns']} cols × all rows)"
        if c.get('identical_bytes'):
            s += ', identical bytes'
        return s
    bits = []
    if not c.get('names_equal'):
        bits.append('column names differ')
    if c.get('rows_ref') != c.get('rows_other'):
        bits.append(f"rows {c.get('rows_other')} vs {c.get('rows_ref')}")
    if c.get('key_mismatches'):
        bits.append(f"{c['key_mismatches']} keys differ")
    n = c.get('sampled_column_mismatches_total', 0) + c.get('sampled_row_mismatches_total', 0)
    if n:
        bits.append(f'{n} columns with differing cells')
    return '**DIFFERENT**: ' + '; '.join(bits)


def scale_title(s):
    spec = s['spec']
    cols = f"{spec['cols']} cols" if spec['cols'] else 'bqx column mix'
    t = f"{s['scale']}: {spec['tables']} tables × {cols} × {spec['rows']:,} rows ({spec['profile']})"
    ds = s.get('dataset')
    if ds:
        t += f", {ds['input_bytes'] / MiB:,.0f} MiB in {ds['files']} files"
    return t


def render_markdown(doc):
    m = doc['machine']
    loads = [x for s in doc['scales'].values() for x in scale_loads(s)]
    lines = [f"# featmerge merge benchmark, {doc['date']}, {m['host']}", '',
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['mem_gib']} GiB RAM, Linux {m['kernel']}; "
             f"Node {m['node']}, nodejs-polars {m['nodejs_polars']}, "
             f"@duckdb/node-api {m['duckdb_node_api']}.",
             '',
             "Medians of the runs of each tool, tools alternated round-robin. Each command is timed "
             "as a whole process: wall (start to exit, taken when wait4 returns), CPU = user+sys "
             "(process and children), peak RSS of the process "
             f"tree ({doc.get('config', {}).get('memory_mode', '')}). "
             "Output: zstd level 1 for every tool. Ratios are to featmerge with its default budget. "
             "Where runs differ by more than 10%, the cell shows median (min–max).",
             ]
    if loads:
        lines.append('')
        lines.append(f"Load average (1 min) at run starts: {min(loads):.1f} to {max(loads):.1f} on "
                     f"{m['cores']} cores" + (' — a shared, busy machine: wall times are inflated and '
                                              'noisy, CPU seconds are the steadier comparison.'
                                              if max(loads) > m['cores'] else '.'))
    for name in sorted(doc['scales']):
        s = doc['scales'][name]
        lines += ['', f'## {scale_title(s)}', '']
        if s.get('skipped'):
            lines.append(s['skipped'])
            continue
        sl = scale_loads(s)
        cfg = s.get('config') or doc.get('config', {})
        lowest = min([r['ceiling_mib'] for d in s.get('tools', {}).values() for r in d['runs']
                      if r.get('ceiling_mib')] or [cfg.get('ceiling_gib', 0) * 1024])
        lowered = (f" (at times lowered to {lowest / 1024:.1f} GiB: the machine's available memory minus 1 GiB)"
                   if lowest < cfg.get('ceiling_gib', 0) * 1024 - 1 else '')
        lines += [f"{cfg.get('repeats')} run(s) per tool; ceiling {cfg.get('ceiling_gib', 0):.0f} GiB{lowered}, "
                  f"timeout {cfg.get('timeout_s', 0):.0f} s. "
                  f"{s.get('featmerge_version', m.get('featmerge'))} at {s.get('commit', m.get('commit'))}"
                  + (f", run started {s['started']}" if s.get('started') else '')
                  + (f", load average {min(sl):.1f} to {max(sl):.1f}" if sl else '') + '.', '']
        tools = s['tools']
        ref = tools.get(REFERENCE, {}).get('median', {})
        lines.append('| tool | wall s | CPU s | peak RSS MiB | output MiB | wall × fm | CPU × fm | RSS × fm | '
                     'output × fm | cells vs featmerge |')
        lines.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|')
        for t in s['order']:
            d = tools[t]
            md = d['median']
            label = TOOL_LABELS.get(t, t)
            if d['status'] == 'failed':
                lines.append(f"| {label} | **failed** | | | | | | | | {d.get('message', '')[:160]} |")
                continue
            note = '' if d['status'] == 'ok' else f" ({d['ok_runs']}/{len(d['runs'])} ok; {d.get('message', '')[:80]})"
            out_mib = md['output_bytes'] / MiB if md['output_bytes'] else None
            ref_out = ref.get('output_bytes')
            lines.append(
                f"| {label}{note} | {with_range(d, 'wall_s')} | {with_range(d, 'cpu_s')} | {with_range(d, 'rss_mib', 0)} | "
                f"{fmt(out_mib, 0)} | {ratio(md['wall_s'], ref.get('wall_s'))} | "
                f"{ratio(md['cpu_s'], ref.get('cpu_s'))} | {ratio(md['rss_mib'], ref.get('rss_mib'))} | "
                f"{ratio(md['output_bytes'], ref_out)} | {check_text(t, d)} |")
        f = s.get('floor')
        if f and 'error' not in f:
            lines.append(f"| *floor*: (read + decompress + compress) / {f['cores']} cores | {fmt(f['wall_s'], 2)} | "
                         f"{fmt(f['total_cpu_s'], 2)} | – | – | {ratio(f['wall_s'], ref.get('wall_s'))} | "
                         f"{ratio(f['total_cpu_s'], ref.get('cpu_s'))} | | | |")
            lines += ['', f"Floor (single thread, median of {f['runs']}, CPU seconds): warm read of "
                      f"{f['read_bytes'] / MiB:,.0f} MiB {f['read_cpu_s']:.2f} s; decompressing "
                      f"{f['input_pages']:,} input pages ({f['input_stored_page_bytes'] / MiB:,.0f} → "
                      f"{f['input_uncompressed_bytes'] / MiB:,.0f} MiB) {f['decompress_cpu_s']:.2f} s; "
                      f"compressing the output's {f['output_uncompressed_bytes'] / MiB:,.0f} MiB of page data "
                      f"at zstd {f['zstd_level']} ({f['recompressed_bytes'] / MiB:,.0f} MiB) "
                      f"{f['compress_cpu_s']:.2f} s."]
        elif f:
            lines += ['', f"Floor: failed: {f['error']}"]
        ds = s.get('dataset', {})
        if ds.get('gen_seconds') and not ds.get('cached'):
            lines += ['', f"(dataset generated in {ds['gen_seconds']} s, not timed)"]
    lines += ['', 'Per-run values (all repetitions, order, load) are in the JSON file next to this one.', '']
    return '\n'.join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('scales', nargs='*', help='a b c r (default: a b, plus c r with --full)')
    p.add_argument('--full', action='store_true')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--timeout', type=float, default=900)
    p.add_argument('--ceiling', default='20GiB')
    p.add_argument('--tools', default=','.join(DEFAULT_TOOLS), help=f'comma list or "all" ({",".join(ALL_TOOLS)})')
    p.add_argument('--featmerge', default=os.path.join(ROOT, 'build', 'featmerge'))
    p.add_argument('--floor-bin', default=os.path.join(ROOT, 'build', 'bench', 'floor'))
    p.add_argument('--no-floor', dest='floor', action='store_false')
    p.add_argument('--data', default=os.path.join(HERE, 'data'))
    p.add_argument('--results', default=os.path.join(HERE, 'results'))
    p.add_argument('--duckdb-memory', default='16GB', help="DuckDB's memory_limit for its peers")
    p.add_argument('--duckdb-staged', type=int, default=64, help='tables per stage of duckdb_staged')
    p.add_argument('--check-rows', type=int, default=200)
    p.add_argument('--check-cols', type=int, default=64)
    p.add_argument('--keep-outputs', action='store_true')
    p.add_argument('--retry-failed', action='store_true', help='run a tool again after it failed once')
    p.add_argument('--render', metavar='JSON', help='only rewrite the .md next to a results JSON')
    args = p.parse_args()
    if args.render:
        with open(args.render) as f:
            doc = json.load(f)
        md = render_markdown(doc)
        with open(os.path.splitext(args.render)[0] + '.md', 'w') as f:
            f.write(md)
        print(md)
        return

    args.tools = ALL_TOOLS if args.tools == 'all' else [t for t in args.tools.split(',') if t]
    for t in args.tools:
        tool_argv(t, args, '.', 'x')  # validates the name
    if REFERENCE not in args.tools:
        log(f'harness: note: {REFERENCE} is not among the tools; no ratios or cell checks')
    scales = args.scales or (['a', 'b', 'c', 'r'] if args.full else ['a', 'b'])
    for s in scales:
        if s not in SCALES:
            raise SystemExit(f'harness: unknown scale {s} (known: {" ".join(SCALES)})')
    args.ceiling = parse_size(args.ceiling)
    args.data = os.path.abspath(args.data)
    for exe in [args.featmerge] + ([args.floor_bin] if args.floor else []):
        if not os.access(exe, os.X_OK):
            raise SystemExit(f'harness: {exe} not found: build it first (./run bench does)')

    cores = len(os.sched_getaffinity(0))
    cgroup = CgroupV2.detect()
    mode = (f'cgroup v2 memory.max as the ceiling; RSS summed over the tree every 50 ms'
            if cgroup else 'VmRSS summed over the tree every 50 ms, or the largest process VmHWM if higher; the ceiling is a '
            'watchdog on that sum, as no cgroup v2 memory controller is delegated here')
    log(f'==> measuring with {mode}')
    date = datetime.date.today().isoformat()
    host = socket.gethostname()
    args.machine = machine_info(args, cores)
    args.config = {'repeats': args.repeats, 'timeout_s': args.timeout, 'ceiling_gib': args.ceiling / GiB,
                   'memory_mode': mode, 'tools': args.tools, 'duckdb_memory': args.duckdb_memory,
                   'check_rows': args.check_rows, 'check_cols': args.check_cols}
    os.makedirs(args.results, exist_ok=True)
    # The smoke scale gets a file of its own, so it never joins a day's real results.
    suffix = '-tiny' if scales == ['tiny'] else ''
    base = os.path.join(args.results, f'{date}-{host}{suffix}')
    t0 = time.monotonic()
    for s in scales:
        result = run_scale(s, args, cgroup, cores)
        md = save_results(base, s, result, {'date': date, 'host': host, 'machine': args.machine,
                                            'config': args.config})
    print(md)
    log(f'==> results: {base}.md and {base}.json ({time.monotonic() - t0:.0f} s in all)')


def save_results(base, scale, result, header):
    """Merges one scale into BASE.json (other scales measured the same day stay), under a lock and
    from what the file holds now, so concurrent harness runs do not undo each other; rewrites
    BASE.md. Returns the markdown."""
    fd = os.open(os.path.dirname(base) or '.', os.O_RDONLY)  # flock on the results directory
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        doc = {'scales': {}}
        try:
            with open(base + '.json') as f:
                doc = json.load(f)
        except (OSError, ValueError):
            pass
        doc.update(header)
        doc.setdefault('scales', {})[scale] = result
        for path, text in ((base + '.json', json.dumps(doc, indent=1)), (base + '.md', render_markdown(doc))):
            with open(path + '.tmp', 'w') as f:
                f.write(text)
            os.replace(path + '.tmp', path)
    finally:
        os.close(fd)
    return render_markdown(doc)


if __name__ == '__main__':
    main()
