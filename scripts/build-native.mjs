#!/usr/bin/env node
// Builds megamirror's optional native helpers (native/, Node-API in C) with node-gyp; run by
// `npm install` / `npm ci` (the "install" script) and by hand after editing native/.
//
// Optional by design: without a C compiler, Node's headers or Linux, the build is skipped with
// one line and the local backend uses node:fs instead (same results, slower scans and copies of
// large trees). MEGAMIRROR_NATIVE=0 skips the build; MEGAMIRROR_REQUIRE_NATIVE=1 (CI) turns a
// failed build into a failed install, so a broken native/ cannot hide behind the fallback.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native');
const built = join(dir, 'build', 'Release', 'megamirror_native.node');
const required = process.env.MEGAMIRROR_REQUIRE_NATIVE === '1';

function skip(why) {
  const line = `megamirror: native helpers not built (${why}); local scans and copies use node:fs instead`;
  if (required) {
    console.error(`${line}\nMEGAMIRROR_REQUIRE_NATIVE=1: failing the install`);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

if (process.env.MEGAMIRROR_NATIVE === '0') skip('MEGAMIRROR_NATIVE=0');
// copy_file_range, fstatat on an open folder, futimens: written for Linux.
if (process.platform !== 'linux') skip(`written for Linux, this is ${process.platform}`);

/** node-gyp: the one npm hands its scripts, else the one bundled with this Node's npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

const gyp = findNodeGyp();
if (!gyp) skip('node-gyp not found');
const args = [gyp, 'rebuild', `--directory=${dir}`];
// Outside npm, node-gyp would download headers: point it at the ones installed with this Node.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
if (r.status !== 0) {
  const last = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => /error|not found|ERR!/i.test(l))[0];
  skip(r.error ? r.error.message : (last ?? `node-gyp exited with ${r.status}`));
}
// Loaded once here, so a module that builds but cannot load is found at install time.
const check = spawnSync(process.execPath, ['-e', `process.exit(require(${JSON.stringify(built)}).abi > 0 ? 0 : 1)`], { encoding: 'utf8' });
if (check.status !== 0) skip(`built but does not load: ${(check.stderr ?? '').split('\n')[0]}`);
console.log(`megamirror: native helpers built (${built.slice(root.length + 1)})`);
