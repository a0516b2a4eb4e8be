import { describe, expect, it } from 'vitest';
import { parseSnapshotId, snapshotId } from '../../../src/core/snapshot/id.js';
import { parseManifest, serializeManifest, type Manifest } from '../../../src/core/snapshot/manifest.js';

describe('snapshot ids', () => {
  it('are the UTC start second, sortable and without colons', () => {
    expect(snapshotId(new Date('2026-03-04T05:06:07.890Z'))).toBe('2026-03-04T050607Z');
  });
  it('round-trip', () => {
    const t = new Date('2026-12-31T23:59:59Z');
    expect(parseSnapshotId(snapshotId(t))?.toISOString()).toBe(t.toISOString());
  });
  for (const bad of ['2026-13-01T000000Z', '2026-02-30T000000Z', '2026-01-01T00:00:00Z', 'latest', '2026-01-01T000000', '']) {
    it(`rejects "${bad}"`, () => expect(parseSnapshotId(bad)).toBeNull());
  }
});

describe('manifests', () => {
  const m: Manifest = {
    header: { formatVersion: 1, job: 'j', source: '/s', id: '2026-01-01T000000Z', started_at: 'a', finished_at: 'b', files: 2, dirs: 1, bytes: 3 },
    entries: [
      { kind: 'dir', path: 'd' },
      { kind: 'file', path: 'd/x y.txt', size: 1, mtimeMs: 1000 },
      { kind: 'file', path: 'no-mtime', size: 2, mtimeMs: null },
    ],
  };
  it('round-trip through JSON Lines', () => expect(parseManifest(serializeManifest(m))).toEqual(m));
  it('a truncated manifest is not a manifest', () => {
    const text = serializeManifest(m);
    expect(parseManifest(text.slice(0, text.lastIndexOf('{')))).toBeNull();
  });
  it('a foreign file is not a manifest', () => expect(parseManifest('{"hello":1}\n')).toBeNull());
});
