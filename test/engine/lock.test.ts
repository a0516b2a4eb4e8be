import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockHolder, tryLockJob, type LockAttempt } from '../../src/engine/lock.js';
import { tempDir } from '../helpers/fs-tree.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ path: dir, cleanup } = await tempDir('mm-lock-')));
afterEach(() => cleanup());

const opts = { command: 'run', config: '/etc/mm/jobs.yaml' };
const acquired = (a: LockAttempt) => (a.acquired ? a : expect.unreachable('expected the lock'));

async function staleLockFile(job: string, over: Record<string, unknown> = {}): Promise<void> {
  const content = { formatVersion: 1, pid: 999_999_999, host: hostname(), started_at: '2024-01-01T00:00:00.000Z', command: 'daemon', config: '/x', token: 'old', ...over };
  await writeFile(join(dir, `${job}.lock`), JSON.stringify(content));
}

describe('the per-job lock', () => {
  it('holds the pid, host and start time; a second attempt is refused and names the holder', async () => {
    const first = acquired(await tryLockJob(dir, 'docs', { ...opts, now: () => new Date('2024-05-01T03:00:00Z') }));
    expect(JSON.parse(await readFile(first.lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), started_at: '2024-05-01T03:00:00.000Z', command: 'run' });
    const second = await tryLockJob(dir, 'docs', { ...opts, command: 'daemon' });
    expect(second).toEqual({ acquired: false, path: first.lock.path, holder: expect.objectContaining({ pid: process.pid, host: hostname(), command: 'run' }) });
    await first.lock.release();
    acquired(await tryLockJob(dir, 'docs', opts));
  });

  it('locks are per job', async () => {
    acquired(await tryLockJob(dir, 'a', opts));
    acquired(await tryLockJob(dir, 'b', opts));
  });

  it('of many concurrent attempts exactly one wins, and no temporary file is left', async () => {
    const attempts = await Promise.all(Array.from({ length: 20 }, () => tryLockJob(dir, 'docs', opts)));
    expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['docs.lock']);
  });

  it('a lock whose process is gone on this host is taken over, and the old holder is reported', async () => {
    await staleLockFile('docs');
    const a = acquired(await tryLockJob(dir, 'docs', opts));
    expect(a.tookOverFrom).toEqual(expect.objectContaining({ pid: 999_999_999, command: 'daemon' }));
    expect((await lockHolder(dir, 'docs'))?.pid).toBe(process.pid);
  });

  it('of many concurrent takeovers of one stale lock exactly one wins', async () => {
    await staleLockFile('docs');
    const attempts = await Promise.all(Array.from({ length: 20 }, () => tryLockJob(dir, 'docs', opts)));
    expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual(['docs.lock']);
  });

  it('a lock held on another host is never judged stale from here', async () => {
    await staleLockFile('docs', { host: 'elsewhere.example' });
    const a = await tryLockJob(dir, 'docs', opts);
    expect(a).toEqual({ acquired: false, path: join(dir, 'docs.lock'), holder: expect.objectContaining({ host: 'elsewhere.example' }) });
  });

  it('a live process keeps its lock (isAlive says so)', async () => {
    await staleLockFile('docs');
    expect((await tryLockJob(dir, 'docs', { ...opts, isAlive: () => true })).acquired).toBe(false);
  });

  it('an unreadable lock file is treated as held, with no holder to name', async () => {
    await writeFile(join(dir, 'docs.lock'), 'garbage');
    expect(await tryLockJob(dir, 'docs', opts)).toEqual({ acquired: false, path: join(dir, 'docs.lock'), holder: null });
  });

  it('release leaves a lock alone that is no longer ours', async () => {
    const a = acquired(await tryLockJob(dir, 'docs', opts));
    await staleLockFile('docs', { token: 'someone-else', pid: 1 });
    await a.lock.release();
    expect((await lockHolder(dir, 'docs'))?.pid).toBe(1);
  });
});
