/**
 * Semantic rules: what the schema cannot express. Runs on the expanded data even when the schema
 * found problems (so every problem is reported at once), hence the type guards everywhere.
 */

import { MegamirrorError } from '../errors.js';
import { parseCalendarSpan } from '../core/retention/index.js';
import { parseDuration } from './durations.js';
import { formatEndpoint, parseEndpoint, relation, type EndpointContext } from './endpoints.js';
import { expandHome } from './expand.js';
import { globProblem } from './globs.js';
import type { DataPath, Issue, Segment } from './issues.js';
import { isRecord } from './raw.js';
import { scheduleProblem, timezoneProblem } from './schedule.js';
import type { Endpoint } from './types.js';

export interface RuleContext {
  baseDir: string;
  home: string;
  /** True for values whose env expansion failed; rules skip comparisons involving them. */
  tainted: (path: DataPath) => boolean;
}

export function checkRules(data: unknown, ctx: RuleContext): Issue[] {
  if (!isRecord(data)) return [];
  const issues: Issue[] = [];
  const remotes = isRecord(data.remotes) ? data.remotes : {};
  for (const [name, remote] of Object.entries(remotes)) issues.push(...checkRemote(remote, ['remotes', name]));
  if (isRecord(data.settings) && typeof data.settings.state_dir === 'string') {
    const error = expandHome(data.settings.state_dir, ctx.home).error;
    if (error) issues.push({ path: ['settings', 'state_dir'], message: error });
  }
  if (isRecord(data.defaults)) issues.push(...checkOptions(data.defaults, ['defaults']));
  if (isRecord(data.jobs)) {
    const endpointCtx = { remotes: Object.keys(remotes), baseDir: ctx.baseDir, home: ctx.home };
    for (const [name, job] of Object.entries(data.jobs)) {
      if (!isRecord(job)) continue;
      issues.push(...checkOptions(job, ['jobs', name]), ...checkJob(job, ['jobs', name], endpointCtx, ctx));
    }
  }
  return issues;
}

function checkRemote(remote: unknown, path: Segment[]): Issue[] {
  if (!isRecord(remote)) return [];
  const issues: Issue[] = [];
  const has = (k: string) => remote[k] !== undefined;
  if (has('password') && has('password_command')) {
    issues.push({ path: [...path, 'password_command'], at: 'key', message: 'set either password or password_command, not both' });
  } else if (!has('password') && !has('password_command')) {
    issues.push({ path, at: 'key', message: 'missing "password" or "password_command" (set exactly one)' });
  }
  if (typeof remote.gateway === 'string' && !URL.canParse(remote.gateway)) {
    issues.push({ path: [...path, 'gateway'], message: `"${remote.gateway}" is not a valid URL` });
  }
  return issues;
}

/** Checks for options that may appear both in defaults and in a job. */
function checkOptions(o: Record<string, unknown>, path: Segment[]): Issue[] {
  const issues: Issue[] = [];
  const check = (at: Segment[], value: unknown, problem: (v: string) => string | null) => {
    if (typeof value !== 'string') return;
    const message = problem(value);
    if (message) issues.push({ path: at, message });
  };
  for (const list of ['include', 'exclude'] as const) {
    const items = o[list];
    if (Array.isArray(items)) items.forEach((p, i) => check([...path, list, i], p, globProblem));
  }
  check([...path, 'mtime_tolerance'], o.mtime_tolerance, throws(parseDuration));
  if (isRecord(o.hooks)) check([...path, 'hooks', 'timeout'], o.hooks.timeout, throws(parseDuration));
  if (isRecord(o.retention)) {
    for (const [k, v] of Object.entries(o.retention)) {
      if (k.startsWith('keep_within')) check([...path, 'retention', k], v, throws(parseCalendarSpan));
    }
  }
  check([...path, 'schedule'], o.schedule, scheduleProblem);
  check([...path, 'timezone'], o.timezone, timezoneProblem);
  return issues;
}

function checkJob(job: Record<string, unknown>, path: Segment[], endpoints: EndpointContext, ctx: RuleContext): Issue[] {
  const issues: Issue[] = [];
  if (job.type === 'mirror' && job.retention !== undefined) {
    issues.push({ path: [...path, 'retention'], at: 'key', message: 'retention applies to snapshot jobs only; this job is a mirror' });
  }
  const parse = (key: 'source' | 'destination'): Endpoint | undefined => {
    const text = job[key];
    if (typeof text !== 'string' || text === '') return undefined;
    const r = parseEndpoint(text, endpoints);
    if (r.error !== undefined) issues.push({ path: [...path, key], message: r.error });
    return ctx.tainted([...path, key]) ? undefined : r.endpoint;
  };
  const source = parse('source');
  const destination = parse('destination');
  if (destination?.type === 'link') {
    issues.push({ path: [...path, 'destination'], message: 'a public link is read-only: it can be a source, never a destination' });
  }
  if (source && destination) {
    const s = formatEndpoint(source);
    const d = formatEndpoint(destination);
    const message = {
      same: `destination is the same folder as source (${s})`,
      'b-in-a': `destination ${d} lies inside source ${s}; the job would copy into itself`,
      'a-in-b': `destination ${d} contains source ${s}; the job would overwrite or delete its own source`,
      none: null,
    }[relation(source, destination) ?? 'none'];
    if (message) issues.push({ path: [...path, 'destination'], message });
  }
  return issues;
}

/** A parser that throws MegamirrorError, as a problem-or-null check. */
function throws(parse: (text: string) => unknown): (text: string) => string | null {
  return (text) => {
    try {
      parse(text);
      return null;
    } catch (err) {
      if (err instanceof MegamirrorError) return err.message;
      throw err;
    }
  };
}
