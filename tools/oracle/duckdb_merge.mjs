#!/usr/bin/env node
// Merge oracle: computes with DuckDB what `featmerge` must produce for a directory of feature
// tables, and writes it as JSON Lines in the representation of read_jsonl.mjs, so a test compares
// it with `read_jsonl.mjs` of featmerge's output using compare_jsonl.py.
//
//   node tools/oracle/duckdb_merge.mjs DIR --key interval_time --spine targets.parquet
//        [--tables a.parquet,b.parquet] [--asof] [--stage 10] [--memory-limit 4GB] [--threads N] OUT.jsonl
//
// Result: every row of the spine, in the spine's file order, with all the spine's columns, then for
// each feature table (the --tables list, or every *.parquet of DIR but the spine sorted by file name)
// its non-key columns in file order, taken from the table row whose key equals the spine row's key
// (LEFT JOIN: nulls when there is none), or with --asof from the last table row whose key is <= it.
// Keys are compared as instants: TIMESTAMP keys in any unit (MILLIS/MICROS/NANOS, UTC-adjusted or
// not, no time-zone shift) are compared as nanosecond counts, TIME likewise, integer and DATE keys
// as integers, string keys as strings; mixing kinds is an error. A table with duplicate keys
// repeats spine rows (plain SQL semantics): avoiding that is the caller's business. Null keys match
// nothing. Tables are joined in stages of --stage tables (DuckDB slows down more than linearly with
// the number of joins in one query), in an in-memory database bounded by --memory-limit that
// spills to a scratch folder (ORACLE_DUCKDB_FILE=1: a database file there instead).
import fs from 'node:fs';
import path from 'node:path';
import {duckdbReadablePath, openDuckDB, scratchDir, sqlIdent, sqlString, writeQueryJsonl} from './lib/duckdb_cells.mjs';
import {duckTypes, keyClass, keyExpr} from './lib/duckdb_keys.mjs';
import {mergeInputs, parseOptions, schemaWithKey} from './lib/merge_inputs.mjs';

const USAGE = 'usage: duckdb_merge.mjs DIR --key COL --spine FILE [--tables a,b] [--asof] [--stage N] ' +
  '[--memory-limit 4GB] [--threads N] OUT.jsonl';

async function main() {
  const o = parseOptions(process.argv.slice(2), ['asof']);
  if (o._.length !== 2 || !o.key || !o.spine) throw new Error(USAGE);
  const [dir, outPath] = o._;
  const stage = Math.max(1, Number(o.stage || 10));
  const {spine, tables} = mergeInputs(dir, o.spine, o.tables ? o.tables.split(',').filter(Boolean) : null);
  const spineSchema = schemaWithKey(spine, o.key);
  const tableSchemas = tables.map((t) => schemaWithKey(t, o.key));
  const cls = keyClass(spineSchema.keyColumn.value);
  for (const t of tableSchemas) {
    if (keyClass(t.keyColumn.value) !== cls) {
      throw new Error(`key ${o.key} is ${t.keyColumn.value} in ${t.file} but ${spineSchema.keyColumn.value} in the spine`);
    }
  }

  const scratch = scratchDir('fm-duckdb-merge-');
  const db = await openDuckDB({memoryLimit: o['memory-limit'], threads: o.threads, tempDir: scratch.dir,
    dbPath: process.env.ORACLE_DUCKDB_FILE ? path.join(scratch.dir, 'merge.duckdb') : undefined});
  const {conn} = db;
  try {
    // Views with a normalized key __k; the spine also keeps its row number __rn for the final order.
    const spineSrc = duckdbReadablePath(spine, scratch.dir);
    const spineTypes = await duckTypes(conn, spineSrc);
    const spineCols = spineSchema.columns.map((c, j) => `${sqlIdent(c.name)} AS s${j}`);
    await conn.run(`CREATE VIEW spine AS SELECT file_row_number AS __rn,
      ${keyExpr(o.key, spineSchema.keyColumn, spineTypes.get(o.key))} AS __k, ${spineCols.join(', ')}
      FROM read_parquet(${sqlString(spineSrc)}, file_row_number = true)`);
    const outColumns = [...spineSchema.columns];
    for (let i = 0; i < tableSchemas.length; i++) {
      const t = tableSchemas[i];
      const src = duckdbReadablePath(t.file, scratch.dir);
      const types = await duckTypes(conn, src);
      const cols = t.columns.map((c, j) => [c, j]).filter(([c]) => c.name !== o.key);
      await conn.run(`CREATE VIEW t${i} AS SELECT ${keyExpr(o.key, t.keyColumn, types.get(o.key))} AS __k
        ${cols.map(([c, j]) => `, ${sqlIdent(c.name)} AS t${i}_${j}`).join('')}
        FROM read_parquet(${sqlString(src)})`);
      outColumns.push(...cols.map(([c]) => c));
    }
    // Join in stages of `stage` tables. Each stage joins only the spine's (__rn, __k) with its tables
    // into a table (carrying the growing wide result through every stage would make each stage
    // slower); stage tables are then combined `stage` at a time on the spine row number __rn, and
    // the last query adds the spine's columns. With duplicate keys this gives the same rows as one
    // chain of LEFT JOINs (the product of the matches of every table).
    await conn.run(`CREATE TABLE keys AS SELECT __rn, __k FROM spine`);
    let parts = [];  // [{name, cols}]
    for (let first = 0; first < tableSchemas.length; first += stage) {
      const last = Math.min(first + stage, tableSchemas.length);
      const cols = [];
      let from = 'keys m';
      for (let i = first; i < last; i++) {
        from += o.asof ?
          ` ASOF LEFT JOIN t${i} ON m.__k >= t${i}.__k` :
          ` LEFT JOIN t${i} ON m.__k = t${i}.__k`;
        tableSchemas[i].columns.forEach((c, j) => { if (c.name !== o.key) cols.push(`t${i}_${j}`); });
      }
      const name = `part${parts.length}`;
      await conn.run(`CREATE TABLE ${name} AS SELECT m.__rn${cols.map((c) => `, ${c}`).join('')} FROM ${from}`);
      parts.push({name, cols});
    }
    const joinParts = (group) => ({
      cols: group.flatMap((g) => g.cols),
      from: group.map((g, k) => (k ? ` LEFT JOIN ${g.name} ON g0.__rn = ${g.name}.__rn` : `${g.name} g0`)).join(''),
    });
    let level = 0;
    const fanIn = Math.max(2, stage);
    while (parts.length > fanIn) {
      const next = [];
      for (let k = 0; k < parts.length; k += fanIn) {
        const group = parts.slice(k, k + fanIn);
        const {cols, from} = joinParts(group);
        const name = `combined${level}_${next.length}`;
        await conn.run(`CREATE TABLE ${name} AS SELECT g0.__rn${cols.map((c) => `, ${c}`).join('')} FROM ${from}`);
        for (const g of group) await conn.run(`DROP TABLE ${g.name}`);
        next.push({name, cols});
      }
      parts = next;
      level++;
    }
    const spineOut = spineSchema.columns.map((_, j) => `s.s${j}`);
    const partCols = parts.flatMap((g) => g.cols);
    const joins = parts.map((g) => ` LEFT JOIN ${g.name} ON s.__rn = ${g.name}.__rn`).join('');
    const sql = `SELECT s.__rn${[...spineOut, ...partCols].map((c) => `, ${c}`).join('')}
      FROM spine s${joins} ORDER BY s.__rn`;
    const fd = outPath === '-' ? null : fs.openSync(outPath, 'w');
    const out = fd === null ? (s) => process.stdout.write(s) : (s) => fs.writeSync(fd, s);
    const {rows, unsupported} = await writeQueryJsonl(db, sql, outColumns, out, {skip: 1});
    if (fd !== null) fs.closeSync(fd);
    if (unsupported.size) {
      const names = [...unsupported].map((j) => outColumns[j].name);
      process.stderr.write(`duckdb_merge: __unsupported__ in ${names.join(', ')}\n`);
    }
    process.stderr.write(`duckdb_merge: ${rows} rows, ${outColumns.length} columns, ${tables.length} tables\n`);
  } finally {
    conn.closeSync?.();
    scratch.cleanup();
  }
}

main().catch((e) => {
  process.stderr.write(`duckdb_merge: ${e.message || e}\n`);
  process.exit(1);
});
