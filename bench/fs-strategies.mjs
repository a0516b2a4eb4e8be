// Node-only experiments behind the suggestions in docs/performance.md: ways to list a tree
// (readdir + lstat) and to copy small files, timed on the cached bench trees. Not megamirror code,
// and not part of `npm run bench`:
//
//   node bench/fs-strategies.mjs walk TREE_DIR STRATEGY      (unbounded | bounded | sync)
//   node bench/fs-strategies.mjs copy TREE_DIR DEST STRATEGY (megamirror-like | lean | sync)
//
// Each invocation runs one strategy in a fresh process and prints seconds, CPU seconds and peak RSS.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rename, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

const [mode, root, a3, a4] = process.argv.slice(2);
const t0 = performance.now();
const cpu0 = process.cpuUsage();

/** Bounded concurrency without a library: at most `n` calls of `fn` in flight. */
function limiter(n) {
  let active = 0;
  let head = 0;
  const queue = [];
  const next = () => {
    if (active >= n || head === queue.length) return;
    active++;
    const { fn, resolve, reject } = queue[head];
    queue[head++] = undefined;
    fn().then(resolve, reject).finally(() => {
      active--;
      next();
    });
  };
  return (fn) => new Promise((resolve, reject) => {
    queue.push({ fn, resolve, reject });
    next();
  });
}

async function walkUnbounded(rel, out) {
  // The shape of src/backends/local/walk.ts: every entry of every folder at once.
  const dirents = await readdir(join(root, rel), { withFileTypes: true });
  const subdirs = [];
  await Promise.all(dirents.map(async (d) => {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) {
      out.push({ kind: 'dir', path: p });
      subdirs.push(walkUnbounded(p, out));
    } else {
      const s = await lstat(join(root, p));
      out.push({ kind: 'file', path: p, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
    }
  }));
  await Promise.all(subdirs);
}

async function walkBounded(out, n = 32) {
  const limit = limiter(n);
  const visit = async (rel) => {
    const dirents = await limit(() => readdir(join(root, rel), { withFileTypes: true }));
    const work = [];
    for (const d of dirents) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        out.push({ kind: 'dir', path: p });
        work.push(visit(p));
      } else {
        work.push(limit(() => lstat(join(root, p))).then((s) => {
          out.push({ kind: 'file', path: p, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
        }));
      }
    }
    await Promise.all(work);
  };
  await visit('');
}

function walkSync(rel, out) {
  for (const d of fs.readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) {
      out.push({ kind: 'dir', path: p });
      walkSync(p, out);
    } else {
      const s = fs.lstatSync(join(root, p));
      out.push({ kind: 'file', path: p, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
    }
  }
}

async function listing(strategy) {
  const out = [];
  if (strategy === 'unbounded') await walkUnbounded('', out);
  else if (strategy === 'bounded') await walkBounded(out);
  else if (strategy === 'sync') walkSync('', out);
  else throw new Error(`unknown walk strategy ${strategy}`);
  return out;
}

async function copyTree(dest, strategy) {
  const files = [];
  walkSync('', files);
  for (const e of files) if (e.kind === 'dir') fs.mkdirSync(join(dest, e.path), { recursive: true });
  const todo = files.filter((e) => e.kind === 'file');
  const tmpName = (p) => `${p}.${randomBytes(4).toString('hex')}.mmpartial`;
  if (strategy === 'megamirror-like') {
    // What a copy costs in src/engine/transfer.ts + src/backends/local/write.ts: stat source, copy to
    // a partial name, stat the partial, utimes, stat source again, rename; 4 at a time, all queued.
    const limit = limiter(4);
    await Promise.all(todo.map((e) => limit(async () => {
      const src = join(root, e.path);
      const before = await stat(src);
      const tmp = tmpName(join(dest, e.path));
      await copyFile(src, tmp);
      await stat(tmp);
      await utimes(tmp, Date.now() / 1000, before.mtimeMs / 1000);
      await stat(src);
      await rename(tmp, join(dest, e.path));
    })));
  } else if (strategy === 'lean') {
    // Same safety (partial name, mtime, rename) with the listing's size/mtime, 16 at a time, and a
    // counter instead of random bytes for the partial name.
    const limit = limiter(16);
    let n = 0;
    const prefix = randomBytes(4).toString('hex');
    await Promise.all(todo.map((e) => limit(async () => {
      const tmp = `${join(dest, e.path)}.${prefix}${(n++).toString(16)}.mmpartial`;
      await copyFile(join(root, e.path), tmp);
      await utimes(tmp, e.mtimeMs / 1000, e.mtimeMs / 1000);
      await rename(tmp, join(dest, e.path));
    })));
  } else if (strategy === 'sync') {
    for (const e of todo) {
      const tmp = tmpName(join(dest, e.path));
      fs.copyFileSync(join(root, e.path), tmp);
      fs.utimesSync(tmp, e.mtimeMs / 1000, e.mtimeMs / 1000);
      fs.renameSync(tmp, join(dest, e.path));
    }
  } else {
    throw new Error(`unknown copy strategy ${strategy}`);
  }
  return todo.length;
}

let what;
if (mode === 'walk') {
  what = `${(await listing(a3)).length} entries listed (${a3})`;
} else if (mode === 'copy') {
  await mkdir(a3, { recursive: true });
  what = `${await copyTree(a3, a4)} files copied (${a4})`;
} else {
  console.error('usage: node bench/fs-strategies.mjs walk TREE STRATEGY | copy TREE DEST STRATEGY');
  process.exit(2);
}
const cpu = process.cpuUsage(cpu0);
console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
