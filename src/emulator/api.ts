/**
 * The `cs` endpoint: `POST /cs?id=<seq>&sid=<sid>` with a JSON array of commands; the reply is the
 * array of per-command results, or one bare negative number for the whole batch (invalid JSON -2,
 * a command other than us0/us without a live session -15). Faults (target 'api') are applied per command, before it runs.
 * Public-link reads need no session: `g` with `p`, and `f`/`g` on `cs?n=<public handle>` (links.ts);
 * faults for them match the link owner's email.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeEmail } from './accounts.js';
import { COMMANDS, SESSIONLESS, isPublicRead, type CommandContext } from './commands/index.js';
import type { Env } from './env.js';
import { ApiError, EARGS, EINTERNAL, EOVERQUOTA, ESID } from './errors.js';
import { delay, readBody, sendHttpFault, sendJson } from './http-util.js';
import { resolveLink } from './links.js';

export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, env: Env): Promise<void> {
  env.stats.apiRequests += 1;
  let batch: unknown;
  try {
    batch = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    return sendJson(res, EARGS);
  }
  if (!Array.isArray(batch)) return sendJson(res, EARGS);

  const sid = url.searchParams.get('sid') ?? undefined;
  const account = env.state.accountForSid(sid);
  const ctx: CommandContext = { state: env.state, transfers: env.transfers, stats: env.stats, baseUrl: env.baseUrl };
  if (account) ctx.account = account;
  if (sid) ctx.sid = sid;
  const linkHandle = url.searchParams.get('n') ?? undefined;
  if (linkHandle !== undefined) {
    ctx.linkHandle = linkHandle;
    const link = resolveLink(env.state, linkHandle);
    if (link) ctx.folderLink = link;
  }

  const results: unknown[] = [];
  for (const cmd of batch) {
    const name = cmd && typeof cmd === 'object' && typeof cmd.a === 'string' ? (cmd.a as string) : '?';
    env.stats.countCommand(name);
    // us0/us ignore a stale sid (megajs keeps the old one when it logs in again).
    const publicRead = isPublicRead(name, cmd, linkHandle);
    if (!account && !SESSIONLESS.has(name) && !publicRead) return sendJson(res, ESID);

    const owner = publicRead ? (ctx.folderLink ?? (typeof cmd?.p === 'string' ? resolveLink(env.state, cmd.p) : undefined))?.account : undefined;
    const email = owner?.record.email ?? account?.record.email ?? (typeof cmd?.user === 'string' ? normalizeEmail(cmd.user) : undefined);
    const fault = env.faults.take(email === undefined ? { target: 'api', command: name } : { target: 'api', command: name, email });
    if (fault) {
      env.stats.faultsInjected += 1;
      if (fault.delayMs) await delay(fault.delayMs);
      if (fault.http !== undefined) return sendHttpFault(res, fault.http, fault);
      if (fault.drop) return void req.socket.destroy();
      if (fault.error !== undefined) {
        if (fault.batch) return sendJson(res, fault.error);
        results.push(name === 'g' && fault.error === EOVERQUOTA ? { e: EOVERQUOTA, tl: fault.timeLeft ?? 3600 } : fault.error);
        continue;
      }
    }

    const handler = COMMANDS[name];
    if (!handler) {
      results.push(EARGS);
      continue;
    }
    try {
      results.push(await handler(cmd as Record<string, unknown>, ctx));
    } catch (error) {
      if (error instanceof ApiError) results.push(error.code);
      else {
        env.log(`emulator: command ${name} failed: ${(error as Error).stack ?? String(error)}`);
        results.push(EINTERNAL);
      }
    }
  }
  sendJson(res, results);
}
