import { posix } from 'node:path';
import type { Command } from 'commander';
import { formatEndpoint } from '../../config/endpoints.js';
import type { Endpoint } from '../../config/types.js';
import { adHocJob } from '../../engine/ad-hoc.js';
import { MegamirrorError } from '../../errors.js';
import { formatBytes } from '../../report/format.js';
import type { ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { quickContext, type Quick } from '../quick/context.js';
import { copyOne } from '../quick/copy-one.js';
import { addressed, locate, notFound, release } from '../quick/locate.js';
import { runAdHoc } from '../quick/run-ad-hoc.js';
import { interruptOnSignals } from '../signals.js';

interface PutOptions extends ConfigOption {
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * `megamirror put LOCAL REMOTE:/path`: a file goes into the folder REMOTE:/path names (or a path
 * ending in `/`), else to that path (missing folders are created); a same-named file there is
 * replaced, never duplicated. A folder is copied recursively into REMOTE:/path by an ad-hoc mirror
 * job that adds and updates but never deletes.
 */
export function registerPut(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('put')
    .description('upload a local file or folder to MEGA: REMOTE:/path')
    .argument('<local>', 'local file or folder')
    .argument('<destination>', 'REMOTE:/path')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-q, --quiet', 'no progress')
    .option('-v, --verbose', 'one line per file')
    .action(async (src: string, dst: string, o: PutOptions) => {
      const q = await quickContext(o, [src, dst]);
      const source = q.endpoint(src);
      const destination = q.endpoint(dst);
      if (source.type !== 'local') throw new MegamirrorError('usage', 'put uploads a local file or folder (use get to download)', { where: formatEndpoint(source) });
      if (destination.type !== 'remote') {
        throw new MegamirrorError('usage', 'put copies to MEGA: the destination is REMOTE:/path', { where: formatEndpoint(destination) });
      }
      const at = await locate(q, source);
      try {
        if (at.kind === 'missing') throw notFound(at);
        if (at.kind === 'dir') {
          setExit(await runAdHoc(adHocJob({ name: 'put', source, destination, delete: false }), q, io, o));
          return;
        }
        const target = await remoteTarget(q, destination, dst.endsWith('/'), at.name);
        const shown = formatEndpoint(target.file);
        const folder = await q.openAt(target.folder);
        const interrupt = interruptOnSignals();
        try {
          await folder.mkdir('', { signal: interrupt.signal });
          await copyOne({ from: at.parent, fromPath: at.name, entry: at.entry, to: folder, toPath: target.name, signal: interrupt.signal });
        } catch (err) {
          throw addressed(err, shown);
        } finally {
          interrupt.dispose();
          await folder.close();
        }
        io.out(`${at.shown} -> ${shown} (${formatBytes(at.entry.size)})`);
        setExit(EXIT.ok);
      } finally {
        await release(at);
      }
    });
}

type Remote = Extract<Endpoint, { type: 'remote' }>;

/** The folder a file goes into and its name there. */
async function remoteTarget(q: Quick, dest: Remote, trailingSlash: boolean, localName: string): Promise<{ folder: Remote; name: string; file: Remote }> {
  const name = localName.normalize('NFC');
  const into = (folder: Remote) => ({ folder, name, file: { ...folder, path: posix.join(folder.path, name) } });
  if (trailingSlash || dest.path === '/') return into(dest);
  const at = await locate(q, dest);
  await release(at);
  if (at.kind === 'dir') return into(dest);
  return { folder: { ...dest, path: posix.dirname(dest.path) }, name: posix.basename(dest.path).normalize('NFC'), file: dest };
}
