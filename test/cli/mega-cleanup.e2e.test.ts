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

const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, 4718592, 5 * 1024 * 1024 + 3];

function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const NFD = 'cafe\u0301 nfd.txt'.normalize('NFD');
const sample: Record<string, FileSpec | null> = {
  ...Object.fromEntries(SIZES.map((s, i) => [`sizes/f-${s}.bin`, { content: pattern(s, s + 1), mtime: new Date(Date.UTC(2023, 0, 1 + i, 12, 0, i)).toISOString() }])),
  'with space/a file name.txt': 'spaced',
  'ünïcødé ✓.txt': 'unicode nfc',
  [NFD]: 'unicode nfd',
  abc: 'abc',
  'abc.zip': 'not a zip',
  'empty/': null,
  'nested/empty/': null,
  'a/b/c/d/e/f/g/h/i/deep.txt': { content: 'deep', mtime: '2020-02-29T23:59:59Z' },
};

const JOBS = `  up:
    type: mirror
    source: ./src
    destination: mega:/Backups/Documents
  down:
    type: mirror
    source: mega:/Backups/Documents
    destination: ./back
`;

/** readTree with names NFC-normalized (the source holds an NFD name; MEGA stores NFC). */
async function nfcTree(dir: string) {
  const t = await readTree(dir);
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k.normalize('NFC'), v]));
}

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
