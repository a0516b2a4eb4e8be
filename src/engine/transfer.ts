import type { Action, FileEntry } from '../core/types.js';
import { MegamirrorError } from '../errors.js';
import type { ApplyOptions } from './apply.js';

type CopyAction = Extract<Action, { op: 'copy' }>;
type LinkAction = Extract<Action, { op: 'link' }>;

export interface TransferOutcome {
  attempts: number;
  bytes: number;
  note?: string;
  stored?: { size: number; mtimeMs: number | null };
}

/**
 * Copy one file from source to destination. The first attempt trusts the size and mtime the plan
 * saw (the listing was moments ago) and the source is stat'ed again before the copy is committed;
 * a file that changed since is copied again from a fresh stat (up to `sourceChangeRetries` times)
 * and never recorded as copied with content it did not have.
 */
export async function copyFile(a: CopyAction, o: ApplyOptions, firstAttempt = 1): Promise<TransferOutcome> {
  const from = a.sourcePath ?? a.path;
  for (let attempt = firstAttempt; ; attempt++) {
    const before = attempt === 1 ? ({ kind: 'file', path: from, size: a.size, mtimeMs: a.mtimeMs } as const) : await o.source.stat(from, { signal: o.signal });
    if (before === null || before.kind !== 'file') {
      throw new MegamirrorError('not-found', 'the source file vanished before it could be copied', { where: a.path });
    }
    const localPath = o.source.localPath?.(from) ?? undefined;
    try {
      await o.destination.write(
        a.path,
        {
          open: () => o.source.openRead(from, { signal: o.signal }),
          localPath,
          ...(o.onEvent ? { onProgress: (bytes: number) => o.onEvent!({ type: 'bytes', path: a.path, bytes }) } : {}),
        },
        // unchangedSince is exactly a stat of the local source file: the destination may do it.
        { size: before.size, mtimeMs: before.mtimeMs, beforeCommit: () => unchangedSince(o, before), beforeCommitChecksSource: localPath !== undefined },
        { signal: o.signal },
      );
      return { attempts: attempt, bytes: before.size, stored: { size: before.size, mtimeMs: before.mtimeMs } };
    } catch (err) {
      const retry = err instanceof MegamirrorError && (err.code === 'source-changed' || err.code === 'size-mismatch' || (attempt === 1 && err.code === 'not-found'));
      if (!retry || attempt > o.sourceChangeRetries) throw err;
    }
  }
}

async function unchangedSince(o: ApplyOptions, before: FileEntry): Promise<void> {
  const now = await o.source.stat(before.path, { signal: o.signal });
  if (now === null || now.kind !== 'file' || now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
    throw new MegamirrorError('source-changed', 'the source file changed while it was copied', { where: before.path });
  }
}

/**
 * Reuse an identical file the destination already holds (hard link, MEGA server-side copy). Where
 * the destination cannot link (another device), copy the bytes from the destination instead.
 */
export async function linkFile(a: LinkAction, o: ApplyOptions): Promise<TransferOutcome> {
  const d = o.destination;
  if (d.copyWithin && d.capabilities.serverSideCopy) {
    try {
      await d.copyWithin(a.from, a.path, { signal: o.signal });
      return { attempts: 1, bytes: 0, stored: { size: a.size, mtimeMs: a.mtimeMs } };
    } catch (err) {
      if (!(err instanceof MegamirrorError && err.code === 'link-unsupported')) throw err;
    }
  }
  await d.write(
    a.path,
    { open: () => d.openRead(a.from, { signal: o.signal }), localPath: d.localPath?.(a.from) ?? undefined },
    { size: a.size, mtimeMs: a.mtimeMs },
    { signal: o.signal },
  );
  return { attempts: 1, bytes: a.size, note: 'copied: the destination cannot link here', stored: { size: a.size, mtimeMs: a.mtimeMs } };
}
