import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '../../src/backends/local/index.js';
import { nativeHelpers } from '../../src/native.js';
import { backendContract } from './contract.js';

backendContract('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mm-local-'));
  return { backend: new LocalBackend(root), cleanup: () => rm(root, { recursive: true, force: true }) };
}, { writeLocalFiles: nativeHelpers() !== null });
