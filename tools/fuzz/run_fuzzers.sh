#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, seeded with the interop corpus.
# Crashes are written to build-fuzz/artifacts/<target>/ (turn each into a regression test).
# Usage: run_fuzzers.sh BUILD_DIR [SECONDS]
set -euo pipefail
BUILD=${1:?usage: run_fuzzers.sh BUILD_DIR [SECONDS]}
SECONDS_EACH=${2:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${FEATMERGE_INTEROP_DIR:-$ROOT/../shared/interop}
status=0
for bin in "$BUILD"/tools/fuzz/fuzz_*; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin")
  seeds="$BUILD/fuzz-corpus/$name"
  art="$BUILD/artifacts/$name"
  mkdir -p "$seeds" "$art"
  if [[ -d "$CORPUS" ]]; then cp -n "$CORPUS"/*.parquet "$seeds"/ 2>/dev/null || true; fi
  echo "== $name for ${SECONDS_EACH}s"
  if ! "$bin" "$seeds" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$art/" -print_final_stats=1 2>"$BUILD/$name.log"; then
    echo "   CRASH: see $BUILD/$name.log and $art/"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/$name.log" | sed 's/^/   /'
done
exit $status
