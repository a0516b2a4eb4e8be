/**
 * The server-to-client channel of one account: a sequence number, the packets after it, and the
 * long-polls waiting for the next change.
 *
 * Contract (what megajs relies on):
 * - `sn` values are opaque base64url strings of an 8-byte counter; `f` returns the current one.
 * - `poll(sn)`: packets newer than sn -> `{a: [...], sn: newest}`; none -> `{w: <wait url>}`.
 *   The wait URL (`/wsc/<user handle>?sn=..`) answers when a newer packet exists or after the
 *   wait timeout, whichever first; the client then polls again with the same sn.
 * - Every session of the account reads the same log, so the session that made a change gets its
 *   own packets too (megajs applies its changes that way).
 * - The log keeps the last `retain` batches; older sn values get -6 (the SDK reloads on that),
 *   malformed or future ones -2. The log is not persisted: after a restart only the current sn works.
 */
import { e64 } from './b64.js';
import type { ScPacket } from './types.js';

interface Batch {
  sn: number;
  packets: ScPacket[];
}

export type PollReply = { a: ScPacket[]; sn: string } | { w: string } | number;

export class ScLog {
  private seq: number;
  private readonly batches: Batch[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(initialSeq: number, private readonly retain = 10_000) {
    this.seq = initialSeq;
  }

  get sequence(): number {
    return this.seq;
  }

  currentSn(): string {
    return encodeSn(this.seq);
  }

  publish(packets: ScPacket[]): void {
    if (packets.length === 0) return;
    this.seq += 1;
    this.batches.push({ sn: this.seq, packets });
    if (this.batches.length > this.retain) this.batches.splice(0, this.batches.length - this.retain);
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /** Packets after `sn` (flattened), or null when there are none; -6 too old, -2 malformed or future. */
  since(sn: string): { packets: ScPacket[]; sn: string } | null | number {
    const n = decodeSn(sn);
    if (n === null || n > this.seq) return -2;
    if (n === this.seq) return null;
    const oldest = this.batches[0];
    if (!oldest || oldest.sn > n + 1) return -6;
    const packets: ScPacket[] = [];
    for (const batch of this.batches) if (batch.sn > n) packets.push(...batch.packets);
    return { packets, sn: this.currentSn() };
  }

  /** Resolves true when a packet newer than `sn` exists, false after `timeoutMs` or on cancel. */
  waitFor(sn: string, timeoutMs: number): { done: Promise<boolean>; cancel(): void } {
    const n = decodeSn(sn);
    if (n === null || n < this.seq) return { done: Promise.resolve(true), cancel() {} };
    let finish: (v: boolean) => void = () => {};
    const done = new Promise<boolean>((resolve) => (finish = resolve));
    const wake = (): void => {
      clearTimeout(timer);
      this.waiters.delete(wake);
      finish(true);
    };
    const timer = setTimeout(() => {
      this.waiters.delete(wake);
      finish(false);
    }, timeoutMs);
    this.waiters.add(wake);
    return {
      done,
      cancel: () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        finish(false);
      },
    };
  }
}

export function encodeSn(seq: number): string {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(seq));
  return e64(buf);
}

export function decodeSn(sn: string): number | null {
  const buf = Buffer.from(sn, 'base64url');
  if (buf.length !== 8) return null;
  return Number(buf.readBigUInt64BE());
}
