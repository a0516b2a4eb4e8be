/**
 * The control endpoint, for tests that drive the emulator from another process (JSON in, JSON out;
 * errors are `{error: message}` with status 400/404). Loopback only, like the whole server.
 *
 *   GET    /__emulator/health                  -> {ok: true, pid, cpuMicros: {user, system}, rssBytes}
 *   GET    /__emulator/stats                   -> StatsSnapshot
 *   DELETE /__emulator/stats                   -> StatsSnapshot before the reset
 *   GET    /__emulator/faults                  -> {faults: ActiveFault[]}
 *   POST   /__emulator/faults                  FaultRule | FaultRule[] | {faults?: FaultRule[], seed?, clear?}
 *                                              -> {ids: string[]}
 *   DELETE /__emulator/faults[/<id>]           -> {removed: number}
 *   POST   /__emulator/accounts                AccountSpec -> {email, userHandle, masterKey (base64url), created}
 *   POST   /__emulator/accounts/<email>/settings  Partial<AccountSettings> -> AccountSettings
 *   POST   /__emulator/sessions/expire         {email?} | {sid?} -> {expired: number}
 *   GET    /__emulator/nodes?email=<email>     -> {f, f2} (what `f` would list)
 *   POST   /__emulator/nodes                   {email, ...InsertNodeSpec with data as base64} -> {h}
 *   POST   /__emulator/links                   {email, password, handle? | path?} -> {url, ph, handle}
 *                                              (export as a public link; the url holds the key)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountSpec } from './accounts.js';
import { e64 } from './b64.js';
import type { FaultRule } from './faults.js';
import { readBody, sendJson } from './http-util.js';
import type { InsertNodeSpec } from './inject.js';
import type { ExportedLink } from './links.js';
import type { AccountSettings } from './types.js';

/** What the control endpoint needs from the emulator (implemented in index.ts). */
export interface ControlTarget {
  env: import('./env.js').Env;
  ensureAccount(spec: AccountSpec): Promise<{ email: string; userHandle: string; masterKey: Buffer; created: boolean }>;
  setAccountSettings(email: string, settings: Partial<AccountSettings>): AccountSettings;
  insertNode(email: string, spec: InsertNodeSpec): Promise<string>;
  listNodes(email: string): unknown;
  exportLink(email: string, spec: { password: string; handle?: string; path?: string }): Promise<ExportedLink>;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, target: ControlTarget): Promise<void> {
  try {
    const body = req.method === 'POST' ? parse(await readBody(req)) : (req.resume(), undefined);
    sendJson(res, await route(req.method ?? 'GET', url, body, target));
  } catch (error) {
    const status = error instanceof ControlError ? error.status : 400;
    sendJson(res, { error: (error as Error).message }, status);
  }
}

async function route(method: string, url: URL, body: any, target: ControlTarget): Promise<unknown> {
  const { env } = target;
  const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
  const key = `${method} ${parts[0] ?? ''}`;
  switch (key) {
    case 'GET health':
      return { ok: true, pid: process.pid, cpuMicros: process.cpuUsage(), rssBytes: process.memoryUsage.rss() };
    case 'GET stats':
      return env.stats.snapshot();
    case 'DELETE stats': {
      const before = env.stats.snapshot();
      env.stats.reset();
      return before;
    }
    case 'GET faults':
      return { faults: env.faults.list() };
    case 'POST faults': {
      if (Array.isArray(body) || body?.target) return { ids: env.faults.add(body as FaultRule | FaultRule[]) };
      if (body?.clear) env.faults.clear();
      if (typeof body?.seed === 'number') env.faults.seed(body.seed);
      return { ids: body?.faults ? env.faults.add(body.faults as FaultRule[]) : [] };
    }
    case 'DELETE faults': {
      if (parts[1]) return { removed: env.faults.remove(parts[1]) ? 1 : 0 };
      const removed = env.faults.list().length;
      env.faults.clear();
      return { removed };
    }
    case 'POST accounts': {
      if (parts[2] === 'settings' && parts[1]) return target.setAccountSettings(parts[1], body ?? {});
      const made = await target.ensureAccount(body as AccountSpec);
      return { email: made.email, userHandle: made.userHandle, masterKey: e64(made.masterKey), created: made.created };
    }
    case 'POST sessions':
      if (parts[1] !== 'expire') break;
      return { expired: env.state.expireSessions(body ?? {}) };
    case 'GET nodes':
      return target.listNodes(url.searchParams.get('email') ?? '');
    case 'POST nodes': {
      const { email, data, ...spec } = body ?? {};
      const insert: InsertNodeSpec = { ...spec };
      if (typeof data === 'string') insert.data = Buffer.from(data, 'base64');
      return { h: await target.insertNode(String(email), insert) };
    }
    case 'POST links': {
      const { email, password, handle, path } = body ?? {};
      return target.exportLink(String(email), {
        password: String(password),
        ...(typeof handle === 'string' ? { handle } : {}),
        ...(typeof path === 'string' ? { path } : {}),
      });
    }
  }
  throw new ControlError(404, `no control endpoint ${method} ${url.pathname}`);
}

function parse(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  return JSON.parse(body.toString('utf8'));
}
