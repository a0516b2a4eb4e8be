import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runRestore } from '../../engine/restore.js';
import { renderJobResult, renderPlan } from '../../report/human.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { exitForStatus } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';

interface Options extends ConfigOption {
  snapshot: string;
  to: string;
  include?: string[];
  dryRun?: boolean;
  overwrite?: boolean;
}

export function registerRestore(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('restore')
    .description("restore a snapshot (or a mirror job's destination) into a local folder")
    .argument('<job>', 'the job to restore from')
    .requiredOption('--to <dir>', 'folder to restore into (created if missing)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--snapshot <id>', 'snapshot id, or latest', 'latest')
    .option('--include <glob...>', 'restore only paths matching these globs (relative to the snapshot root)')
    .option('-n, --dry-run', 'show the plan and change nothing')
    .option('--overwrite', 'replace files in the target that differ from the snapshot')
    .action(async (name: string, o: Options) => {
      const file = await loadConfig(o);
      const [job] = selectJobs(file, [name]);
      const interrupt = interruptOnSignals();
      try {
        const { report } = await runRestore({
          job: job!,
          snapshot: o.snapshot,
          to: resolve(o.to),
          include: o.include ?? [],
          overwrite: o.overwrite ?? false,
          dryRun: o.dryRun ?? false,
          openBackend: openerFor(file),
          signal: interrupt.signal,
          onPlan: (plan) => {
            if (o.dryRun) io.out(renderPlan(plan, io.paint));
          },
        });
        io.out(renderJobResult(report, io.paint));
        setExit(exitForStatus(report.status));
      } finally {
        interrupt.dispose();
      }
    });
}
