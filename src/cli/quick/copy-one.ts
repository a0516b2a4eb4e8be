/**
 * One file from one backend to another through `Backend.write`: atomic at the destination (a
 * temporary name, or on MEGA a node that appears only when complete, replacing a same-named file
 * without leaving two), the size checked, a download's MAC verified before it is committed, and a
 * local source checked unchanged before the commit.
 */

import type { FileEntry, RelPath } from '../../core/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Backend } from '../../backends/backend.js';

export interface CopyOne {
  from: Backend;
  fromPath: RelPath;
  entry: FileEntry;
  to: Backend;
  toPath: RelPath;
  signal?: AbortSignal;
}

export async function copyOne(c: CopyOne): Promise<void> {
  const signal = c.signal ? { signal: c.signal } : {};
  const localPath = c.from.localPath?.(c.fromPath) ?? undefined;
  await c.to.write(
    c.toPath,
    { open: () => c.from.openRead(c.fromPath, signal), ...(localPath !== undefined ? { localPath } : {}) },
    {
      size: c.entry.size,
      mtimeMs: c.entry.mtimeMs,
      beforeCommit: async () => {
        const now = await c.from.stat(c.fromPath, signal);
        if (now?.kind !== 'file' || now.size !== c.entry.size || now.mtimeMs !== c.entry.mtimeMs) {
          throw new MegamirrorError('source-changed', 'the file changed while it was copied; nothing was written', { where: c.fromPath });
        }
      },
    },
    signal,
  );
}
