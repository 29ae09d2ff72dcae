#!/usr/bin/env bash
# Installs the Node.js test oracles' npm packages (tools/oracle/package.json + package-lock.json)
# into <repo>/.deps/node (git-ignored), with `npm ci`, only when .deps/node/node_modules is missing
# or the lock/package.json changed since the last install (sha256 stamp). Prints one line.
# Usage: bash tools/oracle/install.sh            (safe to call before every test run)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DEST="$ROOT/.deps/node"
STAMP="$DEST/.install-stamp"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "oracle install: node and npm are needed (Node.js >= 20)" >&2
  exit 1
fi

mkdir -p "$DEST"
# One installer at a time (parallel test runners may call this concurrently).
exec 9>"$DEST/.install.lock"
flock 9

want=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)
if [[ -d "$DEST/node_modules" && "$want" == "$have" ]]; then
  echo "oracle deps up to date in $DEST"
  exit 0
fi

start=$(date +%s)
cp "$HERE/package.json" "$HERE/package-lock.json" "$DEST/"
rm -f "$STAMP"
# npm warns EBADENGINE for nodejs-polars-linux-x64-gnu (declares node >= 22; works on 20):
# keep npm's chatter in a log and show it only on failure.
if ! (cd "$DEST" && npm ci --no-audit --no-fund --loglevel=warn >"$DEST/npm-ci.log" 2>&1); then
  cat "$DEST/npm-ci.log" >&2
  echo "oracle install: npm ci failed in $DEST (log above)" >&2
  exit 1
fi
# Fail now rather than in a test if a native or wasm module does not load.
if ! (cd "$DEST" && node --input-type=module -e "
  import '@duckdb/node-api'; import 'nodejs-polars'; import 'parquet-wasm'; import 'apache-arrow';
" >>"$DEST/npm-ci.log" 2>&1); then
  tail -20 "$DEST/npm-ci.log" >&2
  echo "oracle install: installed modules do not load (see $DEST/npm-ci.log)" >&2
  exit 1
fi
echo "$want" >"$STAMP"
echo "oracle deps installed in $DEST ($(( $(date +%s) - start ))s)"
