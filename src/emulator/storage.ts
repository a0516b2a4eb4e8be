/**
 * The storage server: upload and download URLs handed out by `u` and `g`, on the same loopback
 * server as the API.
 *
 * Upload  `POST /ul/<token>/<offset>` (Content-Length required): 200 with an empty body when the
 *   chunk is stored, 200 with the 36-byte completion token when the file just became complete,
 *   200 with a negative number as text on error (-7 chunk off the MAC boundaries or past the end,
 *   -8 unknown URL). Bodies are stored as received (ciphertext; never inspected).
 * Download `GET /dl/<token>[/<start>-<end>]` (end inclusive, or `<start>-` to the end): 200 with
 *   the bytes; 404 unknown URL; 416 bad range; 509 + X-MEGA-Time-Left over the transfer quota.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Env } from './env.js';
import { EEXPIRED, ERANGE } from './errors.js';
import { delay, send, sendHttpFault } from './http-util.js';

export async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, env: Env): Promise<void> {
  const [, , token = '', offsetText = ''] = url.pathname.split('/');
  env.stats.uploadChunks += 1;
  const session = env.transfers.uploads.get(token);
  if (!session) return reject(req, res, String(EEXPIRED));
  const length = Number(req.headers['content-length']);
  const offset = Number(offsetText);
  if (req.headers['content-length'] === undefined || !Number.isSafeInteger(length)) {
    req.resume();
    return send(res, 411, '');
  }

  const fault = env.faults.take({ target: 'upload', email: session.email });
  if (fault) {
    env.stats.faultsInjected += 1;
    if (fault.delayMs) await delay(fault.delayMs);
    if (fault.http !== undefined) return reject(req, res, '', fault.http, fault);
    if (fault.error !== undefined) return reject(req, res, String(fault.error));
    if (fault.drop) dropAfter(req, fault.dropAfterBytes ?? Math.floor(length / 2));
  }

  if (session.completion) return reject(req, res, session.completion);
  const problem = env.transfers.checkChunk(session, offset, length);
  if (problem) return reject(req, res, String(ERANGE));

  let stored: number;
  try {
    stored = await session.writer.receive(req, offset, length);
  } catch {
    return void req.socket.destroy();
  }
  env.stats.bytesUploaded += stored;
  const completion = await env.transfers.recordChunk(session, offset, length);
  if (completion) env.stats.uploads += 1;
  send(res, 200, completion ?? Buffer.alloc(0), 'application/octet-stream');
}

export async function handleDownload(req: IncomingMessage, res: ServerResponse, url: URL, env: Env): Promise<void> {
  req.resume();
  env.stats.downloadRequests += 1;
  const [, , token = '', rangeText] = url.pathname.split('/');
  const ticket = env.transfers.downloads.get(token);
  if (!ticket || !env.state.blobs.has(ticket.blobId)) return send(res, 404, '');
  const range = parseRange(rangeText, ticket.size);
  if (!range) return send(res, 416, '');
  const [start, end] = range;
  const length = end - start;
  const account = env.state.account(ticket.email);

  const fault = env.faults.take({ target: 'download', email: ticket.email });
  if (fault) {
    env.stats.faultsInjected += 1;
    if (fault.delayMs) await delay(fault.delayMs);
    if (fault.http !== undefined) return sendHttpFault(res, fault.http, fault);
  }
  if (account) {
    const { settings } = account.record;
    if (length > 0 && account.record.transferUsed + length > settings.transferQuota) {
      return sendHttpFault(res, 509, { timeLeft: settings.transferTimeLeft });
    }
  }

  if (res.destroyed) return;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': length });
  const cut = fault?.drop ? Math.min(length, fault.dropAfterBytes ?? Math.floor(length / 2)) : Infinity;
  const flipAt = fault?.corrupt && length > 0 ? length >> 1 : -1;
  let sent = 0;
  try {
    if (cut === 0) throw new Dropped();
    await env.state.blobs.read(ticket.blobId, start, end, async (piece) => {
      let out = piece;
      if (flipAt >= sent && flipAt < sent + piece.length) {
        out = Buffer.from(piece); // never mutate stored bytes
        out[flipAt - sent]! ^= 0xff;
      }
      if (sent + out.length >= cut) out = out.subarray(0, cut - sent);
      // Counted before the write, so a client that has the bytes sees them in stats.
      sent += out.length;
      env.stats.bytesDownloaded += out.length;
      if (account) account.record.transferUsed += out.length;
      await write(res, out);
      if (sent >= cut) throw new Dropped();
    });
  } catch {
    // Dropped on purpose, client gone, or the blob vanished mid-read: cut the connection, so the
    // client sees a short body rather than a hang.
    res.flushHeaders();
    setImmediate(() => res.socket?.destroy());
    return;
  }
  res.end();
  if (account && sent > 0) env.state.changed();
}

/** Thrown to stop a download part-way (fault `drop`). */
class Dropped extends Error {}

/** Resolves once `data` was handed to the socket (so a pooled buffer may be reused). */
function write(res: ServerResponse, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('client went away'));
    const gone = (): void => reject(new Error('client went away'));
    res.once('close', gone);
    res.write(data, (error) => {
      res.off('close', gone);
      if (error) reject(error);
      else resolve();
    });
  });
}

/** Parses `<start>-<end>` (end inclusive) into [start, endExclusive); no range means the whole file. */
export function parseRange(text: string | undefined, size: number): [number, number] | null {
  if (text === undefined || text === '') return [0, size];
  const match = /^(\d+)-(\d*)$/.exec(text);
  if (!match) return null;
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Number(match[2]);
  if (start > end + 1 || end >= size) return null;
  return [start, end + 1];
}

/** Answers without storing the body (drained, so the connection stays usable). */
function reject(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Buffer,
  status = 200,
  fault?: { statusText?: string; timeLeft?: number },
): void {
  req.resume();
  if (status !== 200) return sendHttpFault(res, status, fault ?? {});
  send(res, 200, body, 'application/octet-stream');
}

function dropAfter(req: IncomingMessage, bytes: number): void {
  if (bytes <= 0) {
    req.socket.destroy();
    return;
  }
  let seen = 0;
  req.on('data', (piece: Buffer) => {
    seen += piece.length;
    if (seen >= bytes) req.socket.destroy();
  });
}
