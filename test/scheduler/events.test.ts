import { describe, expect, it } from 'vitest';
import { formatEvent, type DaemonEvent } from '../../src/scheduler/events.js';

const at = new Date('2024-05-01T03:00:00.000Z');

describe('daemon log lines', () => {
  const cases: Array<[DaemonEvent, string]> = [
    [{ event: 'start', job: 'docs', reason: 'schedule' }, 'start docs'],
    [{ event: 'start', job: 'docs', reason: 'catch-up' }, 'start docs (catch-up: a scheduled run was missed)'],
    [{ event: 'skip', job: 'docs', reason: 'running' }, 'skip docs: still running from an earlier start'],
    [{ event: 'skip', job: 'docs', reason: 'locked', detail: 'pid 7 on h (megamirror run, since x)' }, 'skip docs: locked by another run (pid 7 on h (megamirror run, since x))'],
    [
      { event: 'finish', job: 'docs', status: 'ok', duration_ms: 1234, copied_files: 3, copied_bytes: 2048, deleted_files: 1, failed_actions: 0, report: '/s/r.json' },
      'finish docs: ok in 1.2s, copied 3 files (2.0 KiB), deleted 1; report /s/r.json',
    ],
    [{ event: 'hook-failed', job: 'docs', stage: 'before', index: 1, exit_code: 3, timed_out: false }, 'hook-failed docs: before hook 1 exited with 3'],
    [{ event: 'reload-failed', problems: ['a:1:1: x', 'a:2:1: y'] }, 'reload-failed: keeping the jobs already loaded: a:1:1: x; a:2:1: y'],
  ];
  for (const [e, text] of cases) {
    it(`${e.event}: human`, () => expect(formatEvent(e, at, 'human')).toBe(`2024-05-01T03:00:00.000Z ${text}`));
  }
  it('every event is one line; JSON lines carry time, event and the fields', () => {
    for (const [e] of cases) {
      expect(formatEvent(e, at, 'human')).not.toContain('\n');
      const line = formatEvent(e, at, 'json');
      expect(line).not.toContain('\n');
      expect(JSON.parse(line)).toEqual({ time: at.toISOString(), ...e });
    }
  });
});
