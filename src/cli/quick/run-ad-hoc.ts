/**
 * Run an ad-hoc mirror job (sync, and get/put of folders) exactly as `run` runs a job: plan, guards,
 * apply with live progress on stderr, the one-line result on stdout; `dryRun` prints the plan
 * instead. Returns the exit code for the job's status.
 */

import type { Job } from '../../config/types.js';
import { runJob } from '../../engine/run-job.js';
import { renderJobResult, renderPlan } from '../../report/human.js';
import { createProgress, type Progress } from '../../report/progress.js';
import { exitForStatus, type ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';
import { interruptOnSignals } from '../signals.js';
import type { Quick } from './context.js';

export interface AdHocRunOptions {
  dryRun?: boolean;
  allowDeletes?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export async function runAdHoc(job: Job, q: Quick, io: Output, o: AdHocRunOptions = {}): Promise<ExitCode> {
  const interrupt = interruptOnSignals();
  const dryRun = o.dryRun ?? false;
  let progress: Progress | null = null;
  try {
    const { report } = await runJob(job, {
      openBackend: q.open,
      dryRun,
      allowDeletes: o.allowDeletes ?? false,
      signal: interrupt.signal,
      onPlan: (plan) => {
        if (dryRun) io.out(renderPlan(plan, io.paint));
        else {
          const verbosity = o.quiet ? 'quiet' : o.verbose ? 'verbose' : 'normal';
          progress = createProgress(plan, { tty: process.stderr.isTTY === true, verbosity, paint: io.errPaint, stream: process.stderr });
        }
      },
      onEvent: (e) => progress?.onEvent(e),
    });
    (progress as Progress | null)?.stop();
    io.out(renderJobResult(report, io.paint));
    return exitForStatus(report.status);
  } finally {
    interrupt.dispose();
  }
}
