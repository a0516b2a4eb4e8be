/**
 * The job file layer: YAML text in, a normalized `JobFile` out, or a `ConfigError` that lists every
 * problem with file:line:column.
 *
 * Pipeline (one concern per file):
 *   load (YAML, positions, duplicate keys) → expand (${VAR}) → validate (schema, ajv)
 *   → rules (semantics) → normalize (defaults, paths, durations)
 */

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { expandEnv, isTainted, type Env } from './expand.js';
import { finalize, type Issue } from './issues.js';
import { loadYaml } from './load.js';
import { normalize } from './normalize.js';
import type { RawJobFile } from './raw.js';
import { checkRules } from './rules.js';
import { validateSchema } from './validate.js';
import type { JobFile } from './types.js';

export type * from './types.js';
export { parseDuration } from './durations.js';
export { formatEndpoint } from './endpoints.js';
export { SCHEMA_URL, jobFileSchema } from './validate.js';

export interface LoadOptions {
  /** Variables for `${VAR}` and XDG_STATE_HOME; default process.env. */
  env?: Record<string, string | undefined>;
  /** What `~` expands to; default os.homedir(). */
  home?: string;
  /** State folder when the file sets no settings.state_dir (e.g. from a CLI flag). */
  stateDir?: string;
  /**
   * Read only `version`, `settings` and `remotes` (the quick commands, like rclone's remotes-only
   * config): `jobs` and `defaults` may be absent or anything at all, are not checked, and the
   * result has no jobs.
   */
  remotesOnly?: boolean;
}

/**
 * Read and check a job file. Throws `ConfigError` listing every problem; an unreadable file is one
 * problem at 1:1. `path` is shown as given in messages and in `Job.location`.
 */
export async function loadJobFile(path: string, options: LoadOptions = {}): Promise<JobFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: path, line: 1, column: 1, path: '', message: readError(err) }]);
  }
  return parseJobFileText(text, path, options);
}

/** `loadJobFile` without the read: `path` names the file and anchors relative paths. */
export function parseJobFileText(text: string, path: string, options: LoadOptions = {}): JobFile {
  const env: Env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const absPath = resolve(path);
  const baseDir = dirname(absPath);
  const loaded = loadYaml(text);
  const fail = (issues: Issue[]): never => {
    throw new ConfigError(finalize(issues, path, loaded.locate));
  };
  if (loaded.data === undefined) fail(loaded.issues);
  if (loaded.data === null) {
    fail([...loaded.issues, { path: [], message: 'the file is empty; a job file needs "version: 1" and "jobs"' }]);
  }
  const data = options.remotesOnly ? remotesPart(loaded.data) : loaded.data;
  const expanded = expandEnv(data, env);
  const tainted = (p: Issue['path']) => isTainted(expanded.tainted, p);
  const later = [...validateSchema(expanded.data), ...checkRules(expanded.data, { baseDir, home, tainted })];
  const issues = [...loaded.issues, ...expanded.issues, ...later.filter((i) => !tainted(i.path))];
  if (issues.length > 0) fail(issues);
  const file = normalize(expanded.data as RawJobFile, {
    path: absPath,
    displayPath: path,
    baseDir,
    home,
    env,
    ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
    jobPosition: (name) => loaded.locate({ path: ['jobs', name], at: 'key' }),
  });
  return options.remotesOnly ? { ...file, jobs: [] } : file;
}

/** The parts of a job file the quick commands read, with a stand-in for the jobs that the schema wants. */
function remotesPart(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const { version, settings, remotes } = data as Record<string, unknown>;
  return { version, ...(settings !== undefined && { settings }), ...(remotes !== undefined && { remotes }), jobs: { [REMOTES_ONLY_JOB]: REMOTES_ONLY_STAND_IN } };
}

const REMOTES_ONLY_JOB = 'remotes-only';
const REMOTES_ONLY_STAND_IN = { type: 'mirror', source: '/nonexistent/a', destination: '/nonexistent/b' };

function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'cannot read the job file: no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the job file: permission denied';
    case 'EISDIR':
      return 'cannot read the job file: it is a folder';
    default:
      return `cannot read the job file: ${(err as Error).message ?? String(err)}`;
  }
}

export type { ConfigProblem };
