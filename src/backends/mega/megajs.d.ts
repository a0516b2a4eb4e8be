/**
 * The parts of megajs 1.3.10 this backend uses, declared locally: the package's own type files
 * import Deno URLs (unresolvable here) and lack the upload options `uploadCiphertext`, `key`,
 * `attributes`, `target`, `handleRetries`. Checked against node_modules/megajs/dist/main.node-es.mjs.
 *
 * How we use it: megajs logs in, keeps the session and node tree, and speaks the API through our own
 * transport (handed to it as an `api` object with `request` and `fetch`). File content does not go
 * through megajs: chunk-uploader.ts and download.ts move ciphertext with node:http themselves
 * (8 MiB requests on MAC chunk boundaries, 4 in flight, buffers reused), measured 1.3-1.6x faster
 * than megajs's own transfer code with `uploadCiphertext`/`returnCiphertext`, and with bounded waits.
 */
declare module 'megajs' {
  import type { EventEmitter } from 'node:events';
  import type { Readable, Transform, Writable } from 'node:stream';

  export type Callback<T> = (error: Error | null | undefined, value?: T) => void;

  /** What megajs calls on `file.api`: an API command, and a fetch for the storage servers. */
  export interface ApiLike {
    request(json: Record<string, unknown>, cb: Callback<any>): unknown;
    fetch(url: string, init?: Record<string, unknown>): Promise<Response>;
  }

  /** `(tries, error, cb)`: call `cb()` to retry a chunk, `cb(error)` to give up. */
  export type HandleRetries = (tries: number, error: Error, cb: (error?: Error) => void) => void;

  export interface StorageOptions {
    email: string;
    password?: string;
    gateway?: string;
    keepalive?: boolean;
    autoload?: boolean;
    autologin?: boolean;
    secondFactorCode?: string;
    userAgent?: string | null;
  }

  export class API extends EventEmitter {
    constructor(keepalive: boolean, options?: { gateway?: string; userAgent?: string | null });
    gateway: string;
    sid?: string;
    close(): void;
  }

  export class Storage extends EventEmitter {
    constructor(options: StorageOptions);
    readonly api: API;
    readonly ready: Promise<Storage>;
    key: Buffer;
    sid: string;
    user: string;
    name: string;
    toJSON(): { key: string; sid: string; name: string; user: string; options: Record<string, unknown> };
  }

  export interface UploadOptions {
    name?: string;
    attributes?: Record<string, unknown>;
    size: number;
    /** 32-byte node key when `uploadCiphertext`; megajs then sends the bytes as given. */
    key?: Buffer;
    uploadCiphertext?: boolean;
    target?: unknown;
    maxConnections?: number;
    initialChunkSize?: number;
    chunkSizeIncrement?: number;
    maxChunkSize?: number;
    handleRetries?: HandleRetries;
  }

  export interface DownloadOptions {
    returnCiphertext?: boolean;
    start?: number;
    end?: number;
    maxConnections?: number;
    initialChunkSize?: number;
    chunkSizeIncrement?: number;
    maxChunkSize?: number;
    handleRetries?: HandleRetries;
  }

  /** The stream `upload()` returns: write ciphertext into it; `complete` may never settle on failure. */
  export interface UploadStream extends Writable {
    complete: Promise<unknown>;
  }

  export class File extends EventEmitter {
    constructor(options: { downloadId?: string; key?: Buffer | string; directory?: boolean; api?: API });
    api: ApiLike | API;
    nodeId?: string;
    /** A file link's public handle: `download()` sends `g` with `p` when `nodeId` is unset. */
    downloadId?: string | string[];
    key: Buffer | null;
    directory: boolean;
    download(options: DownloadOptions): Readable;
  }

  export class MutableFile extends File {
    constructor(node: { h: string; t: number; ts?: number }, storage: unknown);
    upload(options: UploadOptions, source?: Readable | Buffer | null): UploadStream;
  }

  export function encrypt(key: Buffer): Transform;
  export function decrypt(key: Buffer): Transform;
  export function verify(key: Buffer): Transform;
}
