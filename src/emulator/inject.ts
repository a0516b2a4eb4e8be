/**
 * Test hook: put a node straight into an account's tree, bypassing every client check, to build
 * hostile trees (names `..`, `.`, with `/` or NUL, duplicates, files without `c`, undecryptable
 * attributes, odd key strings). Build `a`/`k` with nodecrypto.ts or hand-craft them.
 */
import { Readable } from 'node:stream';
import type { Account, EmulatorState } from './state.js';
import { addNodes } from './ops.js';
import type { NodeRecord } from './types.js';

export interface InsertNodeSpec {
  /** Parent handle, or 'root' (default), 'inbox', 'rubbish'. A file handle makes an old version. */
  parent?: string;
  /** 0 file, 1 folder. Default: 0 when `data` is given, else 1. */
  t?: 0 | 1;
  /** Encrypted attributes (base64url), stored and sent as is. */
  a: string;
  /** Wrapped key (base64url); sent as `<owner>:<k>` unless `kExact`. */
  k: string;
  /** Send `k` exactly as given (no owner prefix): for keys with other prefixes or none. */
  kExact?: boolean;
  /** File content as stored ciphertext (default empty). Size is its length. */
  data?: Buffer;
  /** Server creation time, Unix seconds (default now). */
  ts?: number;
  /** Use this handle (8 chars) instead of a random one. */
  handle?: string;
  /** Do not announce the node on the sc channel. */
  silent?: boolean;
}

export async function insertNode(state: EmulatorState, account: Account, spec: InsertNodeSpec): Promise<string> {
  const { tree, record } = account;
  const named: Record<string, string> = { root: record.roots.drive, inbox: record.roots.inbox, rubbish: record.roots.rubbish };
  const parent = named[spec.parent ?? 'root'] ?? spec.parent!;
  if (!tree.has(parent)) throw new Error(`no parent node ${parent}`);
  const handle = spec.handle ?? tree.newHandle();
  if (tree.has(handle)) throw new Error(`node handle ${handle} exists`);
  const type = spec.t ?? (spec.data ? 0 : 1);
  const node: NodeRecord = { h: handle, p: parent, t: type, a: spec.a, k: spec.k, ts: spec.ts ?? Math.floor(Date.now() / 1000) };
  if (spec.kExact) node.kExact = true;
  if (type === 0) {
    const data = spec.data ?? Buffer.alloc(0);
    const writer = await state.blobs.begin(data.length);
    await writer.receive(Readable.from([data]), 0, data.length);
    await writer.commit();
    node.s = data.length;
    node.blob = writer.id;
  }
  if (spec.silent) {
    tree.add(node);
    if (node.blob) state.retainBlob(node.blob, node.s ?? 0);
    state.changed();
  } else {
    addNodes(state, account, [node]);
  }
  return handle;
}
