#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, seeded with the interop corpus.
# Crashes are written to BUILD_DIR/artifacts/<target>/: turn each into a regression test by
# copying it to tools/fuzz/regressions/<target>/ (replayed by the ctest fuzz_replay_<target>).
# Usage: run_fuzzers.sh BUILD_DIR [SECONDS]
#   FUZZ_PARALLEL=1  run all targets at once (wall time = SECONDS instead of targets x SECONDS)
set -euo pipefail
BUILD=${1:?usage: run_fuzzers.sh BUILD_DIR [SECONDS]}
SECONDS_EACH=${2:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${FEATMERGE_INTEROP_DIR:-$ROOT/../shared/interop}

run_one() {  # run_one BIN -> 0 when no crash
  local bin=$1 name seeds art
  name=$(basename "$bin")
  seeds="$BUILD/fuzz-corpus/$name"
  art="$BUILD/artifacts/$name"
  mkdir -p "$seeds" "$art"
  if [[ -d "$CORPUS" ]]; then cp -n "$CORPUS"/*.parquet "$seeds"/ 2>/dev/null || true; fi
  # The regression inputs seed every run too (read only: new units go to $seeds).
  local regressions=()
  if [[ -d "$ROOT/tools/fuzz/regressions/$name" ]]; then
    regressions=("$ROOT/tools/fuzz/regressions/$name")
  fi
  "$bin" "$seeds" "${regressions[@]}" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
      -max_len=65536 -artifact_prefix="$art/" -print_final_stats=1 2>"$BUILD/$name.log"
}

report() {  # report NAME RC
  local name=$1 rc=$2
  echo "== $name (${SECONDS_EACH}s)"
  if [[ $rc -ne 0 ]]; then echo "   CRASH: see $BUILD/$name.log and $BUILD/artifacts/$name/"; fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/$name.log" | sed 's/^/   /' || true
}

status=0
bins=()
for bin in "$BUILD"/tools/fuzz/fuzz_*; do [[ -x "$bin" ]] && bins+=("$bin"); done
if [[ ${#bins[@]} -eq 0 ]]; then echo "no fuzz targets in $BUILD/tools/fuzz" >&2; exit 1; fi
if [[ "${FUZZ_PARALLEL:-0}" == 1 ]]; then
  declare -A pids
  for bin in "${bins[@]}"; do run_one "$bin" & pids[$bin]=$!; done
  for bin in "${bins[@]}"; do
    rc=0; wait "${pids[$bin]}" || rc=$?
    report "$(basename "$bin")" $rc; [[ $rc -eq 0 ]] || status=1
  done
else
  for bin in "${bins[@]}"; do
    rc=0; run_one "$bin" || rc=$?
    report "$(basename "$bin")" $rc; [[ $rc -eq 0 ]] || status=1
  done
fi
exit $status
