import type { Command } from 'commander';
import { formatEndpoint, relation } from '../../config/endpoints.js';
import { adHocJob } from '../../engine/ad-hoc.js';
import { MegamirrorError } from '../../errors.js';
import type { ConfigOption } from '../context.js';
import type { Output } from '../output.js';
import { quickContext } from '../quick/context.js';
import { runAdHoc } from '../quick/run-ad-hoc.js';

interface SyncOptions extends ConfigOption {
  dryRun?: boolean;
  allowDeletes?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * `megamirror sync SOURCE DESTINATION`: an ad-hoc mirror job (the job file's defaults: delete
 * what the source lacks, compare by size and mtime, the deletion guards) planned and applied by the
 * same engine as `run`. SOURCE may be a folder link; DESTINATION may not.
 */
export function registerSync(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('sync')
    .description('mirror SOURCE to DESTINATION once, without a job (local, REMOTE:/path, or a folder link as source)')
    .argument('<source>', 'local folder, REMOTE:/path or https://mega.nz/folder/... link')
    .argument('<destination>', 'local folder or REMOTE:/path')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-n, --dry-run', 'print the plan and change nothing')
    .option('--allow-deletes', 'lift the deletion guards for this run')
    .option('-q, --quiet', 'no progress')
    .option('-v, --verbose', 'one line per action as it finishes')
    .action(async (src: string, dst: string, o: SyncOptions) => {
      const q = await quickContext(o, [src, dst]);
      const source = q.endpoint(src);
      const destination = q.endpoint(dst);
      if (destination.type === 'link') throw new MegamirrorError('usage', 'a public link is read-only: it can be a source, never a destination', { where: formatEndpoint(destination) });
      const rel = relation(source, destination);
      if (rel === 'same') throw new MegamirrorError('usage', 'the source and the destination are the same folder', { where: formatEndpoint(source) });
      if (rel !== null) throw new MegamirrorError('usage', 'one of the folders lies inside the other', { where: `${formatEndpoint(source)} -> ${formatEndpoint(destination)}` });
      setExit(await runAdHoc(adHocJob({ name: 'sync', source, destination, delete: true }), q, io, o));
    });
}
