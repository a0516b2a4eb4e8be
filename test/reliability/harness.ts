import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnCli } from '../helpers/cli.js';
import { writeTree } from '../helpers/fs-tree.js';

/** How many kills per scenario: a few in CI, more for docs/reliability.md (RELIABILITY_TRIALS=20). */
export const TRIALS = Number(process.env.RELIABILITY_TRIALS ?? 3);

/** A seeded generator so a failing trial can be replayed (the seed is in the test name). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Two versions of a tree: B changes, adds and removes files of A. Sizes up to a few MB. */
export function versions(seed: number, files = 120): { a: Record<string, Buffer>; b: Record<string, Buffer> } {
  const r = rng(seed);
  const a: Record<string, Buffer> = {};
  const b: Record<string, Buffer> = {};
  for (let i = 0; i < files; i++) {
    const path = `d${i % 7}/sub${i % 3}/f${i}.bin`;
    const size = r() < 0.1 ? Math.floor(r() * 6_000_000) : Math.floor(r() * 40_000);
    const content = randomBytes(size);
    const roll = r();
    if (roll < 0.15) {
      a[path] = content; // removed in B
    } else if (roll < 0.3) {
      b[path] = content; // added in B
    } else if (roll < 0.65) {
      a[path] = content;
      b[path] = Buffer.concat([content.subarray(0, Math.floor(size / 2)), randomBytes(Math.floor(r() * 50_000) + 1)]);
    } else {
      a[path] = content;
      b[path] = content;
    }
  }
  return { a, b };
}

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Files below root, as path -> sha256, ignoring nothing (partial files included). */
export async function hashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const names = (await readdir(root, { recursive: true }).catch(() => [])) as string[];
  for (const n of names) {
    const p = join(root, n);
    if ((await stat(p)).isFile()) out[n] = sha(await readFile(p));
  }
  return out;
}

export async function writeVersion(root: string, files: Record<string, Buffer>): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await writeTree(root, Object.fromEntries(Object.entries(files).map(([p, c]) => [p, { content: c, mtime: '2024-03-01T00:00:00Z' }])));
}

/** Start the CLI, kill it with SIGKILL after `delayMs`, and wait until it is gone. */
export async function killAfter(args: string[], delayMs: number, env: Record<string, string> = {}): Promise<{ finished: boolean }> {
  const child = spawnCli(args, { env });
  const closed = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const code = await closed;
  clearTimeout(timer);
  return { finished: code !== null };
}

/**
 * After a kill: every file under a final name is byte for byte its old or its new version, and
 * only partial files (hidden temporary names) may be anything else.
 */
export function mixedFiles(dest: Record<string, string>, a: Record<string, Buffer>, b: Record<string, Buffer>, prefix = ''): string[] {
  const bad: string[] = [];
  for (const [path, h] of Object.entries(dest)) {
    if (path.endsWith('.mmpartial') || path.endsWith('.megamirror-manifest.json')) continue;
    const rel = prefix ? path.slice(prefix.length) : path;
    const ok = (a[rel] && sha(a[rel]) === h) || (b[rel] && sha(b[rel]) === h);
    if (!ok) bad.push(path);
  }
  return bad;
}

export async function writeJobs(path: string, body: string): Promise<void> {
  await writeFile(path, `version: 1\njobs:\n${body}`);
}
