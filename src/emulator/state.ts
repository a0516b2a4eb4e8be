/**
 * Everything the emulator holds: accounts (record, node tree, sc log), sessions, and reference
 * counts of stored blobs. Mutations go through ops.ts (tree + sc + blobs together); this class
 * is the registry plus the "something changed" hook that persistence listens to.
 */
import { e64 } from './b64.js';
import type { BlobStore } from './blobs.js';
import { ScLog } from './sc.js';
import { NodeTree } from './tree.js';
import type { AccountRecord, SessionRecord } from './types.js';

export interface Account {
  record: AccountRecord;
  tree: NodeTree;
  sc: ScLog;
}

export interface BlobRef {
  size: number;
  /** Nodes (current and versions) that point at the blob. */
  refs: number;
}

export class EmulatorState {
  readonly accounts = new Map<string, Account>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly blobRefs = new Map<string, BlobRef>();
  /** Called after every mutation (persistence schedules a save). */
  onChange: () => void = () => {};

  constructor(readonly blobs: BlobStore) {}

  changed(): void {
    this.onChange();
  }

  addAccount(record: AccountRecord, scSeq = 0): Account {
    const account: Account = { record, tree: new NodeTree(record.handle), sc: new ScLog(scSeq) };
    this.accounts.set(record.email, account);
    return account;
  }

  account(email: string): Account | undefined {
    return this.accounts.get(email.trim().toLowerCase());
  }

  /** The account of a live session, or undefined (expired, logged out, unknown). */
  accountForSid(sid: string | null | undefined): Account | undefined {
    if (!sid) return undefined;
    const session = this.sessions.get(sid);
    return session ? this.accounts.get(session.email) : undefined;
  }

  openSession(email: string, sid: Buffer): string {
    const key = e64(sid);
    this.sessions.set(key, { sid: key, email, createdAt: Math.floor(Date.now() / 1000) });
    this.changed();
    return key;
  }

  closeSession(sid: string): boolean {
    const had = this.sessions.delete(sid);
    if (had) this.changed();
    return had;
  }

  /** Ends sessions by sid or by account email; returns how many. */
  expireSessions(target: { sid?: string; email?: string }): number {
    let count = 0;
    const email = target.email?.trim().toLowerCase();
    for (const [sid, session] of this.sessions) {
      if (sid === target.sid || (email !== undefined && session.email === email)) {
        this.sessions.delete(sid);
        count += 1;
      }
    }
    if (count) this.changed();
    return count;
  }

  retainBlob(id: string, size: number): void {
    const ref = this.blobRefs.get(id);
    if (ref) ref.refs += 1;
    else this.blobRefs.set(id, { size, refs: 1 });
  }

  /** Drops one reference; the bytes go when the last node referring to them does. */
  releaseBlob(id: string): void {
    const ref = this.blobRefs.get(id);
    if (!ref) return;
    ref.refs -= 1;
    if (ref.refs <= 0) {
      this.blobRefs.delete(id);
      void this.blobs.delete(id);
    }
  }
}
