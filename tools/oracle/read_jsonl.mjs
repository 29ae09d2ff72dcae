#!/usr/bin/env node
// Test oracle: prints a flat Parquet file's rows as JSON Lines, read by an independent library, in
// exactly the representation of /work/shared/interop/README.md (see tools/oracle/README.md).
// Interop round-trip tests write a file with featmerge, read it back here and compare with
// compare_jsonl.py.
//
//   node tools/oracle/read_jsonl.mjs --reader duckdb|polars|parquetwasm FILE [--columns a,b] [--out OUT]
//                                    [--skip-unreadable-columns]
//
// FILE may be a glob of files ('dir/part-*.parquet'): DuckDB and Polars then read them as one
// dataset (read_parquet / scanParquet of the glob), rows in file-name order, then file order.
//
// Column kinds come from the file's footer (lib/parquet_footer.mjs), values from the chosen reader.
// A column that the reader cannot return exactly prints "__unsupported__" in every row (or in the
// rows it cannot represent); compare_jsonl.py then skips that column. Exit 1 on a read error.
// --skip-unreadable-columns: when reading the file fails, read it column by column and print
// "__unsupported__" for the columns the reader cannot read (for surveying a reader's limits, e.g.
// check_readers.py; not for tests, where a damaged column must fail).
import fs from 'node:fs';
import path from 'node:path';
import {load} from './lib/deps.mjs';
import {readParquetSchema} from './lib/parquet_footer.mjs';
import {UNSUPPORTED, writeArrowTable} from './lib/jsonl_format.mjs';
import {duckdbReadablePath, openDuckDB, scratchDir, sqlIdent, sqlString, writeQueryJsonl} from './lib/duckdb_cells.mjs';

const USAGE = 'usage: read_jsonl.mjs --reader duckdb|polars|parquetwasm FILE [--columns a,b] [--out OUT] ' +
  '[--skip-unreadable-columns]';

function parseArgs(argv) {
  const o = {reader: null, file: null, columns: null, out: null, perColumn: false};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--reader') o.reader = argv[++i];
    else if (a === '--columns') o.columns = argv[++i].split(',').filter(Boolean);
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--skip-unreadable-columns') o.perColumn = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (!o.file && !a.startsWith('--')) o.file = a;
    else throw new Error(`unexpected argument ${a}\n${USAGE}`);
  }
  if (!['duckdb', 'polars', 'parquetwasm'].includes(o.reader) || !o.file) throw new Error(USAGE);
  return o;
}

/** The Parquet columns to print, in output order. */
function selectColumns(schema, names) {
  if (!names) return schema.columns;
  return names.map((n) => {
    const c = schema.columns.find((x) => x.name === n);
    if (!c) throw new Error(`no column ${n} in the file`);
    return c;
  });
}

/** The files a glob names (only '*' in the last path part), sorted; a plain path as is. */
function expandGlob(pattern) {
  if (!pattern.includes('*')) return [pattern];
  const dir = path.dirname(pattern);
  const re = new RegExp('^' + path.basename(pattern).split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  const files = fs.readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
  if (!files.length) throw new Error(`no file matches ${pattern}`);
  return files;
}

async function readDuckDBDataset(pattern, columns, out) {
  const scratch = scratchDir();
  const db = await openDuckDB({tempDir: scratch.dir});
  try {
    const files = expandGlob(pattern);
    // Files DuckDB cannot read as they are get patched copies, named so they sort the same.
    const patched = files.map((f, i) => {
      const copy = duckdbReadablePath(f, scratch.dir);
      if (copy === f) return f;
      const named = path.join(scratch.dir, `${String(i).padStart(6, '0')}.parquet`);
      fs.renameSync(copy, named);
      return named;
    });
    const glob = patched[0] === files[0] ? pattern : path.join(scratch.dir, '*.parquet');
    const list = columns.map((c) => sqlIdent(c.name)).join(', ');
    const sql = `SELECT ${list} FROM read_parquet(${sqlString(glob)}, filename = true, ` +
      `file_row_number = true) ORDER BY filename, file_row_number`;
    return await writeQueryJsonl(db, sql, columns, out);
  } finally {
    db.conn.closeSync?.();
    scratch.cleanup();
  }
}

async function readPolarsDataset(pattern, columns, out) {
  const pl = await load('nodejs-polars');
  const arrow = await load('apache-arrow');
  const names = columns.map((c) => c.name);
  let df = pl.scanParquet(pattern).select(...names).collect();
  if (df instanceof Promise) df = await df;
  const table = arrow.tableFromIPC(df.writeIPC());
  return {unsupported: writeArrowTable(arrow, table, columns, out, {temporalIntsAreRaw: false})};
}

async function readDuckDB(file, columns, out) {
  if (file.includes('*')) return readDuckDBDataset(file, columns, out);
  const scratch = scratchDir();
  const db = await openDuckDB({tempDir: scratch.dir});
  try {
    const src = duckdbReadablePath(file, scratch.dir);
    const list = columns.map((c) => sqlIdent(c.name)).join(', ');
    // file_row_number keeps the file's row order; unusable if the file has a column of that name.
    const hasRn = columns.some((c) => c.name === 'file_row_number') ||
      readParquetSchema(file).columns.some((c) => c.name === 'file_row_number');
    const sql = hasRn ?
      `SELECT ${list || '1'} FROM read_parquet(${sqlString(src)})` :
      `SELECT ${list || '1'} FROM read_parquet(${sqlString(src)}, file_row_number = true) ORDER BY file_row_number`;
    if (!columns.length) throw new Error('file has no columns');
    return await writeQueryJsonl(db, sql, columns, out);
  } finally {
    db.conn.closeSync?.();
    scratch.cleanup();
  }
}

async function readPolars(file, columns, out) {
  if (file.includes('*')) return readPolarsDataset(file, columns, out);
  const pl = await load('nodejs-polars');
  const arrow = await load('apache-arrow');
  const names = columns.map((c) => c.name);
  const df = pl.readParquet(file, {columns: names}).select(...names);
  const table = arrow.tableFromIPC(df.writeIPC());
  return {unsupported: writeArrowTable(arrow, table, columns, out, {temporalIntsAreRaw: false})};
}

async function readParquetWasm(file, columns, out) {
  const pw = await load('parquet-wasm');
  const arrow = await load('apache-arrow');
  const wasmTable = pw.readParquet(new Uint8Array(fs.readFileSync(file)), {columns: columns.map((c) => c.name)});
  let table = arrow.tableFromIPC(wasmTable.intoIPCStream());
  table = table.select(columns.map((c) => c.name));
  return {unsupported: writeArrowTable(arrow, table, columns, out)};
}

/** Reads each column alone; columns that fail print __unsupported__ in every row. */
async function readByColumn(read, file, columns, numRows, out) {
  const cells = [];
  const unsupported = new Set();
  for (let j = 0; j < columns.length; j++) {
    let text = '';
    try {
      const r = await read(file, [columns[j]], (s) => { text += s; });
      const lines = text.split('\n').filter(Boolean);
      if (lines.length !== numRows) throw new Error(`${lines.length} rows, footer says ${numRows}`);
      cells.push(lines.map((l) => l.slice(1, -1)));
      if (r.unsupported.size) unsupported.add(j);
    } catch (e) {
      process.stderr.write(`read_jsonl: column ${columns[j].name}: ${e.message}\n`);
      cells.push(new Array(numRows).fill(UNSUPPORTED));
      unsupported.add(j);
    }
  }
  for (let i = 0; i < numRows; i++) out(`[${cells.map((c) => c[i]).join(',')}]\n`);
  return {unsupported};
}

async function main() {
  process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));  // e.g. piped into head
  const o = parseArgs(process.argv.slice(2));
  const schema = readParquetSchema(expandGlob(o.file)[0]);
  const columns = selectColumns(schema, o.columns);
  const fd = o.out ? fs.openSync(o.out, 'w') : null;
  const out = fd === null ? (s) => process.stdout.write(s) : (s) => fs.writeSync(fd, s);
  const read = {duckdb: readDuckDB, polars: readPolars, parquetwasm: readParquetWasm}[o.reader];
  let unsupported;
  if (!o.perColumn) {
    ({unsupported} = await read(o.file, columns, out));
  } else {
    // Buffer the output so that a failure part-way does not leave partial rows behind.
    let text = '';
    try {
      ({unsupported} = await read(o.file, columns, (s) => { text += s; }));
      out(text);
    } catch (e) {
      process.stderr.write(`read_jsonl ${o.reader}: ${e.message}; reading column by column\n`);
      ({unsupported} = await readByColumn(read, o.file, columns, schema.numRows, out));
    }
  }
  if (fd !== null) fs.closeSync(fd);
  if (unsupported.size) {
    const names = [...unsupported].map((j) => `${columns[j].name} (${columns[j].value})`);
    process.stderr.write(`read_jsonl ${o.reader}: __unsupported__ in ${names.join(', ')}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`read_jsonl: ${e.message || e}\n`);
  process.exit(1);
});
