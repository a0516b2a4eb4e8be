/**
 * Checks for `schedule` (cron, as node-cron understands it: the daemon runs on node-cron) and
 * `timezone` (IANA names, as Intl knows them).
 */

import { validateDetailed } from 'node-cron';
import { didYouMean } from './suggest.js';

/** Why `expression` is not a usable cron expression, or null. */
export function scheduleProblem(expression: string): string | null {
  const result = validateDetailed(expression);
  if (result.valid) return null;
  const first = result.errors[0];
  const fields = expression.trim().split(/\s+/).filter(Boolean).length;
  const head = `invalid cron expression "${expression}"`;
  if (fields < 5 || fields > 6) {
    return `${head}: expected 5 fields (minute hour day month weekday) or 6 (seconds first), found ${fields}`;
  }
  if (!first || first.field === 'expression') return `${head}: ${first?.message ?? 'not understood'}`;
  if (first.message.includes('impossible')) return `${head}: that day of the month never occurs in the given month`;
  return `invalid cron expression "${expression}": bad ${fieldName(first.field)} field "${first.value ?? ''}"`;
}

function fieldName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/** Why `zone` is not an IANA time zone this runtime knows, or null. */
export function timezoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone "${zone}"${didYouMean(zone, Intl.supportedValuesOf('timeZone'))}`;
  }
}
