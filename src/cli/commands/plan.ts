import { rename, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Job, JobFile } from '../../config/types.js';
import type { Plan } from '../../core/types.js';
import type { OpenBackend } from '../../engine/endpoints.js';
import { describeHolder } from '../../engine/lock.js';
import { planWithHooks } from '../../engine/plan-with-hooks.js';
import { planJob } from '../../engine/run-job.js';
import { stateFor } from '../../engine/state.js';
import { renderHookFailures } from '../../report/hooks-human.js';
import { renderPlan } from '../../report/human.js';
import { planToJson } from '../../report/json.js';
import { renderPlanMarkdown } from '../../report/markdown.js';
import { jobFingerprint } from '../../engine/fingerprint.js';
import { MegamirrorError } from '../../errors.js';
import { resolve } from 'node:path';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface PlanOptions extends ConfigOption {
  json?: boolean;
  format?: 'text' | 'json' | 'markdown';
  out?: string;
  runHooks?: boolean;
}

export function registerPlan(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('plan')
    .description('scan both sides and show what run would do; changes nothing')
    .argument('[jobs...]', 'job names (default: all)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--json', 'print the plan as JSON (schemas/plan.schema.json); same as --format json')
    .addOption(new Option('--format <format>', 'text, json, or markdown (for a pull request description)').choices(['text', 'json', 'markdown']))
    .option('--out <file>', 'also save the plan, for megamirror apply FILE')
    .option('--run-hooks', "run the jobs' hooks around planning (as a dry run would); takes the job's lock")
    .action(async (names: string[], o: PlanOptions) => {
      const format = o.json ? 'json' : (o.format ?? 'text');
      const file = await loadConfig(o);
      const openBackend = openerFor(file);
      const plans: Plan[] = [];
      let refused = false;
      let exit: number = EXIT.ok;
      for (const job of selectJobs(file, names)) {
        const p = o.runHooks ? await planHooked(job, file, openBackend, io) : await planPlain(job, openBackend);
        if (p === 'skipped' || p === 'locked') {
          exit = Math.max(exit, p === 'locked' ? EXIT.locked : EXIT.failed);
          continue;
        }
        plans.push(p.plan);
        if (format === 'text') {
          io.out(renderPlan(p.plan, io.paint));
          if (p.refusal) io.out(io.paint.yellow(`  run would refuse this plan: ${p.refusal.message}\n  ${p.refusal.hint}`));
        }
        refused ||= p.refusal !== null;
      }
      if (format === 'json') io.out(JSON.stringify(planToJson(plans), null, 2));
      if (format === 'markdown') io.out(renderPlanMarkdown(plans));
      if (o.out) await savePlan(resolve(o.out), plans, selectJobs(file, names));
      setExit(exit !== EXIT.ok ? exit : refused ? EXIT.refused : EXIT.ok);
    });
}

/** A saved plan carries each job's fingerprint so `apply` refuses a plan made for another job. */
async function savePlan(path: string, plans: Plan[], jobs: Job[]): Promise<void> {
  const mirrors = plans.filter((p) => p.kind === 'mirror');
  if (mirrors.length < plans.length) {
    throw new MegamirrorError('usage', 'only mirror plans can be saved: snapshot jobs are planned when they run', {
      hint: 'name the mirror jobs to save, e.g. megamirror plan JOB --out plan.json',
    });
  }
  const fingerprints = new Map(jobs.map((j) => [j.name, jobFingerprint(j)]));
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(planToJson(mirrors, fingerprints), null, 2)}\n`);
  await rename(tmp, path);
}

type Planned = Pick<Awaited<ReturnType<typeof planJob>>, 'plan' | 'refusal'>;

async function planPlain(job: Job, openBackend: OpenBackend): Promise<Planned> {
  const p = await planJob(job, { openBackend, allowDeletes: false });
  await Promise.all([p.source.close(), p.destination.close()]);
  return p;
}

/** Lock and hooks around the plan; a skipped or locked job is reported on stderr. */
async function planHooked(job: Job, file: JobFile, openBackend: OpenBackend, io: Output): Promise<Planned | 'skipped' | 'locked'> {
  const r = await planWithHooks(job, {
    file,
    state: await stateFor(file),
    openBackend,
    onWarning: (m) => io.err(`${io.errPaint.yellow('warning:')} ${m}`),
  });
  if (r.kind === 'locked') {
    io.err(`${io.errPaint.red('error:')} job "${job.name}" is locked by another run: ${describeHolder(r.refusal.holder)}`);
    return 'locked';
  }
  const failures = renderHookFailures(r.hooks, io.errPaint);
  if (r.kind === 'skipped') {
    io.err([io.errPaint.yellow(`${job.name}: skipped: a before hook failed`), ...failures].join('\n'));
    return 'skipped';
  }
  if (failures.length > 0) io.err([`${job.name}: hooks:`, ...failures].join('\n'));
  return r.planned;
}
