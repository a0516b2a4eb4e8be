import type { RelPath } from './types.js';

/** NFC-normalize and posix-join segments into a RelPath ('' is the root). */
export function normalizeRel(path: string): RelPath {
  return path
    .normalize('NFC')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

export function joinRel(parent: RelPath, name: string): RelPath {
  return parent === '' ? name : `${parent}/${name}`;
}

export function parentOf(path: RelPath): RelPath {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: RelPath): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function depthOf(path: RelPath): number {
  if (path === '') return 0;
  let n = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/** True when `path` is `ancestor` or lies below it. */
export function isWithin(path: RelPath, ancestor: RelPath): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(`${ancestor}/`);
}

/**
 * The one ordering of paths used everywhere: by segments, so that a folder's children follow it
 * directly (`a`, `a/b`, `a-b` rather than `a`, `a-b`, `a/b`). Code-unit comparison within a segment.
 */
export function comparePaths(a: RelPath, b: RelPath): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca === 47) return -1;
    if (cb === 47) return 1;
    return ca - cb;
  }
  return a.length - b.length;
}

/** Why a single name cannot be used as a path segment, or null when it can. */
export function unsafeNameReason(name: string): string | null {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `reserved name "${name}"`;
  if (name.includes('/')) return 'name contains "/"';
  if (name.includes('\0')) return 'name contains NUL';
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long names need counting.
  if (name.length > 85 && utf8Length(name) > 255) return 'name longer than 255 bytes';
  return null;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}
