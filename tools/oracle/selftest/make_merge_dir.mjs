#!/usr/bin/env node
// Writes a small merge test directory for the oracles' self-test (selftest/run.sh):
//   targets.parquet  spine: interval_time TIMESTAMP(NANOS), unsorted, one null key, one duplicate key
//   a_us.parquet     TIMESTAMP(MICROS) key; string/int64/bool/double; gaps, extra keys, unsorted
//   b_ns.parquet     TIMESTAMP(NANOS) key with a sub-microsecond key matching one spine row
//   c_ms.parquet     TIMESTAMP(MILLIS) key; float/decimal/date columns
//   d_nsutc.parquet  TIMESTAMP(NANOS, UTC) key (written by Polars); int32/string columns
// With --many N ROWS, instead: N feature tables f0000..f{N-1}.parquet plus targets.parquet, all keyed
// by a plain INT64 interval_time, ROWS spine rows (shuffled), each table holding a random 80% of the
// keys plus extra ones, with an int64 and a double column (for staging and scale tests).
// usage: node make_merge_dir.mjs DIR [--many N ROWS]
import fs from 'node:fs';
import path from 'node:path';
import {load} from '../lib/deps.mjs';

const dir = process.argv[2];
if (!dir) { console.error('usage: make_merge_dir.mjs DIR'); process.exit(2); }
fs.mkdirSync(dir, {recursive: true});
const {DuckDBInstance} = await load('@duckdb/node-api');
const conn = await (await DuckDBInstance.create(':memory:')).connect();
const out = (name) => `'${path.join(dir, name).replace(/'/g, "''")}'`;

const manyAt = process.argv.indexOf('--many');
if (manyAt > 0) {
  const n = Number(process.argv[manyAt + 1]), rows = Number(process.argv[manyAt + 2] || 1000);
  await conn.run(`SELECT setseed(0.42)`);
  await conn.run(`COPY (SELECT k * 10 AS interval_time, k % 7 AS target FROM range(${rows}) r(k) ORDER BY hash(k))
    TO ${out('targets.parquet')} (FORMAT parquet)`);
  for (let i = 0; i < n; i++) {
    const name = `f${String(i).padStart(4, '0')}.parquet`;
    await conn.run(`COPY (SELECT k * 10 AS interval_time, (k * ${i + 1}) AS v${i}_i64, k / ${i + 1}.5 AS v${i}_f64
      FROM range(-5, ${rows + 5}) r(k) WHERE hash(k + ${i * 1000003}) % 5 <> 0 ORDER BY hash(k, ${i}))
      TO ${out(name)} (FORMAT parquet)`);
  }
  console.log(`wrote ${n} tables and targets.parquet (${rows} rows) to ${dir}`);
  process.exit(0);
}
const T0 = 1700000000;  // 2023-11-14T22:13:20Z

// Spine: 12 rows at T0 + k*60 s (k scrambled), a sub-microsecond key, a duplicate, a null key.
await conn.run(`COPY (
  SELECT make_timestamp_ns((${T0}::BIGINT + k * 60) * 1000000000) AS interval_time, (k * 1.5)::DOUBLE AS target,
         'row' || k AS label
  FROM (SELECT unnest([7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 6, 4]) AS k)
  UNION ALL SELECT make_timestamp_ns((${T0}::BIGINT + 3 * 60) * 1000000000 + 123), -1.0, 'subus'
  UNION ALL SELECT make_timestamp_ns((${T0}::BIGINT + 5 * 60) * 1000000000), 99.0, 'dup5'
  UNION ALL SELECT NULL, 0.0, 'nullkey'
) TO ${out('targets.parquet')} (FORMAT parquet)`);

// a: every other minute only (gaps), extra keys before/after the spine, descending order.
await conn.run(`COPY (
  SELECT make_timestamp((${T0}::BIGINT + k * 60) * 1000000) AS interval_time,
         CASE WHEN k % 3 = 0 THEN NULL ELSE 'a' || k END AS a_str,
         (k::BIGINT * 1000000007) * 100000007 AS a_i64, k % 4 = 1 AS a_bool, k / 7.0 AS a_f64
  FROM range(-4, 16, 2) r(k) ORDER BY k DESC
) TO ${out('a_us.parquet')} (FORMAT parquet)`);

// b: nanosecond keys, including T0+3min+123ns (matches only the 'subus' spine row).
await conn.run(`COPY (
  SELECT make_timestamp_ns((${T0}::BIGINT + k * 60) * 1000000000 + extra) AS interval_time,
         k * 10 + extra AS b_val
  FROM (VALUES (3, 123), (3, 0), (8, 0), (9, 1), (20, 0)) v(k, extra)
) TO ${out('b_ns.parquet')} (FORMAT parquet)`);

// c: millisecond keys, float/decimal/date values.
await conn.run(`COPY (
  SELECT make_timestamp((${T0}::BIGINT + k * 60) * 1000000)::TIMESTAMP_MS AS interval_time,
         (k / 3)::FLOAT AS c_f32, (k * 12.34)::DECIMAL(10, 2) AS c_dec, DATE '2024-01-01' + k::INTEGER AS c_date
  FROM range(0, 12, 3) r(k)
) TO ${out('c_ms.parquet')} (FORMAT parquet)`);

// d: written by Polars with a Datetime(ns, UTC) key.
const pl = await load('nodejs-polars');
const ks = [4, 11, 1, 30];
const df = pl.DataFrame({
  // (from strings: nodejs-polars 0.25 turns BigInt input with an Int64 dtype into nulls)
  interval_time: pl.Series('interval_time', ks.map((k) => String(BigInt(T0 + k * 60) * 1000000000n)))
    .cast(pl.Int64).cast(pl.Datetime('ns', 'UTC')),
  d_i32: pl.Series('d_i32', ks.map((k) => k * 100), pl.Int32),
  d_str: ks.map((k) => `d${k}`),
});
df.writeParquet(path.join(dir, 'd_nsutc.parquet'));
console.log(`wrote ${fs.readdirSync(dir).length} files to ${dir}`);
