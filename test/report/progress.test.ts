/**
 * Plain-mode progress (stderr not a terminal): a heartbeat line at most every `intervalMs`, and
 * at least that often while bytes keep moving, also for one large transfer whose only events
 * are `bytes` (a MEGA upload reports one per request).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/report/progress.js';
import type { Action, Plan } from '../../src/core/types.js';
import { summarize } from '../../src/core/summary.js';

function planOf(actions: Action[]): Plan {
  return { job: 'j', kind: 'mirror', source: 's', destination: 'd', actions, unchanged: 0, skipped: [], warnings: [], summary: summarize(actions, 0, { files: 0, bytes: 0 }) };
}

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, stream: stream as unknown as NodeJS.WriteStream };
}

const noPaint = new Proxy({}, { get: () => (s: string) => s }) as never;

describe('plain progress lines', () => {
  it('one large transfer: a line every interval while its bytes move, none in between', () => {
    const big: Action = { op: 'copy', phase: 'transfer', path: 'big.bin', reason: 'missing', size: 100 * 2 ** 20, mtimeMs: 0 };
    let t = 0;
    const { lines, stream } = sink();
    const p = createProgress(planOf([big]), { tty: false, verbosity: 'normal', paint: noPaint, stream, intervalMs: 5000, now: () => t });
    p.onEvent({ type: 'action-start', action: big });
    // One bytes event every 2 s (a slow upload: one per request), 60 s in all.
    for (let i = 0; i < 30; i++) {
      t += 2000;
      p.onEvent({ type: 'bytes', path: 'big.bin', bytes: 2 ** 20 });
    }
    // A line at 6, 12, ... 60 s: every third event, never more than the interval plus one event apart.
    expect(lines.length).toBe(10);
    expect(lines[0]).toMatch(/^j: 0\/1 files, 3(\.0)? MiB\/100 MiB/);
  });

  it('many small files: at most one line per interval', () => {
    const files: Action[] = Array.from({ length: 2000 }, (_, i) => ({ op: 'copy', phase: 'transfer', path: `f${i}`, reason: 'missing', size: 10, mtimeMs: 0 }));
    let t = 0;
    const { lines, stream } = sink();
    const p = createProgress(planOf(files), { tty: false, verbosity: 'normal', paint: noPaint, stream, intervalMs: 5000, now: () => t });
    for (const a of files) {
      t += 10; // 20 s in all
      p.onEvent({ type: 'action-start', action: a });
      p.onEvent({ type: 'bytes', path: a.path, bytes: 10 });
      p.onEvent({ type: 'action-end', result: { action: a, outcome: 'done', attempts: 1, bytes: 10 } });
    }
    expect(lines.length).toBe(4);
    expect(lines.at(-1)).toMatch(/^j: \d+\/2000 files/);
  });
});
