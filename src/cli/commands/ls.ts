import type { Command } from 'commander';
import type { Entry, Listing } from '../../core/types.js';
import { printable } from '../../report/format.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { quickContext } from '../quick/context.js';
import { locate, notFound, release } from '../quick/locate.js';
import type { ConfigOption } from '../context.js';

interface LsOptions extends ConfigOption {
  long?: boolean;
  recursive?: boolean;
}

/**
 * `megamirror ls [-l] [-R] TARGET`: a folder's entries (folders end in `/`), or one file. TARGET is
 * `REMOTE:/path`, a MEGA link or a local path. `-l`: size in bytes, mtime (UTC; `-` where MEGA
 * has none), path. What cannot be listed (duplicates, unsafe names) goes to stderr as warnings.
 */
export function registerLs(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('ls')
    .description('list a MEGA folder (or a link, or a local folder): REMOTE:/path')
    .argument('<target>', 'REMOTE:/path, https://mega.nz/... link, or a local path')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-l, --long', 'sizes and modification times')
    .option('-R, --recursive', 'everything below, as paths')
    .action(async (arg: string, o: LsOptions) => {
      const q = await quickContext(o, [arg]);
      const at = await locate(q, q.endpoint(arg));
      try {
        if (at.kind === 'missing') throw notFound(at);
        if (at.kind === 'file') {
          io.out(line(at.entry, o.long ?? false));
        } else {
          const listing = await at.backend.list(o.recursive ? {} : { prune: () => true });
          for (const e of listing.entries) io.out(line(e, o.long ?? false));
          warn(listing, io);
        }
        setExit(EXIT.ok);
      } finally {
        await release(at);
      }
    });
}

function line(e: Entry, long: boolean): string {
  const name = printable(e.kind === 'dir' ? `${e.path}/` : e.path);
  if (!long) return name;
  if (e.kind === 'dir') return `${'-'.padStart(14)}  ${'-'.padEnd(19)}  ${name}`;
  const when = e.mtimeMs === null ? '-'.padEnd(19) : new Date(e.mtimeMs).toISOString().slice(0, 19).replace('T', ' ');
  return `${String(e.size).padStart(14)}  ${when}  ${name}`;
}

function warn(l: Listing, io: Output): void {
  for (const s of l.skipped) io.err(`${io.errPaint.yellow('warning:')} ${printable(s.path)}: not listed (${s.reason}${s.detail ? `: ${s.detail}` : ''})`);
  for (const w of l.warnings) if (w.code !== 'duplicate-name') io.err(`${io.errPaint.yellow('warning:')} ${w.path ? `${printable(w.path)}: ` : ''}${w.message}`);
}
