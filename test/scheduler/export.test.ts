import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { zoneClock } from '../../src/core/retention/zone.js';
import { parseCron } from '../../src/core/schedule/cron.js';
import { nextFire } from '../../src/core/schedule/fire-times.js';
import { onCalendar } from '../../src/scheduler/export/calendar.js';
import { cronLine } from '../../src/scheduler/export/cron-line.js';
import { CRON_STYLE, SYSTEMD_STYLE, fieldText } from '../../src/scheduler/export/fields.js';

describe('fieldText', () => {
  const cases: Array<[string, number[], number, number, string, string]> = [
    ['every value', [0, 1, 2, 3, 4, 5, 6], 0, 6, '*', '*'],
    ['a step from the start', [0, 15, 30, 45], 0, 59, '*/15', '00/15'],
    ['a run and singles', [1, 2, 3, 4, 9, 11], 0, 23, '1-4,9,11', '01..04,09,11'],
    ['two neighbours stay a list', [5, 6], 0, 59, '5,6', '05,06'],
    ['a step not from the start is written out', [5, 25, 45], 0, 59, '5,25,45', '05,25,45'],
    ['one value', [3], 0, 23, '3', '03'],
  ];
  for (const [name, values, min, max, cron, systemd] of cases) {
    it(name, () => {
      expect(fieldText(values, min, max, CRON_STYLE)).toBe(cron);
      expect(fieldText(values, min, max, SYSTEMD_STYLE)).toBe(systemd);
    });
  }
});

describe('cronLine', () => {
  const cases: Array<[string, string]> = [
    ['0 3 * * *', '0 3 * * *'],
    ['*/15 2-5 * * MON-FRI', '*/15 2-5 * * 1-5'],
    ['0 0 1,15 JAN,JUL *', '0 0 1,15 1,7 *'],
    ['@weekly', '0 0 * * 0'],
    ['0 30 4 * * SUN', '30 4 * * 0'],
  ];
  for (const [expr, fields] of cases) it(`${expr} → ${fields}`, () => expect(cronLine(parseCron(expr))).toEqual({ ok: true, fields }));

  const refused: Array<[string, RegExp]> = [
    ['*/10 * * * * *', /seconds/],
    ['0 0 L * *', /L or W/],
    ['0 0 * * 1#2', /L or #/],
    ['0 0 13 * FRI', /either/],
  ];
  for (const [expr, why] of refused) {
    it(`refuses ${expr}`, () => {
      const r = cronLine(parseCron(expr));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems.join(' ')).toMatch(why);
    });
  }
});

describe('onCalendar', () => {
  const cases: Array<[string, string | null, string]> = [
    ['0 3 * * *', null, '*-*-* 03:00:00'],
    ['30 2 * * *', 'Europe/Berlin', '*-*-* 02:30:00 Europe/Berlin'],
    ['*/15 * * * *', null, '*-*-* *:00/15:00'],
    ['*/5 * * * * *', null, '*-*-* *:*:00/5'],
    ['0 9 * * MON-FRI', null, 'Mon..Fri *-*-* 09:00:00'],
    ['0 0 13 * FRI', null, 'Fri *-*-13 00:00:00'],
    ['0 0 L * *', null, '*-*~01 00:00:00'],
    ['0 0 L-2 * *', null, '*-*~03 00:00:00'],
    ['0 0 * * 1#2', null, 'Mon *-*-08..14 00:00:00'],
    ['0 0 * * 5L', null, 'Fri *-*~07/1 00:00:00'],
    ['0 22-2 1 1,7 *', null, '*-01,07-01 00..02,22,23:00:00'],
  ];
  for (const [expr, zone, cal] of cases) it(`${expr} → ${cal}`, () => expect(onCalendar(parseCron(expr), zone)).toEqual({ ok: true, onCalendar: cal }));

  it('refuses W', () => expect(onCalendar(parseCron('0 0 15W * *'), null).ok).toBe(false));

  const systemdAnalyze = hasSystemdAnalyze();
  it.skipIf(!systemdAnalyze)('systemd reads each calendar and its next 5 elapses are the daemon\'s next 5 fire times', () => {
    for (const [expr, zone] of cases) {
      const r = onCalendar(parseCron(expr), zone);
      if (!r.ok) throw new Error('unexpected');
      const now = Date.now();
      const out = execFileSync('systemd-analyze', ['calendar', '--iterations=5', r.onCalendar], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
      const theirs = [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => `${m[1]!.replace(' ', 'T')}.000Z`);
      const ours: string[] = [];
      let t = now;
      for (let i = 0; i < 5; i++) {
        t = nextFire(parseCron(expr), t, zoneClock(zone ?? 'UTC'))!;
        ours.push(new Date(t).toISOString());
      }
      // A tick may pass between the two computations: then systemd is one step ahead.
      const aligned = theirs[0] === ours[0] ? ours : [...ours.slice(1), null];
      expect({ expr, elapses: theirs.slice(0, 4) }).toEqual({ expr, elapses: aligned.slice(0, 4) });
    }
  });
});

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
