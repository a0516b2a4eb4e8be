/**
 * l: `{n}` -> the public handle of a file or folder (created on first use, see links.ts);
 *    `{n, d: 1}` -> 0 after removing the link. Unknown node -9; roots and old versions -11.
 */
import { ApiError, EACCESS, ENOENT } from '../errors.js';
import { exportNode, unexportNode } from '../links.js';
import { account, str, type CommandHandler } from './context.js';

export const l: CommandHandler = (cmd, ctx) => {
  const acc = account(ctx);
  const node = acc.tree.get(str(cmd, 'n'));
  if (!node) throw new ApiError(ENOENT);
  if ((node.t !== 0 && node.t !== 1) || acc.tree.isVersion(node.h)) throw new ApiError(EACCESS);
  if (cmd.d === 1) {
    unexportNode(ctx.state, acc, node.h);
    return 0;
  }
  return exportNode(ctx.state, acc, node.h);
};
