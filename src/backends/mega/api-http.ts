/**
 * The API's HTTP transport: one JSON POST to the gateway on node:http / node:https with keep-alive
 * agents, the reply as the socket's pieces.
 *
 * Why not fetch: a process's first fetch loads undici and compiles its HTTP parser to WebAssembly,
 * 95-110 ms here against 13 ms for a first node:http request, and every MEGA run pays it (a 128 MiB
 * upload takes about 1.1 s in all).
 *
 * Contract: resolves once the reply's status and headers are in; `pieces()` yields its body (and
 * throws if the connection breaks before the end), `cancel()` drops it. Rejects with the request's
 * error (node:http's own, for errors.ts's `classify`) or, once `signal` is aborted, with an
 * AbortError.
 */

import http from 'node:http';
import https from 'node:https';

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
};

export interface ApiReply {
  status: number;
  pieces(): AsyncIterable<Buffer>;
  /** The whole body. */
  bytes(): Promise<Buffer>;
  cancel(): void;
}

export function postJson(url: string, body: string, signal: AbortSignal): Promise<ApiReply> {
  return new Promise<ApiReply>((resolve, reject) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const payload = Buffer.from(body);
    const req = (secure ? https : http).request(u, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      signal,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      // After the head, a failure of the body shows in pieces(); none may go unhandled meanwhile.
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        pieces: () => res,
        bytes: async () => {
          const parts: Buffer[] = [];
          for await (const piece of res) parts.push(piece as Buffer);
          return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        },
        cancel: () => res.destroy(),
      });
    });
    req.end(payload);
  });
}
