#!/usr/bin/env node
// One step of bench/footer_open.py, in a fresh Node process each time (so a timed run includes
// process start, module load and the footer parse, as a training loader's first read does).
//
//   node bench/footer_open.mjs sink IN.parquet OUT.parquet [ROWS]  # Polars streams IN into OUT,
//                                                          # row groups of ROWS rows
//   node bench/footer_open.mjs duckdb FILE COL,COL,...          # DuckDB opens FILE, reads COLs
//   node bench/footer_open.mjs polars FILE COL,COL,...          # Polars opens FILE, reads COLs
//   node bench/footer_open.mjs noop | load-duckdb | load-polars # process start (+ module load)
//
// Prints one JSON line on stdout: {"step":..., "rows":N, "columns":M, "seconds":S} where
// seconds is the time inside the process after the module load (open + read).
import {load} from '../tools/oracle/lib/deps.mjs';

function sqlString(s) {
  return `'${s.replaceAll("'", "''")}'`;
}

function sqlIdent(s) {
  return `"${s.replaceAll('"', '""')}"`;
}

async function main() {
  const [step, file, arg, rowGroupRows] = process.argv.slice(2);
  const columns = arg ? arg.split(',').filter(Boolean) : [];
  const out = {step};
  if (step === 'noop') {
    // Nothing: the cost of starting node.
  } else if (step === 'load-duckdb') {
    const api = await load('@duckdb/node-api');
    const instance = await api.DuckDBInstance.create(':memory:');
    await instance.connect();
  } else if (step === 'load-polars') {
    await load('nodejs-polars');
  } else if (step === 'sink') {
    // Streaming: Polars never holds the whole table (scan -> sink), zstd level 1 as featmerge.
    const pl = await load('nodejs-polars');
    const t0 = performance.now();
    // engine 'streaming': the default ('auto') runs the in-memory engine, which holds the table.
    pl.scanParquet(file)
      .sinkParquet(arg, {
        compression: 'zstd',
        compressionLevel: 1,
        ...(rowGroupRows ? {rowGroupSize: Number(rowGroupRows)} : {}),
      })
      .collectSync({engine: 'streaming'});
    out.seconds = (performance.now() - t0) / 1000;
  } else if (step === 'duckdb') {
    const api = await load('@duckdb/node-api');
    const instance = await api.DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const t0 = performance.now();
    const sql = `SELECT ${columns.map(sqlIdent).join(', ')} FROM read_parquet(${sqlString(file)})`;
    const reader = await conn.runAndReadAll(sql);
    out.rows = reader.currentRowCount;
    out.columns = reader.columnCount;
    out.seconds = (performance.now() - t0) / 1000;
  } else if (step === 'polars') {
    const pl = await load('nodejs-polars');
    const t0 = performance.now();
    const df = pl.scanParquet(file).select(...columns).collectSync();
    out.rows = df.height;
    out.columns = df.width;
    out.seconds = (performance.now() - t0) / 1000;
  } else {
    throw new Error('usage: footer_open.mjs sink|duckdb|polars|noop|load-duckdb|load-polars ...');
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`footer_open.mjs: ${e.message}\n`);
  process.exit(1);
});
