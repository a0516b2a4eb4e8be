/**
 * The sample tree the MEGA mirror tests share: the sizes around MAC chunk boundaries, names with
 * spaces, unicode in NFC and NFD, `abc` beside `abc.zip`, empty folders and a deep path.
 */
import { readTree, type FileSpec } from '../helpers/fs-tree.js';
import { pattern } from '../helpers/pattern.js';

export const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, 4718592, 5 * 1024 * 1024 + 3];

export { pattern };

export const NFD = 'cafe\u0301 nfd.txt'.normalize('NFD');
export const sample: Record<string, FileSpec | null> = {
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

export const JOBS = `  up:
    type: mirror
    source: ./src
    destination: mega:/Backups/Documents
  down:
    type: mirror
    source: mega:/Backups/Documents
    destination: ./back
`;

/** readTree with names NFC-normalized (the source holds an NFD name; MEGA stores NFC). */
export async function nfcTree(dir: string) {
  const t = await readTree(dir);
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k.normalize('NFC'), v]));
}

