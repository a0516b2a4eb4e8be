import { posix } from 'node:path';
import type { Command } from 'commander';
import { formatEndpoint } from '../../config/endpoints.js';
import { MegamirrorError } from '../../errors.js';
import type { ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { quickContext } from '../quick/context.js';
import { addressed, locate, notFound, release } from '../quick/locate.js';
import { remoteArg } from '../quick/remote-arg.js';

/**
 * `megamirror mv REMOTE:/a REMOTE:/b`: move or rename a file or folder on one account, on the
 * server (nothing is transferred). Into B when B is a folder; otherwise B is the new path, whose
 * folder must exist. An existing file at B is an error, never overwritten.
 */
export function registerMv(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('mv')
    .description('move or rename a MEGA file or folder (on the server; into B when B is a folder)')
    .argument('<from>', 'REMOTE:/path')
    .argument('<to>', 'REMOTE:/path on the same remote')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .action(async (a: string, b: string, o: ConfigOption) => {
      const q = await quickContext(o, [a, b]);
      const from = remoteArg(q, a, 'mv');
      const to = remoteArg(q, b, 'mv');
      if (from.remote !== to.remote) throw new MegamirrorError('usage', 'mv works within one remote: use get and put between accounts', { where: formatEndpoint(to) });
      if (from.path === '/') throw new MegamirrorError('usage', 'the Cloud Drive itself cannot be moved', { where: formatEndpoint(from) });
      const src = await locate(q, from);
      await release(src);
      if (src.kind === 'missing') throw notFound(src);
      const dst = await locate(q, to);
      await release(dst);
      if (dst.kind === 'file') throw new MegamirrorError('exists', 'a file is already there; remove it first', { where: dst.shown });
      const target = dst.kind === 'dir' ? posix.join(to.path, posix.basename(from.path)) : to.path;
      const drive = await q.openAt({ ...from, path: '/' });
      const shown = formatEndpoint({ ...to, path: target });
      try {
        if (!drive.move) throw new MegamirrorError('usage', 'this storage cannot move files', { where: src.shown });
        await drive.move(rel(from.path), rel(target));
        io.out(`${src.shown} -> ${shown}`);
        setExit(EXIT.ok);
      } catch (err) {
        throw addressed(err, err instanceof MegamirrorError && err.where === rel(from.path) ? src.shown : shown);
      } finally {
        await drive.close();
      }
    });
}

function rel(absolute: string): string {
  return absolute.normalize('NFC').replace(/^\/+/, '');
}
