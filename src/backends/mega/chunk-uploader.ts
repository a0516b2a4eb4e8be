/**
 * The sending end of an upload: ciphertext requests, each cut on MAC chunk boundaries
 * (transfer-plan.ts), POSTed to the upload URL with up to TRANSFER_CONNECTIONS in flight. A
 * request's body is a Buffer the caller filled (buffer-pool.ts); it is kept until the server stored
 * it, so a failed request is sent again as it was, and then handed back through `release`.
 *
 * Contract: `send` resolves once a connection is free for the next request (so the caller holds
 * at most TRANSFER_CONNECTIONS bodies) and rejects with the first request's failure for good
 * (after the transient retries, classified MegamirrorError). `finish` resolves with the 36-byte
 * completion token once every request succeeded, and fails when the token did not arrive. A body
 * whose request failed is never released: an aborted socket write may still refer to it.
 */

import { MegamirrorError } from '../../errors.js';
import type { Operation } from './errors.js';
import { postChunk } from './storage-http.js';
import { TRANSFER_CONNECTIONS, withRetries } from './transfer-plan.js';

export interface ChunkUploaderOptions {
  url: string;
  where: string;
  op: Operation;
  signal: AbortSignal;
  requestTimeoutMs: number;
  /** Bytes the server confirmed stored. */
  onStored: (bytes: number) => void;
  /** Any sign of life (a request sent or answered). */
  onActivity: () => void;
}

export class ChunkUploader {
  readonly #o: ChunkUploaderOptions;
  readonly #inFlight = new Set<Promise<void>>();
  #failure: MegamirrorError | null = null;
  #token: Buffer | null = null;

  constructor(o: ChunkUploaderOptions) {
    this.#o = o;
  }

  /** POST `body` as the bytes of the file from `start`; `release` once the server stored it. */
  async send(start: number, body: Buffer, release: () => void): Promise<void> {
    if (this.#failure) throw this.#failure;
    const o = this.#o;
    const req = { op: o.op, where: o.where, signal: o.signal, timeoutMs: o.requestTimeoutMs };
    o.onActivity();
    const job = withRetries(() => postChunk(`${o.url}/${start}`, [body], req), o.signal).then(
      (reply) => {
        o.onActivity();
        if (reply.length === 36) this.#token = reply;
        release();
        o.onStored(body.length);
      },
      (e: unknown) => {
        this.#failure ??= e instanceof MegamirrorError ? e : new MegamirrorError('remote', String(e), { where: o.where });
      },
    );
    this.#inFlight.add(job);
    void job.finally(() => this.#inFlight.delete(job));
    while (this.#inFlight.size >= TRANSFER_CONNECTIONS) await Promise.race(this.#inFlight);
    if (this.#failure) throw this.#failure;
  }

  /** Waits for every request; the completion token. */
  async finish(): Promise<Buffer> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    if (this.#failure) throw this.#failure;
    if (!this.#token) throw new MegamirrorError('remote', 'the upload finished without a completion token', { where: this.#o.where });
    return this.#token;
  }
}
