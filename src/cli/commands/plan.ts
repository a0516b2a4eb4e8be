import type { Command } from 'commander';
import type { Plan } from '../../core/types.js';
import { planJob } from '../../engine/run-job.js';
import { renderPlan } from '../../report/human.js';
import { planToJson } from '../../report/json.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface PlanOptions extends ConfigOption {
  json?: boolean;
}

export function registerPlan(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('plan')
    .description('scan both sides and show what run would do; changes nothing')
    .argument('[jobs...]', 'job names (default: all)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--json', 'print the plan as JSON (schemas/plan.schema.json)')
    .action(async (names: string[], o: PlanOptions) => {
      const file = await loadConfig(o);
      const openBackend = openerFor(file);
      const plans: Plan[] = [];
      let refused = false;
      for (const job of selectJobs(file, names)) {
        const p = await planJob(job, { openBackend, allowDeletes: false });
        await Promise.all([p.source.close(), p.destination.close()]);
        plans.push(p.plan);
        if (!o.json) {
          io.out(renderPlan(p.plan, io.paint));
          if (p.refusal) io.out(io.paint.yellow(`  run would refuse this plan: ${p.refusal.message}\n  ${p.refusal.hint}`));
        }
        refused ||= p.refusal !== null;
      }
      if (o.json) io.out(JSON.stringify(planToJson(plans), null, 2));
      setExit(refused ? EXIT.refused : EXIT.ok);
    });
}
