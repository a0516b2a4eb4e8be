import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseSavedPlan } from '../../core/saved-plan.js';
import { MegamirrorError } from '../../errors.js';
import { applySaved } from '../../engine/apply-saved.js';
import { renderJobResult } from '../../report/human.js';
import { overallStatus } from '../../report/json.js';
import type { JobReport } from '../../report/types.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { exitForStatus } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';

interface Options extends ConfigOption {
  allowDeletes?: boolean;
}

export function registerApply(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('apply')
    .description('apply a plan saved with plan --out, re-checking each action against the world as it is now')
    .argument('<plan-file>', 'a plan written by megamirror plan --out')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--allow-deletes', 'lift the deletion guards for this apply')
    .action(async (planFile: string, o: Options) => {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(planFile, 'utf8'));
      } catch (err) {
        throw new MegamirrorError('usage', `cannot read the plan: ${(err as Error).message}`, { where: planFile });
      }
      const saved = parseSavedPlan(json, planFile);
      const file = await loadConfig(o);
      const jobs = selectJobs(file, saved.map((s) => s.plan.job));
      const interrupt = interruptOnSignals();
      const reports: JobReport[] = [];
      try {
        for (const s of saved) {
          if (interrupt.signal.aborted) break;
          const report = await applySaved({
            job: jobs.find((j) => j.name === s.plan.job)!,
            saved: s,
            openBackend: openerFor(file),
            allowDeletes: o.allowDeletes ?? false,
            signal: interrupt.signal,
          });
          reports.push(report);
          io.out(renderJobResult(report, io.paint));
        }
      } finally {
        interrupt.dispose();
      }
      setExit(exitForStatus(interrupt.signal.aborted ? 'interrupted' : overallStatus(reports.map((r) => r.status))));
    });
}
