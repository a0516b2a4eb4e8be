import { describe, expect, it } from 'vitest';
import { checkSafety } from '../../src/core/safety.js';
import type { Action, Plan } from '../../src/core/types.js';
import { summarize } from '../../src/core/summary.js';

function planDeleting(n: number, extra: Action[] = []): Plan {
  const actions: Action[] = [...extra];
  for (let i = 0; i < n; i++) actions.push({ op: 'delete', phase: 'delete', path: `f${i}`, reason: 'not-in-source', size: 1 });
  return { job: 'j', kind: 'mirror', source: 's', destination: 'd', actions, unchanged: 0, skipped: [], warnings: [], summary: summarize(actions, 0, { files: 0, bytes: 0 }) };
}

const base = { destinationFiles: 100, sourceFiles: 90, maxDelete: 1000, maxDeletePercent: 50, allowDeletes: false };

describe('checkSafety', () => {
  const cases: Array<{ name: string; input: Partial<typeof base>; deletes: number; expected: string | null }> = [
    { name: 'no deletions pass', input: {}, deletes: 0, expected: null },
    { name: 'a few deletions pass', input: {}, deletes: 10, expected: null },
    { name: 'exactly the percentage passes', input: {}, deletes: 50, expected: null },
    { name: 'more than the percentage is refused', input: {}, deletes: 51, expected: 'max-delete-percent' },
    { name: 'more than max_delete is refused', input: { maxDelete: 5 }, deletes: 6, expected: 'max-delete' },
    { name: 'null limits mean no limit', input: { maxDelete: null, maxDeletePercent: null }, deletes: 99, expected: null },
    { name: 'an empty source is refused', input: { sourceFiles: 0, maxDelete: null, maxDeletePercent: null }, deletes: 100, expected: 'empty-source' },
    { name: '--allow-deletes lifts every guard', input: { sourceFiles: 0, allowDeletes: true }, deletes: 100, expected: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = checkSafety({ ...base, ...c.input, plan: planDeleting(c.deletes) });
      expect(r?.code ?? null).toBe(c.expected);
      if (r) expect(r.hint).toMatch(/--allow-deletes/);
    });
  }

  it('does not count leftover partial files', () => {
    const partial: Action = { op: 'delete', phase: 'clear', path: '.x.00000000.mmpartial', reason: 'partial', size: 0 };
    expect(checkSafety({ ...base, maxDelete: 0, plan: planDeleting(0, [partial]) })).toBeNull();
  });
});
