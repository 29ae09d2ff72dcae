#!/usr/bin/env node
// Runs SQL statements with DuckDB (from .deps/node), one per argument, in order. Tests use it to
// write edge-case Parquet inputs (empty tables, key-only tables, millisecond keys) that the
// generator does not produce.
//
//   node tools/oracle/run_sql.mjs "COPY (SELECT ...) TO 'x.parquet' (FORMAT parquet)" ...
import {openDuckDB} from './lib/duckdb_cells.mjs';

const statements = process.argv.slice(2);
if (statements.length === 0) {
  console.error('usage: run_sql.mjs SQL [SQL...]');
  process.exit(1);
}
const {conn} = await openDuckDB({memoryLimit: '2GB'});
for (const sql of statements) await conn.run(sql);
