import { Minimatch } from 'minimatch';
import { MegamirrorError } from '../errors.js';
import type { RelPath } from './types.js';

/**
 * Which paths of a source take part in a job.
 *
 * Semantics (documented in the README, "Filters"):
 * - Patterns are minimatch globs matched against the whole path relative to the source root
 *   (`docs/a.md`, never a leading `/`); `*` stays within one folder, `**` crosses folders, and dot
 *   files match like any other name.
 * - A file is selected when it matches an include (default `**`) and no exclude.
 * - A folder is excluded when an exclude matches it (as `dir` or `dir/`); an excluded folder is not
 *   descended into, so nothing below it is selected whatever the includes say.
 * - A folder is kept (created at the destination) when the includes are the default, when an include
 *   matches it, or when it holds a selected file.
 */
export interface Filter {
  /** True when the includes are the default `**`: every folder is mirrored, empty ones too. */
  readonly includesEverything: boolean;
  /** No include narrows and no exclude removes anything: every path is selected. */
  readonly selectsEverything: boolean;
  selectsFile(path: RelPath): boolean;
  /** `excluded`: skip it and all below; `descend`: look inside; `barren`: nothing below can be included. */
  dirVerdict(path: RelPath): 'excluded' | 'descend' | 'barren';
  /** An include matches the folder itself (so it is kept even when empty). */
  includesDir(path: RelPath): boolean;
}

export function compileFilter(include: readonly string[], exclude: readonly string[]): Filter {
  const inc = (include.length === 0 ? ['**'] : include).map(compile);
  const exc = exclude.map(compile);
  const includesEverything = inc.some((m) => m.pattern === '**');
  const excludedDir = (p: RelPath) => exc.some((m) => m.match(p) || m.match(`${p}/`));
  // `**` (dot: true) matches every relative path: skip minimatch's per-path work for it, which
  // was a tenth of an unchanged 100,000-file plan.
  const included = includesEverything ? () => true : (p: RelPath) => inc.some((m) => m.match(p));
  const excluded = exc.length === 0 ? () => false : (p: RelPath) => exc.some((m) => m.match(p));
  return {
    includesEverything,
    selectsEverything: includesEverything && exc.length === 0,
    selectsFile: (p) => included(p) && !excluded(p),
    dirVerdict(p) {
      if (excludedDir(p)) return 'excluded';
      if (includesEverything) return 'descend';
      return inc.some((m) => m.match(p, true)) ? 'descend' : 'barren';
    },
    includesDir: (p) => includesEverything || inc.some((m) => m.match(p) || m.match(`${p}/`)),
  };
}

function compile(pattern: string): Minimatch {
  try {
    return new Minimatch(pattern, { dot: true, nocomment: true, nonegate: true });
  } catch (err) {
    throw new MegamirrorError('config', `invalid pattern "${pattern}": ${(err as Error).message}`);
  }
}
