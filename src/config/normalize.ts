/**
 * Accepted raw data to the typed `JobFile`: every default is resolved here, once.
 * Precondition: the schema and the rules found no problem (it throws on what they would reject).
 *
 * Merging defaults into a job: the job's value wins; include, exclude and the hook lists are
 * concatenated (defaults first; repeated globs dropped, repeated commands kept); safety and hooks
 * merge key by key; retention is taken whole (the job's, else the defaults') and only for
 * snapshot jobs. include is ['**'] only when neither sets it.
 */

import { join, resolve } from 'node:path';
import { parseDuration } from './durations.js';
import { parseEndpoint, type EndpointContext } from './endpoints.js';
import type { Env } from './expand.js';
import { expandHome } from './expand.js';
import type { Position } from './positions.js';
import type { RawJob, RawJobFile, RawJobOptions, RawRemote, RawSettings } from './raw.js';
import type { GlobalSettings, HookSet, Job, JobFile, RemoteConfig, RetentionPolicy } from './types.js';

export interface NormalizeContext {
  /** Absolute path of the job file. */
  path: string;
  /** The file as shown in messages and in `Job.location`. */
  displayPath: string;
  baseDir: string;
  home: string;
  env: Env;
  /** `options.stateDir` of the loader: the state folder when the file sets none. */
  stateDir?: string;
  /** Position of a job's key in the file. */
  jobPosition: (name: string) => Position;
}

export const DEFAULTS = {
  include: ['**'],
  delete: true,
  mtimeTolerance: '2s',
  compare: 'size-mtime',
  maxDelete: 1000,
  maxDeletePercent: 50,
  followSymlinks: false,
  concurrency: 4,
  retries: 3,
  hookTimeout: '5m',
  catchUp: false,
  maxParallelJobs: 1,
  keepReports: 20,
} as const;

export function normalize(raw: RawJobFile, ctx: NormalizeContext): JobFile {
  const remotes: Record<string, RemoteConfig> = {};
  for (const [name, r] of Object.entries(raw.remotes ?? {})) remotes[name] = remote(name, r);
  const endpoints: EndpointContext = { remotes: Object.keys(remotes), baseDir: ctx.baseDir, home: ctx.home };
  const defaults = raw.defaults ?? {};
  const jobs = Object.entries(raw.jobs).map(([name, j]) => job(name, j, defaults, endpoints, ctx));
  return { path: ctx.path, version: 1, remotes, jobs, settings: settings(raw.settings ?? {}, ctx) };
}

function settings(s: RawSettings, ctx: NormalizeContext): GlobalSettings {
  return {
    stateDir: stateDir(s, ctx),
    maxParallelJobs: s.max_parallel_jobs ?? DEFAULTS.maxParallelJobs,
    keepReports: s.keep_reports ?? DEFAULTS.keepReports,
  };
}

/** settings.state_dir, else options.stateDir, else $XDG_STATE_HOME/megamirror, else ~/.local/state/megamirror. */
function stateDir(s: RawSettings, ctx: NormalizeContext): string {
  if (s.state_dir !== undefined) return resolve(ctx.baseDir, expandHome(s.state_dir, ctx.home).value);
  if (ctx.stateDir !== undefined) return resolve(ctx.stateDir);
  const xdg = ctx.env.XDG_STATE_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && xdg.startsWith('/')) return join(xdg, 'megamirror');
  return join(ctx.home, '.local', 'state', 'megamirror');
}

function remote(name: string, r: RawRemote): RemoteConfig {
  return {
    type: 'mega',
    name,
    email: r.email,
    ...(r.password !== undefined && { password: r.password }),
    ...(r.password_command !== undefined && { passwordCommand: r.password_command }),
    ...(r.gateway !== undefined && { gateway: r.gateway }),
    permanentDelete: r.permanent_delete ?? false,
  };
}

function job(name: string, j: RawJob, d: RawJobOptions, endpoints: EndpointContext, ctx: NormalizeContext): Job {
  const pos = ctx.jobPosition(name);
  return {
    name,
    type: j.type,
    source: endpoint(j.source, endpoints),
    destination: endpoint(j.destination, endpoints),
    include: j.include || d.include ? concat(d.include, j.include) : [...DEFAULTS.include],
    exclude: concat(d.exclude, j.exclude),
    delete: j.delete ?? d.delete ?? DEFAULTS.delete,
    mtimeToleranceMs: parseDuration(j.mtime_tolerance ?? d.mtime_tolerance ?? DEFAULTS.mtimeTolerance),
    compare: j.compare ?? d.compare ?? DEFAULTS.compare,
    safety: {
      maxDelete: pick(j.safety, d.safety, 'max_delete', DEFAULTS.maxDelete),
      maxDeletePercent: pick(j.safety, d.safety, 'max_delete_percent', DEFAULTS.maxDeletePercent),
    },
    followSymlinks: j.follow_symlinks ?? d.follow_symlinks ?? DEFAULTS.followSymlinks,
    concurrency: j.concurrency ?? d.concurrency ?? DEFAULTS.concurrency,
    retries: j.retries ?? d.retries ?? DEFAULTS.retries,
    retention: j.type === 'snapshot' ? retention(j.retention ?? d.retention) : null,
    schedule: j.schedule !== undefined ? j.schedule : (d.schedule ?? null),
    timezone: j.timezone !== undefined ? j.timezone : (d.timezone ?? null),
    catchUp: j.catch_up ?? d.catch_up ?? DEFAULTS.catchUp,
    hooks: hooks(d.hooks ?? {}, j.hooks ?? {}),
    location: `${ctx.displayPath}:${pos.line}:${pos.column}`,
  };
}

function endpoint(text: string, ctx: EndpointContext) {
  const r = parseEndpoint(text, ctx);
  if (!r.endpoint) throw new Error(`normalize called with an invalid endpoint: ${r.error}`);
  return r.endpoint;
}

/** The job's value when the key is present (null included: "no limit"), else the defaults', else `fallback`. */
function pick<K extends string>(
  job: Partial<Record<K, number | null>> | undefined,
  defaults: Partial<Record<K, number | null>> | undefined,
  key: K,
  fallback: number,
): number | null {
  const own = job?.[key];
  if (own !== undefined) return own;
  const inherited = defaults?.[key];
  return inherited !== undefined ? inherited : fallback;
}

function concat(first: readonly string[] = [], second: readonly string[] = []): string[] {
  return [...new Set([...first, ...second])];
}

function retention(r: Record<string, number | string> | undefined): RetentionPolicy | null {
  return r ? ({ ...r } as RetentionPolicy) : null;
}

function hooks(d: NonNullable<RawJobOptions['hooks']>, j: NonNullable<RawJobOptions['hooks']>): HookSet {
  return {
    before: [...(d.before ?? []), ...(j.before ?? [])],
    after: [...(d.after ?? []), ...(j.after ?? [])],
    onSuccess: [...(d.on_success ?? []), ...(j.on_success ?? [])],
    onError: [...(d.on_error ?? []), ...(j.on_error ?? [])],
    timeoutMs: parseDuration(j.timeout ?? d.timeout ?? DEFAULTS.hookTimeout),
  };
}
