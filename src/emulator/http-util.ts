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

/**
 * A JSON array already serialized element by element (the `f` reply's nodes: tens of MB for a large
 * account). sendJson writes it piece by piece as it goes, instead of first building one string of
 * the whole reply and a Buffer of it, so the client starts reading while the rest is written.
 */
export class JsonArrayText {
  constructor(readonly elements: readonly string[]) {}
}

/** Bytes per write of a reply holding a JsonArrayText. */
const WRITE_BYTES = 256 * 1024;

export function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  if (!holdsArrayText(value)) {
    send(res, status, Buffer.from(JSON.stringify(value)), 'application/json');
    return;
  }
  if (res.headersSent || res.destroyed) return;
  // Length unknown up front: chunked transfer encoding.
  res.writeHead(status, { 'Content-Type': 'application/json' });
  let pending: string[] = [];
  let size = 0;
  const out = (text: string) => {
    pending.push(text);
    size += text.length;
    if (size < WRITE_BYTES) return;
    res.write(pending.join(''));
    pending = [];
    size = 0;
  };
  writeJson(value, out);
  res.end(pending.join(''));
}

/** Whether a JsonArrayText sits in `value` or one level below its elements (a result's fields). */
function holdsArrayText(value: unknown, depth = 0): boolean {
  if (value instanceof JsonArrayText) return true;
  if (depth === 2 || typeof value !== 'object' || value === null) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => holdsArrayText(v, depth + 1));
}

function writeJson(value: unknown, out: (text: string) => void, depth = 0): void {
  if (value instanceof JsonArrayText) {
    out('[');
    value.elements.forEach((e, i) => out(i === 0 ? e : `,${e}`));
    out(']');
  } else if (depth < 2 && Array.isArray(value)) {
    out('[');
    value.forEach((v, i) => {
      if (i > 0) out(',');
      // As JSON.stringify: undefined, functions and symbols in arrays become null.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') out('null');
      else writeJson(v, out, depth + 1);
    });
    out(']');
  } else if (depth < 2 && typeof value === 'object' && value !== null && !('toJSON' in value)) {
    out('{');
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      writeJson(v, out, depth + 1);
    }
    out('}');
  } else {
    out(JSON.stringify(value));
  }
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
