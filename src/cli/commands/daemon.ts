import type { Command } from 'commander';
import { parseDuration } from '../../config/durations.js';
import type { JobFile } from '../../config/types.js';
import { ConfigError, MegamirrorError, formatProblem } from '../../errors.js';
import { Daemon } from '../../scheduler/daemon.js';
import { formatEvent, type DaemonEvent, type LogFormat } from '../../scheduler/events.js';
import { nodeCronSchedule } from '../../scheduler/node-cron.js';
import { loadConfig, openerFor, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface DaemonOptions extends ConfigOption {
  logFormat: string;
  gracePeriod: string;
}

/**
 * `megamirror daemon`: runs the scheduled jobs in the foreground until SIGTERM or SIGINT.
 * SIGHUP re-reads the job file (a broken file is logged and the old jobs go on). The first stop
 * signal lets running jobs finish within the grace period, then aborts them cleanly and exits 0;
 * a second aborts them at once; a third exits at once (130).
 */
export function registerDaemon(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('daemon')
    .description('run the scheduled jobs in the foreground (SIGHUP reloads the job file, SIGTERM stops)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--log-format <format>', 'human or json (one JSON object per line)', 'human')
    .option('--grace-period <duration>', 'on SIGTERM/SIGINT, how long running jobs may take to finish before they are aborted', '60s')
    .action(async (o: DaemonOptions) => {
      const format = logFormat(o.logFormat);
      const graceMs = gracePeriod(o.gracePeriod);
      const file = await loadConfig(o);
      const log = (e: DaemonEvent) => io.out(formatEvent(e, new Date(), format));
      const daemon = new Daemon({ schedule: nodeCronSchedule((message) => log({ event: 'warning', message })), openerFor, log });
      await untilStopped(daemon, file, o, graceMs, log);
      setExit(EXIT.ok);
    });
}

/** Start the daemon and serve signals until it has stopped. Handlers are in place before it starts. */
async function untilStopped(daemon: Daemon, file: JobFile, o: DaemonOptions, graceMs: number, log: (e: DaemonEvent) => void): Promise<void> {
  // Signal handlers do not keep Node running; with no scheduled job nothing else would.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  // Start, reloads and the stop run one after another, in the order the signals came.
  const started = daemon.start(file);
  let queue: Promise<unknown> = started.catch(() => {});
  let stops = 0;
  const onHup = () => {
    if (stops > 0) return;
    queue = queue.then(() =>
      loadConfig(o).then(
        (next) => daemon.reload(next),
        (err: unknown) => log({ event: 'reload-failed', problems: problemsOf(err) }),
      ),
    );
  };
  const onStop = (signal: NodeJS.Signals) => {
    stops++;
    if (stops === 1) void queue.then(() => daemon.stop(signal, graceMs)).finally(stopped);
    else if (stops === 2) {
      log({ event: 'warning', message: `${signal} again: aborting running jobs now (a third signal exits at once)` });
      daemon.abortNow();
    } else process.exit(EXIT.interrupted);
  };
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  try {
    await started;
    await done;
  } finally {
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    clearInterval(keepAlive);
  }
}

function problemsOf(err: unknown): string[] {
  if (err instanceof ConfigError) return err.problems.map(formatProblem);
  if (err instanceof MegamirrorError) return [`${err.where ? `${err.where}: ` : ''}${err.message}`];
  return [err instanceof Error ? err.message : String(err)];
}

function logFormat(text: string): LogFormat {
  if (text === 'human' || text === 'json') return text;
  throw new MegamirrorError('usage', `--log-format must be human or json, not "${text}"`);
}

function gracePeriod(text: string): number {
  if (text === '0') return 0;
  try {
    return parseDuration(text);
  } catch {
    throw new MegamirrorError('usage', `--grace-period: "${text}" is not a duration like 500ms, 30s or 2m`);
  }
}
