/**
 * Suite 3: files that change while a real CLI child copies them (local -> local and local -> MEGA).
 * The test rewrites a large source file the moment its copy is seen in flight (a partial file at
 * the destination, bytes arriving at the emulator): appended to, truncated, replaced by rename
 * (also with the same size and modification time), or appended to without end.
 *
 * What must hold, whatever the timing: a file the report says was copied holds exactly a version
 * the source had, and when that is not the source's current version the next plan copies it again
 * (nothing is silently left stale); a file that never settles is reported as failed, never
 * recorded as copied, and nothing of it lands under its name; no run hangs.
 *
 * Known limit, recorded as such: a replacement that keeps both size and mtime is invisible to the
 * size+mtime re-check (the first attempt trusts the plan's size and mtime; the listing carries no
 * inode), so the old version, whole, may be what was copied.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rename, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { TRIALS, record } from './harness.js';
import { megaFile } from './mega-harness.js';

interface Version {
  content: Buffer;
  size: number;
  mtimeMs: number;
}

interface Case {
  name: string;
  /** Before the run: anything slow the change needs (a replacement written in full). */
  prepare?: (path: string, v0: Version, stage: string) => Promise<void>;
  /** The change itself, made the moment the copy is seen in flight: quick, one or two calls. */
  mutate?: (path: string, v0: Version, stage: string) => Promise<void>;
  /** Keep appending until the run ends. */
  endless?: boolean;
  /** Keeps size and mtime: beyond what a size+mtime re-check can see (reported, see below). */
  invisible?: boolean;
}

const CASES: Case[] = [
  { name: 'appended to', mutate: (p) => appendFile(p, Buffer.alloc(300_000, 7)) },
  { name: 'truncated', mutate: async (p) => truncate(p, Math.floor((await stat(p)).size / 3)) },
  {
    name: 'replaced by rename',
    prepare: (_p, v0, stage) => writeFile(stage, Buffer.alloc(v0.size + 12345, 9)),
    mutate: (p, _v0, stage) => rename(stage, p),
  },
  {
    name: 'replaced by rename, same size and mtime',
    invisible: true,
    prepare: async (_p, v0, stage) => {
      const other = Buffer.from(v0.content);
      other.fill(0x5a, 0, 4096);
      await writeFile(stage, other);
      const t = new Date(v0.mtimeMs);
      await utimes(stage, t, t);
    },
    mutate: (p, _v0, stage) => rename(stage, p),
  },
  { name: 'appended to without end', endless: true },
];

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ seed) >>> 0, i);
  return b;
}

async function version(path: string): Promise<Version> {
  const content = await readFile(path);
  const s = await stat(path);
  return { content, size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
}

interface Rig {
  root: string;
  jobs: string;
  env: Record<string, string>;
  /** Resolves once the big file's copy is under way. */
  inFlight(): Promise<void>;
  /** True while the big file's copy is provably not committed yet (its partial file, its bytes). */
  stillCopying(): Promise<boolean>;
  /** The big file's content at the destination, or null when nothing is under its name. */
  landed(): Promise<Buffer | null>;
  cleanup(): Promise<void>;
}

const BIG = 'big.bin';
/** Each case once in CI; several times at report scale (the timing of the change varies). */
const REPEAT = Math.max(1, Math.floor(TRIALS / 5));

async function run(rig: Rig, c: Case, size: number) {
  const src = join(rig.root, 'src');
  const bigPath = join(src, BIG);
  await writeTree(src, { [BIG]: pattern(size, 1), 'small/a.txt': 'a', 'small/b.txt': 'bb' });
  const v0 = await version(bigPath);
  const versions = [v0];
  // Outside the source (it would be mirrored too), on the same filesystem (rename).
  const stage = join(rig.root, 'replacement.bin');
  await c.prepare?.(bigPath, v0, stage);
  const report = join(rig.root, 'report.json');
  const child = spawn(process.execPath, [CLI, 'run', '-c', rig.jobs, '--report', report], {
    cwd: rig.root, env: { ...process.env, NO_COLOR: '1', ...rig.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.resume();
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let running = true;
  void exited.then(() => (running = false));
  let mutations = 0;
  let duringCopy = false;
  await Promise.race([rig.inFlight(), exited]);
  if (running && c.mutate) {
    await c.mutate(bigPath, v0, stage);
    duringCopy = await rig.stillCopying();
    mutations++;
    versions.push(await version(bigPath));
  }
  const sizes: number[] = [];
  if (c.endless) {
    for (let i = 0; running; i++) {
      await appendFile(bigPath, pattern(65_536, i));
      mutations++;
      sizes.push((await stat(bigPath)).size);
      await new Promise((r) => setTimeout(r, 15));
    }
    versions.push(await version(bigPath));
  }
  const code = await exited;
  const job = JSON.parse(await readFile(report, 'utf8')).jobs[0] as {
    status: string; failed_actions: Array<{ path: string; code: string }>;
  };
  const failed = job.failed_actions.find((f) => f.path === BIG);
  const landed = await rig.landed();
  const current = versions[versions.length - 1]!;
  let landedVersion = landed === null ? -1 : versions.findIndex((v) => v.content.equals(landed));
  // Appends only: every state the file went through is a prefix of its last one.
  if (landed !== null && landedVersion < 0 && sizes.includes(landed.length) && current.content.subarray(0, landed.length).equals(landed)) {
    landedVersion = versions.length - 2;
  }
  // The next plan must copy it again unless it landed as the source's current version.
  const plan = spawn(process.execPath, [CLI, 'plan', '--json', '-c', rig.jobs], { cwd: rig.root, env: { ...process.env, ...rig.env } });
  let planOut = '';
  plan.stdout.on('data', (d: Buffer) => (planOut += d.toString()));
  await new Promise((r) => plan.on('close', r));
  const replanned = (JSON.parse(planOut) as { jobs: Array<{ actions: Array<{ op: string; path: string }> }> }).jobs[0]!.actions.some((a) => a.op === 'copy' && a.path === BIG);
  // Stale: an older version landed and nothing will ever copy it again. A change after the copy
  // was committed that keeps size and mtime is invisible to any size+mtime comparison: not ours.
  const stale = landed !== null && landedVersion !== versions.length - 1 && !replanned && (duringCopy || c.endless === true) && !c.invisible;
  return { code, job, failed, landed, landedVersion, current, versions, mutations, stale, stdout, duringCopy, replanned };
}

function check(direction: string, c: Case, r: Awaited<ReturnType<typeof run>>) {
  const foreign = r.landed !== null && r.landedVersion < 0;
  const recordedButWrong = r.failed === undefined && r.job.status === 'ok' && (r.landed === null || foreign);
  return {
    lost: (foreign ? 1 : 0) + (r.stale ? 1 : 0) + (recordedButWrong ? 1 : 0),
    outcome: r.mutations === 0
      ? 'copy finished before the change'
      : r.failed
        ? `reported: ${r.failed.code}, exit ${r.code}`
        : r.landedVersion === r.versions.length - 1
          ? r.duringCopy || c.endless ? 'detected, copied again: new version' : 'new version copied'
          : c.endless
            ? `the file held still long enough once: an exact earlier state copied${r.replanned ? ', next plan copies it again' : ''}`
            : c.invisible && !r.replanned
              ? 'not detected: the old version was copied whole (same size and mtime; see the notes)'
              : r.duringCopy
                ? `old version kept, next plan copies it${r.stale ? ' (NOT: stale)' : ''}`
                : 'changed just after the commit, next plan copies it',
    foreign, recordedButWrong, direction,
  };
}

describe.each([
  ['local -> local', 'local', 64 * 1024 * 1024],
  ['local -> MEGA', 'mega', 16 * 1024 * 1024],
] as const)('a source file that changes while it is copied (%s)', (direction, kind, size) => {
  let rig: Rig;
  let m: MegaCliEnv | undefined;
  let uploadStart = 0;
  beforeEach(async () => {
    if (kind === 'local') {
      const { path: root, cleanup } = await tempDir('mm-change-');
      const dst = join(root, 'dst');
      await mkdir(dst);
      const jobs = join(root, 'jobs.yaml');
      await writeFile(jobs, 'version: 1\njobs:\n  c:\n    type: mirror\n    source: ./src\n    destination: ./dst\n');
      rig = {
        root, jobs, env: {}, cleanup,
        stillCopying: async () => (await readdir(dst)).some((n) => n.startsWith(`.${BIG}.`) && n.endsWith('.mmpartial')),
        inFlight: async () => {
          for (;;) {
            if ((await readdir(dst)).some((n) => n.startsWith(`.${BIG}.`) && n.endsWith('.mmpartial'))) return;
            await new Promise((r) => setTimeout(r, 1));
          }
        },
        landed: async () => (existsSync(join(dst, BIG)) ? readFile(join(dst, BIG)) : null),
      };
    } else {
      m = await megaCliEnv();
      const mm = m;
      await mm.writeJobs('  c:\n    type: mirror\n    source: ./src\n    destination: mega:/C\n');
      rig = {
        root: mm.root, jobs: mm.jobs, env: mm.env, cleanup: () => mm.cleanup(),
        inFlight: async () => {
          uploadStart = mm.emu.stats.bytesUploaded;
          while (mm.emu.stats.bytesUploaded - uploadStart < 2 * 1024 * 1024) await new Promise((r) => setTimeout(r, 2));
        },
        // The node is created only after all its bytes are stored and the source re-checked.
        stillCopying: async () => mm.emu.stats.bytesUploaded - uploadStart < size,
        landed: () => megaFile(mm, '/C', BIG),
      };
    }
  });
  afterEach(() => rig.cleanup());

  for (const c of CASES) {
    for (let t = 0; t < REPEAT; t++) {
      it(`${c.name}${REPEAT > 1 ? ` (${t + 1})` : ''}: never recorded as copied with content the source did not have`, { timeout: 120_000 }, async () => {
        const r = await run(rig, c, c.endless && kind === 'mega' ? 6 * 1024 * 1024 : size);
        const verdict = check(direction, c, r);
        await record({
          suite: 'changing-sources', scenario: `${direction}: ${c.name}`,
          injected: c.endless ? '64 KiB appended every 15 ms until the run ended' : r.mutations ? 'one change while the file was being copied' : 'none (the copy won the race)',
          outcome: verdict.outcome, lost: verdict.lost,
          detail: { appends: c.endless ? r.mutations : undefined, exit: r.code, status: r.job.status, landedVersion: r.landedVersion, versions: r.versions.length, duringCopy: r.duringCopy },
        });
        expect(verdict.foreign).toBe(false);
        expect(verdict.recordedButWrong).toBe(false);
        expect(r.stale).toBe(false);
        if (c.endless && r.failed) {
          expect(r.failed.code).toMatch(/^(source-changed|size-mismatch)$/);
          expect(r.code).toBe(1);
          expect(r.job.status).toBe('partial');
          expect(r.landed).toBeNull();
          expect(r.stdout).toContain(`failed: copy ${BIG}`);
        } else if (c.endless) {
          // The writer stalled long enough (a loaded machine) for one attempt to see the file hold
          // still from its stat to its commit: what landed is exactly a state the file was in.
          expect(r.landedVersion).toBeGreaterThanOrEqual(0);
        } else if (r.mutations > 0) {
          expect(r.failed).toBeUndefined();
          expect(r.code).toBe(0);
        }
      });
    }
  }
});
