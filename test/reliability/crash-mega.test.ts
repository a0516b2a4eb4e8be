/**
 * Suite 1, MEGA mirrors: a real CLI child mirroring local -> MEGA or MEGA -> local is killed with
 * SIGKILL at a random moment (see killPlan); the emulator runs in this process and outlives it.
 * After every kill: every file under its final name, downloaded with our backend (MAC-checked, so
 * no node with partial content passes), is its old or its new version; the source is untouched;
 * the next run converges to an exact copy with no two same-named nodes left. Snapshots to MEGA:
 * crash-mega-snapshot.test.ts.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { TRIALS, describeKill, hashes, killAt, killPhase, killPlan, mixedFiles, plannedActions, record, timedRun, versions, writeVersion } from './harness.js';
import { differences, megaFolder, nodeState, rawDuplicates } from './mega-harness.js';

const JOBS = `  up:
    type: mirror
    source: ./src
    destination: mega:/M
    safety: { max_delete: null, max_delete_percent: null }
  down:
    type: mirror
    source: mega:/M
    destination: ./back
    safety: { max_delete: null, max_delete_percent: null }
`;

/** Fewer and smaller files than the local suite: every check downloads the whole tree again. */
const FILES = 48;

let m: MegaCliEnv;
beforeEach(async () => {
  m = await megaCliEnv();
  await m.writeJobs(JOBS);
});
afterEach(() => m.cleanup());

const cli = (args: string[]) => [...args, '-c', m.jobs];

describe('SIGKILL at random moments (local -> MEGA mirror)', () => {
  for (let t = 0; t < TRIALS; t++) {
    const seed = 2000 + t;
    it(`seed ${seed}: old or new version under every name, the next run converges without duplicates`, async () => {
      const { a, b } = versions(seed, FILES);
      const src = join(m.root, 'src');
      await writeVersion(src, a);
      const calibration = await timedRun(cli(['run', 'up']), m.env, m.root);
      expect(calibration.code).toBe(0);
      await writeVersion(src, b);
      const before = await hashes(src);
      const kill = killPlan(seed, t, { fullMs: calibration.fullMs, actions: await plannedActions(cli(['up']), m.env, m.root) });
      const { finished } = await killAt(cli(['run', 'up', '-v']), { ...kill, env: m.env, cwd: m.root });
      const cut = await megaFolder(m, '/M');
      const mixed = mixedFiles(cut.files, a, b);
      const duplicatesAfterKill = rawDuplicates(m).length;
      const again = await m.cli(['run', 'up']);
      const done = await megaFolder(m, '/M');
      const left = differences(done.files, b);
      const dups = [...done.duplicates, ...rawDuplicates(m)];
      const sourceChanged = differences(await hashes(src), b);
      await record({
        suite: 'crashes', scenario: 'mirror local -> MEGA', injected: describeKill(kill),
        outcome: killPhase(cut.files, a, b, finished),
        lost: mixed.length + cut.unreadable.length + left.length + done.unreadable.length + dups.length + sourceChanged.length,
        detail: { seed, duplicatesAfterKill, rerunExit: again.code },
      });
      expect(mixed).toEqual([]);
      expect(cut.unreadable).toEqual([]);
      expect(sourceChanged).toEqual([]);
      expect(await hashes(src)).toEqual(before);
      // A killed run leaves its lock: the next run takes it over and says so, nothing else.
      expect(again.stderr.replace(/^warning: job "up": took over a stale lock.*\n/m, '')).toBe('');
      expect(again.code).toBe(0);
      expect(left).toEqual([]);
      expect(done.unreadable).toEqual([]);
      expect(dups).toEqual([]);
    });
  }
});

describe('SIGKILL at random moments (MEGA -> local mirror)', () => {
  for (let t = 0; t < TRIALS; t++) {
    const seed = 2100 + t;
    it(`seed ${seed}: old or new version under every local name; MEGA untouched; the next run converges`, async () => {
      const { a, b } = versions(seed, FILES);
      const src = join(m.root, 'src');
      const back = join(m.root, 'back');
      await writeVersion(src, a);
      expect((await m.cli(['run', 'up'])).code).toBe(0);
      const calibration = await timedRun(cli(['run', 'down']), m.env, m.root);
      expect(calibration.code).toBe(0);
      await writeVersion(src, b);
      expect((await m.cli(['run', 'up'])).code).toBe(0);
      const nodesBefore = nodeState(m);
      const kill = killPlan(seed, t, { fullMs: calibration.fullMs, actions: await plannedActions(cli(['down']), m.env, m.root) });
      const { finished } = await killAt(cli(['run', 'down', '-v']), { ...kill, env: m.env, cwd: m.root });
      const cut = await hashes(back);
      const mixed = mixedFiles(cut, a, b);
      const sourceChanged = nodeState(m) !== nodesBefore;
      const again = await m.cli(['run', 'down']);
      const done = await hashes(back);
      const left = differences(done, b);
      await record({
        suite: 'crashes', scenario: 'mirror MEGA -> local', injected: describeKill(kill),
        outcome: killPhase(cut, a, b, finished),
        lost: mixed.length + left.length + (sourceChanged ? 1 : 0) + (nodeState(m) !== nodesBefore ? 1 : 0),
        detail: { seed, partialsLeft: Object.keys(cut).filter((p) => p.endsWith('.mmpartial')).length, rerunExit: again.code },
      });
      expect(mixed).toEqual([]);
      expect(sourceChanged).toBe(false);
      expect(again.code).toBe(0);
      expect(left).toEqual([]);
      expect(nodeState(m)).toBe(nodesBefore);
    });
  }
});
