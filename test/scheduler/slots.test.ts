import { describe, expect, it } from 'vitest';
import { catchUpDue } from '../../src/core/schedule/catch-up.js';
import { drain, EMPTY_SLOTS, finish, retain, tick, type Slots } from '../../src/core/schedule/slots.js';

const slots = (running: string[], waiting: string[] = []): Slots => ({ running, waiting });

describe('tick: admission of a fired job', () => {
  const cases: Array<{ name: string; before: Slots; job: string; limit: number; outcome: string; after: Slots; start: string[] }> = [
    { name: 'a free slot starts the job', before: EMPTY_SLOTS, job: 'a', limit: 1, outcome: 'start', after: slots(['a']), start: ['a'] },
    { name: 'a job never overlaps itself', before: slots(['a']), job: 'a', limit: 4, outcome: 'skip-running', after: slots(['a']), start: [] },
    { name: 'no free slot: the job waits', before: slots(['a']), job: 'b', limit: 1, outcome: 'wait', after: slots(['a'], ['b']), start: [] },
    { name: 'a waiting job is not queued twice', before: slots(['a'], ['b']), job: 'b', limit: 1, outcome: 'skip-waiting', after: slots(['a'], ['b']), start: [] },
    { name: 'different jobs run together up to the limit', before: slots(['a']), job: 'b', limit: 2, outcome: 'start', after: slots(['a', 'b']), start: ['b'] },
    { name: 'waiting jobs keep their order', before: slots(['a'], ['b']), job: 'c', limit: 1, outcome: 'wait', after: slots(['a'], ['b', 'c']), start: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = tick(c.before, c.job, c.limit);
      expect(t.outcome).toBe(c.outcome);
      expect(t.slots).toEqual(c.after);
      expect(t.start).toEqual(c.start);
    });
  }
});

describe('finish, retain, drain', () => {
  it('a finished job frees its slot for the first waiting job', () => {
    expect(finish(slots(['a'], ['b', 'c']), 'a', 1)).toEqual({ slots: slots(['b'], ['c']), start: ['b'] });
  });
  it('a finished job with nobody waiting leaves the slots empty', () => {
    expect(finish(slots(['a']), 'a', 1)).toEqual({ slots: EMPTY_SLOTS, start: [] });
  });
  it('a reload drops waiting jobs that are gone and applies a higher limit', () => {
    const r = retain(slots(['a'], ['b', 'gone', 'c']), ['a', 'b', 'c'], 3);
    expect(r).toEqual({ slots: slots(['a', 'b', 'c']), start: ['b', 'c'], dropped: ['gone'] });
  });
  it('a running job that disappeared from the file keeps running', () => {
    expect(retain(slots(['old']), ['new'], 1).slots.running).toEqual(['old']);
  });
  it('draining drops every waiting job and starts nothing', () => {
    expect(drain(slots(['a'], ['b', 'c']))).toEqual({ slots: slots(['a']), dropped: ['b', 'c'] });
  });
  it('never more running than the limit, over any sequence of ticks and finishes', () => {
    let s: Slots = EMPTY_SLOTS;
    const names = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 500; i++) {
      const name = names[(i * 7) % 4]!;
      s = i % 3 === 0 && s.running.length > 0 ? finish(s, s.running[0]!, 2).slots : tick(s, name, 2).slots;
      expect(s.running.length).toBeLessThanOrEqual(2);
      expect(new Set([...s.running, ...s.waiting]).size).toBe(s.running.length + s.waiting.length);
    }
  });
});

describe('catchUpDue', () => {
  const fire = Date.parse('2024-05-01T03:00:00Z');
  const cases: Array<{ name: string; catchUp: boolean; lastSuccess: string | null; previousFire: number | null; due: boolean }> = [
    { name: 'off: never', catchUp: false, lastSuccess: null, previousFire: fire, due: false },
    { name: 'the last success is older than the last fire time (asleep at 03:00)', catchUp: true, lastSuccess: '2024-04-30T03:00:02Z', previousFire: fire, due: true },
    { name: 'a run that started at the fire time covers it', catchUp: true, lastSuccess: '2024-05-01T03:00:00Z', previousFire: fire, due: false },
    { name: 'a run after the fire time covers it', catchUp: true, lastSuccess: '2024-05-01T09:00:00Z', previousFire: fire, due: false },
    { name: 'never succeeded: due once the schedule has fired', catchUp: true, lastSuccess: null, previousFire: fire, due: true },
    { name: 'a schedule that never fired: nothing to catch up', catchUp: true, lastSuccess: null, previousFire: null, due: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(catchUpDue({ catchUp: c.catchUp, lastSuccessMs: c.lastSuccess ? Date.parse(c.lastSuccess) : null, previousFireMs: c.previousFire })).toBe(c.due);
    });
  }
});
