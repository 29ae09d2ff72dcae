#!/usr/bin/env node
// Benchmark baseline: the merge done by DuckDB in one statement,
//   COPY (SELECT s.*, t1.<non-key>, ... FROM spine s LEFT JOIN t1 ON s.key = t1.key ... ORDER BY <spine row>)
//   TO OUT (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)
// or, with --staged N, N tables at a time through temporary Parquet files (snappy) in a scratch folder.
//
//   node tools/oracle/duckdb_copy_merge.mjs DIR OUT.parquet --key interval_time --spine targets.parquet
//        [--tables a.parquet,b.parquet] [--staged N] [--memory-limit 4GB] [--threads N]
//
// Rows keep the spine's order (ORDER BY its file_row_number). Keys are joined as they are when all
// files give them the same DuckDB type, otherwise as exact instants (lib/duckdb_keys.mjs). Duplicate
// non-key column names get the suffix _<table index>, like the Polars baselines. Unlike the oracle
// (duckdb_merge.mjs), files are not patched: DuckDB reads TIMESTAMP(NANOS, UTC) as microseconds.
// Prints a human line on stderr and one JSON line on stdout (see polars_reference_merge.mjs).
import fs from 'node:fs';
import path from 'node:path';
import {openDuckDB, scratchDir, sqlIdent, sqlString} from './lib/duckdb_cells.mjs';
import {duckTypes, keyExpr} from './lib/duckdb_keys.mjs';
import {mergeInputs, parseOptions, schemaWithKey} from './lib/merge_inputs.mjs';
import {patchNanosUtc} from './lib/parquet_footer.mjs';

const USAGE = 'usage: duckdb_copy_merge.mjs DIR OUT.parquet --key COL --spine FILE [--tables a,b] ' +
  '[--staged N] [--memory-limit 4GB] [--threads N]';

async function main() {
  const o = parseOptions(process.argv.slice(2));
  if (o._.length !== 2 || !o.key || !o.spine) throw new Error(USAGE);
  const [dir, outPath] = o._;
  const {spine, tables} = mergeInputs(dir, o.spine, o.tables ? o.tables.split(',').filter(Boolean) : null);
  const staged = o.staged ? Math.max(1, Number(o.staged)) : tables.length || 1;
  for (const f of [spine, ...tables]) {
    const cols = patchNanosUtc(f);
    if (cols.length) process.stderr.write(`duckdb_copy_merge: warning: ${f}: ${cols.join(', ')} read with microsecond precision\n`);
  }
  const scratch = scratchDir('fm-duckdb-copy-');
  const db = await openDuckDB({memoryLimit: o['memory-limit'], threads: o.threads, tempDir: scratch.dir});
  const {conn} = db;
  const t0 = performance.now();
  try {
    const spineSchema = schemaWithKey(spine, o.key);
    const schemas = tables.map((t) => schemaWithKey(t, o.key));
    const types = [await duckTypes(conn, spine)];
    for (const t of tables) types.push(await duckTypes(conn, t));
    const keyTypes = new Set(types.map((m) => m.get(o.key)));
    const raw = keyTypes.size === 1;
    const keySql = (schema, i) => (raw ? sqlIdent(o.key) : keyExpr(o.key, schema.keyColumn, types[i].get(o.key)));

    // Output names: the spine's, then each table's non-key columns, de-duplicated with _<index>.
    const used = new Set(spineSchema.columns.map((c) => c.name));
    const picks = schemas.map((s, i) => s.columns.filter((c) => c.name !== o.key).map((c) => {
      const name = used.has(c.name) ? `${c.name}_${i}` : c.name;
      used.add(name);
      return `t${i}.${sqlIdent(c.name)} AS ${sqlIdent(name)}`;
    }));

    // Stage k reads the previous stage's file (or the spine) as m, with its row number __rn and key __k.
    let current = `(SELECT file_row_number AS __rn, ${keySql(spineSchema, 0)} AS __k, * EXCLUDE (file_row_number)
      FROM read_parquet(${sqlString(spine)}, file_row_number = true))`;
    for (let first = 0; first < Math.max(tables.length, 1); first += staged) {
      const last = Math.min(first + staged, tables.length);
      const isFinal = last >= tables.length;
      const sel = ['m.*'];
      let from = `${current} m`;
      for (let i = first; i < last; i++) {
        from += ` LEFT JOIN (SELECT ${keySql(schemas[i], i + 1)} AS __k, * FROM read_parquet(${sqlString(tables[i])})) t${i}` +
          ` ON m.__k = t${i}.__k`;
        sel.push(...picks[i]);
      }
      if (isFinal) {
        await conn.run(`COPY (SELECT * EXCLUDE (__rn, __k) FROM (SELECT ${sel.join(', ')} FROM ${from}) ORDER BY __rn)
          TO ${sqlString(outPath)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`);
        break;
      }
      const stageFile = path.join(scratch.dir, `stage${first / staged}.parquet`);
      // __k is not stored (Parquet would hold a HUGEINT as a DOUBLE): the next stage recomputes it.
      await conn.run(`COPY (SELECT * EXCLUDE (__k) FROM (SELECT ${sel.join(', ')} FROM ${from})) TO ${sqlString(stageFile)}
        (FORMAT parquet, COMPRESSION snappy)`);
      current = `(SELECT ${keySql(spineSchema, 0)} AS __k, * FROM read_parquet(${sqlString(stageFile)}))`;
    }
    const t1 = performance.now();
    const meta = await conn.runAndReadAll(`SELECT num_rows, (SELECT count(*) FROM parquet_schema(${sqlString(outPath)})) - 1
      FROM parquet_file_metadata(${sqlString(outPath)})`);
    const [rows, columns] = meta.getRowsJS()[0].map(Number);
    const res = {tool: 'duckdb_copy_merge', rows, columns, tables: tables.length,
      seconds: +((t1 - t0) / 1000).toFixed(3), staged: o.staged ? staged : null};
    process.stderr.write(`duckdb_copy_merge: ${rows} rows, ${columns} columns, ${tables.length} tables ` +
      `-> ${path.basename(outPath)} in ${res.seconds} s${o.staged ? ` (stages of ${staged})` : ''}\n`);
    console.log(JSON.stringify(res));
  } finally {
    conn.closeSync?.();
    scratch.cleanup();
  }
  if (!fs.existsSync(outPath)) throw new Error(`no output written to ${outPath}`);
}

main().catch((e) => {
  process.stderr.write(`duckdb_copy_merge: ${e.message || e}\n`);
  const outPath = parseOptions(process.argv.slice(2))._[1];
  if (outPath) fs.rmSync(outPath, {force: true});  // a failed COPY may leave a partial file
  process.exit(1);
});
