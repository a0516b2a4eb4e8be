import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/core/filter.js';

describe('compileFilter', () => {
  const f = compileFilter(['**/*.md', 'photos/**'], ['**/drafts/**', '**/.DS_Store']);
  const files: Array<[string, boolean]> = [
    ['a.md', true],
    ['docs/deep/b.md', true],
    ['docs/b.pdf', false],
    ['photos/x.jpg', true],
    ['photos/.DS_Store', false],
    ['docs/drafts/c.md', false],
    ['.hidden.md', true],
  ];
  for (const [path, selected] of files) it(`file ${path} -> ${selected}`, () => expect(f.selectsFile(path)).toBe(selected));

  const dirs: Array<[string, string]> = [
    ['docs', 'descend'],
    ['docs/drafts', 'excluded'],
    ['drafts', 'excluded'],
    ['photos', 'descend'],
  ];
  for (const [path, verdict] of dirs) it(`dir ${path} -> ${verdict}`, () => expect(f.dirVerdict(path)).toBe(verdict));

  it('prunes folders that cannot hold an include', () => {
    const g = compileFilter(['docs/*.md'], []);
    expect(g.dirVerdict('other')).toBe('barren');
    expect(g.dirVerdict('docs')).toBe('descend');
  });

  it('default include selects everything, dotfiles too', () => {
    const g = compileFilter([], []);
    expect(g.includesEverything).toBe(true);
    expect(g.selectsFile('.git/config')).toBe(true);
  });

  it('rejects a pattern minimatch cannot compile', () => {
    expect(() => compileFilter(['a'.repeat(70000)], [])).toThrow(/invalid pattern/);
  });
});
