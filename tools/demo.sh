#!/usr/bin/env bash
# ./run demo: generates a small realistic multi-pair dataset (3 pairs x 60 feature tables x
# 20,000 one-minute bars, bqx profile), merges every pair with `featmerge run`, validates the
# outputs with `featmerge check`, and says where everything is.
set -euo pipefail
FM=${1:?usage: demo.sh FEATMERGE}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO=${DEMO_DIR:-$ROOT/demo-data}
rm -rf "$DEMO"
mkdir -p "$DEMO"

echo "== generating 3 pairs x 60 feature tables x 20,000 rows into $DEMO/features"
"$FM" gen "$DEMO/features" --pairs eurusd,gbpusd,usdjpy --profile bqx --tables 60 --rows 20000 --seed 42

cat > "$DEMO/pipeline.toml" <<TOML
# featmerge run config for the demo (see: featmerge run --init FILE for a commented template)
[paths]
input  = "features/{pair}"
output = "training/training_{pair}.parquet"

[merge]
key = "interval_time"
spine = "targets.parquet"
expect_tables = 60
require_marker = "_COMPLETE"
memory_budget = "1GiB"
compression = "zstd"
on_duplicate_key = "error"

[pairs]
list = ["eurusd", "gbpusd", "usdjpy"]
TOML

echo
echo "== featmerge run $DEMO/pipeline.toml"
"$FM" run "$DEMO/pipeline.toml"

echo
echo "== featmerge check (eurusd, against its inputs)"
"$FM" check "$DEMO/training/training_eurusd.parquet" --against "$DEMO/features/eurusd" --sample 200

echo
echo "Outputs:  $DEMO/training/training_{eurusd,gbpusd,usdjpy}.parquet"
echo "Report:   $DEMO/training/run-report.json   (logs in $DEMO/training/logs/)"
echo "Inspect:  $FM inspect $DEMO/training/training_eurusd.parquet --no-chunks"
echo "Read it (Polars, installed by ./run test into .deps/node):"
echo "  NODE_PATH=$ROOT/.deps/node/node_modules node -e \"const pl=require('nodejs-polars'); console.log(pl.readParquet('$DEMO/training/training_eurusd.parquet').select('interval_time','target_1m_ret').head(5))\""
echo "  or with DuckDB (pip install duckdb): SELECT * FROM '$DEMO/training/training_*.parquet' LIMIT 5"
