import { assertNever } from '../core/summary.js';
import type { Action, Plan, PlanSummary, SkippedEntry, Warning } from '../core/types.js';
import { formatBytes, plural, printable, type Painter } from './format.js';
import type { JobReport } from './types.js';

/** Warnings of one code beyond this many are folded into a count. */
const WARNINGS_PER_CODE = 10;

/**
 * The human plan: a header per job, one line per action with a sigil (`+` new, `~` changed with
 * its reason, `-` removed), then warnings and one summary line. `plan` and `run --dry-run` print
 * exactly this.
 */
export function renderPlan(plan: Plan, p: Painter): string {
  const lines = [p.bold(`${plan.job}: ${plan.source} -> ${plan.destination}`)];
  for (const a of plan.actions) lines.push(`  ${actionLine(a, p)}`);
  lines.push(...renderNotes(plan.warnings, plan.skipped, p));
  lines.push(`  ${summaryLine(plan.summary)}`);
  return lines.join('\n');
}

export function actionLine(a: Action, p: Painter): string {
  const path = printable(a.path);
  switch (a.op) {
    case 'mkdir':
      return p.green(`+ ${path}/`) + (a.reason === 'missing' ? '' : p.dim(` (${a.reason})`));
    case 'copy':
      return a.reason === 'missing'
        ? p.green(`+ ${path}`) + p.dim(` (${formatBytes(a.size)})`)
        : p.yellow(`~ ${path}`) + p.dim(` (${a.reason}, ${formatBytes(a.size)})`);
    case 'link':
      return p.green(`= ${path}`) + p.dim(` (reused from ${printable(a.from)})`);
    case 'delete':
      return p.red(`- ${path}`) + p.dim(` (${a.reason})`);
    case 'rmdir':
      return p.red(`- ${path}/`) + p.dim(` (${a.reason})`);
    case 'manifest':
      return p.green(`+ ${path}`) + p.dim(' (manifest, written last)');
    case 'prune':
      return p.red(`- ${path}/`) + p.dim(` (snapshot ${a.reason}: ${a.detail})`);
    default:
      return assertNever(a);
  }
}

/** Warnings and skipped entries, each kind folded into a count past the first few. */
export function renderNotes(warnings: readonly Warning[], skippedEntries: readonly SkippedEntry[], p: Painter): string[] {
  const out: string[] = [];
  const byCode = new Map<string, number>();
  for (const w of warnings) {
    const n = (byCode.get(w.code) ?? 0) + 1;
    byCode.set(w.code, n);
    if (n <= WARNINGS_PER_CODE) out.push(p.yellow(`  warning: ${w.path ? `${printable(w.path)}: ` : ''}${printable(w.message)}`));
  }
  for (const [code, n] of byCode) {
    if (n > WARNINGS_PER_CODE) out.push(p.yellow(`  warning: ... and ${n - WARNINGS_PER_CODE} more "${code}" warnings`));
  }
  const skipped = new Map<string, number>();
  for (const s of skippedEntries) {
    const n = (skipped.get(s.reason) ?? 0) + 1;
    skipped.set(s.reason, n);
    if (n <= WARNINGS_PER_CODE) out.push(p.dim(`  skipped: ${printable(s.path)} (${s.reason}${s.detail ? `: ${printable(s.detail)}` : ''})`));
  }
  for (const [reason, n] of skipped) {
    if (n > WARNINGS_PER_CODE) out.push(p.dim(`  skipped: ... and ${n - WARNINGS_PER_CODE} more (${reason})`));
  }
  return out;
}

export function summaryLine(s: PlanSummary): string {
  const parts = [
    `${plural(s.copy.files, 'file')} to copy (${formatBytes(s.copy.bytes)})`,
    ...(s.link.files > 0 ? [`${s.link.files} to reuse (${formatBytes(s.link.bytes)})`] : []),
    `${s.delete.files} to delete (${formatBytes(s.delete.bytes)})`,
    `${s.unchanged.files} unchanged`,
  ];
  if (s.mkdir > 0) parts.push(`${plural(s.mkdir, 'folder')} to create`);
  if (s.rmdir > 0) parts.push(`${plural(s.rmdir, 'folder')} to remove`);
  if (s.prune > 0) parts.push(`${plural(s.prune, 'snapshot')} to remove`);
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  return parts.join(', ');
}

/** One line per job after a run: status, what was done, and each failure. */
export function renderJobResult(r: JobReport, p: Painter): string {
  const color = r.status === 'ok' ? p.green : r.status === 'partial' || r.status === 'refused' ? p.yellow : p.red;
  const d = r.done;
  const lines = [
    `${color(`${r.name}: ${r.status}`)}${r.dry_run ? ' (dry run)' : ''}: ` +
      `copied ${plural(d.copy.files, 'file')} (${formatBytes(d.copy.bytes)}), ` +
      (d.link.files > 0 ? `reused ${d.link.files} (${formatBytes(d.link.bytes)}), ` : '') +
      `deleted ${d.delete.files}, ${r.planned.unchanged.files} unchanged, ${(r.duration_ms / 1000).toFixed(1)}s`,
  ];
  if (!r.dry_run) lines.push(...renderNotes(r.warnings, r.skipped, p));
  for (const f of r.failed_actions) lines.push(p.red(`  failed: ${f.op} ${printable(f.path)}: ${printable(f.message)} [${f.code}]`));
  for (const [why, n] of Object.entries(r.skipped_actions)) lines.push(p.yellow(`  not done: ${n} (${why})`));
  if (r.refusal) lines.push(p.yellow(`  refused: ${r.refusal.message}`), `  ${r.refusal.hint}`);
  if (r.error) {
    lines.push(p.red(`  error: ${r.error.where ? `${printable(r.error.where)}: ` : ''}${printable(r.error.message)}`));
    if (r.error.hint) lines.push(`  ${r.error.hint}`);
  }
  return lines.join('\n');
}
