// Shared argument handling of the merge oracle and the merge benchmarks: which files make up a
// merge (the spine and the feature tables, in order) and their footer schemas.
import fs from 'node:fs';
import path from 'node:path';
import {readParquetSchema} from './parquet_footer.mjs';

/** A name relative to DIR unless it is absolute or contains a slash (then relative to the cwd). */
export function resolveIn(dir, name) {
  return path.isAbsolute(name) || name.includes('/') ? path.resolve(name) : path.join(dir, name);
}

/**
 * {spine, tables}: the spine's path and the feature tables' paths, in order: the --tables list as
 * given, or every *.parquet of DIR except the spine, sorted by file name (byte order).
 */
export function mergeInputs(dir, spineName, tablesList) {
  const spine = resolveIn(dir, spineName);
  let tables;
  if (tablesList && tablesList.length) {
    tables = tablesList.map((t) => resolveIn(dir, t));
  } else {
    const names = fs.readdirSync(dir)
      .filter((f) => f.endsWith('.parquet') && !f.startsWith('.'))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    tables = names.map((f) => path.join(dir, f)).filter((f) => path.resolve(f) !== path.resolve(spine));
  }
  for (const f of [spine, ...tables]) if (!fs.existsSync(f)) throw new Error(`no such file: ${f}`);
  return {spine, tables};
}

/** Footer schema of FILE plus the index of its key column (error when absent). */
export function schemaWithKey(file, key) {
  const schema = readParquetSchema(file);
  const keyIndex = schema.columns.findIndex((c) => c.name === key);
  if (keyIndex < 0) throw new Error(`${file}: no key column ${key}`);
  return {...schema, file, keyIndex, keyColumn: schema.columns[keyIndex]};
}

/** Minimal option parser: flags listed in `bools` take no value; the rest are positional. */
export function parseOptions(argv, bools = []) {
  const opts = {_: []};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = (eq > 0 ? a.slice(2, eq) : a.slice(2));
      if (bools.includes(name)) opts[name] = true;
      else if (eq > 0) opts[name] = a.slice(eq + 1);
      else if (i + 1 < argv.length) opts[name] = argv[++i];
      else throw new Error(`option --${name} needs a value`);
    } else {
      opts._.push(a);
    }
  }
  return opts;
}
