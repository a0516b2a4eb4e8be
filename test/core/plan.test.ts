import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/core/filter.js';
import { planMirror } from '../../src/core/plan.js';
import type { Capabilities, Listing } from '../../src/core/types.js';
import { dir, file, tree } from '../helpers/listing.js';

const caps: Capabilities = { mtimePrecisionMs: 1, caseInsensitive: false, allowsDuplicateNames: false, deleteGoesToTrash: false, serverSideCopy: true };

function plan(src: Listing, dst: Listing, o: { include?: string[]; exclude?: string[]; compare?: 'size' | 'size-mtime'; del?: boolean; tol?: number; dstCaps?: Partial<Capabilities> } = {}) {
  return planMirror({
    job: 't',
    source: { display: 'src', listing: src, capabilities: caps },
    destination: { display: 'dst', listing: dst, capabilities: { ...caps, ...o.dstCaps } },
    filter: compileFilter(o.include ?? [], o.exclude ?? []),
    compare: o.compare ?? 'size-mtime',
    mtimeToleranceMs: o.tol ?? 2000,
    deleteExtraneous: o.del ?? true,
  });
}

/** The plan as `op path reason` lines, in execution order: what the tables compare. */
const lines = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.op} ${a.path} ${a.reason}`);

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:00:01Z';
const T5 = '2024-01-01T00:00:05Z';

describe('planMirror', () => {
  const cases: Array<{ name: string; src: Listing; dst: Listing; opts?: Parameters<typeof plan>[2]; expected: string[] }> = [
    { name: 'new file and folder', src: tree({ 'a/b.txt': file(3) }), dst: tree({}), expected: ['mkdir a missing', 'copy a/b.txt missing'] },
    { name: 'identical trees', src: tree({ 'a/b.txt': file(3) }), dst: tree({ 'a/b.txt': file(3) }), expected: [] },
    { name: 'changed by size', src: tree({ f: file(4) }), dst: tree({ f: file(3) }), expected: ['copy f size-differs'] },
    { name: 'changed by mtime', src: tree({ f: file(3, T5) }), dst: tree({ f: file(3, T0) }), expected: ['copy f mtime-differs'] },
    { name: 'within tolerance', src: tree({ f: file(3, T1) }), dst: tree({ f: file(3, T0) }), expected: [] },
    { name: 'size-only compare ignores mtime', src: tree({ f: file(3, T5) }), dst: tree({ f: file(3, T0) }), opts: { compare: 'size' }, expected: [] },
    { name: 'deleted in source', src: tree({ keep: file(1) }), dst: tree({ keep: file(1), 'old/x': file(2) }), expected: ['delete old/x not-in-source', 'rmdir old not-in-source'] },
    { name: 'delete: false keeps extras', src: tree({ keep: file(1) }), dst: tree({ keep: file(1), gone: file(2) }), opts: { del: false }, expected: [] },
    {
      name: 'excluded after having been mirrored',
      src: tree({ 'a.txt': file(1), 'b.tmp': file(1) }),
      dst: tree({ 'a.txt': file(1), 'b.tmp': file(1) }),
      opts: { exclude: ['**/*.tmp'] },
      expected: ['delete b.tmp excluded'],
    },
    {
      name: 'excluded folder is not descended and its mirror removed',
      src: tree({ 'drafts/x.md': file(1), 'docs/y.md': file(1) }),
      dst: tree({ 'drafts/x.md': file(1) }),
      opts: { exclude: ['**/drafts/**'] },
      expected: ['mkdir docs missing', 'copy docs/y.md missing', 'delete drafts/x.md excluded', 'rmdir drafts excluded'],
    },
    {
      name: 'file replaces folder',
      src: tree({ x: file(5) }),
      dst: tree({ 'x/inner/deep.txt': file(1) }),
      expected: ['delete x/inner/deep.txt type-conflict', 'rmdir x/inner type-conflict', 'rmdir x type-conflict', 'copy x type-conflict'],
    },
    {
      name: 'folder replaces file',
      src: tree({ 'x/y': file(5) }),
      dst: tree({ x: file(1) }),
      expected: ['delete x type-conflict', 'mkdir x type-conflict', 'copy x/y missing'],
    },
    { name: 'empty folders are mirrored', src: tree({ empty: dir, 'a/b': dir }), dst: tree({}), expected: ['mkdir a missing', 'mkdir a/b missing', 'mkdir empty missing'] },
    {
      name: 'includes keep only folders holding selected files',
      src: tree({ 'docs/a.md': file(1), 'docs/b.bin': file(1), 'img/c.png': file(1), empty: dir }),
      dst: tree({}),
      opts: { include: ['**/*.md'] },
      expected: ['mkdir docs missing', 'copy docs/a.md missing'],
    },
    {
      name: 'dotfiles are included unless excluded',
      src: tree({ '.env': file(1), '.git/config': file(1) }),
      dst: tree({}),
      opts: { exclude: ['.git/**'] },
      expected: ['copy .env missing'],
    },
    {
      name: 'children are created after parents and removed before them',
      src: tree({ 'a/b/c/d.txt': file(1) }),
      dst: tree({ 'z/y/x.txt': file(1) }),
      expected: ['mkdir a missing', 'mkdir a/b missing', 'mkdir a/b/c missing', 'copy a/b/c/d.txt missing', 'delete z/y/x.txt not-in-source', 'rmdir z/y not-in-source', 'rmdir z not-in-source'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(lines(plan(c.src, c.dst, c.opts))).toEqual(c.expected));
  }

  it('warns and compares by size when one side has no mtime', () => {
    const p = plan(tree({ f: file(3, T5) }), tree({ f: file(3, null) }));
    expect(lines(p)).toEqual([]);
    expect(p.warnings.map((w) => `${w.code} ${w.path}`)).toEqual(['no-mtime f']);
  });

  it('warns on a type conflict', () => {
    const p = plan(tree({ x: file(5) }), tree({ 'x/y': file(1) }));
    expect(p.warnings.map((w) => w.code)).toEqual(['type-conflict']);
  });

  it('raises the tolerance to the coarser backend precision', () => {
    const p = plan(tree({ f: file(3, T1) }), tree({ f: file(3, T0) }), { tol: 0, dstCaps: { mtimePrecisionMs: 1000 } });
    expect(lines(p)).toEqual([]);
  });

  it('matches case-insensitively on a case-insensitive destination and reports twins', () => {
    const p = plan(tree({ 'A.txt': file(1), 'a.txt': file(1) }), tree({ 'a.txt': file(1) }), { dstCaps: { caseInsensitive: true } });
    expect(lines(p)).toEqual([]);
    expect(p.skipped.map((s) => `${s.reason} ${s.path}`)).toEqual(['name-collision a.txt']);
  });

  it('skips and reports everything below a folder that collides on a case-insensitive destination', () => {
    const p = plan(tree({ 'Docs/b.txt': file(1), 'docs/a.txt': file(1) }), tree({}), { dstCaps: { caseInsensitive: true } });
    expect(lines(p)).toEqual(['mkdir Docs missing', 'copy Docs/b.txt missing']);
    expect(p.skipped.map((s) => `${s.reason} ${s.path}`)).toEqual(['name-collision docs', 'name-collision docs/a.txt']);
  });

  it('pairs listings out of path order just as well (never plans a present file as missing or extra)', () => {
    const spec = { 'a/x.txt': file(1), 'a-b.txt': file(2), 'b/c/d.txt': file(3), 'B.txt': file(4) };
    const sorted = plan(tree(spec), tree({ ...spec, 'gone.txt': file(5) }));
    const reversed = (l: Listing): Listing => ({ ...l, entries: [...l.entries].reverse() });
    for (const [src, dst] of [[reversed(tree(spec)), tree({ ...spec, 'gone.txt': file(5) })], [tree(spec), reversed(tree({ ...spec, 'gone.txt': file(5) }))]] as const) {
      const p = plan(src, dst);
      expect(lines(p)).toEqual(['delete gone.txt not-in-source']);
      expect(p.unchanged).toBe(4);
    }
    expect(lines(sorted)).toEqual(['delete gone.txt not-in-source']);
  });

  it('keeps what the destination holds below a source folder that could not be read', () => {
    const src = tree({ closed: dir, keep: file(1) });
    src.skipped.push({ path: 'closed', reason: 'unreadable' });
    const p = plan(src, tree({ 'closed/a.txt': file(1), 'closed/deep/b.txt': file(1), keep: file(1), gone: file(1) }));
    expect(lines(p)).toEqual(['delete gone not-in-source']);
  });

  it('removes partial files left by an interrupted run even with delete: false', () => {
    const dst = tree({ f: file(1) });
    dst.skipped.push({ path: '.f.0badc0de.mmpartial', reason: 'partial' });
    expect(lines(plan(tree({ f: file(1) }), dst, { del: false }))).toEqual(['delete .f.0badc0de.mmpartial partial']);
  });

  it('summarizes counts and bytes', () => {
    const p = plan(tree({ a: file(10), b: file(20), same: file(7) }), tree({ b: file(1), same: file(7), gone: file(4) }));
    expect(p.summary).toMatchObject({ copy: { files: 2, bytes: 30 }, delete: { files: 1, bytes: 4 }, unchanged: { files: 1, bytes: 7 } });
  });
});
