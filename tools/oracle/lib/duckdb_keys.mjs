// Merge keys in DuckDB: an exact, comparable SQL value for a key column whatever its Parquet type
// and unit, so that tables whose keys differ in unit (ns/us/ms) or UTC flag join on instants.
import {sqlIdent, sqlString} from './duckdb_cells.mjs';

/** SQL giving a comparable, exact value of key column `name` whose DuckDB type is `duckType`. */
export function keyExpr(name, col, duckType) {
  const k = sqlIdent(name);
  const t = duckType.toUpperCase();
  switch (col.value) {
    case 'timestamp_since_epoch':
    case 'time_since_midnight': {
      // nanoseconds as HUGEINT (no overflow for any unit); epoch_* of a TIMESTAMPTZ is its instant.
      const f = {TIMESTAMP_NS: [`epoch_ns(${k})`, 1], TIME_NS: [`epoch_ns(${k})`, 1],
        TIMESTAMP: [`epoch_us(${k})`, 1000], 'TIMESTAMP WITH TIME ZONE': [`epoch_us(${k})`, 1000],
        TIME: [`epoch_us(${k})`, 1000], 'TIME WITH TIME ZONE': [`epoch_us(${k})`, 1000],
        TIMESTAMP_MS: [`epoch_ms(${k})`, 1000000], TIMESTAMP_S: [`CAST(epoch(${k}) AS BIGINT)`, 1000000000]}[t];
      if (!f) throw new Error(`key ${name}: unexpected DuckDB type ${duckType}`);
      return `CAST(${f[0]} AS HUGEINT) * ${f[1]}`;
    }
    case 'integer':
      return `CAST(${k} AS HUGEINT)`;
    case 'days_since_epoch':
      return `CAST(${k} - DATE '1970-01-01' AS HUGEINT)`;
    case 'string':
      return `CAST(${k} AS VARCHAR)`;
    default:
      throw new Error(`key ${name}: unsupported key kind ${col.value}`);
  }
}

export const keyClass = (kind) => ({timestamp_since_epoch: 'instant', time_since_midnight: 'time',
  integer: 'int', days_since_epoch: 'date', string: 'string'})[kind] || kind;

/** Map column name -> DuckDB type name of read_parquet(src). */
export async function duckTypes(conn, src) {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(src)})`);
  return new Map(r.getRowObjectsJS().map((o) => [o.column_name, String(o.column_type)]));
}

