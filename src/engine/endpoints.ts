import { join, posix } from 'node:path';
import { formatEndpoint } from '../config/endpoints.js';
import type { Endpoint, Job, JobFile } from '../config/types.js';
import { MegamirrorError } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import { LocalBackend } from '../backends/local/index.js';
import { withRetry, type RetryOptions } from '../backends/wrappers/retry.js';

/** Opens the backend for one endpoint of one job. Remote backends register themselves here. */
export type OpenBackend = (endpoint: Endpoint, job: Job) => Promise<Backend>;

export type RemoteOpener = (file: JobFile, endpoint: Extract<Endpoint, { type: 'remote' }>, job: Job) => Promise<Backend>;

/** Opens a public link (read-only). */
export type LinkOpener = (endpoint: Extract<Endpoint, { type: 'link' }>, job: Job) => Promise<Backend>;

export interface BackendFactoryOptions {
  /** Opens remote endpoints (MEGA); absent, remote endpoints are an error. */
  openRemote?: RemoteOpener;
  /** Opens public links; absent, link endpoints are an error. */
  openLink?: LinkOpener;
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
      inner = new LocalBackend(endpoint.path, { followSymlinks: job.followSymlinks, concurrency: job.concurrency });
    } else if (endpoint.type === 'link') {
      if (!options.openLink) throw new MegamirrorError('config', `${formatEndpoint(endpoint)} cannot be opened here`, { where: job.location });
      inner = await options.openLink(endpoint, job);
    } else if (options.openRemote) {
      inner = await options.openRemote(file, endpoint, job);
    } else {
      throw new MegamirrorError('config', `remote "${endpoint.remote}" cannot be opened here`, { where: job.location });
    }
    return withRetry(inner, { retries: job.retries, ...(options.onRetry ? { onRetry: options.onRetry } : {}) });
  };
}

/** An endpoint for a folder below another (a snapshot inside its job's destination; never a link). */
export function childEndpoint(e: Endpoint, rel: string): Endpoint {
  switch (e.type) {
    case 'local':
      return { type: 'local', path: join(e.path, rel) };
    case 'remote':
      return { ...e, path: posix.join(e.path, rel) };
    case 'link':
      throw new MegamirrorError('usage', 'a public link has no folders to address below it', { where: formatEndpoint(e) });
  }
}

/** How an endpoint is shown in plans and reports (never with credentials or a link's key). */
export function displayEndpoint(e: Endpoint): string {
  return formatEndpoint(e);
}
