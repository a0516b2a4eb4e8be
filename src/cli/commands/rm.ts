import type { Command } from 'commander';
import type { ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { MegamirrorError } from '../../errors.js';
import { quickContext } from '../quick/context.js';
import { addressed, locate, notFound, parentOf, release } from '../quick/locate.js';
import { remoteArg } from '../quick/remote-arg.js';

interface RmOptions extends ConfigOption {
  recursive?: boolean;
}

/**
 * `megamirror rm [-r] REMOTE:/path`: a file (every same-named copy in its folder), or with `-r` a
 * folder and everything below it, in one request. To the Rubbish Bin unless the remote has
 * `permanent_delete: true`.
 */
export function registerRm(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('rm')
    .description('remove a MEGA file, or a folder with -r (to the Rubbish Bin unless permanent_delete)')
    .argument('<target>', 'REMOTE:/path')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-r, --recursive', 'remove a folder and everything below it')
    .action(async (arg: string, o: RmOptions) => {
      const q = await quickContext(o, [arg]);
      const target = remoteArg(q, arg, 'rm');
      const up = parentOf(target);
      if (!up) throw new MegamirrorError('usage', 'refusing to remove the Cloud Drive itself', { where: arg });
      const at = await locate(q, target);
      await release(at);
      if (at.kind === 'missing') throw notFound(at);
      if (at.kind === 'dir' && !o.recursive) throw new MegamirrorError('usage', 'is a folder: use rm -r to remove it with everything below it', { where: at.shown });
      const parent = await q.openAt(up.parent);
      try {
        if (at.kind === 'dir') {
          await parent.removeTree(up.name);
        } else {
          // MEGA may hold several files of one name: remove them all, as the name is what was asked.
          const { skipped } = await parent.list({ prune: () => true });
          for (const d of skipped) if (d.reason === 'duplicate' && d.path === up.name && d.id) await parent.deleteFile(up.name, { id: d.id });
          await parent.deleteFile(up.name);
        }
        io.out(`removed ${at.shown}${parent.capabilities.deleteGoesToTrash ? ' (to the Rubbish Bin)' : ''}`);
        setExit(EXIT.ok);
      } catch (err) {
        throw addressed(err, at.shown);
      } finally {
        await parent.close();
      }
    });
}
