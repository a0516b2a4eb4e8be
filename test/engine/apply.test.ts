import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { MemoryBackend } from '../../src/backends/memory.js';
import { applyPlan } from '../../src/engine/apply.js';
import type { ActionResult } from '../../src/engine/results.js';
import { MegamirrorError } from '../../src/errors.js';
import { mirrorPlan } from '../helpers/plan.js';

const planFor = (src: MemoryBackend, dst: MemoryBackend) => mirrorPlan(src, dst);

/** A backend whose chosen method fails for chosen paths: injected faults for the engine. */
function failing(inner: Backend, method: 'write' | 'openRead', paths: string[], code: MegamirrorError['code']): Backend {
  const b = Object.create(inner) as Backend;
  const original = inner[method].bind(inner) as (...a: unknown[]) => Promise<unknown>;
  (b as unknown as Record<string, unknown>)[method] = async (path: string, ...rest: unknown[]) => {
    if (paths.includes(path)) throw new MegamirrorError(code, `injected ${code}`, { where: path });
    return original(path, ...rest);
  };
  return b;
}

const outcomes = (rs: ActionResult[]) => rs.map((r) => `${r.action.op} ${r.action.path} ${r.outcome}`);

describe('applyPlan', () => {
  it('skips every deletion when a copy failed', async () => {
    const src = new MemoryBackend();
    src.seed('ok.txt', 'a');
    src.seed('bad.txt', 'b');
    const dst = new MemoryBackend();
    dst.seed('stale.txt', 'old');
    const plan = await planFor(src, dst);
    const rs = await applyPlan(plan, { source: src, destination: failing(dst, 'write', ['bad.txt'], 'io'), concurrency: 2, sourceChangeRetries: 0 });
    expect(outcomes(rs)).toEqual(['copy bad.txt failed', 'copy ok.txt done', 'delete stale.txt skipped']);
    expect(dst.read('stale.txt')?.toString()).toBe('old');
  });

  it('stops the run after a full disk instead of failing file by file', async () => {
    const src = new MemoryBackend();
    for (let i = 0; i < 10; i++) src.seed(`f${i}`, `${i}`);
    const dst = new MemoryBackend();
    const plan = await planFor(src, dst);
    const rs = await applyPlan(plan, { source: src, destination: failing(dst, 'write', ['f0'], 'no-space'), concurrency: 1, sourceChangeRetries: 0 });
    expect(rs[0]).toMatchObject({ outcome: 'failed', error: { code: 'no-space' } });
    expect(rs.slice(1).every((r) => r.outcome === 'skipped' && r.why.startsWith('stopped after no-space'))).toBe(true);
  });

  it('after a full disk, transfers handed to the destination but not started yet stop and are skipped', async () => {
    const src = new MemoryBackend();
    for (let i = 0; i < 10; i++) src.seed(`f${i}`, `${i}`);
    const dst = new MemoryBackend();
    const plan = await planFor(src, dst);
    // A destination that queues writes (as the local one queues small files): f0 fails at once,
    // the others wait for a turn that comes only after it, and give up when their signal aborts.
    const queued = Object.create(dst) as Backend;
    let turn: () => void = () => undefined;
    const later = new Promise<void>((r) => (turn = r));
    queued.write = async (path, content, meta, options) => {
      if (path === 'f0') {
        setTimeout(turn, 50);
        throw new MegamirrorError('no-space', 'injected no-space', { where: path });
      }
      await Promise.race([later, new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true }))]);
      return dst.write(path, content, meta, options);
    };
    const rs = await applyPlan(plan, { source: src, destination: queued, concurrency: 4, sourceChangeRetries: 0 });
    expect(rs.filter((r) => r.outcome === 'failed').map((r) => r.action.path)).toEqual(['f0']);
    expect(rs.filter((r) => r.outcome !== 'failed').every((r) => r.outcome === 'skipped' && r.why.startsWith('stopped after no-space'))).toBe(true);
    expect(dst.read('f1')).toBeUndefined();
  });

  it('copies a source that changed while it was read again, and records what it stored', async () => {
    const src = new MemoryBackend();
    src.seed('grows.log', 'v1', 1000);
    const dst = new MemoryBackend();
    const plan = await planFor(src, dst);
    let reads = 0;
    const changing = Object.create(src) as Backend;
    changing.openRead = async (path) => {
      if (reads++ === 0) src.seed(path, 'v2 longer', 5000); // changes after the stat, during the read
      return src.openRead(path);
    };
    const rs = await applyPlan(plan, { source: changing, destination: dst, concurrency: 1, sourceChangeRetries: 2 });
    expect(rs[0]).toMatchObject({ outcome: 'done', attempts: 2, stored: { size: 9, mtimeMs: 5000 } });
    expect(dst.read('grows.log')?.toString()).toBe('v2 longer');
  });

  it('a source that keeps changing fails with source-changed and is never stored', async () => {
    const src = new MemoryBackend();
    src.seed('busy', 'x', 1);
    const dst = new MemoryBackend();
    const plan = await planFor(src, dst);
    let n = 0;
    const changing = Object.create(src) as Backend;
    changing.openRead = async (path) => {
      src.seed(path, `changed ${n}`, 10 + n++);
      return src.openRead(path);
    };
    const rs = await applyPlan(plan, { source: changing, destination: dst, concurrency: 1, sourceChangeRetries: 2 });
    expect(rs[0]).toMatchObject({ outcome: 'failed', error: { code: 'source-changed' } });
    expect(dst.read('busy')).toBeUndefined();
  });

  it('an aborted run skips what has not started and reports it as interrupted', async () => {
    const src = new MemoryBackend();
    for (let i = 0; i < 5; i++) src.seed(`f${i}`, 'x');
    const dst = new MemoryBackend();
    const plan = await planFor(src, dst);
    const ac = new AbortController();
    ac.abort();
    const rs = await applyPlan(plan, { source: src, destination: dst, concurrency: 1, sourceChangeRetries: 0, signal: ac.signal });
    expect(rs.every((r) => r.outcome === 'skipped' && r.why === 'interrupted')).toBe(true);
    expect((await dst.list()).entries).toEqual([]);
  });
});
