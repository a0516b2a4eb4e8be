/**
 * The server-to-client channel over HTTP (see sc.ts for the contract).
 * - `POST|GET /sc?sn=<sn>&sid=<sid>`: `{a: [...], sn}` or `{w: <base>wsc/<user handle>?sn=<sn>}`;
 *   bare -15 for a dead session, -2 for a bad sn, -6 for an sn older than the kept log.
 * - `POST|GET /wsc/<user handle>?sn=<sn>`: answers `0` when the account has packets newer than sn,
 *   or after `scWaitMs`; ends early when the client goes away or the emulator closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Env } from './env.js';
import { ESID } from './errors.js';
import { delay, send, sendHttpFault, sendJson } from './http-util.js';

export async function handleScPoll(req: IncomingMessage, res: ServerResponse, url: URL, env: Env): Promise<void> {
  req.resume();
  env.stats.scPolls += 1;
  const account = env.state.accountForSid(url.searchParams.get('sid'));
  if (!account) return sendJson(res, ESID);
  const fault = env.faults.take({ target: 'sc', email: account.record.email });
  if (fault) {
    env.stats.faultsInjected += 1;
    if (fault.delayMs) await delay(fault.delayMs);
    if (fault.http !== undefined) return sendHttpFault(res, fault.http, fault);
    if (fault.drop) return void req.socket.destroy();
    if (fault.error !== undefined) return sendJson(res, fault.error);
  }
  const sn = url.searchParams.get('sn') ?? '';
  const found = account.sc.since(sn);
  if (typeof found === 'number') return sendJson(res, found);
  if (found === null) {
    const wait = `${env.baseUrl}wsc/${account.record.handle}?sn=${encodeURIComponent(sn)}`;
    return sendJson(res, { w: wait });
  }
  env.stats.scPacketsDelivered += found.packets.length;
  sendJson(res, { a: found.packets, sn: found.sn });
}

export async function handleScWait(req: IncomingMessage, res: ServerResponse, url: URL, env: Env): Promise<void> {
  req.resume();
  const handle = url.pathname.split('/')[2] ?? '';
  const account = [...env.state.accounts.values()].find((a) => a.record.handle === handle);
  if (!account) return send(res, 404, '');
  const { done, cancel } = account.sc.waitFor(url.searchParams.get('sn') ?? '', env.scWaitMs);
  env.waits.add(cancel);
  res.on('close', cancel);
  await done;
  env.waits.delete(cancel);
  send(res, 200, '0');
}
