// Loads the oracles' npm packages from <repo>/.deps/node (installed by tools/oracle/install.sh).
// ESM ignores NODE_PATH, so every script resolves packages through createRequire anchored at
// .deps/node/package.json. FEATMERGE_NODE_DEPS may point at another install folder.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const depsDir = process.env.FEATMERGE_NODE_DEPS || path.join(repoRoot, '.deps', 'node');

const require = createRequire(path.join(depsDir, 'package.json'));

/** Imports an installed package by name (CommonJS via require, ESM via import of its resolved path). */
export async function load(name) {
  if (!fs.existsSync(path.join(depsDir, 'node_modules'))) {
    throw new Error(`oracle packages not installed in ${depsDir}: run bash tools/oracle/install.sh`);
  }
  let resolved;
  try {
    resolved = require.resolve(name);
  } catch (e) {
    throw new Error(`cannot find ${name} in ${depsDir} (run bash tools/oracle/install.sh): ${e.message}`);
  }
  try {
    return require(resolved);
  } catch (e) {
    if (e.code !== 'ERR_REQUIRE_ESM') throw e;
    return import(pathToFileURL(resolved).href);
  }
}
