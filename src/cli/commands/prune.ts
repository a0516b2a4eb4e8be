import type { Command } from 'commander';
import { MegamirrorError } from '../../errors.js';
import { applyPlan } from '../../engine/apply.js';
import { planPrune } from '../../engine/snapshot/prune.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';

interface Options extends ConfigOption {
  dryRun?: boolean;
}

export function registerPrune(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('prune')
    .description('apply retention to snapshot jobs: show every snapshot with keep or remove and why, then remove')
    .argument('[jobs...]', 'snapshot jobs (default: all snapshot jobs)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-n, --dry-run', 'show the decision and remove nothing')
    .action(async (names: string[], o: Options) => {
      const file = await loadConfig(o);
      const selected = selectJobs(file, names);
      const jobs = selected.filter((j) => j.type === 'snapshot');
      if (names.length > 0 && jobs.length < selected.length) {
        throw new MegamirrorError('usage', 'prune applies to snapshot jobs only', { hint: `not snapshot jobs: ${selected.filter((j) => j.type !== 'snapshot').map((j) => j.name).join(', ')}` });
      }
      const interrupt = interruptOnSignals();
      let exit: number = EXIT.ok;
      try {
        for (const job of jobs) {
          const dest = await openerFor(file)(job.destination, job);
          try {
            const p = await planPrune(job, dest, interrupt.signal);
            io.out(io.paint.bold(`${job.name}: ${dest.display}`));
            for (const v of p.verdicts) {
              io.out(v.keep ? `  keep    ${v.id}  ${io.paint.dim(v.reasons.join(', '))}` : io.paint.red(`  remove  ${v.id}  (no retention rule keeps it)`));
            }
            for (const s of p.incomplete) io.out(io.paint.yellow(`  skip    ${s.id}  (incomplete: the next snapshot run reuses or removes it)`));
            if (o.dryRun || p.plan.actions.length === 0) continue;
            const results = await applyPlan(p.plan, { source: dest, destination: dest, concurrency: job.concurrency, sourceChangeRetries: 0, signal: interrupt.signal });
            for (const r of results) {
              if (r.outcome === 'failed') io.out(io.paint.red(`  failed to remove ${r.action.path}: ${r.error.message}`));
            }
            if (results.some((r) => r.outcome !== 'done')) exit = interrupt.signal.aborted ? EXIT.interrupted : EXIT.failed;
            else io.out(`  removed ${results.length} snapshot${results.length === 1 ? '' : 's'}`);
          } finally {
            await dest.close();
          }
        }
      } finally {
        interrupt.dispose();
      }
      setExit(exit);
    });
}
