import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { executeJob } from '../../engine/execute.js';
import { stateFor } from '../../engine/state.js';
import { renderHookFailures } from '../../report/hooks-human.js';
import { renderJobResult, renderPlan } from '../../report/human.js';
import { overallStatus, runReport } from '../../report/json.js';
import { createProgress, type Progress, type ProgressOptions } from '../../report/progress.js';
import type { JobReport } from '../../report/types.js';
import { VERSION } from '../../version.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { exitForRun } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';

interface RunOptions extends ConfigOption {
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  allowDeletes?: boolean;
  runHooks?: boolean;
  quiet?: boolean;
  verbose?: boolean;
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
    .option('--run-hooks', 'with --dry-run: run the hooks too (a real run always runs them)')
    .option('-q, --quiet', 'no progress: only the final summary')
    .option('-v, --verbose', 'one line per action as it finishes')
    .action(async (names: string[], o: RunOptions) => {
      const file = await loadConfig(o);
      const jobs = selectJobs(file, names);
      const openBackend = openerFor(file);
      const state = await stateFor(file);
      const dryRun = o.dryRun ?? false;
      const interrupt = interruptOnSignals();
      const startedAt = new Date();
      const reports: JobReport[] = [];
      let lockedJobs = 0;
      try {
        for (const job of jobs) {
          if (interrupt.signal.aborted) break;
          let progress: Progress | null = null;
          const outcome = await executeJob(job, {
            file,
            state,
            openBackend,
            command: 'run',
            dryRun,
            allowDeletes: o.allowDeletes ?? false,
            runHooks: !dryRun || (o.runHooks ?? false),
            signal: interrupt.signal,
            onPlan: (plan) => {
              if (dryRun && !o.json) io.out(renderPlan(plan, io.paint));
              if (!dryRun && !o.json) progress = createProgress(plan, progressOptions(o, io));
            },
            onEvent: (e) => progress?.onEvent(e),
            onWarning: (message) => io.err(`${io.errPaint.yellow('warning:')} ${message}`),
          });
          (progress as Progress | null)?.stop();
          const { report } = outcome;
          reports.push(report);
          if (outcome.locked) {
            lockedJobs++;
            io.err(`${io.errPaint.red('error:')} ${report.error?.message ?? 'locked'}`);
            if (report.error?.hint) io.err(report.error.hint);
            continue;
          }
          if (!o.json) io.out([renderJobResult(report, io.paint), ...renderHookFailures(report.hooks ?? [], io.paint)].join('\n'));
        }
      } finally {
        interrupt.dispose();
      }
      const run = runReport(reports, { version: VERSION, startedAt, finishedAt: new Date(), dryRun });
      if (interrupt.signal.aborted) run.status = 'interrupted';
      const text = JSON.stringify(run, null, 2);
      if (o.report) await writeAtomically(resolve(o.report), `${text}\n`);
      if (o.json) io.out(text);
      const others = interrupt.signal.aborted ? 'interrupted' : overallStatus(reports.filter((r) => r.error?.code !== 'locked').map((r) => r.status));
      setExit(exitForRun(others, lockedJobs));
    });
}

function progressOptions(o: RunOptions, io: Output): ProgressOptions {
  return {
    tty: process.stderr.isTTY === true,
    verbosity: o.quiet ? 'quiet' : o.verbose ? 'verbose' : 'normal',
    paint: io.errPaint,
    stream: process.stderr,
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}
