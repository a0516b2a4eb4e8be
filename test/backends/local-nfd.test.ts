/**
 * Names stored in NFD on disk (as macOS tools write them) are listed in NFC; the files below such
 * a folder must still be found on disk by their NFC paths, with and without the native helper.
 * (Found while adding the helper: only the NFD-named entry itself was mapped back to its disk
 * name, so a file inside an NFD-named folder could be listed but not read.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local/index.js';
import { setNativeEnabled } from '../../src/native.js';
import { tempDir } from '../helpers/fs-tree.js';

const NFD_FOLDER = 'cafe\u0301';
const NFC_FOLDER = 'caf\u00e9';

describe.each([['native helper', true], ['node:fs', false]])('local backend, NFD folder names (%s)', (_name, native) => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir('mm-nfd-'));
    setNativeEnabled(native);
  });
  afterEach(async () => {
    setNativeEnabled(true);
    await cleanup();
  });

  it('reads, stats and copies files below an NFD-named folder by their NFC paths', async () => {
    await mkdir(join(root, 'src', NFD_FOLDER, 'in'), { recursive: true });
    writeFileSync(join(root, 'src', NFD_FOLDER, 'in', 'a.txt'), 'inside');
    const src = new LocalBackend(join(root, 'src'));
    const listing = await src.list();
    expect(listing.entries.map((e) => e.path)).toEqual([NFC_FOLDER, `${NFC_FOLDER}/in`, `${NFC_FOLDER}/in/a.txt`]);
    const path = `${NFC_FOLDER}/in/a.txt`;
    expect(await src.stat(path)).toMatchObject({ kind: 'file', size: 6 });
    expect(await text(await src.openRead(path))).toBe('inside');

    const dst = new LocalBackend(join(root, 'dst'));
    await dst.mkdir('');
    await dst.mkdir(NFC_FOLDER);
    await dst.mkdir(`${NFC_FOLDER}/in`);
    await dst.write(path, { open: () => src.openRead(path), localPath: src.localPath(path) }, { size: 6, mtimeMs: 1_700_000_000_000 });
    expect(readFileSync(join(root, 'dst', NFC_FOLDER, 'in', 'a.txt'), 'utf8')).toBe('inside');
  });
});
