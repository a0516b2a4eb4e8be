/**
 * Login and account commands: us0 (prelogin), us (login), ug (user), uq (quota), sml (logout).
 *
 * us: unknown user or wrong `uh` -> -9; 2FA account without `mfa` -> -26, wrong code -> -5;
 *     else {k, csid, privk, u, ach} and a new session (csid decrypts to the sid, see rsa.ts).
 * sml: ends the calling session; later requests with its sid get -15.
 */
import { loginReply, newSessionId, preloginReply, uhMatches } from '../accounts.js';
import { ApiError, EFAILED, EMFAREQUIRED, ENOENT } from '../errors.js';
import { account, str, type CommandHandler } from './context.js';

export const us0: CommandHandler = (cmd, ctx) => preloginReply(ctx.state.account(str(cmd, 'user'))?.record);

export const us: CommandHandler = (cmd, ctx) => {
  const found = ctx.state.account(str(cmd, 'user'));
  if (!found || !uhMatches(found.record, cmd.uh)) throw new ApiError(ENOENT);
  const { record } = found;
  if (record.mfa !== undefined) {
    if (cmd.mfa === undefined || cmd.mfa === '') throw new ApiError(EMFAREQUIRED);
    if (String(cmd.mfa) !== record.mfa) throw new ApiError(EFAILED);
  }
  const sid = newSessionId();
  ctx.state.openSession(record.email, sid);
  return loginReply(record, sid);
};

export const ug: CommandHandler = (_cmd, ctx) => {
  const { record } = account(ctx);
  return {
    u: record.handle,
    email: record.email,
    name: record.name,
    k: record.k,
    privk: record.privk,
    pubk: record.pubk,
    since: record.createdAt,
    c: 1,
    s: 1,
  };
};

export const uq: CommandHandler = (_cmd, ctx) => {
  const { record, tree } = account(ctx);
  const perRoot: Record<string, number[]> = {};
  for (const root of [record.roots.drive, record.roots.inbox, record.roots.rubbish]) {
    let bytes = 0, files = 0, folders = 0, versionBytes = 0, versions = 0;
    for (const node of tree.subtree(root)) {
      if (node.h === root) continue;
      if (node.t === 1) folders += 1;
      else if (node.t === 0 && tree.isVersion(node.h)) (versions += 1), (versionBytes += node.s ?? 0);
      else if (node.t === 0) (files += 1), (bytes += node.s ?? 0);
    }
    perRoot[root] = [bytes + versionBytes, files, folders, versionBytes, versions];
  }
  return {
    cstrg: tree.bytesUsed(),
    mstrg: record.settings.storageQuota,
    cstrgn: perRoot,
    caxfer: record.transferUsed,
    mxfer: record.settings.transferQuota,
    csxfer: 0,
    srvratio: 0,
    utype: 0,
    uslw: 9000,
  };
};

export const sml: CommandHandler = (_cmd, ctx) => {
  if (ctx.sid) ctx.state.closeSession(ctx.sid);
  return 0;
};
