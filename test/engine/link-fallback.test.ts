import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { MemoryBackend } from '../../src/backends/memory.js';
import { applyPlan } from '../../src/engine/apply.js';
import { buildJobReport } from '../../src/report/build.js';
import { summarize } from '../../src/core/summary.js';
import type { Action, Plan } from '../../src/core/types.js';
import { MegamirrorError } from '../../src/errors.js';
import type { Job } from '../../src/config/types.js';

describe('snapshot reuse where links are impossible', () => {
  it('copies the previous file instead, counts the bytes as transferred and warns', async () => {
    const dst = new MemoryBackend();
    dst.seed('old/a.txt', 'same', 1000);
    await dst.mkdir('new');
    // A destination on which hard links fail, as across devices.
    const noLinks = Object.create(dst) as Backend;
    noLinks.copyWithin = async () => {
      throw new MegamirrorError('link-unsupported', 'cannot hard-link here');
    };
    const actions: Action[] = [{ op: 'link', phase: 'transfer', path: 'new/a.txt', from: 'old/a.txt', reason: 'unchanged', size: 4, mtimeMs: 1000 }];
    const plan: Plan = { job: 'j', kind: 'snapshot', source: 's', destination: 'd', actions, unchanged: 1, skipped: [], warnings: [], summary: summarize(actions, 0, { files: 1, bytes: 4 }) };
    const results = await applyPlan(plan, { source: dst, destination: noLinks, concurrency: 1, sourceChangeRetries: 0 });
    expect(dst.read('new/a.txt')?.toString()).toBe('same');
    const job = { name: 'j', type: 'snapshot' } as Job;
    const report = buildJobReport({ job, source: 's', destination: 'd', dryRun: false, startedAt: new Date(0), finishedAt: new Date(1), status: 'ok', plan, results });
    expect(report.done.copy).toEqual({ files: 1, bytes: 4 });
    expect(report.warnings.map((w) => w.code)).toEqual(['link-fallback']);
  });
});
