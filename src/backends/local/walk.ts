import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { MegamirrorError, fromSystemError } from '../../errors.js';
import { joinRel, unsafeNameReason } from '../../core/paths.js';
import type { Entry, Listing, RelPath, SkippedEntry } from '../../core/types.js';
import { NATIVE_KIND, nativeHelpers, type NativeListing } from '../../native.js';
import { isPartialName } from './partial.js';

export interface WalkOptions {
  root: string;
  followSymlinks: boolean;
  prune?: (dir: RelPath) => boolean;
  signal?: AbortSignal;
}

export interface WalkResult extends Listing {
  /** NFC RelPath -> on-disk relative path, only where they differ (NFD names on disk). */
  diskNames: Map<RelPath, string>;
}

/** Folders read between two yields to the event loop (so signals and the other side's scan get a turn). */
const FOLDERS_PER_SLICE = 16;

/**
 * Walk a local tree: sizes, mtimes and types, without following symlinks unless asked (then with
 * loop detection by device and inode of the folders on the way down). Unreadable folders and
 * special files are reported in `skipped`; names are NFC-normalized and twins reported.
 *
 * Why synchronous calls in slices: a promise per lstat (100,000 of them in flight) cost 4-8x the
 * time of rsync and a 1 GB peak in the benchmark; readdirSync + lstatSync per folder, yielding
 * every few folders so SIGINT and the other side's scan still run, is about 5x faster and flat.
 * The native helper goes further: one call per folder, files lstat'ed relative to the open
 * folder, no Stats object per file (a 100,000-file walk: 0.70 -> 0.40-0.50 s here).
 */
export async function walk(input: WalkOptions): Promise<WalkResult> {
  const children = new Map<RelPath, Entry[]>();
  const rest = await walkFolders(input, (slice) => {
    for (const [rel, list] of slice) children.set(rel, list);
  });
  return { ...rest, entries: inPathOrder(children) };
}

/** Folders read in one slice: each folder's path and its entries, sorted by name. */
export type FolderSlice = Array<[RelPath, Entry[]]>;

/**
 * The walk itself, handing each slice of folders to `onSlice` as it is read (the walker thread
 * posts them on at once, so the other thread turns them into entries while this one walks on);
 * returns what is not per folder. `inPathOrder` of all slices gives `walk`'s entries.
 */
export async function walkFolders(input: WalkOptions, onSlice: (slice: FolderSlice) => void): Promise<Omit<WalkResult, 'entries'>> {
  // Paths below are built by concatenation (cheaper than path.join per entry): no trailing slash.
  const options = { ...input, root: input.root.length > 1 ? input.root.replace(/\/+$/, '') : input.root };
  const out: WalkResult = { entries: [], skipped: [], warnings: [], diskNames: new Map() };
  let rootStat: Stats;
  try {
    rootStat = statSync(options.root);
  } catch (e) {
    throw fromSystemError(e, options.root);
  }
  const queue: Folder[] = [{ rel: '', disk: '', ancestry: [`${rootStat.dev}:${rootStat.ino}`] }];
  while (queue.length > 0) {
    const slice: FolderSlice = [];
    for (let n = 0; n < FOLDERS_PER_SLICE && queue.length > 0; n++) {
      const f = queue.pop()!;
      slice.push([f.rel, readFolder(options, out, f, queue)]);
    }
    onSlice(slice);
    if (queue.length > 0) await new Promise<void>((r) => setImmediate(r));
    if (options.signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted while scanning', { where: options.root });
  }
  return { skipped: out.skipped, warnings: out.warnings, diskNames: out.diskNames };
}

/**
 * The entries of every folder, each list sorted by name, joined in `comparePaths` order: a folder,
 * then everything below it, then its next sibling ('/' sorts before every other character, so
 * `a/x` comes before `a-b`). Sorting small per-folder lists and joining them costs a fraction of
 * one sort of the whole listing with a comparator.
 */
export function inPathOrder(children: Map<RelPath, Entry[]>): Entry[] {
  const out: Entry[] = [];
  const stack: Array<{ list: Entry[]; i: number }> = [{ list: children.get('') ?? [], i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i === top.list.length) {
      stack.pop();
      continue;
    }
    const e = top.list[top.i++]!;
    out.push(e);
    if (e.kind === 'dir') {
      const below = children.get(e.path);
      if (below !== undefined && below.length > 0) stack.push({ list: below, i: 0 });
    }
  }
  return out;
}

interface Folder {
  rel: RelPath;
  disk: string;
  /** `dev:ino` of the folders on the way down, for symlink loop detection. */
  ancestry: string[];
}

/** What the folder listing says an entry is, before any stat. */
type DirentType = 'file' | 'dir' | 'link' | 'other';

/**
 * One folder's entries, sorted by name; its subfolders are queued. With the native helper the
 * folder is listed and its files lstat'ed in one call; without it (or when it cannot open the
 * folder: fs then raises the error to report), readdir and an lstat per file.
 */
function readFolder(o: WalkOptions, out: WalkResult, f: Folder, queue: Folder[]): Entry[] {
  const base = f.disk === '' ? o.root : `${o.root}/${f.disk}`;
  const listed = nativeHelpers()?.listFolder(base);
  if (listed !== undefined && typeof listed !== 'number') {
    const names = listed.names === '' ? [] : listed.names.split('\0');
    const look = (i: number, path: RelPath, diskPath: string) => visitListed(o, out, listed, i, path, diskPath, f.ancestry, queue);
    return listed.ascii ? admitAscii(out, f, names, look) : admit(out, f, names, look);
  }
  let dirents: Dirent[];
  try {
    dirents = readdirSync(base, { withFileTypes: true });
  } catch (err) {
    if (f.rel === '') throw fromSystemError(err, o.root);
    out.skipped.push({ path: f.rel, reason: 'unreadable', detail: fromSystemError(err, f.rel).message });
    return [];
  }
  return admit(out, f, dirents.map((d) => d.name), (i, path, diskPath) => visit(o, out, direntType(dirents[i]!), path, diskPath, f.ancestry, queue));
}

/**
 * The name checks every entry passes before it is looked at: leftovers of interrupted copies,
 * names unsafe elsewhere, NFC/NFD twins. `look` turns the i-th admitted name into an entry.
 */
function admit(out: WalkResult, f: Folder, names: string[], look: (i: number, path: RelPath, diskPath: string) => Entry | null): Entry[] {
  const entries: Entry[] = [];
  /** Non-ASCII names seen in this folder: only they can meet a twin in another normal form. */
  let seen: Set<string> | undefined;
  for (let i = 0; i < names.length; i++) {
    const raw = names[i]!;
    const ascii = isAscii(raw);
    const name = ascii ? raw : raw.normalize('NFC');
    const path = joinRel(f.rel, name);
    if (isPartialName(raw)) {
      out.skipped.push({ path, reason: 'partial' });
      continue;
    }
    const unsafe = unsafeNameReason(name);
    if (unsafe !== null) {
      out.skipped.push({ path, reason: 'unsafe-name', detail: unsafe });
      continue;
    }
    if (!ascii) {
      seen ??= new Set<string>();
      if (seen.has(name)) {
        out.skipped.push({ path, reason: 'name-collision', detail: 'the same name in NFC and NFD forms' });
        continue;
      }
      seen.add(name);
    }
    const diskPath = f.disk === '' ? raw : `${f.disk}/${raw}`;
    // Also below an NFD-named folder, where a plain name's path on disk differs too.
    if (diskPath !== path) out.diskNames.set(path, diskPath);
    const e = look(i, path, diskPath);
    if (e !== null) entries.push(e);
  }
  // Siblings share their parent's prefix: comparing whole paths orders them by name.
  return entries.sort(byPath);
}

/**
 * `admit` for a folder whose names are all ASCII (the helper says so): ASCII is its own NFC, so
 * no twins, and a name readdir gives (never empty, `.`, `..`, or holding `/` or NUL, at most 255
 * bytes) is never unsafe; only leftovers of interrupted copies remain to skip.
 */
function admitAscii(out: WalkResult, f: Folder, names: string[], look: (i: number, path: RelPath, diskPath: string) => Entry | null): Entry[] {
  const entries: Entry[] = [];
  const prefix = f.rel === '' ? '' : `${f.rel}/`;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const path = prefix + name;
    if (isPartialName(name)) {
      out.skipped.push({ path, reason: 'partial' });
      continue;
    }
    // The path on disk differs only below an NFD-named folder.
    let diskPath = path;
    if (f.disk !== f.rel) {
      diskPath = `${f.disk}/${name}`;
      out.diskNames.set(path, diskPath);
    }
    const e = look(i, path, diskPath);
    if (e !== null) entries.push(e);
  }
  // Already in order: the helper sorts by bytes, which for ASCII is the order of code units.
  return entries;
}

function byPath(a: Entry, b: Entry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function direntType(d: Dirent): DirentType {
  return d.isSymbolicLink() ? 'link' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other';
}

/** An entry of a native listing: files and plain folders as listed, the rest through `visit`. */
function visitListed(o: WalkOptions, out: WalkResult, l: NativeListing, i: number, path: RelPath, diskPath: string, ancestry: string[], queue: Folder[]): Entry | null {
  const kind = l.kinds[i];
  if (kind === NATIVE_KIND.file) return { kind: 'file', path, size: l.sizes[i]!, mtimeMs: l.mtimes[i]! };
  if (kind === NATIVE_KIND.dir && !o.followSymlinks) {
    if (!o.prune?.(path)) queue.push({ rel: path, disk: diskPath, ancestry });
    return { kind: 'dir', path };
  }
  if (kind === NATIVE_KIND.other) {
    out.skipped.push({ path, reason: 'special' });
    return null;
  }
  // Symlinks, folders whose identity loop detection needs, and files whose lstat failed (fs
  // raises the error to report, or finds the file there after all).
  return visit(o, out, kind === NATIVE_KIND.link ? 'link' : kind === NATIVE_KIND.dir ? 'dir' : 'file', path, diskPath, ancestry, queue);
}

function visit(o: WalkOptions, out: WalkResult, type: DirentType, path: RelPath, diskPath: string, ancestry: string[], queue: Folder[]): Entry | null {
  const full = `${o.root}/${diskPath}`;
  const link = type === 'link';
  let isDir = type === 'dir';
  let s: Stats | undefined;
  try {
    if (link) {
      if (!o.followSymlinks) {
        out.skipped.push({ path, reason: 'symlink' });
        return null;
      }
      s = statSync(full);
      isDir = s.isDirectory();
    } else if (type === 'file') {
      s = lstatSync(full);
    } else if (isDir && o.followSymlinks) {
      s = statSync(full);
    }
  } catch (err) {
    const e = fromSystemError(err, path);
    out.skipped.push({ path, reason: e.code === 'not-found' && link ? 'symlink' : 'unreadable', detail: e.message });
    return null;
  }
  if (isDir) {
    let next = ancestry;
    if (s) {
      const id = `${s.dev}:${s.ino}`;
      if (link && ancestry.includes(id)) {
        out.skipped.push({ path, reason: 'symlink-loop' });
        out.warnings.push({ code: 'symlink-loop', path, message: 'symbolic link points back into its own ancestry; not followed' });
        return null;
      }
      next = [...ancestry, id];
    }
    if (!o.prune?.(path)) queue.push({ rel: path, disk: diskPath, ancestry: next });
    return { kind: 'dir', path };
  }
  if (s?.isFile()) return { kind: 'file', path, size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
  out.skipped.push({ path, reason: 'special' } satisfies SkippedEntry);
  return null;
}

/** Most names are ASCII, and ASCII is already NFC: skip the normalization for them. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
