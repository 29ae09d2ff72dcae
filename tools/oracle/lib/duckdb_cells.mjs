// DuckDB (@duckdb/node-api) side of the oracles: opens a connection, makes a DuckDB-readable copy of
// files with TIME/TIMESTAMP(NANOS, UTC) columns (see patchNanosUtc), and streams a query's result as
// JSON Lines in the representation of lib/jsonl_format.mjs, each output column formatted by the
// kind of the Parquet column it comes from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {load} from './deps.mjs';
import {patchNanosUtc} from './parquet_footer.mjs';
import {UNSUPPORTED, convertUnit, f32Cell, f64Cell, hex, hexCell, intCell, stringCell} from './jsonl_format.mjs';

export const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;
export const sqlIdent = (s) => `"${String(s).replace(/"/g, '""')}"`;

/**
 * Opens DuckDB (in memory, or in the database file dbPath) with a memory limit (default 4GB or
 * $ORACLE_DUCKDB_MEMORY) and a spill folder. Returns {api, instance, conn}.
 */
export async function openDuckDB({memoryLimit, threads, tempDir, dbPath} = {}) {
  const api = await load('@duckdb/node-api');
  memoryLimit = memoryLimit || process.env.ORACLE_DUCKDB_MEMORY || '4GB';
  const instance = await api.DuckDBInstance.create(dbPath || ':memory:');
  const conn = await instance.connect();
  await conn.run(`SET memory_limit = ${sqlString(memoryLimit)}`);
  await conn.run(`SET preserve_insertion_order = true`);
  if (threads) await conn.run(`SET threads = ${Number(threads)}`);
  if (tempDir) await conn.run(`SET temp_directory = ${sqlString(tempDir)}`);
  return {api, instance, conn};
}

/**
 * A scratch folder for patched copies; removed by the returned cleanup function.
 */
export function scratchDir(prefix = 'fm-oracle-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {dir, cleanup: () => fs.rmSync(dir, {recursive: true, force: true})};
}

/**
 * The path DuckDB should read for FILE: FILE itself, or a copy in `dir` whose footer marks
 * TIME/TIMESTAMP(NANOS) columns as not UTC-adjusted so DuckDB keeps their nanoseconds.
 */
export function duckdbReadablePath(file, dir) {
  if (patchNanosUtc(file).length === 0) return file;
  const out = path.join(dir, `${fs.readdirSync(dir).length}_${path.basename(file)}`);
  patchNanosUtc(file, out);
  return out;
}

/** IEEE half-precision bits of a value that a float16 holds exactly (DuckDB widens FLOAT16 to FLOAT). */
function float16Bits(x) {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -14) {
    const m = a / 2 ** -24;
    return Number.isInteger(m) ? sign | m : null;
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const m = (a / 2 ** e - 1) * 1024;
  if (!Number.isInteger(m) || e > 15) return null;
  return sign | ((e + 15) << 10) | m;
}

/** The count stored in a DuckDB temporal value and its unit. */
function temporalCount(v, typeId, T) {
  switch (typeId) {
    case T.TIMESTAMP: case T.TIMESTAMP_TZ: case T.TIME: case T.TIME_TZ: return [v.micros, 'MICROS'];
    case T.TIMESTAMP_NS: case T.TIME_NS: return [v.nanos, 'NANOS'];
    case T.TIMESTAMP_MS: return [v.millis, 'MILLIS'];
    case T.TIMESTAMP_S: return [v.seconds, 'SECONDS'];
    default: return null;
  }
}

/**
 * f(value) -> JSON text for a non-null DuckDB value of type `type` from a Parquet column `col`
 * (from parquet_footer.mjs), or null when DuckDB's type cannot give col's kind exactly.
 */
export function duckdbCellFn(api, col, type) {
  const T = api.DuckDBTypeId;
  const id = type.typeId;
  const is = (...ids) => ids.includes(id);
  switch (col.value) {
    case 'boolean':
      return is(T.BOOLEAN) ? (v) => (v ? 'true' : 'false') : null;
    case 'integer':
      if (is(T.TINYINT, T.SMALLINT, T.INTEGER, T.BIGINT, T.UTINYINT, T.USMALLINT, T.UINTEGER, T.UBIGINT,
        T.HUGEINT, T.UHUGEINT, T.SQLNULL)) return intCell;
      return null;
    case 'decimal_unscaled': {
      if (!is(T.DECIMAL)) return null;  // DuckDB reads DECIMAL with precision > 38 as DOUBLE
      const shift = BigInt(col.scale ?? 0) - BigInt(type.scale);
      if (shift < 0n) return null;
      const mul = 10n ** shift;
      return (v) => `"${v.value * mul}"`;
    }
    case 'float32_text':
      return is(T.FLOAT) ? f32Cell : null;
    case 'float64_text':
      return is(T.DOUBLE) ? f64Cell : null;
    case 'days_since_epoch':
      return is(T.DATE) ? (v) => String(v.days) : null;
    case 'time_since_midnight':
    case 'timestamp_since_epoch': {
      const wantTime = col.value === 'time_since_midnight';
      const ok = wantTime ? is(T.TIME, T.TIME_NS, T.TIME_TZ) :
        is(T.TIMESTAMP, T.TIMESTAMP_NS, T.TIMESTAMP_MS, T.TIMESTAMP_S, T.TIMESTAMP_TZ);
      if (!ok) return null;
      return (v) => {
        const [count, unit] = temporalCount(v, id, T);
        const r = convertUnit(count, unit, col.unit);
        return r === null ? UNSUPPORTED : intCell(r);
      };
    }
    case 'string':
      return is(T.VARCHAR) ? stringCell : is(T.ENUM) ? (v) => stringCell(String(v)) : null;
    case 'hex':
      if (is(T.BLOB)) return (v) => hexCell(v.bytes);
      if (is(T.UUID)) return (v) => `"${v.toUint128().toString(16).padStart(32, '0')}"`;
      if (is(T.VARCHAR)) return (v) => hexCell(Buffer.from(v, 'utf8'));
      if (is(T.INTERVAL) && col.type_length === 12) {  // Parquet INTERVAL: months, days, millis (u32 LE)
        return (v) => {
          if (v.micros % 1000n !== 0n) return UNSUPPORTED;
          const b = Buffer.alloc(12);
          b.writeUInt32LE(v.months >>> 0, 0);
          b.writeUInt32LE(v.days >>> 0, 4);
          b.writeUInt32LE(Number(BigInt.asUintN(32, v.micros / 1000n)), 8);
          return hexCell(b);
        };
      }
      if (is(T.FLOAT) && col.logical_type?.type === 'FLOAT16') {
        return (v) => {
          const h = float16Bits(v);
          return h === null ? UNSUPPORTED : `"${hex([h & 255, h >> 8])}"`;
        };
      }
      return null;
    default:
      return null;
  }
}

/**
 * Streams the result of `sql` to `out` (a function taking a string) as JSON Lines.
 * `columns[j]` is the Parquet column (with its kind) that result column j comes from; `skip` is the
 * number of leading result columns to leave out (e.g. a row-number column used for ordering).
 * Returns {rows, unsupported: Set of output column indexes with at least one __unsupported__ cell}.
 */
export async function writeQueryJsonl({api, conn}, sql, columns, out, {skip = 0} = {}) {
  const result = await conn.stream(sql);
  const n = result.columnCount - skip;
  if (n !== columns.length) throw new Error(`query returned ${n} columns, expected ${columns.length}`);
  const fns = columns.map((c, j) => duckdbCellFn(api, c, result.columnType(j + skip)));
  const unsupported = new Set(fns.flatMap((fn, j) => (fn ? [] : [j])));
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    let text = '';
    for (let i = 0; i < chunk.rowCount; i++) {
      const cells = new Array(n);
      for (let j = 0; j < n; j++) {
        const v = cols[j + skip][i];
        if (!fns[j]) cells[j] = UNSUPPORTED;
        else if (v === null) cells[j] = 'null';
        else {
          cells[j] = fns[j](v);
          if (cells[j] === UNSUPPORTED) unsupported.add(j);
        }
      }
      text += `[${cells.join(',')}]\n`;
    }
    rows += chunk.rowCount;
    out(text);
  }
  return {rows, unsupported};
}
