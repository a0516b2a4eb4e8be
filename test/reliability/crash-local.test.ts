import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs-tree.js';
import { TRIALS, hashes, killAfter, mixedFiles, rng, sha, versions, writeJobs, writeVersion } from './harness.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-crash-')));
afterEach(() => cleanup());

const expectOnly = (tree: Record<string, string>, files: Record<string, Buffer>) =>
  expect(tree).toEqual(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, sha(c)])));

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
      expect((await runCli(['run', '-c', jobs])).code).toBe(0);
      await writeVersion(src, b);
      const before = await hashes(src);
      const delay = Math.floor(rng(seed)() * 400) + 20;
      await killAfter(['run', '-c', jobs], delay);
      expect(mixedFiles(await hashes(dst), a, b)).toEqual([]);
      expect(await hashes(src)).toEqual(before);
      const again = await runCli(['run', '-c', jobs]);
      expect(again.code).toBe(0);
      expectOnly(await hashes(dst), b);
    });

    it(`snapshot, seed ${seed}: the killed snapshot is never taken for complete; the next one is exact`, async () => {
      const { b } = versions(seed);
      const src = join(root, 'src');
      const jobs = join(root, 'jobs.yaml');
      await writeJobs(jobs, '  s:\n    type: snapshot\n    source: ./src\n    destination: ./snaps\n');
      await writeVersion(src, b);
      const delay = Math.floor(rng(seed)() * 400) + 20;
      await killAfter(['run', '-c', jobs], delay);
      const listed = JSON.parse((await runCli(['snapshots', 's', '--json', '-c', jobs])).stdout).snapshots;
      for (const s of listed) {
        const tree = await hashes(join(root, 'snaps', s.id));
        expect(mixedFiles(tree, {}, b)).toEqual([]);
        if (s.complete) expect(Object.keys(tree).filter((p) => !p.endsWith('.json')).length).toBe(Object.keys(b).length);
      }
      await new Promise((r) => setTimeout(r, 1100));
      const again = await runCli(['run', '-c', jobs, '--json']);
      expect(again.code).toBe(0);
      const id = JSON.parse(again.stdout).jobs[0].snapshot.id;
      const tree = await hashes(join(root, 'snaps', id));
      delete tree['.megamirror-manifest.json'];
      expectOnly(tree, b);
    });
  }
});
