/**
 * Mirror jobs with MEGA through the real CLI, on trees other clients left behind: files without
 * `c` compared by size with a warning, duplicates warned about and cleaned, hostile names refused.
 */
import { existsSync } from 'node:fs';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../../src/backends/mega/crypto/index.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import { readTree, writeTree, type FileSpec } from '../helpers/fs-tree.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from './mega-env.js';
import { JOBS, NFD, SIZES, nfcTree, pattern, sample } from './mega-sample.js';

describe('mirror jobs with MEGA: what other clients left behind', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), sample);
    await m.writeJobs(JOBS);
  });
  afterEach(() => m.cleanup());

  const folderHandle = (name: string): string => {
    const { f } = m.emu.listNodes(EMAIL);
    const found = f.find((n) => n.t === 1 && nodeCrypto.decryptAttributes(nodeCrypto.unwrapKey(m.masterKey, n.k.split(':')[1]!), n.a)?.n === name);
    if (!found) throw new Error(`no folder ${name}`);
    return found.h;
  };
  const insertFile = async (parent: string, name: string, data: Buffer, attrs: Record<string, unknown> = {}, ts?: number) => {
    const built = nodeCrypto.buildFile(m.masterKey, { n: name, ...attrs }, data);
    return m.emu.insertNode(EMAIL, { parent, a: built.a, k: built.k, data: built.data, ...(ts ? { ts } : {}) });
  };
  const inRubbish = () => {
    const { f } = m.emu.listNodes(EMAIL);
    const rubbish = m.emu.account(EMAIL)!.roots.rubbish;
    return f.filter((n) => n.p === rubbish).length;
  };

  it('a MEGA file without a fingerprint is compared by size, with a warning', async () => {
    await m.cli(['run', 'up']);
    await writeTree(join(m.root, 'src'), { 'noc.txt': 'same size' });
    await insertFile(folderHandle('Documents'), 'noc.txt', Buffer.from('SAME SIZE'));
    const plan = await m.cli(['plan', 'up']);
    expect(plan.stdout).not.toContain('noc.txt (');
    expect(plan.stdout).toContain('warning: noc.txt: compared by size only');
  });

  it('duplicates are warned about and the extra copies cleaned up by the next mirror run', async () => {
    await m.cli(['run', 'up']);
    const docs = folderHandle('Documents');
    const c = fingerprintBuffer(Buffer.from('stale'), 1_600_000_000).c;
    // Uploaded long ago (by another tool, or a run killed between two steps): ours is the newest.
    await insertFile(docs, 'abc', Buffer.from('stale'), { c }, 1_600_000_000);
    await insertFile(docs, 'abc', Buffer.from('older stale'), { c }, 1_500_000_000);
    const plan = await m.cli(['plan', 'up']);
    expect(plan.stdout).toContain('warning: abc: 3 nodes share this name on MEGA');
    expect(plan.stdout.match(/- abc \(duplicate\)/g)).toHaveLength(2);
    const run = await m.cli(['run', 'up']);
    expect(run.code).toBe(0);
    expect(inRubbish()).toBe(2);
    const again = await m.cli(['plan', 'up']);
    expect(again.stdout).not.toContain('duplicate');
    expect(again.stdout).not.toMatch(/^\s+[+~-] /m);
    await m.cli(['run', 'down']);
    expect((await readTree(join(m.root, 'back')))['abc']).toMatchObject({ size: 3 });
  });

  it('hostile names in a MEGA source are reported and refused; nothing is written outside the destination', async () => {
    await m.cli(['run', 'up']);
    const docs = folderHandle('Documents');
    for (const name of ['..', '.', '../../escape.txt', 'a/../../x', 'nul\0.txt']) await insertFile(docs, name, Buffer.from('evil'));
    const dotdot = nodeCrypto.buildFolder(m.masterKey, { n: '..' });
    const evilDir = await m.emu.insertNode(EMAIL, { parent: docs, t: 1, a: dotdot.a, k: dotdot.k });
    await insertFile(evilDir, 'evil.txt', Buffer.from('evil'));
    const rootBefore = (await readdir(m.root)).sort();
    const run = await m.cli(['run', 'down']);
    expect(run.code).toBe(0);
    const plan = await m.cli(['plan', 'down']);
    expect(plan.stdout).toContain('skipped: <..> (unsafe-name');
    expect(plan.stdout).toContain('(unsafe-name: name contains "/")');
    expect((await readdir(m.root)).sort()).toEqual([...rootBefore, 'back'].sort());
    expect(existsSync(join(m.root, 'escape.txt'))).toBe(false);
    expect(existsSync(join(m.root, 'evil.txt'))).toBe(false);
    expect(await nfcTree(join(m.root, 'back'))).toEqual(await nfcTree(join(m.root, 'src')));
  });
});
