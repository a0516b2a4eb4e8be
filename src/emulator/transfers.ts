/**
 * Upload sessions (from `u` to the completion token), completion tokens (consumed by `p`) and
 * download tickets (from `g`). Pure bookkeeping: the HTTP side is storage.ts.
 *
 * Upload contract: the URL takes `POST <url>/<offset>` bodies. A chunk must start on a MAC chunk
 * boundary (0, 128K, 384K, ..., 4608K, then every 1 MiB) and end on one or at the file size;
 * a chunk may span several boundaries; re-sending a chunk replaces it. When every byte has
 * arrived, the request that completed the file gets the 36-byte completion token.
 */
import { randomBytes } from 'node:crypto';
import { e64, randomToken } from './b64.js';
import type { BlobStore, BlobWriter } from './blobs.js';

const K128 = 128 * 1024;
const MIB = 1024 * 1024;
const MAX_PENDING_UPLOADS = 1000;
const MAX_DOWNLOAD_TICKETS = 10_000;

export function isChunkBoundary(pos: number): boolean {
  if (!Number.isSafeInteger(pos) || pos < 0) return false;
  let boundary = 0;
  for (let i = 1; i <= 8; i++) {
    if (pos === boundary) return true;
    boundary += i * K128;
    if (pos < boundary) return false;
  }
  return (pos - boundary) % MIB === 0;
}

export interface UploadSession {
  token: string;
  email: string;
  size: number;
  writer: BlobWriter;
  /** Received ranges [start, end), sorted, merged. */
  covered: Array<[number, number]>;
  /** Set once complete: the token returned to the client (and again to a repeated last chunk). */
  completion?: Buffer;
}

export interface Completion {
  email: string;
  blobId: string;
  size: number;
}

export interface DownloadTicket {
  email: string;
  blobId: string;
  size: number;
}

export class Transfers {
  readonly uploads = new Map<string, UploadSession>();
  private readonly completions = new Map<string, Completion>();
  readonly downloads = new Map<string, DownloadTicket>();

  constructor(private readonly blobs: BlobStore) {}

  async startUpload(email: string, size: number): Promise<UploadSession> {
    if (this.uploads.size >= MAX_PENDING_UPLOADS) {
      const oldest = this.uploads.values().next().value as UploadSession;
      this.uploads.delete(oldest.token);
      await oldest.writer.abort();
    }
    const session: UploadSession = { token: randomToken(), email, size, writer: await this.blobs.begin(size), covered: [] };
    this.uploads.set(session.token, session);
    return session;
  }

  /** Null if [offset, offset+length) is an acceptable chunk, else the reason. */
  checkChunk(session: UploadSession, offset: number, length: number): string | null {
    const end = offset + length;
    if (!isChunkBoundary(offset)) return `chunk start ${offset} is not a MAC chunk boundary`;
    if (end > session.size) return `chunk end ${end} is past the file size ${session.size}`;
    if (length === 0 && session.size !== 0) return 'empty chunk';
    if (end !== session.size && !isChunkBoundary(end)) return `chunk end ${end} is not a MAC chunk boundary`;
    return null;
  }

  /** Records a stored chunk; returns the completion token when the file just became complete. */
  async recordChunk(session: UploadSession, offset: number, length: number): Promise<Buffer | undefined> {
    if (session.completion) return session.completion;
    session.covered = mergeRange(session.covered, offset, offset + length);
    const first = session.covered[0];
    const complete = session.size === 0 || (session.covered.length === 1 && first![0] === 0 && first![1] === session.size);
    if (!complete) return undefined;
    const token = randomBytes(36);
    session.completion = token;
    await session.writer.commit();
    this.completions.set(e64(token), { email: session.email, blobId: session.writer.id, size: session.size });
    return token;
  }

  /** The completed upload behind a `p` handle, if it belongs to this account (not consumed). */
  completion(handle: string, email: string): Completion | undefined {
    const found = this.completions.get(handle);
    return found && found.email === email ? found : undefined;
  }

  /** Called once `p` has attached the blob to a node: the token cannot be used again. */
  consumeCompletion(handle: string): void {
    const found = this.completions.get(handle);
    this.completions.delete(handle);
    if (found) for (const [token, s] of this.uploads) if (s.writer.id === found.blobId) this.uploads.delete(token);
  }

  issueDownload(ticket: DownloadTicket): string {
    if (this.downloads.size >= MAX_DOWNLOAD_TICKETS) this.downloads.delete(this.downloads.keys().next().value as string);
    const token = randomToken();
    this.downloads.set(token, ticket);
    return token;
  }

  /** Discards pending uploads (shutdown). Completed-but-unused blobs are collected at next start. */
  async abortAll(): Promise<void> {
    const pending = [...this.uploads.values()].filter((s) => !s.completion);
    this.uploads.clear();
    await Promise.all(pending.map((s) => s.writer.abort()));
  }
}

function mergeRange(ranges: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  const all = [...ranges, [start, end] as [number, number]].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
