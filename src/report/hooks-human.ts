import type { Painter } from './format.js';
import type { HookReport } from './types.js';

/** Output lines of a failed hook shown on the terminal; the report keeps the whole tail. */
const TAIL_LINES = 10;

/**
 * One line per failed hook (stage, position in its stage, exit code or timeout) and the last lines
 * of its output, indented. Commands are not printed: `${VAR}` expansion may have put a secret in
 * them; the report (mode 0600 in the state folder) has them.
 */
export function renderHookFailures(hooks: readonly HookReport[], p: Painter): string[] {
  const lines: string[] = [];
  const position = new Map<string, number>();
  for (const h of hooks) {
    const n = (position.get(h.stage) ?? 0) + 1;
    position.set(h.stage, n);
    if (h.exit_code === 0 && !h.timed_out) continue;
    const why = h.timed_out ? `timed out after ${(h.duration_ms / 1000).toFixed(1)}s` : h.exit_code === null ? 'was killed' : `exited with ${h.exit_code}`;
    lines.push(p.red(`  ${h.stage} hook ${n} ${why}`));
    const out = h.output_tail.trimEnd();
    if (out) for (const l of out.split('\n').slice(-TAIL_LINES)) lines.push(p.dim(`    | ${l}`));
  }
  return lines;
}
