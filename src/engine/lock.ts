/**
 * The per-job lock, `locks/<job>.lock` in the job file's state folder, shared by `run`,
 * `plan --run-hooks` and the daemon: one job never runs twice at once.
 *
 * The lock is a small JSON file naming its holder (pid, host, start time, command). Why not
 * proper-lockfile: its locks are judged stale by age and must be kept fresh by a timer in the holder;
 * we want the holder named in the refusal and staleness decided by the one fact that matters, whether
 * the holding process still exists, which a plain file answers directly.
 *
 * Atomicity: the file is written complete under a unique temporary name and hard-linked to the lock
 * name; link() fails with EEXIST when a lock exists, so of two racing processes exactly one wins, and
 * no reader ever sees a half-written lock.
 *
 * Staleness: a lock whose pid no longer exists on this host is stale and is taken over (the caller
 * warns). The takeover runs under a short-lived guard (`<job>.lock.takeover`, also created with
 * link()) and re-reads the lock before removing it, so two processes cannot both take over the same
 * stale lock. A lock held on another host (a shared state folder) is never judged stale from here:
 * its process cannot be checked; the refusal says how to remove it. A guard older than 30 s was left
 * by a process that died mid-takeover and is removed.
 *
 * Limits: a pid reused by an unrelated process keeps a stale lock alive (the refusal names the pid, so
 * a person can check); the state folder must support hard links (every local Unix file system does).
 */

import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fromSystemError } from '../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601. */
  started_at: string;
  /** What holds it: `run`, `plan`, `daemon`. */
  command: string;
  /** The job file, absolute. */
  config: string;
}

export type LockAttempt =
  | { acquired: true; lock: HeldLock; tookOverFrom: LockHolder | null }
  /** `holder` is null when the lock file cannot be read as a lock. */
  | { acquired: false; path: string; holder: LockHolder | null };

export interface HeldLock {
  path: string;
  holder: LockHolder;
  /** Removes the lock if it is still ours; never throws. */
  release(): Promise<void>;
}

export interface LockOptions {
  command: string;
  config: string;
  now?: () => Date;
  host?: string;
  pid?: number;
  /** Whether a pid exists on this host; default: signal 0. */
  isAlive?: (pid: number) => boolean;
}

interface LockFile extends LockHolder {
  formatVersion: 1;
  token: string;
}

const GUARD_STALE_MS = 30_000;

/** Take the job's lock, or say who holds it. @throws MegamirrorError when the folder is unusable. */
export async function tryLockJob(dir: string, job: string, o: LockOptions): Promise<LockAttempt> {
  const path = join(dir, `${job}.lock`);
  const host = o.host ?? hostname();
  const mine: LockFile = {
    formatVersion: 1,
    pid: o.pid ?? process.pid,
    host,
    started_at: (o.now ?? (() => new Date()))().toISOString(),
    command: o.command,
    config: o.config,
    token: randomBytes(8).toString('hex'),
  };
  const isAlive = o.isAlive ?? pidExists;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await create(path, mine)) return { acquired: true, lock: held(path, mine), tookOverFrom: null };
      const current = await read(path);
      if (current === 'gone') continue;
      if (current === 'unreadable') return { acquired: false, path, holder: null };
      if (current.host !== host || isAlive(current.pid)) return { acquired: false, path, holder: holderOf(current) };
      const taken = await takeOver(path, current, mine);
      if (taken === 'taken') return { acquired: true, lock: held(path, mine), tookOverFrom: holderOf(current) };
      if (taken === 'busy') return { acquired: false, path, holder: holderOf(current) };
    }
    const last = await read(path);
    return { acquired: false, path, holder: typeof last === 'string' ? null : holderOf(last) };
  } catch (err) {
    throw fromSystemError(err, path);
  }
}

/** Who holds the job's lock now, if anyone (for status). */
export async function lockHolder(dir: string, job: string): Promise<LockHolder | null> {
  const current = await read(join(dir, `${job}.lock`));
  return typeof current === 'string' ? null : holderOf(current);
}

export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Atomically create `path` holding `content`; false when it exists. */
async function create(path: string, content: LockFile): Promise<boolean> {
  const tmp = `${path}.${content.token}.tmp`;
  await writeFile(tmp, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

async function read(path: string): Promise<LockFile | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const data = JSON.parse(text) as Partial<LockFile>;
    if (typeof data.pid !== 'number' || typeof data.host !== 'string' || typeof data.token !== 'string') return 'unreadable';
    return data as LockFile;
  } catch {
    return 'unreadable';
  }
}

/** Replace the stale lock `seen` with `mine`, under the takeover guard. */
async function takeOver(path: string, seen: LockFile, mine: LockFile): Promise<'taken' | 'retry' | 'busy'> {
  const guard = `${path}.takeover`;
  if (!(await create(guard, mine))) {
    const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > GUARD_STALE_MS) await unlink(guard).catch(() => {});
    return age > GUARD_STALE_MS ? 'retry' : 'busy';
  }
  try {
    const again = await read(path);
    if (again === 'unreadable') return 'busy';
    if (again !== 'gone') {
      if (again.token !== seen.token) return 'retry';
      await unlink(path);
    }
    return (await create(path, mine)) ? 'taken' : 'retry';
  } finally {
    await unlink(guard).catch(() => {});
  }
}

function held(path: string, mine: LockFile): HeldLock {
  return {
    path,
    holder: holderOf(mine),
    async release() {
      const current = await read(path).catch(() => 'unreadable' as const);
      if (typeof current !== 'string' && current.token === mine.token) await unlink(path).catch(() => {});
    },
  };
}

function holderOf(f: LockFile): LockHolder {
  return { pid: f.pid, host: f.host, started_at: f.started_at, command: f.command, config: f.config };
}

/** One line naming the holder, for refusals and logs. */
export function describeHolder(h: LockHolder | null): string {
  if (!h) return 'an unreadable lock file';
  return `pid ${h.pid} on ${h.host} (megamirror ${h.command}, since ${h.started_at})`;
}
