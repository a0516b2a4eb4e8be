/**
 * The end of the upload pipeline: ciphertext in, POSTed to the upload URL in requests cut on MAC
 * chunk boundaries (transfer-plan.ts), up to TRANSFER_CONNECTIONS in flight. A request's body is
 * the list of ciphertext Buffers that make it up (sub-arrays, never copied), kept until the server
 * stored it so a failed request can be sent again. Writes wait while all connections are busy,
 * so memory is bounded by connections x request size whatever the file size.
 *
 * Contract: `token` (36 bytes) is set once the server returned it; `_final` resolves only after
 * every request succeeded, and fails when the token did not arrive. A request that fails for good
 * (after the transient retries) fails the stream with its classified MegamirrorError.
 */

import { Writable } from 'node:stream';
import { MegamirrorError } from '../../errors.js';
import type { Operation } from './errors.js';
import { postChunk } from './storage-http.js';
import { requestRanges, TRANSFER_CONNECTIONS, withRetries } from './transfer-plan.js';

export interface ChunkUploaderOptions {
  url: string;
  size: number;
  where: string;
  op: Operation;
  signal: AbortSignal;
  requestTimeoutMs: number;
  /** Bytes the server confirmed stored. */
  onStored: (bytes: number) => void;
  /** Any sign of life (a request sent or answered). */
  onActivity: () => void;
}

export class ChunkUploader extends Writable {
  readonly #o: ChunkUploaderOptions;
  readonly #ranges: Array<[number, number]>;
  #next = 0;
  #pieces: Buffer[] = [];
  #filled = 0;
  #inFlight = new Set<Promise<void>>();
  #failure: MegamirrorError | null = null;
  token: Buffer | null = null;

  constructor(o: ChunkUploaderOptions) {
    super({ highWaterMark: 1024 * 1024 });
    this.#o = o;
    this.#ranges = o.size === 0 ? [[0, 0]] : requestRanges(o.size);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.#take(chunk).then(() => cb(), (e: Error) => cb(e));
  }

  override _final(cb: (e?: Error | null) => void): void {
    (async () => {
      if (this.#o.size === 0 && this.#next === 0) await this.#send();
      if (this.#next < this.#ranges.length) {
        throw new MegamirrorError('size-mismatch', 'the content ended before its declared size', { where: this.#o.where, transient: true });
      }
      await this.#drainAll();
      if (!this.token) throw new MegamirrorError('remote', 'the upload finished without a completion token', { where: this.#o.where });
    })().then(() => cb(), (e: Error) => cb(e));
  }

  async #take(chunk: Buffer): Promise<void> {
    let p = 0;
    while (p < chunk.length) {
      if (this.#failure) throw this.#failure;
      const range = this.#ranges[this.#next];
      if (!range) throw new MegamirrorError('size-mismatch', 'the content is longer than declared', { where: this.#o.where, transient: true });
      const want = range[1] - range[0] - this.#filled;
      const take = Math.min(want, chunk.length - p);
      this.#pieces.push(p === 0 && take === chunk.length ? chunk : chunk.subarray(p, p + take));
      this.#filled += take;
      p += take;
      if (this.#filled === range[1] - range[0]) await this.#send();
    }
  }

  /** Start the current request; returns once a connection is free for the next one. */
  async #send(): Promise<void> {
    const [start, end] = this.#ranges[this.#next++]!;
    const body = this.#pieces;
    this.#pieces = [];
    this.#filled = 0;
    const o = this.#o;
    const req = { op: o.op, where: o.where, signal: o.signal, timeoutMs: o.requestTimeoutMs };
    o.onActivity();
    const job = withRetries(() => postChunk(`${o.url}/${start}`, body, req), o.signal).then(
      (reply) => {
        o.onActivity();
        if (reply.length === 36) this.token = reply;
        o.onStored(end - start);
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

  async #drainAll(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    if (this.#failure) throw this.#failure;
  }
}
