/**
 * Planner: shadowed duplicate files at a destination (MEGA allows same-named nodes) are removed by
 * id where the mirror manages the name (the source selects it) or where the job deletes anyway.
 */
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/core/filter.js';
import { planMirror } from '../../src/core/plan.js';
import type { Capabilities, Listing } from '../../src/core/types.js';

const caps: Capabilities = { mtimePrecisionMs: 1, caseInsensitive: false, allowsDuplicateNames: true, deleteGoesToTrash: true, serverSideCopy: true };
const T = 1_700_000_000_000;

function plan(deleteExtraneous: boolean, source: string[]) {
  const src: Listing = { entries: source.map((path) => ({ kind: 'file', path, size: 1, mtimeMs: T })), skipped: [], warnings: [] };
  const dst: Listing = {
    entries: [
      { kind: 'file', path: 'kept.txt', size: 1, mtimeMs: T, id: 'W1' },
      { kind: 'file', path: 'gone.txt', size: 1, mtimeMs: T, id: 'W2' },
    ],
    skipped: [
      { path: 'kept.txt', reason: 'duplicate', id: 'D1', size: 7 },
      { path: 'gone.txt', reason: 'duplicate', id: 'D2', size: 8 },
      { path: 'folder', reason: 'duplicate' },
    ],
    warnings: [],
  };
  return planMirror({
    job: 'j',
    source: { display: 's', listing: src, capabilities: caps },
    destination: { display: 'd', listing: dst, capabilities: caps },
    filter: compileFilter(['**'], []),
    compare: 'size-mtime',
    mtimeToleranceMs: 2000,
    deleteExtraneous,
  });
}

describe('duplicate cleanup', () => {
  it('delete: true removes every shadowed copy (clear phase, by id) and the extraneous winner', () => {
    const p = plan(true, ['kept.txt']);
    expect(p.actions.filter((a) => a.op === 'delete').map((a) => [a.phase, a.path, a.reason, 'id' in a ? a.id : undefined, a.op === 'delete' ? a.size : 0])).toEqual([
      ['clear', 'kept.txt', 'duplicate', 'D1', 7],
      ['clear', 'gone.txt', 'duplicate', 'D2', 8],
      ['delete', 'gone.txt', 'not-in-source', undefined, 1],
    ]);
    expect(p.unchanged).toBe(1);
  });

  it('delete: false still removes shadowed copies of names the source selects, and leaves the rest', () => {
    const p = plan(false, ['kept.txt']);
    expect(p.actions.map((a) => `${a.op} ${a.path} ${a.reason}`)).toEqual(['delete kept.txt duplicate']);
  });

  it('a shadowed folder (no id) is never planned for removal', () => {
    expect(plan(true, []).actions.some((a) => a.path === 'folder')).toBe(false);
  });
});
