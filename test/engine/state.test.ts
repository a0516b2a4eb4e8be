import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateFor } from '../../src/engine/state.js';
import { tempDir } from '../helpers/fs-tree.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-state-')));
afterEach(() => cleanup());

const settings = (stateDir: string) => ({ stateDir, maxParallelJobs: 1, keepReports: 20 });

describe('the state folder of a job file', () => {
  it('is one folder per job file inside the state folder, named after the file', async () => {
    for (const d of ['a', 'b']) {
      await mkdir(join(root, d));
      await writeFile(join(root, d, 'jobs.yaml'), '');
    }
    const a = await stateFor({ path: join(root, 'a', 'jobs.yaml'), settings: settings('/state') });
    const b = await stateFor({ path: join(root, 'b', 'jobs.yaml'), settings: settings('/state') });
    expect(a.root).toMatch(/^\/state\/jobs-[0-9a-f]{8}$/);
    expect(a.root).not.toBe(b.root);
    expect(a.locks).toBe(join(a.root, 'locks'));
    expect(a.reportPath('docs', new Date('2024-05-01T03:00:00.5Z'))).toBe(join(a.root, 'reports', 'docs', '2024-05-01T03-00-00.500Z.json'));
  });

  it('the same file reached through a symlink has the same folder', async () => {
    await writeFile(join(root, 'jobs.yaml'), '');
    await symlink(join(root, 'jobs.yaml'), join(root, 'link.yaml'));
    const direct = await stateFor({ path: join(root, 'jobs.yaml'), settings: settings('/state') });
    const linked = await stateFor({ path: join(root, 'link.yaml'), settings: settings('/state') });
    expect(linked.root).toBe(direct.root);
  });
});
