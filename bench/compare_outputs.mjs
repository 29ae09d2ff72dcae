#!/usr/bin/env node
// Sampled cell check between two merge outputs (the benchmark's correctness column), with DuckDB:
//
//   node bench/compare_outputs.mjs REF.parquet OTHER.parquet [--key interval_time] [--rows 200]
//        [--cols 64] [--seed 1] [--batch 256] [--memory-limit 2GB] [--threads N]
//
// Both files must hold the spine's rows in the spine's order (every benchmarked tool keeps it), so
// rows are matched by position (file_row_number). Checks, in order:
//   1. row counts and the ordered list of column names (footers);
//   2. the key column over ALL rows, as an instant (lib/duckdb_keys.mjs keyExpr: DuckDB reads
//      TIMESTAMP(NANOS, UTC) with microsecond precision, so keys are compared to the microsecond);
//   3. --cols randomly chosen non-key columns over ALL rows (IS DISTINCT FROM: nulls and NaNs
//      compare equal to themselves);
//   4. ALL columns present in both on --rows randomly chosen rows (--batch columns per query, which
//      bounds DuckDB's memory on wide files).
// Prints one JSON line on stdout: {"equal":bool, ...counts and up to 10 example differences}.
// Exit status 0 when equal, 1 when a difference was found, 2 on error.
import {openDuckDB, sqlIdent, sqlString} from '../tools/oracle/lib/duckdb_cells.mjs';
import {duckTypes, keyExpr} from '../tools/oracle/lib/duckdb_keys.mjs';
import {parseOptions} from '../tools/oracle/lib/merge_inputs.mjs';
import {readParquetSchema} from '../tools/oracle/lib/parquet_footer.mjs';

const USAGE = 'usage: compare_outputs.mjs REF.parquet OTHER.parquet [--key COL] [--rows N] [--cols K] [--seed S] ' +
  '[--batch B] [--memory-limit 2GB] [--threads N]';

/** Deterministic PRNG (mulberry32) so a seed gives the same sample. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k distinct items of arr (all of them when k >= arr.length), in their original order. */
function sample(arr, k, rand) {
  if (k >= arr.length) return arr.slice();
  const idx = arr.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).sort((x, y) => x - y).map((i) => arr[i]);
}

const show = (v) => (v === null || v === undefined ? null : typeof v === 'bigint' ? v.toString() : String(v));

async function main() {
  const o = parseOptions(process.argv.slice(2));
  if (o._.length !== 2) throw new Error(USAGE);
  const [refPath, otherPath] = o._;
  const key = o.key || 'interval_time';
  const nRows = Number(o.rows ?? 200), nCols = Number(o.cols ?? 64), batch = Number(o.batch ?? 256);
  const rand = rng(Number(o.seed ?? 1));
  const t0 = performance.now();

  const ref = readParquetSchema(refPath), other = readParquetSchema(otherPath);
  const refNames = ref.columns.map((c) => c.name), otherNames = other.columns.map((c) => c.name);
  const otherSet = new Set(otherNames);
  const common = refNames.filter((n) => otherSet.has(n));
  const res = {ref: refPath, other: otherPath, equal: true, rows_ref: ref.numRows, rows_other: other.numRows,
    columns_ref: refNames.length, columns_other: otherNames.length,
    names_equal: refNames.length === otherNames.length && refNames.every((n, i) => n === otherNames[i]),
    only_in_ref: refNames.filter((n) => !otherSet.has(n)).slice(0, 10),
    only_in_other: otherNames.filter((n) => !new Set(refNames).has(n)).slice(0, 10),
    key_mismatches: null, sampled_columns: 0, sampled_column_mismatches: {}, sampled_rows: 0,
    sampled_row_mismatches: {}, examples: []};
  const fail = () => { res.equal = false; };
  if (!res.names_equal) fail();
  if (res.rows_ref !== res.rows_other) fail();
  const keyCol = ref.columns.find((c) => c.name === key);
  if (!keyCol || !otherSet.has(key)) throw new Error(`key column ${key} missing in one of the files`);

  const {conn} = await openDuckDB({memoryLimit: o['memory-limit'] || '2GB', threads: o.threads});
  try {
    const [refTypes, otherTypes] = [await duckTypes(conn, refPath), await duckTypes(conn, otherPath)];
    const src = (p) => `read_parquet(${sqlString(p)}, file_row_number = true)`;
    const rows = Math.min(res.rows_ref, res.rows_other);
    const nonKey = common.filter((n) => n !== key);
    const q = async (sql) => (await conn.runAndReadAll(sql)).getRows();
    const distinct = (n) => `a.${sqlIdent(n)} IS DISTINCT FROM b.${sqlIdent(n)}`;
    const examples = async (cols, where) => {
      for (const n of cols) {
        if (res.examples.length >= 10) return;
        const ex = await q(`SELECT a.file_row_number, a.${sqlIdent(n)}, b.${sqlIdent(n)}
          FROM ${src(refPath)} a JOIN ${src(otherPath)} b USING (file_row_number)
          WHERE (${distinct(n)})${where} ORDER BY 1 LIMIT 3`);
        for (const [r, x, y] of ex) res.examples.push({row: Number(r), column: n, ref: show(x), other: show(y)});
      }
    };

    // 2. The key over all rows, as instants.
    const [[keyBad]] = await q(`SELECT count(*) FROM
      (SELECT file_row_number, ${keyExpr(key, keyCol, refTypes.get(key))} AS k FROM ${src(refPath)}) a
      JOIN (SELECT file_row_number, ${keyExpr(key, other.columns.find((c) => c.name === key), otherTypes.get(key))} AS k
            FROM ${src(otherPath)}) b USING (file_row_number)
      WHERE a.k IS DISTINCT FROM b.k`);
    res.key_mismatches = Number(keyBad);
    if (res.key_mismatches) fail();

    // 3. Sampled columns over all rows.
    const cols = sample(nonKey, nCols, rand);
    res.sampled_columns = cols.length;
    if (cols.length) {
      const [counts] = await q(`SELECT ${cols.map((n) => `count(*) FILTER (WHERE ${distinct(n)})`).join(', ')}
        FROM (SELECT file_row_number, ${cols.map(sqlIdent).join(', ')} FROM ${src(refPath)}) a
        JOIN (SELECT file_row_number, ${cols.map(sqlIdent).join(', ')} FROM ${src(otherPath)}) b
        USING (file_row_number)`);
      const bad = cols.filter((n, j) => Number(counts[j]) > 0);
      cols.forEach((n, j) => { if (Number(counts[j]) > 0) res.sampled_column_mismatches[n] = Number(counts[j]); });
      if (bad.length) { fail(); await examples(bad, ''); }
    }

    // 4. All common columns on sampled rows, --batch columns per query: DuckDB's memory grows with
    // the number of columns a scan decodes (a 5,000-column SELECT * took over 20 GB), and the
    // memory_limit does not bound it.
    const rowIds = sample(Array.from({length: rows}, (_, i) => i), nRows, rand);
    res.sampled_rows = rowIds.length;
    if (rowIds.length && nonKey.length) {
      const inList = `(${rowIds.join(', ')})`;
      const where = ` AND a.file_row_number IN ${inList}`;
      const bad = [];
      for (let first = 0; first < nonKey.length; first += batch) {
        const part = nonKey.slice(first, first + batch);
        const proj = part.map(sqlIdent).join(', ');
        const [counts] = await q(`SELECT ${part.map((n) => `count(*) FILTER (WHERE ${distinct(n)})`).join(', ')}
          FROM (SELECT file_row_number, ${proj} FROM ${src(refPath)} WHERE file_row_number IN ${inList}) a
          JOIN (SELECT file_row_number, ${proj} FROM ${src(otherPath)} WHERE file_row_number IN ${inList}) b
          USING (file_row_number)`);
        part.forEach((n, j) => {
          if (Number(counts[j]) > 0) { bad.push(n); res.sampled_row_mismatches[n] = Number(counts[j]); }
        });
      }
      if (bad.length) { fail(); await examples(bad, where); }
    }
  } finally {
    conn.closeSync?.();
  }
  // Keep the line short: at most 20 mismatching columns per check.
  for (const f of ['sampled_column_mismatches', 'sampled_row_mismatches']) {
    const e = Object.entries(res[f]);
    res[`${f}_total`] = e.length;
    res[f] = Object.fromEntries(e.slice(0, 20));
  }
  res.seconds = +((performance.now() - t0) / 1000).toFixed(3);
  console.log(JSON.stringify(res));
  return res.equal ? 0 : 1;
}

main().then((code) => process.exit(code)).catch((e) => {
  process.stderr.write(`compare_outputs: ${e.message || e}\n`);
  process.exit(2);
});
