import { describe, expect, it, vi } from 'vitest';
import { applyRetention } from '../../../src/core/retention/index.js';
import { snaps } from './helpers.js';

// restic's rules always keep the newest snapshot themselves; to see the guard act on its own, the
// walk is replaced by one that keeps nothing.
vi.mock('../../../src/core/retention/walk.js', () => ({
  walkRules: (times: unknown[]) => times.map(() => []),
}));

describe('never-remove-the-newest guard', () => {
  it('keeps the newest snapshot with its own reason when no rule keeps it', () => {
    const input = snaps(['2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z', '2024-01-02T00:00:00Z']);
    const { keep, remove, reasons } = applyRetention(input, { keep_last: 1 }, { timezone: 'UTC' });
    expect(keep.map((s) => s.id)).toEqual(['s001']);
    expect(remove.map((s) => s.id)).toEqual(['s002', 's000']);
    expect(reasons).toEqual({ s001: ['newest snapshot'] });
  });
});
