/** Small HTTP helpers shared by the API, sc, storage and control handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads a whole (small) request body; rejects past `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let size = 0;
    req.on('data', (piece: Buffer) => {
      size += piece.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      pieces.push(piece);
    });
    req.on('end', () => resolve(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  send(res, status, Buffer.from(JSON.stringify(value)), 'application/json');
}

export function send(res: ServerResponse, status: number, body: Buffer | string, type = 'text/plain'): void {
  if (res.headersSent || res.destroyed) return;
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': data.length });
  res.end(data);
}

/** An HTTP error reply as the MEGA servers give them (509 carries X-MEGA-Time-Left). */
export function sendHttpFault(res: ServerResponse, status: number, opts: { statusText?: string; timeLeft?: number }): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { 'Content-Length': 0 };
  if (status === 509) headers['X-MEGA-Time-Left'] = opts.timeLeft ?? 3600;
  if (opts.statusText) res.writeHead(status, opts.statusText, headers);
  else res.writeHead(status, headers);
  res.end();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
