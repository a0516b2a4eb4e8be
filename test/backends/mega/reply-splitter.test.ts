import { describe, expect, it } from 'vitest';
import { ReplySplitter } from '../../../src/backends/mega/reply-splitter.js';

/** Feeds `text` to a splitter in pieces of the given sizes (cycled); returns the items and the rest. */
function split(text: string, sizes: number[], batchBytes: number): { items: unknown[]; batches: number; rest: unknown } {
  const bytes = Buffer.from(text, 'utf8');
  const items: unknown[] = [];
  let batches = 0;
  const s = new ReplySplitter('f', (got) => {
    batches++;
    items.push(...got);
  }, batchBytes);
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    s.push(new Uint8Array(bytes.subarray(at, at + n)));
    at += n;
  }
  return { items, batches, rest: s.end() };
}

/** Nodes whose strings hold everything the scan must not take for structure. */
function nodes(count: number): Array<Record<string, unknown>> {
  const tricky = ['plain', 'a "quoted" word', 'back\\slash', 'ends in backslash \\', '\\"', '{[,]}:', '"f":[', 'ünïcödé ✓', '\n\t', ''];
  return Array.from({ length: count }, (_, i) => ({
    h: `h${i}`,
    p: i === 0 ? '' : 'h0',
    t: i % 7 === 0 ? 1 : 0,
    a: tricky[i % tricky.length],
    k: `u:${'k'.repeat(i % 40)}`,
    ...(i % 5 === 0 ? { nested: { f: [1, { f: 'x' }], s: '}' } } : {}),
    s: i * 1000,
  }));
}

describe('ReplySplitter (the f reply in batches)', () => {
  const f = nodes(300);
  const reply = [{ sn: 'f', f, f2: [{ h: 'old', f: [] }], ok: [], u: [{ u: 'me', c: 2, m: 'mé@example.com' }], noc: 1 }];
  const text = JSON.stringify(reply);
  const emptied = [{ ...reply[0], f: [] }];

  for (const [what, sizes] of [['one piece', [1 << 30]], ['1-byte pieces', [1]], ['uneven pieces', [1, 7, 2, 64, 3, 1000, 5]]] as const) {
    it(`hands on every element in order and keeps the rest (${what})`, () => {
      const r = split(text, [...sizes], 512);
      expect(r.items).toEqual(f);
      expect(r.rest).toEqual(emptied);
      expect(r.batches).toBeGreaterThan(5);
    });
  }

  it('with whitespace and the key not first, and without a node list at all', () => {
    const spaced = JSON.stringify(reply, null, 2);
    expect(split(spaced, [3, 11], 100).items).toEqual(f);
    expect(split(spaced, [3, 11], 100).rest).toEqual(emptied);
    // A value "f" followed by ':' cannot occur; one followed by ',' is not the key.
    expect(split('[{"x":"f","f" : [ {"h":"a"} , {"h":"b"} ] ,"y":1}]', [2], 1)).toEqual({ items: [{ h: 'a' }, { h: 'b' }], batches: 2, rest: [{ x: 'f', f: [], y: 1 }] });
    expect(split('[-15]', [1], 10)).toEqual({ items: [], batches: 0, rest: [-15] });
    expect(split('-3', [1], 10)).toEqual({ items: [], batches: 0, rest: -3 });
    expect(split('[{"f":[],"sn":"x"}]', [4], 10)).toEqual({ items: [], batches: 0, rest: [{ f: [], sn: 'x' }] });
    // Only the first result's own key: deeper "f" arrays stay where they are.
    expect(split('[{"g":{"f":[1,2]},"f":[3]}]', [5], 1)).toEqual({ items: [3], batches: 1, rest: [{ g: { f: [1, 2] }, f: [] }] });
  });

  it("takes the first result's node list only, and a byte order mark as res.json() does", () => {
    expect(split('[{"x":1},{"f":[{"h":"a"}]}]', [1], 1)).toEqual({ items: [], batches: 0, rest: [{ x: 1 }, { f: [{ h: 'a' }] }] });
    expect(split('\ufeff[{"f":[{"h":"a"}],"sn":"x"}]', [1], 1)).toEqual({ items: [{ h: 'a' }], batches: 1, rest: [{ f: [], sn: 'x' }] });
    expect(split('\ufeff[{"f":[{"h":"a"}]}]', [1 << 20], 1).items).toEqual([{ h: 'a' }]);
    // Two node lists: JSON.parse would keep the second; the reply never holds two, so it fails.
    expect(() => split('[{"f":[{"h":"stale"}],"f":[{"h":"real"}]}]', [3], 1)).toThrow(SyntaxError);
    expect(() => split('[{"f":[],"f":null}]', [3], 1)).toThrow(SyntaxError);
    expect(() => split(' \ufeff[]', [1], 1)).toThrow(SyntaxError);
    expect(() => split('\u00ef[]', [1], 1)).toThrow(SyntaxError);
  });

  it('fails on what JSON.parse of the whole reply fails on', () => {
    for (const bad of ['[{"f":[{"h":"a"},]}]', '[{"f":[{"h":"a"},,{"h":"b"}]}]', '[{"f":[{"h":"a"}', '[{"f":[{"h":"a"}]', '[{"f":[{"h":"a\\"}]}]', '[{"f":[{h:1}]}]']) {
      expect(() => JSON.parse(bad), bad).toThrow(SyntaxError);
      for (const batchBytes of [1, 1 << 20]) expect(() => split(bad, [3], batchBytes), `${bad} (${batchBytes})`).toThrow(SyntaxError);
    }
  });
});
