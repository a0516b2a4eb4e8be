/**
 * What an endpoint argument names: a folder (a backend rooted at it), a file (a backend rooted at
 * its folder, and its name there), or nothing. A file link is a file; a folder link a folder.
 * The caller closes the backend it gets.
 */

import { basename, dirname, posix } from 'node:path';
import { formatEndpoint } from '../../config/endpoints.js';
import type { Endpoint } from '../../config/types.js';
import type { FileEntry, RelPath } from '../../core/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Backend } from '../../backends/backend.js';
import type { Quick } from './context.js';

export type Located =
  | { kind: 'dir'; endpoint: Endpoint; shown: string; backend: Backend }
  | { kind: 'file'; endpoint: Endpoint; shown: string; parent: Backend; parentEndpoint: Endpoint; name: RelPath; entry: FileEntry }
  | { kind: 'missing'; endpoint: Endpoint; shown: string };

export async function locate(q: Quick, e: Endpoint): Promise<Located> {
  const shown = formatEndpoint(e);
  const b = await q.openAt(e);
  try {
    if ((await b.probeRoot()) === 'ok') {
      if (e.type === 'link' && /\/file\//.test(e.url)) {
        const [only] = (await b.list()).entries;
        if (only?.kind === 'file') return { kind: 'file', endpoint: e, shown, parent: b, parentEndpoint: e, name: only.path, entry: only };
      }
      return { kind: 'dir', endpoint: e, shown, backend: b };
    }
  } catch (err) {
    await b.close();
    throw err;
  }
  await b.close();
  const up = parentOf(e);
  if (!up) return { kind: 'missing', endpoint: e, shown };
  const parent = await q.openAt(up.parent);
  const entry = await parent.stat(up.name).catch(async (err: unknown) => {
    await parent.close();
    throw err;
  });
  if (entry?.kind === 'file') return { kind: 'file', endpoint: e, shown, parent, parentEndpoint: up.parent, name: up.name, entry };
  await parent.close();
  return { kind: 'missing', endpoint: e, shown };
}

/** The folder an endpoint lies in and its name there; null for roots and links. */
export function parentOf(e: Endpoint): { parent: Endpoint; name: string } | null {
  if (e.type === 'local') {
    const up = dirname(e.path);
    return up === e.path ? null : { parent: { type: 'local', path: up }, name: basename(e.path) };
  }
  if (e.type === 'remote') {
    if (e.path === '/') return null;
    return { parent: { ...e, path: posix.dirname(e.path) }, name: posix.basename(e.path).normalize('NFC') };
  }
  return null;
}

/** `not-found` naming what was asked for. */
export function notFound(l: { shown: string }): MegamirrorError {
  return new MegamirrorError('not-found', 'no such file or folder', { where: l.shown });
}

/** Release whatever a Located holds. */
export async function release(l: Located): Promise<void> {
  if (l.kind === 'dir') await l.backend.close();
  if (l.kind === 'file') await l.parent.close();
}

/** An error from an operation on one named item, re-addressed to that item as the user wrote it. */
export function addressed(err: unknown, shown: string): unknown {
  if (!(err instanceof MegamirrorError) || err.code === 'interrupted') return err;
  return new MegamirrorError(err.code, err.message, { where: shown, ...(err.hint ? { hint: err.hint } : {}), transient: err.transient, cause: err });
}
