/**
 * What the quick commands (ls, get, put, rm, mkdir, mv, quota, sync) share: arguments as endpoints
 * and backends opened through the same factory (and retry wrapper) as jobs.
 *
 * Arguments: a MEGA link (`https://mega.nz/...#KEY`), `REMOTE:/path` (REMOTE defined under
 * `remotes:` in the job file), else a local path relative to the current folder. Like rclone's
 * config, the job file is read only for its remotes (`loadJobFile(..., { remotesOnly: true })`):
 * it may have no jobs, and broken jobs do not stop a quick command. It is read only when an
 * argument names a remote or `-c` is given, so `get LINK DIR` works without any job file.
 */

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadJobFile } from '../../config/index.js';
import { parseEndpoint } from '../../config/endpoints.js';
import { looksLikeMegaLink, redactLink } from '../../config/mega-link.js';
import type { Endpoint, Job, JobFile } from '../../config/types.js';
import { adHocJob } from '../../engine/ad-hoc.js';
import type { OpenBackend } from '../../engine/endpoints.js';
import { MegamirrorError } from '../../errors.js';
import type { Backend } from '../../backends/backend.js';
import { configPath, openerFor, type ConfigOption } from '../context.js';

export interface Quick {
  file: JobFile;
  open: OpenBackend;
  /** An argument as an endpoint (usage error when it cannot be one). */
  endpoint(arg: string): Endpoint;
  /** Opens one endpoint with the quick commands' job options (retries, symlinks not followed). */
  openAt(e: Endpoint): Promise<Backend>;
}

const NAMES_REMOTE = /^[A-Za-z][A-Za-z0-9_-]*:(\/|$)/;

/** `args` are the command's endpoint arguments: they decide whether the job file is needed. */
export async function quickContext(o: ConfigOption, args: readonly string[], o2: { needsRemotes?: boolean } = {}): Promise<Quick> {
  const wanted = o2.needsRemotes || o.config !== undefined || args.some((a) => !looksLikeMegaLink(a) && NAMES_REMOTE.test(a));
  const file = wanted ? await loadJobFile(configPath(o), { remotesOnly: true }) : noFile();
  const open = openerFor(file);
  const home = homedir();
  const endpoint = (arg: string): Endpoint => {
    const r = parseEndpoint(arg, { remotes: Object.keys(file.remotes), baseDir: process.cwd(), home });
    if (!r.endpoint) throw new MegamirrorError('usage', r.error, { where: redactLink(arg) });
    return r.endpoint;
  };
  const job: Job = adHocJob({ name: 'quick', source: { type: 'local', path: '/' }, destination: { type: 'local', path: '/' }, delete: false });
  return { file, open, endpoint, openAt: (e) => open(e, job) };
}

/** A stand-in when no remote is named: nothing in it is used but its emptiness. */
function noFile(): JobFile {
  return { path: resolve('jobs.yaml'), version: 1, remotes: {}, jobs: [], settings: { stateDir: join(homedir(), '.local', 'state', 'megamirror'), maxParallelJobs: 1, keepReports: 20 } };
}
