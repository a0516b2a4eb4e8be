import type { Command } from 'commander';
import type { ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { formatEndpoint } from '../../config/endpoints.js';
import { MegamirrorError } from '../../errors.js';
import { quickContext } from '../quick/context.js';
import { addressed } from '../quick/locate.js';
import { remoteArg } from '../quick/remote-arg.js';

/** `megamirror mkdir REMOTE:/path`: the folder and any missing parents; nothing to do when it exists. */
export function registerMkdir(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('mkdir')
    .description('create a MEGA folder and any missing parents')
    .argument('<target>', 'REMOTE:/path')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .action(async (arg: string, o: ConfigOption) => {
      const q = await quickContext(o, [arg]);
      const target = remoteArg(q, arg, 'mkdir');
      const shown = formatEndpoint(target);
      const b = await q.openAt(target);
      try {
        const root = await b.probeRoot();
        if (root === 'not-a-folder') throw new MegamirrorError('exists', 'a file is in the way (this path or one of its parents)', { where: shown });
        if (root === 'missing') await b.mkdir('');
        io.out(root === 'ok' ? `${shown} exists` : `created ${shown}`);
        setExit(EXIT.ok);
      } catch (err) {
        throw addressed(err, shown);
      } finally {
        await b.close();
      }
    });
}
