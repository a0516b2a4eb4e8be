/**
 * Reading a MEGA folder on the in-process emulator the way a user would trust it: every file
 * under its final name downloaded with our own backend (so its MAC is checked: a node with partial
 * or damaged content cannot pass) and hashed; same-named nodes found both through the backend's
 * listing and in the raw node list.
 */
import { createHash } from 'node:crypto';
import { loadJobFile } from '../../src/config/index.js';
import { megaOpener } from '../../src/backends/mega/open.js';
import { SessionRegistry } from '../../src/backends/mega/registry.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import type { MegaCliEnv } from '../cli/mega-env.js';
import { EMAIL } from '../cli/mega-env.js';

const registry = new SessionRegistry();
const TIMEOUTS = { apiMs: 8000, transferIdleMs: 8000, transferRequestMs: 8000, loginMs: 30_000 };

export interface MegaFolderState {
  /** path -> sha256 of files whose download passed the MAC check. */
  files: Record<string, string>;
  /** Files under a final name whose content could not be read back intact (MAC, size). */
  unreadable: string[];
  /** Paths where several nodes share a name (the backend's listing). */
  duplicates: string[];
  folders: string[];
}

/** Download and hash every file of `mega:<path>` through MegaBackend (MAC-verified). */
export async function megaFolder(m: MegaCliEnv, path: string): Promise<MegaFolderState> {
  const file = await loadJobFile(m.jobs, { env: m.env });
  const open = megaOpener({ registry, timeouts: TIMEOUTS });
  const backend = await open(file, { type: 'remote', remote: 'mega', path }, file.jobs[0]!);
  const out: MegaFolderState = { files: {}, unreadable: [], duplicates: [], folders: [] };
  try {
    const listing = await backend.list();
    for (const e of listing.entries) {
      if (e.kind === 'dir') {
        out.folders.push(e.path);
        continue;
      }
      try {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of await backend.openRead(e.path)) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        if (size !== e.size) throw new Error('short read');
        out.files[e.path] = hash.digest('hex');
      } catch {
        out.unreadable.push(e.path);
      }
    }
    out.duplicates = [...new Set(listing.skipped.filter((s) => s.reason === 'duplicate').map((s) => s.path))];
  } finally {
    await backend.close();
  }
  return out;
}

/** One file's content from `mega:<root>/<rel>` (MAC-checked), or null when nothing has that name. */
export async function megaFile(m: MegaCliEnv, root: string, rel: string): Promise<Buffer | null> {
  const file = await loadJobFile(m.jobs, { env: m.env });
  const backend = await megaOpener({ registry, timeouts: TIMEOUTS })(file, { type: 'remote', remote: 'mega', path: root }, file.jobs[0]!);
  try {
    const e = await backend.stat(rel);
    if (e === null || e.kind !== 'file') return null;
    const parts: Buffer[] = [];
    for await (const chunk of await backend.openRead(rel)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  } finally {
    await backend.close();
  }
}

/**
 * Same-named live nodes anywhere in the Cloud Drive, from the emulator's raw node list (names
 * decrypted with the master key, compared in NFC): `parent/name` for each name held more than once.
 */
export function rawDuplicates(m: MegaCliEnv): string[] {
  const { f } = m.emu.listNodes(EMAIL);
  const rubbish = m.emu.account(EMAIL)!.roots.rubbish;
  const inRubbish = new Set<string>([rubbish]);
  const byHandle = new Map(f.map((n) => [n.h, n]));
  const trashed = (h: string): boolean => {
    for (let n = byHandle.get(h); n; n = byHandle.get(n.p)) if (inRubbish.has(n.h)) return true;
    return false;
  };
  const seen = new Map<string, number>();
  for (const n of f) {
    if ((n.t !== 0 && n.t !== 1) || trashed(n.h)) continue;
    const k = n.k.split(':')[1];
    if (!k) continue;
    const name = nodeCrypto.decryptAttributes(nodeCrypto.unwrapKey(m.masterKey, k), n.a)?.n;
    if (typeof name !== 'string') continue;
    const key = `${n.p}/${name.normalize('NFC')}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, c]) => c > 1).map(([k]) => k);
}

/** Every node of the account as the server holds it (for "the source was not modified"). */
export function nodeState(m: MegaCliEnv): string {
  const { f } = m.emu.listNodes(EMAIL);
  return JSON.stringify(f.map((n) => [n.h, n.p, n.t, n.a, n.k, n.s]).sort());
}

/** Hash map of a `{path: Buffer}` version, for comparing with a MegaFolderState. */
export function hashed(files: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([p, c]) => [p, createHash('sha256').update(c).digest('hex')]));
}

/** Files that differ between a folder's hashes and a version (missing, extra, other content). */
export function differences(tree: Record<string, string>, files: Record<string, Buffer>): string[] {
  const want = hashed(files);
  const keys = new Set([...Object.keys(tree), ...Object.keys(want)]);
  return [...keys].filter((k) => tree[k] !== want[k]).sort();
}
