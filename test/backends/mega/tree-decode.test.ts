/**
 * NodeTree.decodeMany (a folder's keys unwrapped in one call, attributes decrypted in one native
 * call) must decode every node exactly as decode() does alone, readable or not: the listing of a
 * MEGA folder must not depend on which path decoded it.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptAttributes, packNodeKey, randomFileSecrets, randomFolderKey, toBase64Url, wrapKey } from '../../../src/backends/mega/crypto/index.js';
import { NODE_FILE, NODE_FOLDER, NodeTree, type WireNode } from '../../../src/backends/mega/tree.js';

const USER = 'me0000000000';
const master = randomBytes(16);

function nodes(): WireNode[] {
  const out: WireNode[] = [{ h: 'root', p: '', t: 2 }];
  const add = (n: Omit<WireNode, 'p'>) => out.push({ p: 'root', ...n });
  for (let i = 0; i < 40; i++) {
    const folder = randomFolderKey();
    const file = packNodeKey({ ...randomFileSecrets(), macCondensed: randomBytes(8) });
    add({ h: `d${i}`, t: NODE_FOLDER, a: encryptAttributes({ n: `folder ${i} é` }, folder), k: `${USER}:${toBase64Url(wrapKey(master, folder))}` });
    add({ h: `f${i}`, t: NODE_FILE, s: i, a: encryptAttributes({ n: `file-${i}.bin`, c: 'x' }, file), k: `${USER}:${toBase64Url(wrapKey(master, file))}` });
  }
  const file = packNodeKey({ ...randomFileSecrets(), macCondensed: randomBytes(8) });
  const folder = randomFolderKey();
  const fileAttrs = encryptAttributes({ n: 'odd' }, file);
  add({ h: 'bare', t: NODE_FILE, a: fileAttrs, k: toBase64Url(wrapKey(master, file)) }); // a bare key is ours
  add({ h: 'shared', t: NODE_FILE, a: fileAttrs, k: `other0000000:AAAA/${USER}:${toBase64Url(wrapKey(master, file))}` });
  add({ h: 'foreign', t: NODE_FILE, a: fileAttrs, k: `other0000000:${toBase64Url(wrapKey(master, file))}` });
  add({ h: 'folderKeyOnFile', t: NODE_FILE, a: encryptAttributes({ n: 'f' }, folder), k: `${USER}:${toBase64Url(wrapKey(master, folder))}` });
  add({ h: 'fileKeyOnFolder', t: NODE_FOLDER, a: fileAttrs, k: `${USER}:${toBase64Url(wrapKey(master, file))}` });
  add({ h: 'longKey', t: NODE_FILE, a: fileAttrs, k: `${USER}:${toBase64Url(wrapKey(master, file))}AA` });
  add({ h: 'notBase64', t: NODE_FILE, a: fileAttrs, k: `${USER}:${'*'.repeat(43)}` });
  add({ h: 'padded', t: NODE_FOLDER, a: encryptAttributes({ n: 'p' }, folder), k: `${USER}:${wrapKey(master, folder).toString('base64')}` });
  add({ h: 'noKey', t: NODE_FILE, a: fileAttrs });
  add({ h: 'badAttrs', t: NODE_FILE, a: '***', k: `${USER}:${toBase64Url(wrapKey(master, file))}` });
  add({ h: 'wrongAttrs', t: NODE_FOLDER, a: encryptAttributes({ n: 'w' }, randomFolderKey()), k: `${USER}:${toBase64Url(wrapKey(master, folder))}` });
  add({ h: 'inbox', t: 3 });
  return out;
}

describe('NodeTree.decodeMany', () => {
  it('decodes each node as decode() does alone, readable or not', () => {
    const list = nodes();
    const batch = new NodeTree(master, USER);
    const alone = new NodeTree(master, USER);
    batch.load(list);
    alone.load(list);
    batch.decodeMany(batch.children('root'));
    const got = list.map((n) => batch.decode(n));
    const want = list.map((n) => alone.decode(n));
    expect(got).toEqual(want);
    expect(got.filter((d) => d !== null).map((d) => d!.name)).toEqual([
      ...Array.from({ length: 40 }, (_, i) => [`folder ${i} é`, `file-${i}.bin`]).flat(),
      'odd',
      'odd',
    ]);
  });
});
