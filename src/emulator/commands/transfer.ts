/**
 * Transfer commands: u (upload URL), g (download URL).
 *
 * u: `{s: size}` -> `{p: <base>ul/<token>}`; -2 for a bad size, -17 if the storage quota would be
 *    exceeded.
 * g: `{n: handle, g: 1}` -> `{s, at, g: <base>dl/<token>}` (without `g:1`: `{s, at}`); -9 for an
 *    unknown node, -11 for a folder; over the transfer quota `{e: -17, tl: seconds}`.
 *    Public links (links.ts), no session needed: `{p: <public handle>}` reads a file link;
 *    `{n}` on `cs?n=<public handle>` reads a file inside that folder link (-9 outside it).
 *    Their downloads count against the owner's transfer quota.
 */
import { ApiError, EACCESS, EARGS, ENOENT, EOVERQUOTA } from '../errors.js';
import { insideFolderLink, resolveLink } from '../links.js';
import type { Account } from '../state.js';
import type { NodeRecord } from '../types.js';
import { account, type Command, type CommandContext, type CommandHandler } from './context.js';

export const u: CommandHandler = async (cmd, ctx) => {
  const acc = account(ctx);
  const size = cmd.s;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ApiError(EARGS);
  if (acc.tree.bytesUsed() + size > acc.record.settings.storageQuota) throw new ApiError(EOVERQUOTA);
  const session = await ctx.transfers.startUpload(acc.record.email, size);
  ctx.stats.uploadsStarted += 1;
  return { p: `${ctx.baseUrl}ul/${session.token}` };
};

export const g: CommandHandler = (cmd, ctx) => {
  if (typeof cmd.p === 'string') {
    const link = resolveLink(ctx.state, cmd.p);
    if (!link) throw new ApiError(ENOENT);
    return download(cmd, ctx, link.account, link.node);
  }
  if (ctx.linkHandle !== undefined) {
    const link = ctx.folderLink;
    if (!link || typeof cmd.n !== 'string' || !insideFolderLink(link, cmd.n)) throw new ApiError(ENOENT);
    return download(cmd, ctx, link.account, link.account.tree.get(cmd.n)!);
  }
  const acc = account(ctx);
  if (typeof cmd.n !== 'string') throw new ApiError(ENOENT);
  const node = acc.tree.get(cmd.n);
  if (!node) throw new ApiError(ENOENT);
  return download(cmd, ctx, acc, node);
};

function download(cmd: Command, ctx: CommandContext, acc: Account, node: NodeRecord): unknown {
  if (node.t !== 0 || !node.blob) throw new ApiError(EACCESS);
  const size = node.s ?? 0;
  if (!cmd.g) return { s: size, at: node.a };
  const { settings, transferUsed } = acc.record;
  if (size > 0 && transferUsed >= settings.transferQuota) return { e: EOVERQUOTA, tl: settings.transferTimeLeft };
  const token = ctx.transfers.issueDownload({ email: acc.record.email, blobId: node.blob, size });
  ctx.stats.downloads += 1;
  const reply: Record<string, unknown> = { s: size, at: node.a, g: `${ctx.baseUrl}dl/${token}`, msd: 1, tl: 0 };
  if (node.fa) reply.fa = node.fa;
  return reply;
}
