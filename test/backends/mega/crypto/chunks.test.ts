import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkAt, chunkBoundaries, chunkCount, isChunkBoundary } from '../../../../src/backends/mega/crypto/index.js';

const K = 1024;
const STARTS = [0, 128, 384, 768, 1280, 1920, 2688, 3584, 4608, 5632, 6656].map((k) => k * K);

describe('chunk layout', () => {
  it('starts at 0, 128K, 384K, ... 4608K, then every 1 MiB', () => {
    const starts = [...chunkBoundaries(7 * 1024 * K)].map(([s]) => s);
    expect(starts.slice(0, STARTS.length)).toEqual(STARTS);
  });

  it.each([
    ['empty', 0, []],
    ['one byte', 1, [[0, 1]]],
    ['exactly the first chunk', 131072, [[0, 131072]]],
    ['one byte into the second', 131073, [[0, 131072], [131072, 131073]]],
    ['exactly two chunks', 393216, [[0, 131072], [131072, 393216]]],
  ] as const)('%s (%i bytes)', (_name, size, expected) => {
    expect([...chunkBoundaries(size)]).toEqual(expected);
    expect(chunkCount(size)).toBe(expected.length);
  });

  it('4718592 bytes end exactly after the 8 ramp chunks; 5 MiB adds a partial 1 MiB chunk', () => {
    expect(chunkCount(4718592)).toBe(8);
    expect([...chunkBoundaries(5 * 1024 * K)].at(-1)).toEqual([4718592, 5242880]);
  });

  it.each([
    [0, 0, 0, 131072],
    [131071, 0, 0, 131072],
    [131072, 1, 131072, 393216],
    [4718591, 7, 3670016, 4718592],
    [4718592, 8, 4718592, 5767168],
    // 1 TiB + 5: (2^40 - 4608 KiB) / 1 MiB = 1048571.5, so chunk starts sit at half MiBs here
    [2 ** 40 + 5, 8 + 1048571, 2 ** 40 - 2 ** 19, 2 ** 40 + 2 ** 19],
  ])('chunkAt(%i) is chunk %i', (offset, index, start, end) => {
    expect(chunkAt(offset)).toEqual({ index, start, end });
  });

  it('boundaries tile [0, size) and agree with chunkAt and isChunkBoundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 * 1024 * K }), (size) => {
        let expectStart = 0;
        let index = 0;
        for (const [start, end] of chunkBoundaries(size)) {
          expect(start).toBe(expectStart);
          expect(end).toBeGreaterThan(start);
          expect(isChunkBoundary(start)).toBe(true);
          expect(chunkAt(start)).toMatchObject({ index, start });
          expect(chunkAt(end - 1).index).toBe(index);
          expectStart = end;
          index++;
        }
        expect(expectStart).toBe(size);
        expect(chunkCount(size)).toBe(index);
      }),
    );
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 53])('rejects offset %s with RangeError', (bad) => {
    expect(() => chunkAt(bad)).toThrow(RangeError);
    expect(() => [...chunkBoundaries(bad)]).toThrow(RangeError);
  });
});
