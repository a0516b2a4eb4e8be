/**
 * Suite 1, local side: a real CLI child running a mirror or a snapshot between local folders is
 * killed with SIGKILL at a random moment. The moment is drawn over the whole length of a run
 * (calibrated on the uninterrupted run before it), so kills land in start-up, scan, transfers and
 * deletions alike; the seed is in the test name. After every kill: every file under its final
 * name is its old or its new version, the source is untouched, and the next run converges.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs-tree.js';
import { TRIALS, describeKill, hashes, killAt, killPhase, killPlan, mixedFiles, plannedActions, record, sha, timedRun, versions, writeJobs, writeVersion } from './harness.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-crash-')));
afterEach(() => cleanup());

const expectOnly = (tree: Record<string, string>, files: Record<string, Buffer>) =>
  expect(tree).toEqual(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, sha(c)])));

/** Files that differ from `files` (missing, extra or other content). */
function differences(tree: Record<string, string>, files: Record<string, Buffer>): number {
  const want = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, sha(c)]));
  const keys = new Set([...Object.keys(tree), ...Object.keys(want)]);
  return [...keys].filter((k) => tree[k] !== want[k]).length;
}

describe('SIGKILL at random moments (local -> local)', () => {
  for (let t = 0; t < TRIALS; t++) {
    const seed = 1000 + t;
    it(`mirror, seed ${seed}: no mixed file, the next run converges, the source is untouched`, async () => {
      const { a, b } = versions(seed);
      const src = join(root, 'src');
      const dst = join(root, 'dst');
      const jobs = join(root, 'jobs.yaml');
      await writeJobs(jobs, '  m:\n    type: mirror\n    source: ./src\n    destination: ./dst\n    safety: { max_delete: null, max_delete_percent: null }\n');
      await writeVersion(src, a);
      const calibration = await timedRun(['run', '-c', jobs]);
      expect(calibration.code).toBe(0);
      await writeVersion(src, b);
      const before = await hashes(src);
      const kill = killPlan(seed, t, { fullMs: calibration.fullMs, actions: await plannedActions(['-c', jobs]) });
      const { finished } = await killAt(['run', '-v', '-c', jobs], kill);
      const afterKill = await hashes(dst);
      const mixed = mixedFiles(afterKill, a, b);
      const sourceChanged = differences(await hashes(src), b);
      const again = await runCli(['run', '-c', jobs]);
      const converged = await hashes(dst);
      const left = differences(converged, b);
      await record({
        suite: 'crashes', scenario: 'mirror local -> local', injected: describeKill(kill),
        outcome: killPhase(afterKill, a, b, finished), lost: mixed.length + sourceChanged + left,
        detail: { seed, partialsLeft: Object.keys(afterKill).filter((p) => p.endsWith('.mmpartial')).length, rerunExit: again.code },
      });
      expect(mixed).toEqual([]);
      expect(await hashes(src)).toEqual(before);
      expect(again.code).toBe(0);
      expectOnly(converged, b);
    });

    it(`snapshot, seed ${seed}: the killed snapshot is never taken for complete; older ones stay intact; the next one is exact`, async () => {
      const { a, b } = versions(seed);
      const src = join(root, 'src');
      const jobs = join(root, 'jobs.yaml');
      await writeJobs(jobs, '  s:\n    type: snapshot\n    source: ./src\n    destination: ./snaps\n');
      await writeVersion(src, a);
      const calibration = await timedRun(['run', '-c', jobs, '--report', join(root, 'first.json')]);
      expect(calibration.code).toBe(0);
      const firstId = JSON.parse(await readFile(join(root, 'first.json'), 'utf8')).jobs[0].snapshot.id as string;
      await writeVersion(src, b);
      const before = await hashes(src);
      // Snapshots are named by their start second: plan (and run) in a later one than the first.
      await new Promise((r) => setTimeout(r, 1100));
      const actions = await plannedActions(['-c', jobs]);
      const kill = killPlan(seed, t, { fullMs: calibration.fullMs, actions });
      const { finished } = await killAt(['run', '-v', '-c', jobs], kill);
      const listed = JSON.parse((await runCli(['snapshots', 's', '--json', '-c', jobs])).stdout).snapshots as Array<{ id: string; complete: boolean }>;
      let bad = 0;
      for (const s of listed) {
        const tree = await hashes(join(root, 'snaps', s.id));
        const expected = s.id === firstId ? a : b;
        bad += mixedFiles(tree, {}, expected).length;
        const real = Object.keys(tree).filter((p) => !p.endsWith('.json') && !p.endsWith('.mmpartial'));
        if (s.complete && real.length !== Object.keys(expected).length) bad++;
      }
      const firstTree = await hashes(join(root, 'snaps', firstId));
      delete firstTree['.megamirror-manifest.json'];
      await new Promise((r) => setTimeout(r, 1100));
      const again = await runCli(['run', '-c', jobs, '--json']);
      const id = again.code === 0 ? (JSON.parse(again.stdout).jobs[0].snapshot.id as string) : '';
      const tree = await hashes(join(root, 'snaps', id));
      delete tree['.megamirror-manifest.json'];
      const killedComplete = listed.some((s) => s.id !== firstId && s.complete);
      await record({
        suite: 'crashes', scenario: 'snapshot local -> local', injected: describeKill(kill),
        outcome: finished ? 'finished before the kill' : killedComplete ? 'killed after the manifest' : listed.length > 1 ? 'incomplete snapshot left' : 'before the snapshot folder',
        lost: bad + differences(firstTree, a) + differences(await hashes(src), b) + differences(tree, b),
        detail: { seed, rerunExit: again.code, snapshotsAfterKill: listed.length },
      });
      expect(bad).toBe(0);
      expectOnly(firstTree, a);
      expect(await hashes(src)).toEqual(before);
      expect(again.code).toBe(0);
      expectOnly(tree, b);
    });
  }
});
