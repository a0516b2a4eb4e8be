/**
 * The MEGA API transport: `POST {gateway}cs?id=<seq>&sid=<sid>` with one command, paced by the
 * account's shared rate limiter, bounded by a timeout, with every failure classified (errors.ts).
 *
 * Contract:
 * - `request(cmd)` resolves with the command's result (objects, arrays, or a non-negative number)
 *   and rejects with a MegamirrorError: a negative result (per command or for the whole batch),
 *   `{e: <negative>, tl}` (over quota with time left), an HTTP status other than 200, a network
 *   failure, a timeout (`timeout`, transient) or an abort (`interrupted`).
 * - It does not retry transient errors: the backend's retry wrapper does, per operation. Two
 *   exceptions: an expired session (-15) is handed to `onSessionExpired` once (it logs in again)
 *   and the command is sent once more; and "slow down" answers make the shared limiter pause.
 * - The sid travels only in the URL; no message built here contains it.
 */

import { MegamirrorError } from '../../errors.js';
import { postJson, type ApiReply } from './api-http.js';
import { classify, fromApiCode, fromHttpStatus, isThrottle } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { ReplySplitter } from './reply-splitter.js';

export interface MegaApiOptions {
  gateway: string;
  limiter: RateLimiter;
  /** Per request, ms. */
  timeoutMs: number;
  /** The current session id (it changes after a re-login); undefined before login and for public links. */
  sid(): string | undefined;
  /** Extra query parameters on every request: `{n: <public handle>}` reads a folder link. */
  query?: Record<string, string>;
  /** Log in again after -15; resolves once a new sid is in place. Called at most once per request. */
  onSessionExpired?(staleSid: string | undefined, signal?: AbortSignal): Promise<void>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** For messages: the path this request is about. */
  where?: string;
  /**
   * Hand the elements of this array of the reply (the `f` reply's nodes) to `onItems` in batches
   * while the reply arrives (reply-splitter.ts); the result then holds that array empty. A request
   * that fails may have handed some on: the caller keeps them apart until it resolves.
   */
  stream?: { key: string; onItems(items: unknown[]): void };
}

export type ApiCommand = { a: string } & Record<string, unknown>;

export class MegaApi {
  #seq = Math.floor(Math.random() * 0x7fffffff);

  constructor(readonly options: MegaApiOptions) {}

  get gateway(): string {
    return this.options.gateway;
  }

  async request<T = unknown>(cmd: ApiCommand, o: RequestOptions = {}): Promise<T> {
    const sid = this.options.sid();
    try {
      return await this.#once<T>(cmd, sid, o);
    } catch (err) {
      if (!(err instanceof MegamirrorError) || (err as { megaCode?: number }).megaCode !== -15 || !this.options.onSessionExpired) throw err;
      await this.options.onSessionExpired(sid, o.signal);
      return this.#once<T>(cmd, this.options.sid(), o);
    }
  }

  #once<T>(cmd: ApiCommand, sid: string | undefined, o: RequestOptions): Promise<T> {
    const ctx = { op: 'api' as const, command: cmd.a, ...(o.where ? { where: o.where } : {}) };
    const { limiter } = this.options;
    return limiter.run(async () => {
      const query = new URLSearchParams({ id: String(this.#seq++), ...this.options.query });
      if (sid) query.set('sid', sid);
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
      try {
        const res = await postJson(`${this.options.gateway}cs?${query}`, JSON.stringify([cmd]), signal);
        if (res.status !== 200) {
          res.cancel();
          throw fromHttpStatus(res.status, ctx);
        }
        // UTF-8 with a leading BOM dropped, as fetch's json() reads a body.
        const reply = o.stream ? await splitReply(res, o.stream) : (JSON.parse(utf8.decode(await res.bytes())) as unknown);
        const result = Array.isArray(reply) ? reply[0] : reply;
        if (typeof result === 'number' && result < 0) throw fromApiCode(result, ctx);
        const e = (result as { e?: unknown } | null)?.e;
        if (typeof e === 'number' && e < 0) {
          const tl = (result as { tl?: unknown }).tl;
          throw fromApiCode(e, { ...ctx, ...(typeof tl === 'number' ? { timeLeft: tl } : {}) });
        }
        limiter.relax();
        return result as T;
      } catch (err) {
        if (o.signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted', o.where ? { where: o.where } : {});
        if (timeout.aborted) {
          throw new MegamirrorError('timeout', `MEGA did not answer a request (${cmd.a}) within ${Math.round(this.options.timeoutMs / 1000)} s`, {
            transient: true,
            ...(o.where ? { where: o.where } : {}),
          });
        }
        const e = classify(err, ctx);
        if (isThrottle(e)) limiter.throttle();
        throw e;
      }
    }, o.signal);
  }
}

async function splitReply(res: ApiReply, stream: NonNullable<RequestOptions['stream']>): Promise<unknown> {
  const splitter = new ReplySplitter(stream.key, (items) => stream.onItems(items));
  for await (const piece of res.pieces()) splitter.push(piece);
  return splitter.end();
}

const utf8 = new TextDecoder();
