import { LocalBackend } from '../../src/backends/local/index.js';
import { tempDir, writeTree } from '../helpers/fs-tree.js';
import { readContract, SEED_MTIME } from './read-contract.js';

// The read contract run against a backend that can write too: a check of the suite itself.
readContract(
  'local',
  async (seed) => {
    const { path, cleanup } = await tempDir('mm-read-');
    const mtime = new Date(SEED_MTIME).toISOString();
    await writeTree(path, Object.fromEntries(Object.entries(seed).map(([k, v]) => [k, v === null ? null : { content: v, mtime }])));
    return { backend: new LocalBackend(path), cleanup };
  },
  { readOnly: false },
);
