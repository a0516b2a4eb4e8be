/** The small pure helpers of the config layer, as tables. */

import { describe, expect, test } from 'vitest';
import { MegamirrorError } from '../../src/errors.js';
import { parseDuration } from '../../src/config/index.js';
import { parseEndpoint, relation } from '../../src/config/endpoints.js';
import { expandHome, expandString } from '../../src/config/expand.js';
import { globProblem } from '../../src/config/globs.js';
import { scheduleProblem, timezoneProblem } from '../../src/config/schedule.js';
import { closest, editDistance } from '../../src/config/suggest.js';
import type { Endpoint } from '../../src/config/types.js';

describe('parseDuration', () => {
  test.each([
    ['0s', 0],
    ['500ms', 500],
    ['2s', 2000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['90s', 90_000],
  ])('%s = %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', '2', 's', '2 s', '1.5s', '-1s', '2S', '1w', '1h30m', '99999999999999999999d'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(MegamirrorError);
    try {
      parseDuration(text);
    } catch (err) {
      expect((err as MegamirrorError).code).toBe('config');
      expect((err as MegamirrorError).message).toBe(`invalid duration "${text}": expected a duration like 500ms, 2s, 5m, 1h or 1d`);
    }
  });
});

describe('expandString', () => {
  test('reports each unset variable with the text to find it by', () => {
    expect(expandString('${A}/${B:-b}/${C}', {})).toEqual({
      value: '/b/',
      errors: [
        { find: '${A}', message: 'environment variable A is not set (use ${A:-fallback} for a default)' },
        { find: '${C}', message: 'environment variable C is not set (use ${C:-fallback} for a default)' },
      ],
    });
  });

  test('set but empty counts as set without a fallback', () => {
    expect(expandString('x${E}y', { E: '' })).toEqual({ value: 'xy', errors: [] });
  });

  test('no nested expansion: values are inserted as they are', () => {
    expect(expandString('${A}', { A: '${B}', B: 'no' }).value).toBe('${B}');
  });
});

describe('expandHome', () => {
  test.each([
    ['~', '/h'],
    ['~/', '/h/'],
    ['~/a', '/h/a'],
    ['a/~', 'a/~'],
  ])('%s', (input, output) => expect(expandHome(input, '/h')).toEqual({ value: output }));
  test('~user is refused', () => expect(expandHome('~bob/x', '/h').error).toMatch(/not ~user/));
});

describe('endpoints', () => {
  const ctx = { remotes: ['mega', 'work'], baseDir: '/base', home: '/h' };
  const local = (path: string): Endpoint => ({ type: 'local', path });
  const remote = (name: string, path: string): Endpoint => ({ type: 'remote', remote: name, path });

  test.each([
    ['mega:/a', { endpoint: remote('mega', '/a') }],
    ['work:/', { endpoint: remote('work', '/') }],
    ['mega:a', { error: 'remote paths start with "/": write "mega:/a"' }],
    ['Mega:/a', { error: 'unknown remote "Mega" (did you mean "mega"?)' }],
    ['rel/x', { endpoint: local('/base/rel/x') }],
    ['/abs/', { endpoint: local('/abs') }],
  ])('%s', (text, result) => expect(parseEndpoint(text, ctx)).toEqual(result));

  test.each([
    [local('/a'), local('/a'), 'same'],
    [local('/a/b'), local('/a'), 'a-in-b'],
    [local('/a'), local('/a/b'), 'b-in-a'],
    [local('/a'), local('/ab'), null],
    [local('/'), local('/x'), 'b-in-a'],
    [remote('m', '/'), remote('m', '/x'), 'b-in-a'],
    [remote('m', '/x'), remote('n', '/x'), null],
    [remote('m', '/x'), local('/x'), null],
  ])('relation %j %j', (a, b, r) => expect(relation(a, b)).toBe(r));
});

describe('globProblem', () => {
  test.each(['**', '**/*.md', 'a/b/*.{jpg,png}', 'photos/**', '[ab].txt', '#*#', '\\!literal', 'a/.hidden/**'])('accepts %s', (p) => {
    expect(globProblem(p)).toBeNull();
  });
  test.each(['', ' ', '/abs', 'a/../b', '..', '!x', 'x'.repeat(70_000)])('rejects %j', (p) => {
    expect(globProblem(p)).toEqual(expect.any(String));
  });
});

describe('schedule and time zone', () => {
  test.each(['0 */6 * * *', '*/30 * * * * *', '0 2 * * MON-FRI', '0 0 1 1 *'])('accepts %s', (s) => {
    expect(scheduleProblem(s)).toBeNull();
  });
  test.each(['', 'hourly', '* * * *', '* * * * * * *', '60 * * * *', '0 24 * * *', '0 0 30 2 *'])('rejects %j', (s) => {
    expect(scheduleProblem(s)).toMatch(/^invalid cron expression/);
  });
  test.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires'])('accepts %s', (z) => expect(timezoneProblem(z)).toBeNull());
  test('rejects unknown zones with a suggestion', () => {
    expect(timezoneProblem('Europe/Berln')).toBe('unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)');
    expect(timezoneProblem('Nowhere')).toBe('unknown time zone "Nowhere"');
  });
});

describe('suggest', () => {
  test.each([
    ['exlude', 'exclude'],
    ['Exclude', 'exclude'],
    ['max-delete', 'max_delete'],
    ['mtime_tollerance', 'mtime_tolerance'],
    ['conccurency', 'concurrency'],
    ['inlcude', 'include'],
    ['colour', undefined],
    ['x', undefined],
  ])('%s -> %s', (word, expected) => {
    expect(closest(word, ['include', 'exclude', 'max_delete', 'mtime_tolerance', 'concurrency', 'compare'])).toBe(expected);
  });
  test('edit distance counts a transposition as one', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
