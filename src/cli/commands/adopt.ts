import type { Command } from 'commander';
import { adoptJob, type AdoptReport } from '../../engine/adopt.js';
import { describeHolder, tryLockJob } from '../../engine/lock.js';
import { stateFor } from '../../engine/state.js';
import { MegamirrorError } from '../../errors.js';
import { plural, printable } from '../../report/format.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';

interface AdoptOptions extends ConfigOption {
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `megamirror adopt JOB`: MEGA files of the job without a fingerprint whose content is proven equal
 * to the local file by MAC get `c` with the local mtime; nothing is uploaded (engine/adopt.ts).
 * Holds the job's lock unless `--dry-run`. Exit 1 when a file failed, or when a MEGA file has the
 * local file's size but other content (a size-only comparison would never copy it again); files
 * whose sizes differ are listed and left to the next run, which copies them.
 */
export function registerAdopt(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('adopt')
    .description('give MEGA files uploaded by other tools a fingerprint with the local mtime, where the MAC proves the content equal (no upload)')
    .argument('<job>', 'a mirror or snapshot job between a local folder and MEGA')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-n, --dry-run', 'check and report, write nothing')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: AdoptOptions) => {
      const file = await loadConfig(o);
      const [job] = selectJobs(file, [name]);
      if (!job) throw new MegamirrorError('usage', `no job named "${name}"`);
      const dryRun = o.dryRun ?? false;
      const held = dryRun ? null : await tryLockJob((await stateFor(file)).locks, job.name, { command: 'adopt', config: file.path });
      if (held && !held.acquired) throw new MegamirrorError('locked', `job "${job.name}" is locked by another run: ${describeHolder(held.holder)}`);
      const open = openerFor(file);
      const interrupt = interruptOnSignals();
      try {
        const source = await open(job.source, job);
        const destination = await open(job.destination, job).catch(async (e: unknown) => {
          await source.close();
          throw e;
        });
        let report: AdoptReport;
        try {
          report = await adoptJob(job, source, destination, { dryRun, concurrency: job.concurrency, signal: interrupt.signal });
        } finally {
          await Promise.all([source.close(), destination.close()]);
        }
        io.out(o.json ? JSON.stringify({ formatVersion: 1, ...report }, null, 2) : render(report, io));
        const attention = report.failed.length > 0 || report.refused.some((r) => r.reason === 'content-differs');
        setExit(attention ? EXIT.failed : EXIT.ok);
      } finally {
        interrupt.dispose();
        if (held?.acquired) await held.lock.release();
      }
    });
}

function render(r: AdoptReport, io: Output): string {
  const verb = r.dryRun ? 'would adopt' : 'adopted';
  const lines = [
    `${r.job}: ${verb} ${plural(r.adopt.length, 'file')} (content proven by MAC), ${r.refused.length} refused, ` +
      `${r.alreadyFingerprinted} already fingerprinted${r.failed.length ? `, ${r.failed.length} failed` : ''}${r.dryRun ? ' (dry run)' : ''}`,
  ];
  for (const a of r.adopt) lines.push(`  ${r.dryRun ? 'would adopt' : 'adopted'}: ${printable(a.path)}`);
  for (const x of r.refused) lines.push(io.paint.yellow(`  refused: ${printable(x.path)} (${x.reason}: ${x.detail})`));
  if (r.refused.some((x) => x.reason === 'content-differs')) {
    lines.push('  a file refused for content-differs has the same size on both sides, so a run does not copy it: upload it again (megamirror put)');
  }
  for (const f of r.failed) lines.push(io.paint.red(`  failed: ${printable(f.path)}: ${f.message} [${f.code}]`));
  return lines.join('\n');
}
