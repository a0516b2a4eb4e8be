/**
 * The local backend's contract once more with the native helpers turned off (MEGAMIRROR_NATIVE=0):
 * where they are not built, node:fs does the scanning and copying, and must pass the same suite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { LocalBackend } from '../../src/backends/local/index.js';
import { backendContract } from './contract.js';

vi.hoisted(() => {
  process.env.MEGAMIRROR_NATIVE = '0';
});

backendContract('local (node:fs, no native helpers)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mm-local-fs-'));
  return { backend: new LocalBackend(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});
