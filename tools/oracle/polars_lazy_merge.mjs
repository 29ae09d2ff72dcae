#!/usr/bin/env node
// Benchmark baseline: the same merge as polars_reference_merge.mjs written the lazy way, so Polars
// can plan it (projection, streaming): scanParquet of the spine and every feature table, lazy left
// joins on the key (maintaining the spine's order), then sinkParquet with zstd level 1.
//
//   node tools/oracle/polars_lazy_merge.mjs DIR OUT.parquet --key interval_time --spine targets.parquet
//        [--tables a.parquet,b.parquet] [--collect]
//
// --collect: collect the joined frame in memory and write it (lazy().sinkParquet of the result)
// instead of sinking the lazy plan directly (use it if the streaming sink rejects the plan).
// Prints a human line on stderr and one JSON line on stdout (see polars_reference_merge.mjs).
import path from 'node:path';
import {load} from './lib/deps.mjs';
import {mergeInputs, parseOptions} from './lib/merge_inputs.mjs';
import {alignKey} from './lib/polars_keys.mjs';

const USAGE = 'usage: polars_lazy_merge.mjs DIR OUT.parquet --key COL --spine FILE [--tables a,b] [--collect]';

async function main() {
  const o = parseOptions(process.argv.slice(2), ['collect']);
  if (o._.length !== 2 || !o.key || !o.spine) throw new Error(USAGE);
  const [dir, outPath] = o._;
  const {spine, tables} = mergeInputs(dir, o.spine, o.tables ? o.tables.split(',').filter(Boolean) : null);
  const pl = await load('nodejs-polars');
  const keyDtype = (lf) => lf.select(o.key).limit(0).collectSync().getColumn(o.key).dtype;
  const sink = {compression: 'zstd', compressionLevel: 1};

  const t0 = performance.now();
  let lf = pl.scanParquet(spine);
  const keyType = keyDtype(lf);
  tables.forEach((file, i) => {
    let t = pl.scanParquet(file);
    t = alignKey(pl, t, o.key, keyType, keyDtype(t));
    lf = lf.join(t, {on: o.key, how: 'left', suffix: `_${i}`, maintainOrder: 'left'});
  });
  let rows, columns;
  if (o.collect) {
    const df = lf.collectSync();
    df.lazy().sinkParquet(outPath, sink).collectSync();
    [rows, columns] = [df.height, df.width];
  } else {
    lf.sinkParquet(outPath, sink).collectSync();
    const shape = pl.scanParquet(outPath);
    columns = shape.columns.length;
    rows = Number(shape.select(pl.len()).collectSync().getColumn('len').get(0));
  }
  const t1 = performance.now();

  const res = {tool: 'polars_lazy_merge', rows, columns, tables: tables.length,
    seconds: +((t1 - t0) / 1000).toFixed(3), mode: o.collect ? 'collect' : 'sink'};
  process.stderr.write(`polars_lazy_merge: ${rows} rows, ${columns} columns, ${tables.length} tables ` +
    `-> ${path.basename(outPath)} in ${res.seconds} s (${res.mode})\n`);
  console.log(JSON.stringify(res));
}

main().catch((e) => {
  process.stderr.write(`polars_lazy_merge: ${e.message || e}\n`);
  process.exit(1);
});
