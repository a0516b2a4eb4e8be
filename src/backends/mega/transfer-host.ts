/**
 * What megajs sees of us during a transfer: an `api` object whose `request` goes through our paced,
 * classified API transport and whose `fetch` reaches the storage servers with a per-request timeout
 * and the transfer's abort signal (so aborting a transfer cancels its in-flight chunks). For
 * uploads, the `p` command megajs sends at the end is intercepted: we keep the completion token and
 * create the node ourselves (our attributes, our key, after `beforeCommit`), so nothing becomes
 * visible until we decide.
 *
 * Also the chunk retry policy megajs applies per chunk (`handleRetries`): a few quick retries with
 * jitter for transient failures, none for anything else, none once aborted.
 */

import type { ApiLike, Callback, HandleRetries } from 'megajs';
import { MegamirrorError } from '../../errors.js';
import type { MegaApi } from './api.js';
import { classify, type Operation } from './errors.js';

export interface TransferHostOptions {
  api: MegaApi;
  op: Operation;
  where: string;
  signal: AbortSignal;
  /** Per storage-server request, ms. */
  requestTimeoutMs: number;
  /** Uploads: receives the completion token instead of megajs creating the node. */
  onCompletionToken?: (token: string) => void;
}

export function transferApi(o: TransferHostOptions): ApiLike {
  return {
    request(json: Record<string, unknown>, cb: Callback<unknown>): void {
      if (json.a === 'p' && o.onCompletionToken) {
        const token = (json.n as Array<{ h?: unknown }> | undefined)?.[0]?.h;
        if (typeof token !== 'string') {
          cb(new MegamirrorError('remote', 'the upload finished without a completion token', { where: o.where }));
          return;
        }
        o.onCompletionToken(token);
        cb(null, { f: [{ h: '', t: 0 }] });
        return;
      }
      o.api
        .request(json as { a: string }, { signal: o.signal, where: o.where })
        .then((r) => cb(null, r), (e: unknown) => cb(classify(e, { op: o.op, where: o.where })));
    },
    fetch(url: string, init: Record<string, unknown> = {}): Promise<Response> {
      const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.requestTimeoutMs)]);
      return fetch(url, { ...(init as RequestInit), signal });
    },
  };
}

/** A minimal stand-in for megajs's Storage, for `new MutableFile(node, storage)`. */
export function hostStorage(api: ApiLike): unknown {
  return {
    api,
    shareKeys: {},
    // Only used to wrap the key of the `p` we intercept and throw away.
    aes: { encryptECB: (b: Buffer) => b },
    _importFile: (f: unknown) => f,
    emit: () => false,
  };
}

export function chunkRetries(o: { op: Operation; where: string; signal: AbortSignal; retries?: number }): HandleRetries {
  const max = o.retries ?? 3;
  return (tries, error, cb) => {
    const e = classify(error, { op: o.op, where: o.where });
    if (o.signal.aborted || !e.transient || tries > max) {
      cb(e);
      return;
    }
    const delay = Math.min(4000, 150 * 2 ** (tries - 1)) * (0.5 + Math.random());
    setTimeout(() => cb(), delay);
  };
}
