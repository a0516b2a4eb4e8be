import pRetry from 'p-retry';
import { MegamirrorError, isAbort } from '../../errors.js';
import type { Backend } from '../backend.js';

export interface RetryOptions {
  /** Extra attempts after the first, for transient errors only. */
  retries: number;
  /** First backoff in ms; doubles each time, with jitter. */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Told of every retry, e.g. to count attempts per path for the report. */
  onRetry?: (event: { method: string; path: string; attempt: number; error: MegamirrorError }) => void;
}

type Method = 'list' | 'stat' | 'openRead' | 'write' | 'mkdir' | 'deleteFile' | 'rmdir' | 'removeTree' | 'copyWithin' | 'probeRoot' | 'adoptMtime' | 'usage';
/** `move` is left out: after a lost reply a second attempt would not find what it moves. */
const RETRIED: Method[] = ['list', 'stat', 'openRead', 'write', 'mkdir', 'deleteFile', 'rmdir', 'removeTree', 'copyWithin', 'probeRoot', 'adoptMtime', 'usage'];

/**
 * A Backend that retries transient failures (exponential backoff with jitter) and passes every
 * other error through untouched. Composed around any backend in `open.ts`.
 */
export function withRetry(inner: Backend, options: RetryOptions): Backend {
  const wrapped: Backend = Object.create(inner) as Backend;
  for (const method of RETRIED) {
    const original = (inner as unknown as Record<string, unknown>)[method];
    if (typeof original !== 'function') continue;
    (wrapped as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
      retrying(() => (original as (...a: unknown[]) => Promise<unknown>).apply(inner, args), method, args, options);
  }
  // Not retried as a whole: it never rejects for one file, and the engine tries a file that failed
  // transiently again on its own, through `write` and so through this wrapper. Bound, so that the
  // backend's own state (its copy queue) is the one `write` uses.
  if (inner.writeLocalFiles) wrapped.writeLocalFiles = inner.writeLocalFiles.bind(inner);
  return wrapped;
}

/** The first attempt runs directly: p-retry's bookkeeping only once something actually failed. */
async function retrying<T>(fn: () => Promise<T>, method: string, args: unknown[], o: RetryOptions): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof MegamirrorError && err.transient) || isAbort(err) || o.retries <= 0) throw err;
    o.onRetry?.({ method, path: typeof args[0] === 'string' ? args[0] : '', attempt: 1, error: err });
  }
  // The first backoff, with jitter; p-retry takes over from the second (and doubles from there).
  const first = o.minTimeoutMs ?? 250;
  await sleep(first * (1 + Math.random()), findSignal(args));
  return withBackoff(fn, method, args, { ...o, retries: o.retries - 1, minTimeoutMs: first * 2 });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new MegamirrorError('interrupted', 'interrupted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new MegamirrorError('interrupted', 'interrupted'));
    }, { once: true });
  });
}

function withBackoff<T>(fn: () => Promise<T>, method: string, args: unknown[], o: RetryOptions): Promise<T> {
  const path = typeof args[0] === 'string' ? args[0] : '';
  const signal = findSignal(args);
  return pRetry(fn, {
    retries: o.retries,
    minTimeout: o.minTimeoutMs ?? 250,
    maxTimeout: o.maxTimeoutMs ?? 30_000,
    factor: 2,
    randomize: true,
    signal,
    shouldRetry: ({ error }) => error instanceof MegamirrorError && error.transient && !isAbort(error) && !signal?.aborted,
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && error instanceof MegamirrorError && error.transient) {
        o.onRetry?.({ method, path, attempt: attemptNumber + 1, error });
      }
    },
  });
}

function findSignal(args: unknown[]): AbortSignal | undefined {
  for (const a of args) {
    if (a && typeof a === 'object' && 'signal' in a && (a as { signal?: unknown }).signal instanceof AbortSignal) {
      return (a as { signal: AbortSignal }).signal;
    }
  }
  return undefined;
}
