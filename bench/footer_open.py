#!/usr/bin/env python3
"""How fast a wide training file opens: featmerge's output next to the same data written by Polars.

  python3 bench/footer_open.py --data bench/data/<pair dir> [--featmerge build/featmerge]
        [--work bench/data/footer-open] [--runs 5] [--mem-limit-gb 10] [--merge-arg ARG ...]
        [--out bench/results/<date>-footer-open] [--keep]

Steps: (1) featmerge merges DATA into WORK/featmerge.parquet (skipped when it is there with its
manifest); (2) Polars streams that file into WORK/polars.parquet (scanParquet -> sinkParquet,
zstd level 1, streaming engine), killed by a watchdog if its resident memory passes
--mem-limit-gb, and retried with featmerge's row-group rows if Polars' default did not fit; (3) footer
sizes from `featmerge inspect --json --footer-only`; (4) for each file, DuckDB and Polars each
open it and read 10 named columns in a fresh node process (bench/footer_open.mjs), --runs times,
alternating files and readers, plus no-op processes (bare node; node + the reader's module) to
subtract. Writes OUT.md and OUT.json. The big files are deleted at the end unless --keep.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MJS = os.path.join(REPO, 'bench', 'footer_open.mjs')


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    with open('/proc/loadavg') as f:
        return [float(x) for x in f.read().split()[:3]]


def rss_bytes(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_watched(argv, limit_bytes):
    """Runs argv, killing it when its RSS passes limit_bytes. (rc, seconds, peak_rss, killed, stderr)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = {'peak': 0, 'killed': False}

    def watch():
        while p.poll() is None:
            rss = rss_bytes(p.pid)
            state['peak'] = max(state['peak'], rss)
            if rss > limit_bytes:
                state['killed'] = True
                p.kill()
                return
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = p.communicate()
    watcher.join()
    return p.returncode, time.monotonic() - t0, state['peak'], state['killed'], out, err


def footer(featmerge, path):
    r = subprocess.run([featmerge, 'inspect', path, '--json', '--footer-only'],
                       capture_output=True, text=True, check=True)
    j = json.loads(r.stdout)
    return {'file_bytes': j['file_bytes'], 'footer_bytes': j['footer_bytes'],
            'row_groups': j['num_row_groups'], 'columns': j['num_columns'], 'rows': j['num_rows'],
            'created_by': j.get('created_by', ''), 'names': [c['name'] for c in j['columns']]}


def timed(argv):
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if r.returncode != 0:
        raise RuntimeError(f'{" ".join(argv[:4])} failed: {r.stderr.strip()}')
    return wall, json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='pair directory (targets.parquet + tables)')
    ap.add_argument('--featmerge', default=os.path.join(REPO, 'build', 'featmerge'))
    ap.add_argument('--work', default=os.path.join(REPO, 'bench', 'data', 'footer-open'))
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--mem-limit-gb', type=float, default=10)
    ap.add_argument('--merge-arg', action='append', default=[], help='extra featmerge merge argument')
    ap.add_argument('--out', default=os.path.join(
        REPO, 'bench', 'results', f'{datetime.date.today().isoformat()}-footer-open'))
    ap.add_argument('--keep', action='store_true', help='keep the two big files')
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    ours = os.path.join(a.work, 'featmerge.parquet')
    theirs = os.path.join(a.work, 'polars.parquet')
    result = {'data': a.data, 'runs': a.runs, 'mem_limit_gb': a.mem_limit_gb, 'load_before': loadavg(), 'nproc': os.cpu_count()}

    if not (os.path.exists(ours) and os.path.exists(ours + '.manifest.json')):
        log(f'==> featmerge merge {a.data}')
        argv = [a.featmerge, 'merge', a.data, '-o', ours, '--json', '--quiet'] + a.merge_arg
        rc, secs, peak, _, out, err = run_watched(argv, 1 << 62)
        if rc != 0:
            sys.exit(f'featmerge merge failed: {err.strip()}')
        result['featmerge_merge'] = {'seconds': round(secs, 1), 'peak_rss_bytes': peak}
    result['featmerge_manifest'] = json.load(open(ours + '.manifest.json'))['output']

    limit = int(a.mem_limit_gb * (1 << 30))
    if not os.path.exists(theirs):
        # Polars' own row-group size first; if that passes the memory limit (its default row group
        # is larger than the whole 100,000-row file, so the sink holds all of it decoded), again
        # with featmerge's row-group rows.
        rows_per_group = json.load(open(ours + '.manifest.json'))['options']['row_group_rows']
        attempts = []
        for rg_rows in (None, rows_per_group):
            label = 'Polars default' if rg_rows is None else f'{rg_rows} rows'
            log(f'==> Polars scanParquet -> sinkParquet (zstd 1, row groups: {label}), '
                f'RSS limit {a.mem_limit_gb} GiB')
            argv = ['node', MJS, 'sink', ours, theirs + '.tmp'] + ([str(rg_rows)] if rg_rows else [])
            rc, secs, peak, killed, out, err = run_watched(argv, limit)
            attempts.append({'row_group_rows': rg_rows, 'seconds': round(secs, 1),
                             'peak_rss_bytes': peak, 'killed_at_limit': killed, 'rc': rc,
                             'error': err.strip()[-500:] if rc != 0 else ''})
            if rc == 0:
                os.rename(theirs + '.tmp', theirs)
                break
            log(f'Polars could not write the file (rc {rc}, killed {killed}, peak {peak / 2**30:.1f} GiB)')
            if os.path.exists(theirs + '.tmp'):
                os.remove(theirs + '.tmp')
        result['polars_write'] = attempts

    files = {'featmerge': ours}
    if os.path.exists(theirs):
        files['polars'] = theirs
    result['files'] = {}
    for label, path in files.items():
        f = footer(a.featmerge, path)
        names = f.pop('names')
        result['files'][label] = f
        if label == 'featmerge':
            # 10 feature columns spread over the schema (not the key), the same for both files.
            features = names[1:]
            columns = [features[(i * len(features)) // 10 + len(features) // 20] for i in range(10)]
    result['columns_read'] = columns

    cases = [(label, reader) for label in files for reader in ('duckdb', 'polars')]
    noops = ['noop', 'load-duckdb', 'load-polars']
    times = {f'{l}/{r}': [] for l, r in cases}
    inner = {f'{l}/{r}': [] for l, r in cases}
    noop_times = {n: [] for n in noops}
    loads = []
    for run in range(a.runs):
        order = cases if run % 2 == 0 else list(reversed(cases))
        for n in noops:
            noop_times[n].append(timed(['node', MJS, n])[0])
        for label, reader in order:
            wall, j = timed(['node', MJS, reader, files[label], ','.join(columns)])
            if j.get('rows') != result['files'][label]['rows'] or j.get('columns') != len(columns):
                raise RuntimeError(f'{label}/{reader} read {j}')
            times[f'{label}/{reader}'].append(wall)
            inner[f'{label}/{reader}'].append(j['seconds'])
        loads.append(loadavg())
        log(f'run {run + 1}/{a.runs}: ' + ', '.join(f'{k} {v[-1]:.2f}s' for k, v in times.items()))
    med = lambda v: round(statistics.median(v), 3)
    result['wall_seconds'] = {k: v for k, v in times.items()}
    result['median_wall_seconds'] = {k: med(v) for k, v in times.items()}
    result['median_in_process_seconds'] = {k: med(v) for k, v in inner.items()}
    result['median_noop_seconds'] = {k: med(v) for k, v in noop_times.items()}
    result['load_during'] = loads
    result['load_after'] = loadavg()
    result['date'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')

    with open(a.out + '.json', 'w') as f:
        json.dump(result, f, indent=1)
    with open(a.out + '.md', 'w') as f:
        f.write(report(result))
    log(f'wrote {a.out}.md and .json')
    if not a.keep:
        for path in (ours, ours + '.manifest.json', theirs):
            if os.path.exists(path):
                os.remove(path)


def report(r):
    mib = lambda b: f'{b / 2**20:,.1f} MiB'
    kib = lambda b: f'{b / 2**10:,.0f} KiB'
    fm = r['files']['featmerge']
    lines = [f'# Footer size and open time, {r["date"][:10]}', '',
             f'Data: `{r["data"]}`, {fm["rows"]:,} rows x {fm["columns"]:,} columns. '
             f'Readers: DuckDB (@duckdb/node-api) and Polars (nodejs-polars), each opening the file '
             f'and reading 10 named feature columns (all rows) in a fresh node process; median of '
             f'{r["runs"]} runs, files and readers alternated. Machine: {r["nproc"]} cores, shared; '
             f'load average before {r["load_before"][0]:.1f}, during '
             f'{min(l[0] for l in r["load_during"]):.1f}-{max(l[0] for l in r["load_during"]):.1f}.',
             '', '| file | bytes | row groups | footer | created by |', '|---|---|---|---|---|']
    for label, f in r['files'].items():
        lines.append(f'| {label} | {mib(f["file_bytes"])} | {f["row_groups"]} | '
                     f'{kib(f["footer_bytes"])} ({f["footer_bytes"]:,} B) | {f["created_by"][:40]} |')
    for w in r.get('polars_write', []):
        rg = 'Polars\' default row groups' if w['row_group_rows'] is None else f'row groups of {w["row_group_rows"]:,} rows'
        lines += ['', f'Polars write (scanParquet -> sinkParquet, streaming engine, zstd 1, {rg}, '
                      f'{r["mem_limit_gb"]} GiB RSS limit): '
                      + ('written' if w['rc'] == 0 else f'failed (rc {w["rc"]})')
                      + f' after {w["seconds"]} s, peak RSS {mib(w["peak_rss_bytes"])}'
                      + (', killed at the memory limit' if w['killed_at_limit'] else '')
                      + (f', error: {w["error"]}' if w['error'] and not w['killed_at_limit'] else '')]
    n = r['median_noop_seconds']
    lines += ['', 'Wall seconds per process (median; "- load" subtracts the same reader\'s no-op process: '
                  'node start + module load), and the time inside the process after the module load:', '',
              '| file | reader | wall | wall - load | in process |', '|---|---|---|---|---|']
    for key, wall in r['median_wall_seconds'].items():
        label, reader = key.split('/')
        lines.append(f'| {label} | {reader} | {wall:.3f} | {wall - n["load-" + reader]:.3f} | '
                     f'{r["median_in_process_seconds"][key]:.3f} |')
    lines += ['', f'No-op processes (median): bare node {n["noop"]:.3f} s, node + DuckDB instance '
                  f'{n["load-duckdb"]:.3f} s, node + Polars module {n["load-polars"]:.3f} s.',
              '', 'Columns read: ' + ', '.join(f'`{c}`' for c in r['columns_read']), '']
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
