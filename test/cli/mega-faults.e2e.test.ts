/**
 * Injected faults during real CLI runs (the emulator's faults API; the CLI is a child process):
 * runs complete correctly when retries cure the faults, fail with a clear message when they cannot,
 * and never leave a partial or corrupt file under a real name.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTree, writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, type MegaCliEnv } from './mega-env.js';

const JOBS = `  up:
    type: mirror
    source: ./src
    destination: mega:/F
  down:
    type: mirror
    source: mega:/F
    destination: ./back
`;

function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
}

async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('MEGA runs under injected faults, through the real CLI', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), { 'big.bin': bytes(2 * 1024 * 1024 + 9, 1), 'small.txt': 'small', 'sub/other.bin': bytes(300_000, 2) });
    await m.writeJobs(JOBS);
  });
  afterEach(() => m.cleanup());

  it('retries cure -3, -4, HTTP 500, dropped connections and a corrupted download', async () => {
    m.emu.faults.add([
      { target: 'api', command: 'p', error: -3 },
      { target: 'api', command: 'u', error: -4 },
      { target: 'upload', drop: true },
      { target: 'upload', http: 500 },
      { target: 'api', command: 'f', http: 500 },
    ]);
    const up = await m.cli(['run', 'up']);
    expect(up.stdout + up.stderr).not.toContain('error');
    expect(up.code).toBe(0);
    m.emu.faults.add([
      { target: 'download', corrupt: true },
      { target: 'download', drop: true },
      { target: 'api', command: 'g', error: -18 },
    ]);
    const down = await m.cli(['run', 'down']);
    expect(down.code).toBe(0);
    expect(m.emu.faults.list()).toEqual([]);
    expect(await readTree(join(m.root, 'back'))).toEqual(await readTree(join(m.root, 'src')));
  });

  it('persistent corruption fails the file by name; nothing corrupt or partial is left', async () => {
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    m.emu.faults.add({ target: 'download', corrupt: true, times: 1000 });
    const down = await m.cli(['run', 'down']);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/big\.bin.*MAC verification failed/);
    const left = await allFiles(join(m.root, 'back'));
    expect(left.filter((f) => f.includes('mmpartial'))).toEqual([]);
    expect(left).not.toContain('big.bin');
    m.emu.faults.clear();
    expect((await m.cli(['run', 'down'])).code).toBe(0);
    expect(await readTree(join(m.root, 'back'))).toEqual(await readTree(join(m.root, 'src')));
  });

  it('over the transfer quota: the job fails saying which quota and for how long', async () => {
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    m.emu.faults.add({ target: 'download', http: 509, timeLeft: 9000, times: 1000 });
    const down = await m.cli(['run', 'down']);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('over its transfer quota; it resets in 2 h 30 min');
    expect((await allFiles(join(m.root, 'back'))).filter((f) => !f.endsWith('sub'))).toEqual([]);
  });
});
