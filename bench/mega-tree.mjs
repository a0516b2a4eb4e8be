// A MEGA copy of a bench tree, for the megaplan scenario: an emulator state folder in which one
// account's drive holds /T with every folder and file of the local tree, encrypted as a client
// would store them (node keys wrapped with the master key, file content encrypted with its MAC,
// the fingerprint `c` carrying the file's mtime). Built once through the emulator's test hook
// (insertNode) rather than uploaded file by file, and cached next to the tree with a marker.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MEGA_TREE_VERSION = 1;
export const EMAIL = 'bench@example.com';
export const PASSWORD = 'bench password';
/** The MEGA folder that mirrors the tree. */
export const REMOTE_ROOT = 'T';

/**
 * `<cache>/mega-state-<files>/`: the emulator state for `tree` (from ensureTree) and its listing
 * (from listTree). Regenerated when the marker does not match the tree's.
 */
export async function ensureMegaTree({ repo, cache, tree, listing, files, seed, treeVersion, log }) {
  const dir = join(cache, `mega-state-${files}`);
  const markerFile = `${dir}.json`;
  const want = { megaTreeVersion: MEGA_TREE_VERSION, treeVersion, files, seed };
  const have = await readFile(markerFile, 'utf8').then(JSON.parse, () => null);
  if (have && Object.entries(want).every(([k, v]) => have[k] === v)) {
    log(`megaplan: reusing the emulator state ${dir}`);
    return dir;
  }
  log(`megaplan: building a MEGA copy of ${files} files in ${dir} (untimed, once) ...`);
  const t0 = performance.now();
  await rm(markerFile, { force: true });
  await rm(dir, { recursive: true, force: true });
  const emulator = await import(join(repo, 'dist', 'emulator', 'index.js'));
  const { fingerprintBuffer } = await import(join(repo, 'dist', 'backends', 'mega', 'crypto', 'fingerprint.js'));
  const { nodeCrypto } = emulator;
  // Saved once, at close: every save writes the whole state.
  const emu = await emulator.startEmulator({ stateDir: dir, saveDelayMs: 3_600_000, accounts: [{ email: EMAIL, password: PASSWORD }] });
  try {
    const key = await emu.masterKey(EMAIL, PASSWORD);
    const folder = (parent, name) => {
      const b = nodeCrypto.buildFolder(key, { n: name });
      return emu.insertNode(EMAIL, { parent, t: 1, a: b.a, k: b.k, silent: true });
    };
    const handles = new Map([['', await folder('root', REMOTE_ROOT)]]);
    // listTree's order puts every folder before what it holds.
    const paths = [...listing.keys()].sort();
    for (const path of paths) {
      const e = listing.get(path);
      if (e.kind !== 'dir') continue;
      const slash = path.lastIndexOf('/');
      handles.set(path, await folder(handles.get(slash < 0 ? '' : path.slice(0, slash)), path.slice(slash + 1)));
    }
    const filePaths = paths.filter((p) => listing.get(p).kind === 'file');
    let next = 0;
    let done = 0;
    const inserter = async () => {
      while (next < filePaths.length) {
        const path = filePaths[next++];
        const slash = path.lastIndexOf('/');
        const data = await readFile(join(tree.root, path));
        const b = nodeCrypto.buildFile(key, { n: path.slice(slash + 1), c: fingerprintBuffer(data, listing.get(path).mtimeS).c }, data);
        await emu.insertNode(EMAIL, { parent: handles.get(slash < 0 ? '' : path.slice(0, slash)), a: b.a, k: b.k, data: b.data, silent: true });
        if (++done % 20_000 === 0) log(`megaplan: ${done} files inserted`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, inserter));
  } finally {
    await emu.close();
  }
  await writeFile(markerFile, `${JSON.stringify({ ...want, createdAt: new Date().toISOString() }, null, 2)}\n`);
  log(`megaplan: built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}
