import { join, posix } from 'node:path';
import type { Endpoint, Job, JobFile } from '../config/types.js';
import { MegamirrorError } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import { LocalBackend } from '../backends/local/index.js';
import { withRetry, type RetryOptions } from '../backends/wrappers/retry.js';

/** Opens the backend for one endpoint of one job. Remote backends register themselves here. */
export type OpenBackend = (endpoint: Endpoint, job: Job) => Promise<Backend>;

export type RemoteOpener = (file: JobFile, endpoint: Extract<Endpoint, { type: 'remote' }>, job: Job) => Promise<Backend>;

export interface BackendFactoryOptions {
  /** Opens remote endpoints (MEGA); absent, remote endpoints are an error. */
  openRemote?: RemoteOpener;
  onRetry?: RetryOptions['onRetry'];
}

/**
 * The one place where backends are built and their wrappers (retries) composed, so every command
 * gets the same stack.
 */
export function backendFactory(file: JobFile, options: BackendFactoryOptions = {}): OpenBackend {
  return async (endpoint, job) => {
    let inner: Backend;
    if (endpoint.type === 'local') {
      inner = new LocalBackend(endpoint.path, { followSymlinks: job.followSymlinks });
    } else if (options.openRemote) {
      inner = await options.openRemote(file, endpoint, job);
    } else {
      throw new MegamirrorError('config', `remote "${endpoint.remote}" cannot be opened here`, { where: job.location });
    }
    return withRetry(inner, { retries: job.retries, ...(options.onRetry ? { onRetry: options.onRetry } : {}) });
  };
}

/** An endpoint for a folder below another (a snapshot inside its job's destination). */
export function childEndpoint(e: Endpoint, rel: string): Endpoint {
  return e.type === 'local' ? { type: 'local', path: join(e.path, rel) } : { ...e, path: posix.join(e.path, rel) };
}

/** How an endpoint is shown in plans and reports (never with credentials). */
export function displayEndpoint(e: Endpoint): string {
  return e.type === 'local' ? e.path : `${e.remote}:${e.path}`;
}
