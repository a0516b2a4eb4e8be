import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/types.js';
import { groupLane, splitTransfers } from '../../src/engine/copy-groups.js';

const copy = (path: string, size: number): Action => ({ op: 'copy', phase: 'transfer', path, size, mtimeMs: 0, reason: 'missing' });
const link = (path: string): Action => ({ op: 'link', phase: 'transfer', path, from: `old/${path}`, reason: 'unchanged', size: 1, mtimeMs: 0 });
const shape = { files: 3, bytes: 100, fileBelow: 50 };

describe('splitTransfers', () => {
  it('cuts small copies into groups in plan order, by file count and by bytes', () => {
    const actions = [copy('a/1', 10), copy('a/2', 10), copy('a/3', 10), copy('a/4', 10), copy('b/1', 40), copy('b/2', 40), copy('b/3', 30)];
    expect(splitTransfers(actions, shape, () => true)).toEqual({ groups: [[0, 1, 2], [3, 4, 5], [6]], alone: [] });
  });

  it('sends large files, links and copies without a local source alone, and keeps the groups around them', () => {
    const actions = [copy('a/1', 10), copy('a/big', 50), link('a/l'), copy('a/2', 10), copy('remote/x', 10), copy('a/3', 0)];
    const split = splitTransfers(actions, shape, (a) => !a.path.startsWith('remote/'));
    expect(split).toEqual({ groups: [[0, 3, 5]], alone: [1, 2, 4] });
  });

  it('has nothing to group in an empty phase; a group is named after its first file\'s folder', () => {
    expect(splitTransfers([], shape, () => true)).toEqual({ groups: [], alone: [] });
    const actions = [copy('x/y/1', 1), copy('z/2', 1)];
    expect(groupLane(actions)([0, 1])).toBe('x/y');
    expect(groupLane(actions)([1])).toBe('z');
  });
});
