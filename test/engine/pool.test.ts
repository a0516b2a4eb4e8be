import { describe, expect, it } from 'vitest';
import { pool } from '../../src/engine/pool.js';

/** Runs `items` through pool, recording which items were in flight together. */
async function observe(items: string[], width: number, lane?: (s: string) => string) {
  const inFlight = new Set<string>();
  const together: string[][] = [];
  let peak = 0;
  const seen: string[] = [];
  const results = await pool(items, width, async (item) => {
    inFlight.add(item);
    seen.push(item);
    peak = Math.max(peak, inFlight.size);
    together.push([...inFlight]);
    // Uneven durations, so workers finish out of step.
    await new Promise((r) => setTimeout(r, (item.length * 7) % 5));
    inFlight.delete(item);
    return item.toUpperCase();
  }, lane);
  return { results, together, peak, seen };
}

const folderOf = (p: string) => p.slice(0, p.lastIndexOf('/'));

describe('pool', () => {
  it('runs every item once, at most `width` at a time, results in input order', async () => {
    const items = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const { results, peak, seen } = await observe(items, 4);
    expect(results).toEqual(items.map((s) => s.toUpperCase()));
    expect(peak).toBe(4);
    expect([...seen].sort()).toEqual([...items].sort());
  });

  it('with lanes, keeps the items in flight in different lanes while free lanes remain', async () => {
    const items: string[] = [];
    for (const d of ['a', 'b', 'c', 'd', 'e', 'f']) for (let i = 0; i < 6; i++) items.push(`${d}/${i}`);
    const { results, together, peak, seen } = await observe(items, 3, folderOf);
    expect(results).toEqual(items.map((s) => s.toUpperCase()));
    expect([...seen].sort()).toEqual([...items].sort());
    expect(peak).toBe(3);
    // Six lanes of six, three workers: each worker drains whole lanes, so no two in flight share one.
    for (const group of together) expect(new Set(group.map(folderOf)).size).toBe(group.length);
    // Within a lane, input order.
    for (const d of ['a', 'b', 'c', 'd', 'e', 'f']) expect(seen.filter((s) => s.startsWith(`${d}/`))).toEqual(items.filter((s) => s.startsWith(`${d}/`)));
  });

  it('with a single lane, still uses the full width', async () => {
    const items = Array.from({ length: 20 }, (_, i) => `only/${i}`);
    const { results, peak } = await observe(items, 4, folderOf);
    expect(results).toEqual(items.map((s) => s.toUpperCase()));
    expect(peak).toBe(4);
  });

  it('handles no items and a width above the item count', async () => {
    expect(await pool([], 4, async (x: number) => x, String)).toEqual([]);
    expect(await pool([1, 2], 8, async (x: number) => x * 2, String)).toEqual([2, 4]);
  });
});
