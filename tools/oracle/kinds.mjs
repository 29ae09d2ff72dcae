#!/usr/bin/env node
// Prints the interop-corpus kinds (README `value` names) of a flat Parquet file's columns, comma
// separated, from its footer: the --kinds argument of compare_jsonl.py.
//   node tools/oracle/kinds.mjs FILE [--columns a,b] [--json]
// --json prints the columns' full descriptions (name, physical/converted/logical type, value, unit).
import {readParquetSchema} from './lib/parquet_footer.mjs';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--columns');
if (!file) {
  console.error('usage: kinds.mjs FILE [--columns a,b] [--json]');
  process.exit(2);
}
try {
  let cols = readParquetSchema(file).columns;
  const ci = args.indexOf('--columns');
  if (ci >= 0) {
    cols = args[ci + 1].split(',').map((n) => {
      const c = cols.find((x) => x.name === n);
      if (!c) throw new Error(`no column ${n}`);
      return c;
    });
  }
  console.log(args.includes('--json') ? JSON.stringify(cols, null, 1) : cols.map((c) => c.value).join(','));
} catch (e) {
  console.error(`kinds: ${e.message}`);
  process.exit(1);
}
