import cliProgress from 'cli-progress';
import type { Plan } from '../core/types.js';
import type { ApplyEvent } from '../engine/results.js';
import { formatBytes } from './format.js';
import { actionLine } from './human.js';
import type { Painter } from './format.js';

const PLAIN_CHECK_EVERY = 16;

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface ProgressOptions {
  /** A terminal: one live bar, redrawn. Otherwise plain lines, never redrawn. */
  tty: boolean;
  verbosity: Verbosity;
  paint: Painter;
  /** Where lines and the bar go (stderr, so stdout stays for results and JSON). */
  stream: NodeJS.WriteStream;
  /** Plain-mode heartbeat: a line at most this often (ms). */
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  onEvent(e: ApplyEvent): void;
  stop(): void;
}

/**
 * Live progress of one job's apply: files and bytes done of the planned total, rate, ETA and the
 * files in flight. On a terminal a cli-progress bar; elsewhere a plain line every few seconds;
 * `verbose` adds one line per finished action; `quiet` shows nothing.
 */
export function createProgress(plan: Plan, o: ProgressOptions): Progress {
  const totalFiles = plan.summary.copy.files + plan.summary.link.files;
  const totalBytes = plan.summary.copy.bytes;
  const now = o.now ?? Date.now;
  const start = now();
  const inFlight = new Set<string>();
  let files = 0;
  let bytes = 0;
  let lastLine = start;
  const line = (t: string) => o.stream.write(`${t}\n`);
  const rate = () => bytes / Math.max(0.001, (now() - start) / 1000);
  const eta = () => (bytes > 0 && totalBytes > bytes ? `${Math.ceil((totalBytes - bytes) / rate())}s` : '-');
  const current = () => [...inFlight].slice(0, 2).join(', ') + (inFlight.size > 2 ? ` +${inFlight.size - 2}` : '');

  const bar = o.tty && o.verbosity !== 'quiet' && totalFiles + plan.summary.delete.files > 0
    ? new cliProgress.SingleBar(
        {
          format: `${plan.job} {bar} {percentage}% | {files}/{totalFiles} files | {doneBytes}/{totalBytes} | {rate}/s | ETA {etaText} | {current}`,
          stream: o.stream,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  // cli-progress reserves `total`, `eta` and `value`: the payload uses other names.
  const payload = () => ({ files, totalFiles, doneBytes: formatBytes(bytes), totalBytes: formatBytes(totalBytes), rate: formatBytes(Math.round(rate())), etaText: eta(), current: current() });
  bar?.start(Math.max(1, totalBytes), 0, payload());

  // Plain lines name no files in flight: the set is kept only for the bar. The clock is read on
  // every `bytes` event (those come at most a few times a second per large transfer) and once
  // per PLAIN_CHECK_EVERY start and end events (a first copy of small files makes two per file).
  const track = bar !== null;
  let sinceCheck = 0;
  return {
    onEvent(e) {
      if (o.verbosity === 'quiet') return;
      if (e.type === 'action-start') {
        if (track && (e.action.op === 'copy' || e.action.op === 'link')) inFlight.add(e.action.path);
      } else if (e.type === 'bytes') {
        bytes += e.bytes;
      } else {
        const a = e.result.action;
        if (track) inFlight.delete(a.path);
        if (a.op === 'copy' || a.op === 'link') files++;
        if (o.verbosity === 'verbose') {
          const status = e.result.outcome === 'done' ? '' : ` [${e.result.outcome}${e.result.outcome === 'failed' ? `: ${e.result.error.message}` : ''}]`;
          if (bar) bar.stop();
          line(`  ${actionLine(a, o.paint)}${status}`);
          if (bar) bar.start(Math.max(1, totalBytes), bytes, payload());
        }
      }
      if (bar) bar.update(Math.min(bytes, Math.max(1, totalBytes)), payload());
      else if (o.verbosity === 'normal' && (e.type === 'bytes' || ++sinceCheck >= PLAIN_CHECK_EVERY) && ((sinceCheck = 0), now() - lastLine >= (o.intervalMs ?? 5000))) {
        lastLine = now();
        const p = payload();
        line(`${plan.job}: ${p.files}/${p.totalFiles} files, ${p.doneBytes}/${p.totalBytes}, ${p.rate}/s, ETA ${p.etaText}`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
