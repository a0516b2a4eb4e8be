/**
 * The transfer phase's grouped copies (apply.ts runTransfers / runGroup, copy-groups.ts) on real
 * folders through the real local backend and native helpers: the same results, events and
 * retries as one file at a time, a changed or vanished source handled as copyFile would, and
 * nothing half-written.
 */
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, LocalFileWrite, OpOptions } from '../../src/backends/backend.js';
import { LocalBackend } from '../../src/backends/local/index.js';
import { withRetry } from '../../src/backends/wrappers/retry.js';
import { applyPlan } from '../../src/engine/apply.js';
import type { ActionResult, ApplyEvent } from '../../src/engine/results.js';
import { MegamirrorError } from '../../src/errors.js';
import { nativeHelpers, setNativeEnabled } from '../../src/native.js';
import { readTree, tempDir, writeTree, type FileSpec } from '../helpers/fs-tree.js';
import { mirrorPlan } from '../helpers/plan.js';

const native = nativeHelpers();

const planFor = (src: Backend, dst: Backend) => mirrorPlan(src, dst, 0);

/** The destination with its writeLocalFiles calls counted, and chosen items failed first (an observer around the real backend). */
function observed(inner: Backend, fail: Record<string, MegamirrorError> = {}) {
  const calls: number[] = [];
  const b = Object.create(inner) as Backend;
  b.writeLocalFiles = async (items: readonly LocalFileWrite[], options?: OpOptions) => {
    calls.push(items.length);
    const passed = items.filter((it) => !(it.path in fail));
    const real = passed.length > 0 ? await inner.writeLocalFiles!(passed, options) : [];
    return items.map((it) => (it.path in fail ? fail[it.path]! : real[passed.indexOf(it)]!));
  };
  return { backend: b, calls };
}

/** Every action's events in order, per path. */
function eventLog(events: ApplyEvent[]): Map<string, string[]> {
  const log = new Map<string, string[]>();
  const add = (path: string, what: string) => log.set(path, [...(log.get(path) ?? []), what]);
  for (const e of events) {
    if (e.type === 'action-start') add(e.action.path, 'start');
    else if (e.type === 'bytes') add(e.path, 'bytes');
    else add(e.result.action.path, `end ${e.result.outcome}`);
  }
  return log;
}

const byPath = (rs: ActionResult[]) => Object.fromEntries(rs.map((r) => [r.action.path, r]));

describe.skipIf(native === null)('grouped copies', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let srcRoot: string;
  let dstRoot: string;
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir('mm-groups-'));
    srcRoot = join(root, 'src');
    dstRoot = join(root, 'dst');
  });
  afterEach(async () => {
    setNativeEnabled(true);
    await cleanup();
  });

  const tree = async () => {
    const spec: Record<string, FileSpec> = {};
    for (let d = 0; d < 4; d++) for (let f = 0; f < 30; f++) spec[`d${d}/f${f}.txt`] = `folder ${d} file ${f} `.repeat(f);
    spec['big/one.bin'] = Buffer.alloc(1024 * 1024 + 7, 1);
    spec['big/two.bin'] = Buffer.alloc(2 * 1024 * 1024, 2);
    await writeTree(srcRoot, spec);
    mkdirSync(dstRoot);
  };

  /** d1/f3.txt grows (48 -> 100 bytes); d2/f4.txt keeps its 64 bytes with other content and time. */
  const changeAfterPlan = () => {
    writeFileSync(join(srcRoot, 'd1/f3.txt'), 'g'.repeat(100));
    writeFileSync(join(srcRoot, 'd2/f4.txt'), 's'.repeat(64));
    utimesSync(join(srcRoot, 'd2/f4.txt'), 1_800_000_000, 1_800_000_000);
  };

  it('copies a tree in groups with the results, events and files one-by-one copies give', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const { backend: dst, calls } = observed(withRetry(new LocalBackend(dstRoot), { retries: 2, minTimeoutMs: 1 }));
    const plan = await planFor(src, dst);
    const events: ApplyEvent[] = [];
    const rs = await applyPlan(plan, { source: src, destination: dst, concurrency: 3, sourceChangeRetries: 2, onEvent: (e) => events.push(e) });

    expect(rs.map((r) => r.action.path)).toEqual(plan.actions.map((a) => a.path));
    expect(rs.filter((r) => r.outcome !== 'done')).toEqual([]);
    for (const r of rs.filter((x) => x.action.op === 'copy')) {
      const a = r.action as Extract<typeof r.action, { op: 'copy' }>;
      expect(r).toMatchObject({ outcome: 'done', attempts: 1, bytes: a.size, stored: { size: a.size, mtimeMs: a.mtimeMs } });
    }
    // The 120 small files went in groups (of at most 32), the two large ones alone.
    expect(calls.reduce((x, y) => x + y, 0)).toBe(120);
    expect(Math.max(...calls)).toBeLessThanOrEqual(32);
    // A progress event for every file with bytes (f0.txt is empty), none for folders.
    for (const [path, log] of eventLog(events)) {
      const moved = (path.endsWith('.txt') || path.endsWith('.bin')) && !path.endsWith('/f0.txt');
      expect(log, path).toEqual(moved ? ['start', 'bytes', 'end done'] : ['start', 'end done']);
    }
    expect(await readTree(dstRoot)).toEqual(await readTree(srcRoot));
  });

  it('copies a source that changed after planning again from a fresh stat, and one that vanished fails', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const dst = new LocalBackend(dstRoot);
    const plan = await planFor(src, dst);
    changeAfterPlan();
    rmSync(join(srcRoot, 'd3/f5.txt'));
    const events: ApplyEvent[] = [];
    const rs = byPath(await applyPlan(plan, { source: src, destination: dst, concurrency: 2, sourceChangeRetries: 2, onEvent: (e) => events.push(e) }));

    expect(plan.actions.find((a) => a.path === 'd2/f4.txt')).toMatchObject({ size: 64 });
    expect(rs['d1/f3.txt']).toMatchObject({ outcome: 'done', attempts: 2, stored: { size: 100 } });
    expect(rs['d2/f4.txt']).toMatchObject({ outcome: 'done', attempts: 2, stored: { size: 64, mtimeMs: 1_800_000_000_000 } });
    expect(rs['d3/f5.txt']).toMatchObject({ outcome: 'failed', error: { code: 'not-found' } });
    expect(rs['d0/f1.txt']).toMatchObject({ outcome: 'done', attempts: 1 });
    // A file tried again is still announced once and ended once.
    const log = eventLog(events);
    expect(log.get('d1/f3.txt')).toEqual(['start', 'bytes', 'end done']);
    expect(log.get('d3/f5.txt')).toEqual(['start', 'end failed']);
    const seen = await readTree(dstRoot);
    const want = await readTree(srcRoot);
    expect(seen).toEqual(want);
    expect(readdirSync(join(dstRoot, 'd3')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('with no source-change retries (a saved plan), a changed source fails and is not stored', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const dst = new LocalBackend(dstRoot);
    const plan = await planFor(src, dst);
    changeAfterPlan();
    const rs = byPath(await applyPlan(plan, { source: src, destination: dst, concurrency: 2, sourceChangeRetries: 0 }));
    expect(rs['d1/f3.txt']).toMatchObject({ outcome: 'failed', error: { code: 'size-mismatch' } });
    expect(rs['d2/f4.txt']).toMatchObject({ outcome: 'failed', error: { code: 'source-changed' } });
    expect(readdirSync(join(dstRoot, 'd1'))).not.toContain('f3.txt');
    expect(readdirSync(join(dstRoot, 'd2'))).not.toContain('f4.txt');
    expect([...readdirSync(join(dstRoot, 'd1')), ...readdirSync(join(dstRoot, 'd2'))].filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a file that failed transiently in its group is tried again on its own, through the retry wrapper', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const transient = new MegamirrorError('transient', 'EAGAIN', { where: 'd0/f2.txt', transient: true });
    const { backend: dst } = observed(withRetry(new LocalBackend(dstRoot), { retries: 2, minTimeoutMs: 1 }), { 'd0/f2.txt': transient });
    const writes: string[] = [];
    const write = dst.write.bind(dst);
    dst.write = (path, ...rest) => {
      writes.push(path);
      return write(path, ...rest);
    };
    const plan = await planFor(src, dst);
    const events: ApplyEvent[] = [];
    const rs = await applyPlan(plan, { source: src, destination: dst, concurrency: 2, sourceChangeRetries: 2, onEvent: (e) => events.push(e) });
    expect(byPath(rs)['d0/f2.txt']).toMatchObject({ outcome: 'done', attempts: 1 });
    // Only it went one by one (the two large files always do).
    expect(writes.sort()).toEqual(['big/one.bin', 'big/two.bin', 'd0/f2.txt']);
    expect(rs.filter((r) => r.outcome !== 'done')).toEqual([]);
    expect(eventLog(events).get('d0/f2.txt')).toEqual(['start', 'bytes', 'end done']);
    expect(await readTree(dstRoot)).toEqual(await readTree(srcRoot));
  });

  it('a full disk in one group stops the groups not started yet', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const full = new MegamirrorError('no-space', 'no space left on the destination device', { where: 'd1/f0.txt' });
    // One job at a time: the second group cannot end before the first (which fails).
    const { backend: dst } = observed(new LocalBackend(dstRoot, { concurrency: 1 }), { 'd1/f0.txt': full });
    const plan = await planFor(src, dst);
    const rs = byPath(await applyPlan(plan, { source: src, destination: dst, concurrency: 1, sourceChangeRetries: 2 }));
    expect(rs['d1/f0.txt']).toMatchObject({ outcome: 'failed', error: { code: 'no-space' } });
    // Groups go in plan order: the first holds d0's files and d1/f0; d3's come two and three groups later.
    expect(rs['d0/f9.txt']).toMatchObject({ outcome: 'done' });
    expect(rs['d3/f29.txt']).toMatchObject({ outcome: 'skipped', why: expect.stringMatching(/^stopped after no-space/) });
    expect(readdirSync(join(dstRoot, 'd3'))).toEqual([]);
  });

  it('an interrupted run skips the groups it has not started and leaves no partial files', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const dst = new LocalBackend(dstRoot);
    const plan = await planFor(src, dst);
    const ac = new AbortController();
    let ended = 0;
    const rs = await applyPlan(plan, {
      source: src, destination: dst, concurrency: 1, sourceChangeRetries: 2, signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'action-end' && e.result.action.op === 'copy' && ++ended === 40) ac.abort();
      },
    });
    const copies = rs.filter((r) => r.action.op === 'copy');
    const done = copies.filter((r) => r.outcome === 'done');
    expect(done.length).toBeGreaterThanOrEqual(40);
    expect(done.length).toBeLessThan(copies.length);
    expect(copies.filter((r) => r.outcome !== 'done').every((r) => r.outcome === 'skipped' && r.why === 'interrupted')).toBe(true);
    const partial = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? partial(join(dir, d.name)) : d.name.startsWith('.') ? [d.name] : []));
    expect(partial(dstRoot)).toEqual([]);
  });

  it('copies the same tree file by file through node:fs when the helpers are off after the backend was made', async () => {
    await tree();
    const src = new LocalBackend(srcRoot);
    const dst = new LocalBackend(dstRoot);
    const plan = await planFor(src, dst);
    setNativeEnabled(false);
    const rs = await applyPlan(plan, { source: src, destination: dst, concurrency: 2, sourceChangeRetries: 2 });
    expect(rs.filter((r) => r.outcome !== 'done')).toEqual([]);
    expect(await readTree(dstRoot)).toEqual(await readTree(srcRoot));
  });
});
