import { createHash, randomBytes } from 'node:crypto';
import { appendFile, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, spawnCli } from '../helpers/cli.js';
import { writeTree } from '../helpers/fs-tree.js';

/** How many kills per scenario: a few in CI, more for docs/reliability.md (RELIABILITY_TRIALS=20). */
export const TRIALS = Number(process.env.RELIABILITY_TRIALS ?? 3);

/** A seeded generator so a failing trial can be replayed (the seed is in the test name). */
export function rng(seed: number): () => number {
  // Scramble the seed first: xorshift's first outputs from small seeds are tiny.
  let s = Math.imul(seed >>> 0 || 1, 0x9e3779b1) >>> 0 || 1;
  for (let i = 0; i < 8; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
  }
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
export async function killAfter(
  args: string[], delayMs: number, env: Record<string, string> = {}, cwd?: string,
): Promise<{ finished: boolean }> {
  return killAt(args, { from: 'start', delayMs, env, ...(cwd ? { cwd } : {}) });
}

/** Lines `run -v` prints as actions finish: `  + path`, `  ~ path`, `  - path`, `  = path`. */
const ACTION_LINES = /^ {2}[+~=-] /gm;

export type KillOptions = {
  delayMs: number;
  env?: Record<string, string>;
  cwd?: string;
} & (
  /** Count the delay from the process start. */
  | { from: 'start' }
  /** Count it from the `after`-th finished action (the args must hold `run -v`). */
  | { from: 'action'; after: number }
);

/**
 * Start the CLI and SIGKILL it `delayMs` after its start or after its N-th finished action; wait
 * until it is gone. `finished`: it exited on its own first.
 */
export async function killAt(args: string[], o: KillOptions): Promise<{ finished: boolean }> {
  const child = spawnCli(args, { env: o.env ?? {}, ...(o.cwd ? { cwd: o.cwd } : {}) });
  const closed = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), o.delayMs));
  child.stdout!.resume();
  if (o.from === 'start') {
    child.stderr!.resume();
    arm();
  } else {
    let done = 0;
    let tail = '';
    child.stderr!.on('data', (d: Buffer) => {
      const text = tail + d.toString();
      const cut = text.lastIndexOf('\n') + 1;
      done += (text.slice(0, cut).match(ACTION_LINES) ?? []).length;
      tail = text.slice(cut);
      if (done >= o.after) arm();
    });
  }
  const code = await closed;
  clearTimeout(timer);
  return { finished: code !== null };
}

/** An uncut run: its exit code and how long it took (ms). */
export async function timedRun(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<{ code: number | null; fullMs: number }> {
  const child = spawnCli(args, { env, ...(cwd ? { cwd } : {}) });
  const t0 = performance.now();
  child.stdout!.resume();
  child.stderr!.resume();
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { code, fullMs: since(t0) };
}

/**
 * The kill moment of trial `t`. One trial in four is killed at a time drawn over a whole run
 * (`fullMs`, measured on the uncut run before it), so start-up and scanning are covered; the
 * others after a random one of the `actions` the run will apply (from `plan --json`), plus up to
 * 50 ms, so that most kills land among transfers, renames, commits and deletions.
 */
export function killPlan(seed: number, t: number, o: { fullMs: number; actions: number }): KillOptions {
  const r = rng(seed ^ 0x5bd1e995);
  if (t % 4 === 0 || o.actions === 0) return { from: 'start', delayMs: Math.floor(r() * o.fullMs * 1.1) };
  return { from: 'action', after: 1 + Math.floor(r() * o.actions), delayMs: Math.floor(r() * 50) };
}

export const describeKill = (k: KillOptions) =>
  k.from === 'start' ? `SIGKILL ${k.delayMs} ms after the start` : `SIGKILL ${k.delayMs} ms after action ${k.after}`;

/** How many actions `plan JOB --json` shows for the job (what the next run will do). */
export async function plannedActions(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<number> {
  const r = await runCli(['plan', '--json', ...args], { env, ...(cwd ? { cwd } : {}) });
  if (r.code !== 0) throw new Error(`plan failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { jobs: Array<{ actions: unknown[] }> }).jobs.reduce((n, j) => n + j.actions.length, 0);
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

/**
 * One trial's outcome, for docs/reliability.md: appended as a JSON line to $RELIABILITY_LOG when
 * it is set (scripts/reliability-report.mjs sets it and renders the tables). Recorded before the
 * assertions, so a failing trial is counted too. `lost` counts files whose content was lost or
 * damaged (a mixed file, a modified source, a destination that did not converge): must be 0.
 */
export interface TrialRecord {
  suite: 'crashes' | 'faults' | 'changing-sources' | 'local-faults' | 'hostile-inputs' | 'deletion-guards' | 'secrets';
  scenario: string;
  /** What was done to the run: a kill after N ms, a fault mix, an input. */
  injected: string;
  /** What happened, in a word or two (`mid-transfer kill`, `retried`, `refused`). */
  outcome: string;
  lost: number;
  detail?: Record<string, unknown>;
}

export async function record(r: TrialRecord): Promise<void> {
  const log = process.env.RELIABILITY_LOG;
  if (log) await appendFile(log, `${JSON.stringify({ ...r, at: new Date().toISOString() })}\n`);
}

/**
 * Where a kill landed, judged from the destination afterwards: nothing changed yet, part of the
 * plan applied, or all of it (the run had finished or was about to).
 */
export function killPhase(dest: Record<string, string>, a: Record<string, Buffer>, b: Record<string, Buffer>, finished: boolean): string {
  if (finished) return 'finished before the kill';
  const real = Object.entries(dest).filter(([p]) => !p.endsWith('.mmpartial'));
  const partials = Object.keys(dest).length - real.length;
  const equals = (v: Record<string, Buffer>) =>
    real.length === Object.keys(v).length && real.every(([p, h]) => v[p] !== undefined && sha(v[p]!) === h);
  if (equals(b)) return partials > 0 ? 'after the last copy' : 'all applied';
  if (equals(a) && partials === 0) return 'before any change';
  return 'mid-apply';
}

/** Milliseconds since `t0`. */
export const since = (t0: number) => Math.round(performance.now() - t0);
