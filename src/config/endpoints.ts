/**
 * Endpoint syntax: a MEGA public link (`https://mega.nz/folder/...#KEY`, see mega-link.ts), else
 * `NAME:/path` where NAME is a defined remote; anything else is a local path.
 * `~` expands to the home folder and relative local paths resolve against the job file's folder.
 * A `NAME:/...` whose NAME is not a defined remote is an error rather than a local path, because
 * it is almost always a typo; a local folder literally named so can be written `./NAME:/...`.
 */

import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import type { Endpoint } from './types.js';
import { expandHome } from './expand.js';
import { canonicalLink, looksLikeMegaLink, parseMegaLink, redactLink } from './mega-link.js';
import { didYouMean } from './suggest.js';

export interface EndpointContext {
  /** Names of the remotes the file defines. */
  remotes: readonly string[];
  /** Absolute folder that relative local paths resolve against. */
  baseDir: string;
  home: string;
}

export type ParsedEndpoint = { endpoint: Endpoint; error?: undefined } | { endpoint?: undefined; error: string };

const REMOTE_FORM = /^([A-Za-z][A-Za-z0-9_-]*):(.*)$/s;

export function parseEndpoint(text: string, ctx: EndpointContext): ParsedEndpoint {
  if (looksLikeMegaLink(text)) {
    const r = parseMegaLink(text);
    return r.link ? { endpoint: { type: 'link', url: canonicalLink(r.link) } } : { error: r.error };
  }
  const m = REMOTE_FORM.exec(text);
  if (m) {
    const [, name = '', rest = ''] = m;
    if (ctx.remotes.includes(name)) {
      if (rest !== '' && !rest.startsWith('/')) {
        return { error: `remote paths start with "/": write "${name}:/${rest}"` };
      }
      return { endpoint: { type: 'remote', remote: name, path: posix.resolve('/', rest) } };
    }
    if (rest.startsWith('/')) {
      const known = ctx.remotes.length === 0 ? ' (no remotes are defined)' : didYouMean(name, ctx.remotes);
      return { error: `unknown remote "${name}"${known}` };
    }
  }
  const home = expandHome(text, ctx.home);
  if (home.error) return { error: home.error };
  return { endpoint: { type: 'local', path: resolve(ctx.baseDir, home.value) } };
}

/** The endpoint as a person would write it, for messages: `/mnt/x`, `mega:/Backups`, a link without its key. */
export function formatEndpoint(e: Endpoint): string {
  switch (e.type) {
    case 'local':
      return e.path;
    case 'remote':
      return `${e.remote}:${e.path}`;
    case 'link':
      return redactLink(e.url);
  }
}

/**
 * How two endpoints' folders relate: the same folder, `a` inside `b`, `b` inside `a`, or apart.
 * Local paths compare as resolved strings (no symlinks are followed); remote paths only compare
 * within one remote; links are apart from everything. Case-insensitive file systems are not considered.
 */
export function relation(a: Endpoint, b: Endpoint): Relation {
  if (a.type === 'local' && b.type === 'local') {
    return relate(a.path, b.path, (from, to) => relative(from, to), sep);
  }
  if (a.type === 'remote' && b.type === 'remote' && a.remote === b.remote) {
    return relate(a.path, b.path, (from, to) => posix.relative(from, to), '/');
  }
  return null;
}

type Relation = 'same' | 'a-in-b' | 'b-in-a' | null;

function relate(a: string, b: string, rel: (from: string, to: string) => string, s: string): Relation {
  if (a === b) return 'same';
  const inside = (child: string, parent: string) => {
    const r = rel(parent, child);
    return r !== '' && r !== '..' && !r.startsWith(`..${s}`) && !isAbsolute(r);
  };
  if (inside(a, b)) return 'a-in-b';
  if (inside(b, a)) return 'b-in-a';
  return null;
}
