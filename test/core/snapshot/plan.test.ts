import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/core/filter.js';
import type { ManifestEntry } from '../../../src/core/snapshot/manifest.js';
import { planSnapshot, type SnapshotPlanInput } from '../../../src/core/snapshot/plan.js';
import type { Capabilities, Listing } from '../../../src/core/types.js';
import { file, tree } from '../../helpers/listing.js';

const caps: Capabilities = { mtimePrecisionMs: 1, caseInsensitive: false, allowsDuplicateNames: false, deleteGoesToTrash: false, serverSideCopy: true };
const T0 = '2024-01-01T00:00:00Z';
const NEXT = { id: '2026-01-10T000000Z', time: new Date('2026-01-10T00:00:00Z') };
const PREV = { id: '2026-01-09T000000Z', time: new Date('2026-01-09T00:00:00Z') };

function manifestOf(listing: Listing): Map<string, ManifestEntry> {
  return new Map(listing.entries.map((e) => [e.path, e.kind === 'dir' ? { kind: 'dir', path: e.path } : { kind: 'file', path: e.path, size: e.size, mtimeMs: e.mtimeMs }]));
}

function plan(source: Listing, o: Partial<SnapshotPlanInput> = {}) {
  return planSnapshot({
    job: 'j',
    source: { display: 's', listing: source, capabilities: caps },
    destination: { display: 'd', capabilities: caps },
    filter: compileFilter([], ['**/*.tmp']),
    compare: 'size-mtime',
    mtimeToleranceMs: 2000,
    next: NEXT,
    previous: null,
    incomplete: [],
    complete: [],
    retention: null,
    timezone: 'UTC',
    ...o,
  });
}

const lines = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.op} ${a.path} ${a.reason}${a.op === 'link' ? ` <- ${a.from}` : ''}`);

describe('planSnapshot', () => {
  it('first snapshot copies everything, then writes the manifest', () => {
    expect(lines(plan(tree({ 'a/b.txt': file(1), 'c.tmp': file(1) })))).toEqual([
      'mkdir 2026-01-10T000000Z missing',
      'mkdir 2026-01-10T000000Z/a missing',
      'copy 2026-01-10T000000Z/a/b.txt missing',
      'manifest 2026-01-10T000000Z/.megamirror-manifest.json complete',
    ]);
  });

  it('reuses unchanged files from the previous snapshot and copies changed ones', () => {
    const before = tree({ same: file(1), grown: file(1), touched: file(1, T0) });
    const now = tree({ same: file(1), grown: file(2), touched: file(1, '2024-06-01T00:00:00Z'), added: file(3) });
    const p = plan(now, { previous: { ...PREV, entries: manifestOf(before) }, complete: [PREV] });
    expect(lines(p).filter((l) => !l.startsWith('mkdir') && !l.startsWith('manifest'))).toEqual([
      'copy 2026-01-10T000000Z/added missing',
      'copy 2026-01-10T000000Z/grown size-differs',
      'link 2026-01-10T000000Z/same unchanged <- 2026-01-09T000000Z/same',
      'copy 2026-01-10T000000Z/touched mtime-differs',
    ]);
    expect(p.summary.link).toEqual({ files: 1, bytes: 1 });
  });

  it('reuses whole files of an incomplete snapshot, then removes it', () => {
    const p = plan(tree({ done: file(5), missing: file(1) }), {
      incomplete: [{ id: '2026-01-09T120000Z', time: new Date('2026-01-09T12:00:00Z'), listing: tree({ done: file(5) }) }],
    });
    expect(lines(p)).toContain('link 2026-01-10T000000Z/done unchanged <- 2026-01-09T120000Z/done');
    expect(lines(p)).toContain('copy 2026-01-10T000000Z/missing missing');
    expect(lines(p).at(-1)).toBe('prune 2026-01-09T120000Z incomplete');
  });

  it('prunes by retention after the commit and never the new snapshot', () => {
    const complete = ['2026-01-07', '2026-01-08', '2026-01-09'].map((d) => ({ id: `${d}T000000Z`, time: new Date(`${d}T00:00:00Z`) }));
    const p = plan(tree({ f: file(1) }), { complete, retention: { keep_last: 2 } });
    expect(lines(p).slice(-2)).toEqual(['prune 2026-01-07T000000Z retention', 'prune 2026-01-08T000000Z retention']);
    expect(p.retention.map((v) => `${v.id} ${v.keep} ${v.reasons.join(',')}`)).toEqual([
      '2026-01-10T000000Z true last snapshot',
      '2026-01-09T000000Z true last snapshot',
      '2026-01-08T000000Z false ',
      '2026-01-07T000000Z false ',
    ]);
  });

  it('a source file named like the manifest is skipped, not overwritten by it', () => {
    const p = plan(tree({ '.megamirror-manifest.json': file(1) }));
    expect(p.skipped.map((s) => s.path)).toEqual(['.megamirror-manifest.json']);
    expect(lines(p).filter((l) => l.startsWith('copy'))).toEqual([]);
  });
});
