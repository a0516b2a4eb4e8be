import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fromSystemError } from '../../errors.js';
import { comparePaths, joinRel, unsafeNameReason } from '../../core/paths.js';
import type { Entry, Listing, RelPath, SkippedEntry, Warning } from '../../core/types.js';
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

/**
 * Walk a local tree: sizes, mtimes and types, without following symlinks unless asked (then with
 * loop detection by device and inode of the folders on the way down). Unreadable folders and
 * special files are reported in `skipped`; names are NFC-normalized and twins reported.
 */
export async function walk(options: WalkOptions): Promise<WalkResult> {
  const out: WalkResult = { entries: [], skipped: [], warnings: [], diskNames: new Map() };
  const rootStat = await stat(options.root).catch((e) => {
    throw fromSystemError(e, options.root);
  });
  await walkDir(options, out, '', '', [`${rootStat.dev}:${rootStat.ino}`]);
  out.entries.sort((a, b) => comparePaths(a.path, b.path));
  return out;
}

async function walkDir(o: WalkOptions, out: WalkResult, rel: RelPath, disk: string, ancestry: string[]): Promise<void> {
  if (o.signal?.aborted) throw fromSystemError(o.signal.reason ?? new Error('aborted'), rel);
  let dirents: Dirent[];
  try {
    dirents = await readdir(join(o.root, disk), { withFileTypes: true });
  } catch (err) {
    if (rel === '') throw fromSystemError(err, o.root);
    out.skipped.push({ path: rel, reason: 'unreadable', detail: fromSystemError(err, rel).message });
    return;
  }
  const seen = new Set<string>();
  const subdirs: Array<Promise<void>> = [];
  const stats: Array<Promise<void>> = [];
  for (const d of dirents) {
    const name = d.name.normalize('NFC');
    const path = joinRel(rel, name);
    const diskPath = disk === '' ? d.name : `${disk}/${d.name}`;
    if (isPartialName(d.name)) {
      out.skipped.push({ path, reason: 'partial' });
      continue;
    }
    const unsafe = unsafeNameReason(name);
    if (unsafe !== null) {
      out.skipped.push({ path, reason: 'unsafe-name', detail: unsafe });
      continue;
    }
    if (seen.has(name)) {
      out.skipped.push({ path, reason: 'name-collision', detail: 'the same name in NFC and NFD forms' });
      continue;
    }
    seen.add(name);
    if (name !== d.name) out.diskNames.set(path, diskPath);
    stats.push(visit(o, out, d, path, diskPath, ancestry, subdirs));
  }
  await Promise.all(stats);
  await Promise.all(subdirs);
}

async function visit(
  o: WalkOptions, out: WalkResult, d: Dirent, path: RelPath, diskPath: string, ancestry: string[], subdirs: Array<Promise<void>>,
): Promise<void> {
  const full = join(o.root, diskPath);
  let isDir = d.isDirectory();
  let isFile = d.isFile();
  let s: Stats | undefined;
  try {
    if (d.isSymbolicLink()) {
      if (!o.followSymlinks) {
        out.skipped.push({ path, reason: 'symlink' });
        return;
      }
      s = await stat(full);
      isDir = s.isDirectory();
      isFile = s.isFile();
    } else if (isFile || isDir) {
      s = isFile ? await lstat(full) : undefined;
    }
  } catch (err) {
    const e = fromSystemError(err, path);
    out.skipped.push({ path, reason: e.code === 'not-found' && d.isSymbolicLink() ? 'symlink' : 'unreadable', detail: e.message });
    return;
  }
  if (isFile && s) {
    out.entries.push({ kind: 'file', path, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
  } else if (isDir) {
    if (d.isSymbolicLink()) {
      const id = `${s!.dev}:${s!.ino}`;
      if (ancestry.includes(id)) {
        out.skipped.push({ path, reason: 'symlink-loop' });
        out.warnings.push(loopWarning(path));
        return;
      }
      ancestry = [...ancestry, id];
    } else if (o.followSymlinks) {
      const ds = await stat(full).catch(() => null);
      if (ds) ancestry = [...ancestry, `${ds.dev}:${ds.ino}`];
    }
    out.entries.push({ kind: 'dir', path } satisfies Entry);
    if (!o.prune?.(path)) subdirs.push(walkDir(o, out, path, diskPath, ancestry));
  } else {
    out.skipped.push({ path, reason: 'special' } satisfies SkippedEntry);
  }
}

function loopWarning(path: RelPath): Warning {
  return { code: 'symlink-loop', path, message: 'symbolic link points back into its own ancestry; not followed' };
}
