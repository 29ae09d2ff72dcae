#!/usr/bin/env node
// Benchmark baseline, the "reference algorithm": what a data scientist would write with Polars.
// Reads the spine with readParquet, then for each feature table (*.parquet of DIR but the spine,
// sorted by file name, or --tables) df = df.join(readParquet(table), {on: key, how: 'left'}) eagerly,
// and writes OUT.parquet with zstd level 1.
//
//   node tools/oracle/polars_reference_merge.mjs DIR OUT.parquet --key interval_time --spine targets.parquet
//        [--tables a.parquet,b.parquet]
//
// Prints a human line on stderr and one JSON line on stdout:
//   {"tool":"polars_reference_merge","rows":N,"columns":M,"tables":T,"seconds":S,"read_join_seconds":..,"write_seconds":..}
// Notes: a table whose key dtype differs from the spine's (e.g. Datetime us vs ns, or with a time
// zone) gets its key cast to the spine's dtype first, since Polars joins only equal dtypes.
// Duplicate non-key column names get the suffix _<table index>. DataFrame.writeParquet of
// nodejs-polars 0.25 has no compression-level option, so the frame is written through
// lazy().sinkParquet({compression: 'zstd', compressionLevel: 1}) (the same Parquet writer).
import path from 'node:path';
import {load} from './lib/deps.mjs';
import {mergeInputs, parseOptions} from './lib/merge_inputs.mjs';
import {alignKey} from './lib/polars_keys.mjs';

const USAGE = 'usage: polars_reference_merge.mjs DIR OUT.parquet --key COL --spine FILE [--tables a,b]';

async function main() {
  const o = parseOptions(process.argv.slice(2));
  if (o._.length !== 2 || !o.key || !o.spine) throw new Error(USAGE);
  const [dir, outPath] = o._;
  const {spine, tables} = mergeInputs(dir, o.spine, o.tables ? o.tables.split(',').filter(Boolean) : null);
  const pl = await load('nodejs-polars');

  const t0 = performance.now();
  let df = pl.readParquet(spine);
  const keyType = df.getColumn(o.key).dtype;
  tables.forEach((file, i) => {
    const t = alignKey(pl, pl.readParquet(file), o.key, keyType);
    df = df.join(t, {on: o.key, how: 'left', suffix: `_${i}`, maintainOrder: 'left'});
  });
  const t1 = performance.now();
  df.lazy().sinkParquet(outPath, {compression: 'zstd', compressionLevel: 1}).collectSync();
  const t2 = performance.now();

  const res = {tool: 'polars_reference_merge', rows: df.height, columns: df.width, tables: tables.length,
    seconds: +((t2 - t0) / 1000).toFixed(3), read_join_seconds: +((t1 - t0) / 1000).toFixed(3),
    write_seconds: +((t2 - t1) / 1000).toFixed(3)};
  process.stderr.write(`polars_reference_merge: ${res.rows} rows, ${res.columns} columns, ${res.tables} tables ` +
    `-> ${path.basename(outPath)} in ${res.seconds} s (read+join ${res.read_join_seconds} s, write ${res.write_seconds} s)\n`);
  console.log(JSON.stringify(res));
}

main().catch((e) => {
  process.stderr.write(`polars_reference_merge: ${e.message || e}\n`);
  process.exit(1);
});
