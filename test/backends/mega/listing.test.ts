/**
 * Listing a MEGA folder built node by node (insertNode), as other clients or hostile tools could
 * have left it: duplicates, unsafe names, undecryptable nodes, files without a fingerprint, NFD
 * names. Everything a plan cannot use is reported; nothing is guessed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../../../src/backends/mega/crypto/index.js';
import { nodeCrypto } from '../../../src/emulator/index.js';
import { EMAIL, megaFixture, pattern, read, type MegaFixture } from './helpers.js';

const T = 1_700_000_000;

describe('listing MEGA trees that other clients made', () => {
  let fx: MegaFixture;
  let root: string;
  const folder = async (parent: string, name: string) => {
    const f = nodeCrypto.buildFolder(fx.masterKey, { n: name });
    return fx.emu.insertNode(EMAIL, { parent, t: 1, a: f.a, k: f.k });
  };
  const file = async (parent: string, name: string, data: Buffer, o: { c?: boolean; ts?: number; mtime?: number } = {}) => {
    const attrs: Record<string, unknown> = { n: name };
    if (o.c !== false) attrs.c = fingerprintBuffer(data, o.mtime ?? T).c;
    const built = nodeCrypto.buildFile(fx.masterKey, attrs, data);
    return fx.emu.insertNode(EMAIL, { parent, a: built.a, k: built.k, data: built.data, ...(o.ts ? { ts: o.ts } : {}) });
  };

  beforeEach(async () => {
    fx = await megaFixture();
    root = await folder('root', 'tree');
  });
  afterEach(() => fx.cleanup());

  it('reports duplicates with a deterministic winner (the newest) and their handles', async () => {
    await file(root, 'dup.txt', Buffer.from('old'), { ts: T });
    const newest = await file(root, 'dup.txt', Buffer.from('newest!'), { ts: T + 20 });
    const middle = await file(root, 'dup.txt', Buffer.from('middle'), { ts: T + 10 });
    const b = await fx.open('/tree');
    const l = await b.list();
    expect(l.entries).toEqual([{ kind: 'file', path: 'dup.txt', size: 7, mtimeMs: T * 1000, id: newest }]);
    expect(l.skipped.map((s) => [s.reason, s.id, s.size])).toEqual([['duplicate', middle, 6], ['duplicate', expect.any(String), 3]]);
    expect(l.warnings).toEqual([expect.objectContaining({ code: 'duplicate-name', path: 'dup.txt', message: expect.stringContaining('3 nodes') })]);
    expect((await read(b, 'dup.txt')).toString()).toBe('newest!');
  });

  it('deleteFile with an id removes exactly that copy, to the Rubbish Bin', async () => {
    const old = await file(root, 'dup.txt', Buffer.from('old'), { ts: T });
    await file(root, 'dup.txt', Buffer.from('newest'), { ts: T + 20 });
    const b = await fx.open('/tree');
    await b.deleteFile('dup.txt', { id: old });
    expect((await b.list()).skipped).toEqual([]);
    const rubbish = fx.emu.account(EMAIL)!.roots.rubbish;
    expect(fx.emu.listNodes(EMAIL).f.find((n) => n.h === old)?.p).toBe(rubbish);
    // Already gone: nothing to do.
    await b.deleteFile('dup.txt', { id: old });
    expect((await read(b, 'dup.txt')).toString()).toBe('newest');
  });

  it('skips and reports unsafe names, undecryptable nodes and foreign keys', async () => {
    for (const name of ['.', '..', 'a/b', 'nul\0byte', 'x'.repeat(300)]) await file(root, name, Buffer.from('hostile'));
    await folder(root, '..');
    const garbled = Buffer.alloc(32, 9);
    await fx.emu.insertNode(EMAIL, { parent: root, a: nodeCrypto.encryptAttributes(garbled, 'not MEGA json'), k: nodeCrypto.wrapKey(fx.masterKey, garbled), data: Buffer.from('x') });
    const foreign = nodeCrypto.buildFile(fx.masterKey, { n: 'foreign.txt' }, Buffer.from('f'));
    await fx.emu.insertNode(EMAIL, { parent: root, a: foreign.a, k: `someoneelse:${foreign.k}`, kExact: true, data: foreign.data });
    await file(root, 'fine.txt', Buffer.from('fine'));
    const l = await (await fx.open('/tree')).list();
    expect(l.entries.map((e) => e.path)).toEqual(['fine.txt']);
    const reasons = l.skipped.map((s) => `${s.reason}: ${s.path}`).sort();
    expect(reasons.filter((r) => r.startsWith('unsafe-name'))).toHaveLength(6);
    expect(reasons).toContain('unsafe-name: a\u2215b');
    expect(reasons).toContain('unsafe-name: nul\u2400byte');
    expect(reasons.filter((r) => r.startsWith('unreadable'))).toHaveLength(2);
    expect(l.skipped.every((s) => !s.path.split('/').includes('..'))).toBe(true);
  });

  it('a file without c has no mtime; the web client t attribute is used when present', async () => {
    await file(root, 'noc.txt', Buffer.from('no fingerprint'), { c: false });
    const withT = nodeCrypto.buildFile(fx.masterKey, { n: 'webclient.txt', t: T }, Buffer.from('t'));
    await fx.emu.insertNode(EMAIL, { parent: root, a: withT.a, k: withT.k, data: withT.data });
    const b = await fx.open('/tree');
    expect(await b.stat('noc.txt')).toMatchObject({ kind: 'file', size: 14, mtimeMs: null });
    expect(await b.stat('webclient.txt')).toMatchObject({ mtimeMs: T * 1000 });
  });

  it('names are NFC: an NFD name lists, stats and reads under its NFC form', async () => {
    const nfd = 'cafe\u0301 ünï.txt'.normalize('NFD');
    await file(root, nfd, pattern(100));
    const sub = await folder(root, 'Ordner \u0308'.normalize('NFD'));
    await file(sub, 'x', Buffer.from('x'));
    const b = await fx.open('/tree');
    const paths = (await b.list()).entries.map((e) => e.path);
    expect(paths).toContain(nfd.normalize('NFC'));
    expect(paths).toContain(`${'Ordner \u0308'.normalize('NFC')}/x`);
    expect((await read(b, nfd.normalize('NFC'))).equals(pattern(100))).toBe(true);
  });

  it('a file and a folder with one name: the newest is used, the other reported; a shadowed folder is never descended or removed', async () => {
    const dir = await folder(root, 'same');
    await file(dir, 'inside.txt', Buffer.from('in'));
    await file(root, 'same', Buffer.from('file'), { ts: Math.floor(Date.now() / 1000) + 100 });
    const l = await (await fx.open('/tree')).list();
    expect(l.entries.map((e) => `${e.kind} ${e.path}`)).toEqual(['file same']);
    expect(l.skipped).toEqual([expect.objectContaining({ path: 'same', reason: 'duplicate' })]);
    expect(l.skipped[0]!.id).toBeUndefined();
  });

  it('list honours the endpoint root: nothing outside it, prune stops descent', async () => {
    await file(root, 'in.txt', Buffer.from('in'));
    const other = await folder('root', 'elsewhere');
    await file(other, 'out.txt', Buffer.from('out'));
    const b = await fx.open('/tree');
    expect((await b.list()).entries.map((e) => e.path)).toEqual(['in.txt']);
    expect(await (await fx.open('/missing/deeper')).probeRoot()).toBe('missing');
    expect(await (await fx.open('/tree/in.txt')).probeRoot()).toBe('not-a-folder');
  });
});
