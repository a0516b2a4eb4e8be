/**
 * The quick commands on MEGA through the real CLI against the emulator, with a job file that
 * defines only remotes: mkdir, put (file and folder; replacing without a duplicate), ls (-l, -R),
 * get (file and folder, byte-identical with mtimes), quota. mv, rm and errors: mega-edit.e2e.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree, writeTree } from '../helpers/fs-tree.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from './mega-env.js';
import { nodeCrypto } from '../../src/emulator/index.js';

const DOCS = {
  'a file.txt': { content: 'spaced name', mtime: '2023-03-04T05:06:07Z' },
  'ünïcødé ✓.txt': { content: 'unicode', mtime: '2022-01-02T03:04:05Z' },
  'sub/deep.bin': { content: Buffer.alloc(200_000, 7), mtime: '2021-06-07T08:09:10Z' },
};

describe('quick commands on MEGA (real CLI, emulator)', () => {
  let m: MegaCliEnv;
  let ws: string;
  beforeAll(async () => {
    m = await megaCliEnv();
    ws = m.root;
    await writeTree(join(ws, 'docs'), DOCS);
    await writeTree(ws, { 'single.txt': { content: 'one', mtime: '2020-01-01T00:00:00Z' } });
    // Only remotes, no jobs: what the quick commands need, as rclone's config.
    await writeFile(m.jobs, ['version: 1', 'settings:', '  state_dir: ./state', 'remotes:', '  mega:', '    type: mega', '    email: ${MEGA_EMAIL}', '    password: ${MEGA_PASSWORD}', `    gateway: ${m.emu.gateway}`, ''].join('\n'));
  });
  afterAll(() => m.cleanup());

  /** Files named `name` anywhere in the Cloud Drive (not the Rubbish Bin). */
  const named = (name: string) => {
    const { f } = m.emu.listNodes(EMAIL);
    const rubbish = m.emu.account(EMAIL)!.roots.rubbish;
    return f.filter((n) => n.t === 0 && n.p !== rubbish && nodeCrypto.decryptAttributes(nodeCrypto.unwrapKey(m.masterKey, n.k.split(':')[1]!), n.a)?.n === name);
  };

  it('mkdir creates parents once; put uploads into a folder and replaces without a duplicate', async () => {
    const made = await m.cli(['mkdir', 'mega:/Quick Work/nested']);
    expect(made.stderr).toBe('');
    expect(made.stdout).toContain('created mega:/Quick Work/nested');
    expect((await m.cli(['mkdir', 'mega:/Quick Work/nested'])).stdout).toContain('exists');

    const put = await m.cli(['put', join(ws, 'single.txt'), 'mega:/Quick Work/']);
    expect(put.code).toBe(0);
    expect(put.stdout).toContain('-> mega:/Quick Work/single.txt (3 B)');
    await writeTree(ws, { 'single.txt': { content: 'one, edited', mtime: '2020-02-02T00:00:00Z' } });
    expect((await m.cli(['put', join(ws, 'single.txt'), 'mega:/Quick Work/single.txt'])).code).toBe(0);
    expect(named('single.txt')).toHaveLength(1);
    expect(named('single.txt')[0]!.s).toBe(11);

    const ls = await m.cli(['ls', '-l', 'mega:/Quick Work']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^\s+11 {2}2020-02-02 00:00:00 {2}single\.txt$/m);
    expect(ls.stdout).toMatch(/^\s+- {2}- +nested\/$/m);
  });

  it('put and get of folders are recursive; ls -R lists paths with spaces and unicode', async () => {
    const put = await m.cli(['put', join(ws, 'docs'), 'mega:/Quick Work/docs']);
    expect(put.stdout).toContain('put: ok');
    expect(put.code).toBe(0);
    const ls = await m.cli(['ls', '-R', 'mega:/Quick Work/docs']);
    expect(ls.stdout.split('\n').filter(Boolean)).toEqual(['a file.txt', 'sub/', 'sub/deep.bin', 'ünïcødé ✓.txt']);

    const get = await m.cli(['get', 'mega:/Quick Work/docs', join(ws, 'back')]);
    expect(get.code).toBe(0);
    expect(await readTree(join(ws, 'back'))).toEqual(await readTree(join(ws, 'docs')));

    const one = await m.cli(['get', 'mega:/Quick Work/docs/ünïcødé ✓.txt', `${join(ws, 'got')}/`]);
    expect(one.code).toBe(0);
    expect((await readTree(join(ws, 'got')))['ünïcødé ✓.txt']).toEqual((await readTree(join(ws, 'docs')))['ünïcødé ✓.txt']);
  });

  it('quota shows storage and transfer; --json has the bytes', async () => {
    const q = await m.cli(['quota', 'mega']);
    expect(q.code).toBe(0);
    expect(q.stdout).toContain(`mega (${EMAIL})`);
    expect(q.stdout).toMatch(/storage: +[\d.]+ \w+ used of 20 GiB/);
    expect(q.stdout).toMatch(/rubbish bin: +\S+/);
    const j = JSON.parse((await m.cli(['quota', 'mega:', '--json'])).stdout) as { usedBytes: number; totalBytes: number; trashBytes: number };
    expect(j.totalBytes).toBe(20 * 1024 ** 3);
    expect(j.trashBytes).toBeGreaterThan(0);
    expect(j.usedBytes).toBeGreaterThanOrEqual(j.trashBytes);
  });
});
