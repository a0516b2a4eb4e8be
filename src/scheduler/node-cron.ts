/**
 * The daemon's timer: one node-cron task per scheduled job. The task only reports the tick; the
 * Scheduler decides (overlap, slots), so node-cron never sees a long-running execution.
 * node-cron's own messages (a missed tick after the event loop was blocked) become warnings.
 */

import { createTask, type Logger } from 'node-cron';
import type { ScheduleFn } from './scheduler.js';

export function nodeCronSchedule(warn: (message: string) => void): ScheduleFn {
  const logger: Logger = {
    info: () => {},
    debug: () => {},
    warn: (m) => warn(`node-cron: ${m}`),
    error: (m) => warn(`node-cron: ${m instanceof Error ? m.message : m}`),
  };
  return (entry, fire) => {
    const task = createTask(entry.expression, () => fire(), { timezone: entry.timezone, name: `megamirror:${entry.job}`, logger });
    void task.start();
    return { stop: () => void task.destroy() };
  };
}
