/**
 * The one HTTP server (API, sc, storage and control on one loopback port) and its routing.
 *
 *   POST /cs                 API commands (api.ts)
 *   POST|GET /sc             sc poll; /wsc/<user> its long-poll (sc-http.ts)
 *   POST /ul/<token>/<off>   upload chunks; GET /dl/<token>[/<range>] downloads (storage.ts)
 *   /__emulator/...          control (control.ts)
 *
 * close() answers every open long-poll, destroys every socket and resolves once the server is
 * closed, so a test runner exits promptly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleApi } from './api.js';
import { handleControl, type ControlTarget } from './control.js';
import type { Env } from './env.js';
import { send } from './http-util.js';
import { handleScPoll, handleScWait } from './sc-http.js';
import { handleDownload, handleUpload } from './storage.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export async function startServer(env: Env, control: ControlTarget, host: string, port: number): Promise<RunningServer> {
  if (!LOOPBACK.has(host)) throw new Error(`the emulator listens on loopback only, not ${host}`);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(req, res, env, control).catch((error: unknown) => {
      env.log(`emulator: ${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error).stack ?? String(error)}`);
      send(res, 500, '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');

  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const cancel of [...env.waits]) cancel();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, env: Env, control: ControlTarget): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/cs' && method === 'POST') return handleApi(req, res, url, env);
  if (path === '/sc') return handleScPoll(req, res, url, env);
  if (path.startsWith('/wsc/')) return handleScWait(req, res, url, env);
  if (path.startsWith('/ul/') && method === 'POST') return handleUpload(req, res, url, env);
  if (path.startsWith('/dl/') && (method === 'GET' || method === 'POST')) return handleDownload(req, res, url, env);
  if (path.startsWith('/__emulator/')) return handleControl(req, res, url, control);
  req.resume();
  send(res, 404, '');
}
