import { describe, expect, it } from 'vitest';
import { needsMacCheck, planAdoption, type AdoptFact } from '../../src/core/adopt.js';

const fact = (path: string, o: Partial<{ local: number; mega: number; c: boolean; mac: boolean }> = {}): AdoptFact => ({
  path,
  local: { size: o.local ?? 10, mtimeMs: 1_700_000_000_500 },
  mega: { size: o.mega ?? 10, fingerprinted: o.c ?? false },
  ...(o.mac !== undefined ? { macEqual: o.mac } : {}),
});

describe('planAdoption', () => {
  it.each([
    ['proven equal', fact('a', { mac: true }), 'adopt'],
    ['already has c', fact('a', { c: true, mac: true }), 'already'],
    ['sizes differ', fact('a', { local: 10, mega: 11 }), 'size-differs'],
    ['MAC differs', fact('a', { mac: false }), 'content-differs'],
    ['MAC unknown', fact('a'), 'not-checked'],
  ])('%s -> %s', (_name, f, want) => {
    const p = planAdoption([f]);
    const got = p.adopt.length ? 'adopt' : p.alreadyFingerprinted ? 'already' : p.refused[0]!.reason;
    expect(got).toBe(want);
  });

  it('every fact lands in exactly one bucket, in path order, with the local mtime', () => {
    const facts = [fact('z', { mac: true }), fact('b', { c: true }), fact('a', { mac: true }), fact('m', { mega: 1 })];
    const p = planAdoption(facts);
    expect(p.adopt.length + p.refused.length + p.alreadyFingerprinted).toBe(facts.length);
    expect(p.adopt).toEqual([{ path: 'a', mtimeMs: 1_700_000_000_500 }, { path: 'z', mtimeMs: 1_700_000_000_500 }]);
  });

  it('the MAC is computed only where it can decide something', () => {
    expect(needsMacCheck(fact('a'))).toBe(true);
    expect(needsMacCheck(fact('a', { c: true }))).toBe(false);
    expect(needsMacCheck(fact('a', { mega: 3 }))).toBe(false);
  });
});
