import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runJob } from '../../engine/run-job.js';
import { renderJobResult, renderPlan } from '../../report/human.js';
import { runReport } from '../../report/json.js';
import type { JobReport } from '../../report/types.js';
import { VERSION } from '../../version.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { exitForStatus } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';

interface RunOptions extends ConfigOption {
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  allowDeletes?: boolean;
}

export function registerRun(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('run')
    .description('plan and apply the jobs')
    .argument('[jobs...]', 'job names (default: all)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('-n, --dry-run', 'print the plan that run would apply, and change nothing')
    .option('--report <file>', 'write the JSON run report to this file')
    .option('--json', 'print the JSON run report on stdout instead of the summary')
    .option('--allow-deletes', 'lift the deletion guards (max_delete, max_delete_percent, empty source) for this run')
    .action(async (names: string[], o: RunOptions) => {
      const file = await loadConfig(o);
      const jobs = selectJobs(file, names);
      const openBackend = openerFor(file);
      const interrupt = interruptOnSignals();
      const startedAt = new Date();
      const reports: JobReport[] = [];
      try {
        for (const job of jobs) {
          if (interrupt.signal.aborted) break;
          const { report } = await runJob(job, {
            openBackend,
            dryRun: o.dryRun ?? false,
            allowDeletes: o.allowDeletes ?? false,
            signal: interrupt.signal,
            onPlan: (plan) => {
              if (o.dryRun && !o.json) io.out(renderPlan(plan, io.paint));
            },
          });
          reports.push(report);
          if (!o.json) io.out(renderJobResult(report, io.paint));
        }
      } finally {
        interrupt.dispose();
      }
      const run = runReport(reports, { version: VERSION, startedAt, finishedAt: new Date(), dryRun: o.dryRun ?? false });
      if (interrupt.signal.aborted) run.status = 'interrupted';
      const text = JSON.stringify(run, null, 2);
      if (o.report) await writeAtomically(resolve(o.report), `${text}\n`);
      if (o.json) io.out(text);
      setExit(exitForStatus(run.status));
    });
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}
