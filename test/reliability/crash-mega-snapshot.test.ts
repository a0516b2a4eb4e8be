/**
 * Suite 1, MEGA snapshots: a real CLI child taking a snapshot to MEGA is killed with SIGKILL at a
 * random moment (see killPlan); the emulator runs in this process and outlives it. After every
 * kill: a snapshot marked complete holds every file, every file read back (MAC-checked) is its
 * version's, the older snapshot is untouched, and the next snapshot is exact. Split from
 * crash-mega.test.ts to keep each file's time bounded.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { TRIALS, describeKill, hashes, killAt, killPlan, mixedFiles, plannedActions, record, timedRun, versions, writeVersion } from './harness.js';
import { differences, megaFolder, rawDuplicates } from './mega-harness.js';

const JOBS = `  snap:
    type: snapshot
    source: ./src
    destination: mega:/S
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

describe('SIGKILL at random moments (snapshot local -> MEGA)', () => {
  for (let t = 0; t < TRIALS; t++) {
    const seed = 2200 + t;
    it(`seed ${seed}: a killed snapshot is never complete with missing files; the older one stays exact; the next one is exact`, async () => {
      const { a, b } = versions(seed, FILES);
      const src = join(m.root, 'src');
      await writeVersion(src, a);
      const calibration = await timedRun(cli(['run', 'snap', '--report', join(m.root, 'first.json')]), m.env, m.root);
      expect(calibration.code).toBe(0);
      const firstId = JSON.parse(await readFile(join(m.root, 'first.json'), 'utf8')).jobs[0].snapshot.id as string;
      await writeVersion(src, b);
      // Snapshots are named by their start second: plan (and run) in a later one than the first.
      await new Promise((r) => setTimeout(r, 1100));
      const actions = await plannedActions(cli(['snap']), m.env, m.root);
      const kill = killPlan(seed, t, { fullMs: calibration.fullMs, actions });
      const { finished } = await killAt(cli(['run', 'snap', '-v']), { ...kill, env: m.env, cwd: m.root });
      const listed = JSON.parse((await m.cli(['snapshots', 'snap', '--json'])).stdout).snapshots as Array<{ id: string; complete: boolean }>;
      let bad = 0;
      let killedFiles = 0;
      let killedComplete = false;
      for (const s of listed) {
        const tree = await megaFolder(m, `/S/${s.id}`);
        delete tree.files['.megamirror-manifest.json'];
        const expected = s.id === firstId ? a : b;
        if (s.id !== firstId) {
          killedFiles = Object.keys(tree.files).length;
          killedComplete ||= s.complete;
        }
        bad += mixedFiles(tree.files, {}, expected).length + tree.unreadable.length;
        if (s.complete) bad += differences(tree.files, expected).length;
      }
      await new Promise((r) => setTimeout(r, 1100));
      const again = await m.cli(['run', 'snap', '--json']);
      const id = again.code === 0 ? (JSON.parse(again.stdout).jobs[0].snapshot.id as string) : 'none';
      const latest = await megaFolder(m, `/S/${id}`);
      delete latest.files['.megamirror-manifest.json'];
      const first = await megaFolder(m, `/S/${firstId}`);
      delete first.files['.megamirror-manifest.json'];
      const dups = rawDuplicates(m);
      const lost = bad + differences(latest.files, b).length + differences(first.files, a).length + dups.length + differences(await hashes(src), b).length;
      await record({
        suite: 'crashes', scenario: 'snapshot local -> MEGA', injected: describeKill(kill),
        outcome: finished ? 'finished before the kill' : killedComplete ? 'killed after the manifest' : listed.length > 1 ? 'incomplete snapshot left' : 'before the snapshot folder',
        lost, detail: { seed, rerunExit: again.code, snapshotsAfterKill: listed.length, killedSnapshotFiles: killedFiles },
      });
      expect(bad).toBe(0);
      expect(again.code).toBe(0);
      expect(differences(latest.files, b)).toEqual([]);
      expect(differences(first.files, a)).toEqual([]);
      expect(dups).toEqual([]);
    });
  }
});
