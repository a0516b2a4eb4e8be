/**
 * MEGA public links as endpoints and command-line arguments: `https://mega.nz/file/HANDLE#KEY` and
 * `https://mega.nz/folder/HANDLE#KEY` (also on mega.co.nz and www., and the older `#!HANDLE!KEY` and
 * `#F!HANDLE!KEY` forms). HANDLE is the 8-character public handle; KEY opens the content (base64url:
 * 32 bytes for a file, 16 for a folder).
 *
 * The key is a secret: whoever holds it reads the content. Nothing built here ever contains it,
 * except `canonicalLink` (what an endpoint stores); show links only through `redactLink`.
 */

export interface MegaLink {
  kind: 'file' | 'folder';
  /** The public handle. */
  handle: string;
  /** 32 bytes (a file's node key) or 16 (a folder link's share key). */
  key: Buffer;
}

export type ParsedLink = { link: MegaLink; error?: undefined } | { link?: undefined; error: string };

const LINK_START = /^https?:\/\/(?:www\.)?mega\.(?:nz|co\.nz)\//i;
const HANDLE = /^[A-Za-z0-9_-]{8}$/;
const KEY = /^[A-Za-z0-9_-]+$/;

/** True for text that is meant as a MEGA link (it may still be malformed: see `parseMegaLink`). */
export function looksLikeMegaLink(text: string): boolean {
  return LINK_START.test(text);
}

/** Parse a link; errors name what is wrong, never the key. */
export function parseMegaLink(text: string): ParsedLink {
  if (!looksLikeMegaLink(text)) return { error: 'not a MEGA link (https://mega.nz/file/... or https://mega.nz/folder/...)' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: `${redactLink(text)} is not a valid URL` };
  }
  const fragment = url.hash.slice(1);
  const modern = /^\/(file|folder)\/([^/]+)\/?$/.exec(url.pathname);
  let kind: MegaLink['kind'];
  let handle: string;
  let keyText: string;
  if (modern) {
    kind = modern[1] as MegaLink['kind'];
    handle = modern[2]!;
    keyText = fragment;
  } else {
    const legacy = /^(F?)!([^!]*)!([^!]*)$/.exec(fragment);
    if (!legacy) return { error: `${redactLink(text)} is not a file or folder link` };
    kind = legacy[1] ? 'folder' : 'file';
    handle = legacy[2]!;
    keyText = legacy[3]!;
  }
  const shown = `https://mega.nz/${kind}/${handle}`;
  if (!HANDLE.test(handle)) return { error: `${shown}: the link's handle is not 8 characters` };
  if (keyText.includes('/')) {
    return { error: `${shown}#…: links to an item inside a shared folder are not supported; use the folder's own link` };
  }
  if (keyText === '') return { error: `${shown}: the link has no key (the part after #); MEGA shows it with "copy link with key"` };
  const want = kind === 'file' ? 32 : 16;
  const key = KEY.test(keyText) ? Buffer.from(keyText, 'base64url') : null;
  if (!key || key.length !== want) return { error: `${shown}#…: the key after # is damaged or incomplete (a ${kind} link's key is ${Math.ceil((want * 4) / 3)} characters)` };
  return { link: { kind, handle, key } };
}

/** The link in one standard form, key included (for an endpoint; never for display). */
export function canonicalLink(l: MegaLink): string {
  return `https://mega.nz/${l.kind}/${l.handle}#${l.key.toString('base64url')}`;
}

/** A link as it may be shown: `https://mega.nz/folder/HANDLE#…`. Anything after `#` is cut. */
export function redactLink(text: string): string {
  const hash = text.indexOf('#');
  if (hash < 0) return text;
  const before = text.slice(0, hash);
  const legacy = /^(F?)!([A-Za-z0-9_-]*)!/.exec(text.slice(hash + 1));
  if (LINK_START.test(text) && legacy && /^https?:\/\/[^/]+\/?$/.test(before)) {
    return `https://mega.nz/${legacy[1] ? 'folder' : 'file'}/${legacy[2]}#…`;
  }
  return `${before}#…`;
}
