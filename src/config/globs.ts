/**
 * Checks for include/exclude globs. Patterns are minimatch globs relative to the source root;
 * the filter in core/ compiles them, this only refuses what it could not use sensibly.
 */

import { Minimatch } from 'minimatch';

/** The options core/filter compiles with. */
const OPTIONS = { dot: true, nocomment: true, nonegate: true };

/** Why `pattern` is not a usable glob, or null when it is. */
export function globProblem(pattern: string): string | null {
  if (pattern.trim() === '') return 'empty pattern';
  if (pattern.startsWith('/')) {
    return `"${pattern}": patterns are relative to the source root; write "${pattern.replace(/^\/+/, '')}"`;
  }
  if (pattern.split('/').includes('..')) return `"${pattern}": patterns cannot contain ".." segments`;
  // The filter compiles with nonegate and nocomment, so "!" and "#" would be literal characters;
  // a leading "!" is almost always meant as a negation, which is not supported.
  if (pattern.startsWith('!')) {
    return `"${pattern}": negated patterns are not supported (use the include and exclude lists; write "\\!" for a literal "!")`;
  }
  try {
    if (new Minimatch(pattern, OPTIONS).makeRe() === false) return `"${pattern}" never matches anything`;
  } catch (err) {
    return `invalid pattern "${pattern}": ${(err as Error).message}`;
  }
  return null;
}
