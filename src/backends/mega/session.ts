/**
 * One MEGA session per account (email + gateway) per process (see registry.ts), shared by every
 * backend that uses the account: its API transport and rate limiter, the session id and master
 * key, the node tree of the current run, and what the server said about quotas.
 *
 * A request answered -15 (session expired) triggers one new login (the `login` callback), shared
 * by every request that saw the same stale sid; at most one a minute, else requests fail with
 * `auth`.
 *
 * The tree: fetched with one `f` when the first backend of a run asks for it, kept current by our
 * own mutations, dropped when the last backend closes (the next run fetches again), and fetched
 * again when a mutation's outcome became unknown (`markStale`, after a dropped connection).
 */

import { MegamirrorError } from '../../errors.js';
import { MegaApi } from './api.js';
import { formatSeconds } from './errors.js';
import { fromBase64Url } from './crypto/index.js';
import { RateLimiter } from './rate-limiter.js';
import type { CachedSession } from './session-cache.js';
import { NodeTree, type WireNode } from './tree.js';

export const DEFAULT_GATEWAY = 'https://g.api.mega.co.nz/';

/** At most one new login per this interval after a session expired. */
const RELOGIN_INTERVAL_MS = 60_000;

export interface MegaTimeouts {
  /** One API request. */
  apiMs: number;
  /** One login (key derivation, hashcash, RSA included). */
  loginMs: number;
  /** A transfer with no byte moving for this long fails. */
  transferIdleMs: number;
  /** One storage-server request (a chunk of up to 1 MiB). */
  transferRequestMs: number;
}

export const DEFAULT_TIMEOUTS: MegaTimeouts = { apiMs: 60_000, loginMs: 120_000, transferIdleMs: 120_000, transferRequestMs: 120_000 };

export class MegaSession {
  readonly api: MegaApi;
  readonly limiter = new RateLimiter();
  readonly timeouts: MegaTimeouts;
  #cached: CachedSession;
  #masterKey: Buffer;
  #tree: NodeTree | null = null;
  #loading: Promise<NodeTree> | null = null;
  #stale = false;
  #users = 0;
  #lastRelogin = 0;
  #relogin: Promise<void> | null = null;
  #quota = new Map<'storage' | 'transfer', { error: MegamirrorError; until: number }>();

  constructor(
    readonly email: string,
    readonly gateway: string,
    cached: CachedSession,
    private readonly login: (reason: 'expired') => Promise<CachedSession>,
    timeouts: MegaTimeouts,
  ) {
    this.#cached = cached;
    this.#masterKey = masterKeyOf(cached);
    this.timeouts = timeouts;
    this.api = new MegaApi({
      gateway,
      limiter: this.limiter,
      timeoutMs: timeouts.apiMs,
      sid: () => this.#cached.sid,
      onSessionExpired: (stale) => this.#renew(stale),
    });
  }

  get masterKey(): Buffer {
    return this.#masterKey;
  }

  get user(): string {
    return this.#cached.user;
  }

  /** A backend starts using the session (a run begins when the first one does). */
  acquire(): void {
    this.#users++;
  }

  /** A backend is done; when none is left, the run's tree is dropped. */
  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users === 0 && !this.#loading) this.#tree = null;
  }

  /** The node tree of this run: one `f`, shared, refreshed after `markStale()`. */
  async tree(signal?: AbortSignal): Promise<NodeTree> {
    if (this.#tree && !this.#stale) return this.#tree;
    this.#loading ??= this.#fetchTree(signal).finally(() => (this.#loading = null));
    return this.#loading;
  }

  /** A mutation's outcome is unknown (the connection dropped): read the tree again before the next step. */
  markStale(): void {
    this.#stale = true;
  }

  /** Remember over-quota answers, so later transfers of this account fail at once. */
  noteError(e: MegamirrorError): void {
    if (e.code !== 'over-quota') return;
    const which = /transfer/.test(e.message) ? 'transfer' : 'storage';
    const ms = e.retryAfterSeconds !== undefined ? e.retryAfterSeconds * 1000 : 10 * 60_000;
    this.#quota.set(which, { error: e, until: Date.now() + ms });
  }

  /** Throws the remembered over-quota error while it holds. */
  checkQuota(which: 'storage' | 'transfer', where?: string): void {
    const q = this.#quota.get(which);
    if (!q) return;
    if (Date.now() >= q.until) {
      this.#quota.delete(which);
      return;
    }
    const left = Math.ceil((q.until - Date.now()) / 1000);
    // Worded as the first answer was, only the time left brought up to date: a run whose first
    // failing transfer meets this copy reports the same message.
    const message = which === 'transfer' ? q.error.message.replace(/resets in [^;]*$/, `resets in ${formatSeconds(left)}`) : q.error.message;
    throw new MegamirrorError('over-quota', message, { ...(where ? { where } : {}), ...(q.error.hint ? { hint: q.error.hint } : {}), retryAfterSeconds: left });
  }

  async #fetchTree(signal?: AbortSignal): Promise<NodeTree> {
    // The nodes go into a tree of their own as they arrive (the reply of a large account is tens of
    // MB: parsed in batches while it comes, api.ts); the tree in use takes them over only once the
    // whole reply is in, so a failed fetch leaves it as it was.
    // Made when the first nodes come, not before: an expired session logs in again inside the
    // request, and the keys then are the new login's.
    let fresh: NodeTree | undefined;
    const add = (nodes: unknown[]) => {
      fresh ??= new NodeTree(this.#masterKey, this.#cached.user);
      for (const n of nodes) if (typeof n === 'object' && n !== null) fresh.add(n as WireNode);
    };
    const reply = await this.api.request<{ f?: unknown[] }>({ a: 'f', c: 1 }, { ...(signal ? { signal } : {}), stream: { key: 'f', onItems: add } });
    add(Array.isArray(reply?.f) ? reply.f : []);
    const tree = this.#tree ?? fresh!;
    if (tree !== fresh) tree.takeOver(fresh!);
    if (!tree.driveRoot) throw new MegamirrorError('remote', 'MEGA sent a node tree without a Cloud Drive');
    this.#stale = false;
    this.#tree = tree;
    return tree;
  }

  #renew(staleSid: string | undefined): Promise<void> {
    if (staleSid !== this.#cached.sid) return Promise.resolve();
    this.#relogin ??= (async () => {
      // A session that expires again right after a new login: something else ends it; stop.
      if (Date.now() - this.#lastRelogin < RELOGIN_INTERVAL_MS) {
        throw new MegamirrorError('auth', 'the MEGA session keeps expiring', { hint: 'run `megamirror login REMOTE` and try again' });
      }
      this.#lastRelogin = Date.now();
      this.#cached = await this.login('expired');
      this.#masterKey = masterKeyOf(this.#cached);
    })().finally(() => (this.#relogin = null));
    return this.#relogin;
  }
}

export function normalizeGateway(gateway: string | undefined): string {
  const g = gateway ?? DEFAULT_GATEWAY;
  return g.endsWith('/') ? g : `${g}/`;
}

function masterKeyOf(c: CachedSession): Buffer {
  const key = fromBase64Url(c.key);
  if (!key || key.length !== 16) throw new MegamirrorError('auth', 'the cached MEGA session is damaged', { hint: 'run `megamirror login REMOTE`' });
  return key;
}
