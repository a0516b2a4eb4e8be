import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { adHocJob } from '../../engine/ad-hoc.js';
import { MegamirrorError, fromSystemError } from '../../errors.js';
import { formatBytes } from '../../report/format.js';
import type { ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { quickContext } from '../quick/context.js';
import { copyOne } from '../quick/copy-one.js';
import { addressed, locate, notFound, release } from '../quick/locate.js';
import { runAdHoc } from '../quick/run-ad-hoc.js';
import { interruptOnSignals } from '../signals.js';

interface GetOptions extends ConfigOption {
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * `megamirror get SOURCE LOCAL`: SOURCE is `REMOTE:/path` or a MEGA link. A file goes to LOCAL (or
 * into LOCAL when that is a folder or ends in `/`), written atomically and checked against its MAC.
 * A folder is copied recursively into LOCAL (created if missing) by an ad-hoc mirror job that adds
 * and updates but never deletes (as `rclone copy`).
 */
export function registerGet(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('get')
    .description('download a MEGA file or folder (or a link) to a local path')
    .argument('<source>', 'REMOTE:/path or https://mega.nz/... link')
    .argument('<local>', 'local file or folder')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-q, --quiet', 'no progress')
    .option('-v, --verbose', 'one line per file')
    .action(async (src: string, dst: string, o: GetOptions) => {
      const q = await quickContext(o, [src]);
      const source = q.endpoint(src);
      if (source.type === 'local') throw new MegamirrorError('usage', 'get copies from MEGA: the source is REMOTE:/path or a link (use put to upload)', { where: src });
      const at = await locate(q, source);
      try {
        if (at.kind === 'missing') throw notFound(at);
        if (at.kind === 'dir') {
          const job = adHocJob({ name: 'get', source, destination: { type: 'local', path: resolve(dst) }, delete: false });
          setExit(await runAdHoc(job, q, io, o));
          return;
        }
        const target = await localTarget(dst, at.name);
        await mkdir(dirname(target), { recursive: true }).catch((e: unknown) => {
          throw fromSystemError(e, dirname(target));
        });
        const to = await q.openAt({ type: 'local', path: dirname(target) });
        const interrupt = interruptOnSignals();
        try {
          await copyOne({ from: at.parent, fromPath: at.name, entry: at.entry, to, toPath: basename(target), signal: interrupt.signal });
        } catch (err) {
          throw addressed(err, at.shown);
        } finally {
          interrupt.dispose();
          await to.close();
        }
        io.out(`${at.shown} -> ${target} (${formatBytes(at.entry.size)})`);
        setExit(EXIT.ok);
      } finally {
        await release(at);
      }
    });
}

/** Where a downloaded file goes: into an existing folder (or a path ending in `/`), else that path. */
async function localTarget(arg: string, name: string): Promise<string> {
  const abs = resolve(arg);
  if (/[/\\]$/.test(arg)) return join(abs, name);
  const s = await stat(abs).catch(() => null);
  return s?.isDirectory() ? join(abs, name) : abs;
}
