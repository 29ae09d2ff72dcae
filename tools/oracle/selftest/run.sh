#!/usr/bin/env bash
# Self-test of the Node.js oracles (no featmerge needed): compare_jsonl rules, the three readers of
# read_jsonl.mjs against the interop corpus, the merge oracle against hand-checked results, and the
# benchmark baselines against the oracle. Ends with 'N passed, N failed'; exit 0 iff none failed.
#   bash tools/oracle/selftest/run.sh [CORPUS_DIR]
# CORPUS_DIR defaults to $FEATMERGE_INTEROP_CORPUS or <repo>/../shared/interop; skipped if absent.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ORACLE=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$ORACLE/../.." && pwd)
CORPUS=${1:-${FEATMERGE_INTEROP_CORPUS:-$ROOT/../shared/interop}}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
run() {  # run NAME CMD...: a check is its command's exit status
  local name=$1; shift
  local log
  if log=$("$@" 2>&1); then ok "$name"; else bad "$name"; echo "$log" | tail -15 | sed 's/^/     /'; fi
}

bash "$ORACLE/install.sh" || { echo "0 passed, 1 failed"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

run "compare_jsonl rules" python3 "$HERE/test_compare.py"

if [[ -f "$CORPUS/MANIFEST.tsv" ]]; then
  run "readers vs interop corpus ($CORPUS)" python3 "$ORACLE/check_readers.py" "$CORPUS"
else
  echo "skip readers vs interop corpus: no $CORPUS/MANIFEST.tsv"
fi

node "$HERE/make_merge_dir.mjs" "$TMP/dir" >/dev/null || bad "make_merge_dir"
KINDS="timestamp_since_epoch,float64_text,string,string,integer,boolean,float64_text,integer,float32_text,decimal_unscaled,days_since_epoch,integer,string"
merge_case() {  # merge_case NAME EXPECTED ARGS...
  local name=$1 expected=$2; shift 2
  node "$ORACLE/duckdb_merge.mjs" "$TMP/dir" --key interval_time --spine targets.parquet "$@" "$TMP/out.jsonl" 2>/dev/null &&
    python3 "$ORACLE/compare_jsonl.py" --kinds "$KINDS" "$expected" "$TMP/out.jsonl"
}
run "duckdb_merge left join" merge_case left "$HERE/expected_merge.jsonl"
run "duckdb_merge left join, stages of 1" merge_case left1 "$HERE/expected_merge.jsonl" --stage 1
run "duckdb_merge asof" merge_case asof "$HERE/expected_asof.jsonl" --asof
run "duckdb_merge asof, stages of 2" merge_case asof2 "$HERE/expected_asof.jsonl" --asof --stage 2

baseline_case() {  # baseline_case SCRIPT READER ARGS...: its Parquet output read back equals the oracle's
  local script=$1 reader=$2; shift 2
  node "$ORACLE/$script" "$TMP/dir" "$TMP/b.parquet" --key interval_time --spine targets.parquet "$@" >/dev/null 2>&1 &&
    node "$ORACLE/read_jsonl.mjs" --reader "$reader" "$TMP/b.parquet" --out "$TMP/b.jsonl" &&
    python3 "$ORACLE/compare_jsonl.py" --kinds "$(node "$ORACLE/kinds.mjs" "$TMP/b.parquet")" \
      "$HERE/expected_merge.jsonl" "$TMP/b.jsonl"
}
run "polars_reference_merge (read by duckdb)" baseline_case polars_reference_merge.mjs duckdb
run "polars_lazy_merge (read by parquetwasm)" baseline_case polars_lazy_merge.mjs parquetwasm
run "polars_lazy_merge --collect (read by polars)" baseline_case polars_lazy_merge.mjs polars --collect
run "duckdb_copy_merge (read by polars)" baseline_case duckdb_copy_merge.mjs polars
run "duckdb_copy_merge --staged 2 (read by parquetwasm)" baseline_case duckdb_copy_merge.mjs parquetwasm --staged 2

echo "selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
