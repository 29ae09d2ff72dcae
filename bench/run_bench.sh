#!/usr/bin/env bash
# The merge benchmark (issue 6): featmerge against Polars and DuckDB on generated datasets, with
# the physical floor and a sampled cell check. Normally run as `./run bench [SCALES...]`, which
# builds first and installs the Node.js peers; see bench/README.md.
#
#   bash bench/run_bench.sh [a] [b] [c] [r]      (default: a b; with BENCH_FULL=1: a b c r)
#
# Environment:
#   BENCH_FULL=1          also the large scales c and r (when no scale is named)
#   BENCH_REPEATS=3       runs per tool (median reported)
#   BENCH_TIMEOUT=900     seconds before a run is killed
#   BENCH_CEILING=20GiB   memory ceiling of a run (process tree)
#   BENCH_TOOLS=...       comma list, or "all" (adds duckdb_staged); default
#                         featmerge,featmerge_256MiB,polars_reference,polars_lazy,duckdb_copy
#   BENCH_DUCKDB_MEMORY=16GB   DuckDB's memory_limit (its peers default to 4GB, which fails at a)
#   BENCH_KEEP_OUTPUTS=1  keep every tool's output in bench/data/work/<scale>/
#   BENCH_DATA=bench/data BENCH_RESULTS=bench/results   where datasets / results go
#   FEATMERGE=build/featmerge   the binary to measure
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FEATMERGE=${FEATMERGE:-$ROOT/build/featmerge}
FLOOR=${FLOOR:-$ROOT/build/bench/floor}

if [[ ! -x "$FEATMERGE" || ! -x "$FLOOR" ]]; then
  echo "run_bench: building featmerge and bench/floor into build/" >&2
  [[ -f "$ROOT/build/CMakeCache.txt" ]] || cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build" -j"$(nproc)" --target featmerge floor
fi
if [[ ! -d "$ROOT/.deps/node/node_modules" && -z "${FEATMERGE_NODE_DEPS:-}" ]]; then
  bash "$ROOT/tools/oracle/install.sh"
fi

args=(--repeats "${BENCH_REPEATS:-3}" --timeout "${BENCH_TIMEOUT:-900}" --ceiling "${BENCH_CEILING:-20GiB}"
      --duckdb-memory "${BENCH_DUCKDB_MEMORY:-16GB}" --featmerge "$FEATMERGE" --floor-bin "$FLOOR"
      --data "${BENCH_DATA:-$HERE/data}" --results "${BENCH_RESULTS:-$HERE/results}")
[[ -n "${BENCH_TOOLS:-}" ]] && args+=(--tools "$BENCH_TOOLS")
[[ "${BENCH_FULL:-0}" == 1 ]] && args+=(--full)
[[ "${BENCH_KEEP_OUTPUTS:-0}" == 1 ]] && args+=(--keep-outputs)
exec python3 "$HERE/harness.py" "${args[@]}" "$@"
