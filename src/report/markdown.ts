import type { Action, Plan } from '../core/types.js';
import { formatBytes } from './format.js';

export interface MarkdownOptions {
  /** Actions listed per job before the rest is folded into counts. */
  maxActions?: number;
}

/**
 * A plan as Markdown for a pull request description: a summary table of all jobs, then per job
 * the actions (folded past `maxActions`, with counts of what was left out) and the warnings.
 */
export function renderPlanMarkdown(plans: readonly Plan[], o: MarkdownOptions = {}): string {
  const max = o.maxActions ?? 50;
  const out = [
    '## megamirror plan',
    '',
    '| job | source → destination | copy | reuse | delete | unchanged |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const p of plans) {
    const s = p.summary;
    out.push(
      `| ${cell(p.job)} | ${code(p.source)} → ${code(p.destination)} | ${counted(s.copy.files, s.copy.bytes)} | ${counted(s.link.files, s.link.bytes)} | ${counted(s.delete.files, s.delete.bytes)}${s.prune ? `, ${s.prune} snapshots` : ''} | ${s.unchanged.files} |`,
    );
  }
  for (const p of plans) {
    out.push('', `### ${cell(p.job)}`, '');
    if (p.actions.length === 0) out.push('Nothing to do.');
    else {
      out.push('| | path | reason | size |', '|---|---|---|---:|');
      for (const a of p.actions.slice(0, max)) out.push(row(a));
      const rest = p.actions.slice(max);
      if (rest.length > 0) out.push('', `…and ${rest.length} more actions (${foldedCounts(rest)}).`);
    }
    if (p.warnings.length > 0) {
      out.push('', `<details><summary>${p.warnings.length} warning${p.warnings.length === 1 ? '' : 's'}</summary>`, '');
      for (const w of p.warnings.slice(0, max)) out.push(`- ${w.path ? `${code(w.path)}: ` : ''}${cell(w.message)}`);
      if (p.warnings.length > max) out.push(`- …and ${p.warnings.length - max} more`);
      out.push('', '</details>');
    }
  }
  return `${out.join('\n')}\n`;
}

const SIGIL: Record<Action['op'], string> = { mkdir: '+', copy: '+', link: '=', delete: '−', rmdir: '−', manifest: '+', prune: '−' };

function row(a: Action): string {
  const sigil = a.op === 'copy' && a.reason !== 'missing' ? '~' : SIGIL[a.op];
  const path = a.op === 'mkdir' || a.op === 'rmdir' || a.op === 'prune' ? `${a.path}/` : a.path;
  const size = 'size' in a ? formatBytes(a.size) : '';
  return `| ${sigil} | ${code(path)} | ${a.reason} | ${size} |`;
}

function foldedCounts(actions: readonly Action[]): string {
  const by = new Map<string, number>();
  for (const a of actions) by.set(a.op, (by.get(a.op) ?? 0) + 1);
  return [...by].map(([op, n]) => `${n} ${op}`).join(', ');
}

function counted(files: number, bytes: number): string {
  return files === 0 ? '0' : `${files} (${formatBytes(bytes)})`;
}

/** Table-safe inline code: pipes escaped, backticks fenced by a longer run. */
function code(text: string): string {
  const t = text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${t} ${fence}` : `${fence}${t}${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
