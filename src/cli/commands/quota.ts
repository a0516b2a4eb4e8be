import type { Command } from 'commander';
import { formatBytes } from '../../report/format.js';
import type { StorageUsage } from '../../backends/backend.js';
import { MegamirrorError } from '../../errors.js';
import type { ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { quickContext } from '../quick/context.js';
import { addressed } from '../quick/locate.js';
import { remoteArg } from '../quick/remote-arg.js';

interface QuotaOptions extends ConfigOption {
  json?: boolean;
}

/** `megamirror quota REMOTE`: storage used and available (Rubbish Bin and versions included), and transfer. */
export function registerQuota(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('quota')
    .description("show a MEGA account's storage and transfer quota")
    .argument('<remote>', 'a remote defined in the job file (REMOTE or REMOTE:)')
    .option('-c, --config <file>', 'job file with the remotes (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--json', 'print the figures as JSON (bytes)')
    .action(async (arg: string, o: QuotaOptions) => {
      const q = await quickContext(o, [arg], { needsRemotes: true });
      const name = arg.replace(/:\/?$/, '');
      const remote = remoteArg(q, `${name}:/`, 'quota');
      const b = await q.openAt(remote);
      try {
        if (!b.usage) throw new MegamirrorError('usage', 'this storage does not report a quota', { where: name });
        const u = await b.usage();
        if (o.json) io.out(JSON.stringify({ remote: name, ...u }, null, 2));
        else io.out(render(name, q.file.remotes[name]?.email ?? '', u));
        setExit(EXIT.ok);
      } catch (err) {
        throw addressed(err, name);
      } finally {
        await b.close();
      }
    });
}

function render(name: string, email: string, u: StorageUsage): string {
  const of = (used: number, total: number | null) =>
    total === null ? `${formatBytes(used)} used` : `${formatBytes(used)} used of ${formatBytes(total)} (${total > 0 ? ((100 * used) / total).toFixed(1) : '0.0'}%)`;
  const lines = [`${name}${email ? ` (${email})` : ''}`, `  storage:      ${of(u.usedBytes, u.totalBytes)}`];
  if (u.trashBytes !== null) lines.push(`  rubbish bin:  ${formatBytes(u.trashBytes)}`);
  if (u.versionBytes !== null) lines.push(`  versions:     ${formatBytes(u.versionBytes)}`);
  if (u.transferUsedBytes !== null) lines.push(`  transfer:     ${of(u.transferUsedBytes, u.transferTotalBytes)}`);
  return lines.join('\n');
}
