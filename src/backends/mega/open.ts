/**
 * The RemoteOpener for MEGA remotes (see engine/endpoints.ts): finds the remote's configuration,
 * gets the account's session for this process (cached session or login) and returns a backend
 * rooted at the endpoint's path. The retry wrapper is composed around it by `backendFactory`.
 *
 * `MEGAMIRROR_MEGA_TIMEOUTS` (e.g. `api=2000,idle=3000,request=3000,login=20000`, milliseconds)
 * shortens the network timeouts; meant for tests against the emulator.
 */

import { dirname } from 'node:path';
import type { RemoteOpener } from '../../engine/endpoints.js';
import { MegamirrorError } from '../../errors.js';
import { MegaBackend } from './index.js';
import { sessions as sharedSessions, type SessionRegistry } from './registry.js';
import type { MegaTimeouts } from './session.js';

export interface MegaOpenerOptions {
  timeouts?: Partial<MegaTimeouts>;
  registry?: SessionRegistry;
  /** Passed to every backend (tests shorten the in-place retries). */
  commitBackoffMs?: number;
}

export function megaOpener(o: MegaOpenerOptions = {}): RemoteOpener {
  const registry = o.registry ?? sharedSessions;
  return async (file, endpoint, job) => {
    const remote = file.remotes[endpoint.remote];
    if (!remote || remote.type !== 'mega') {
      throw new MegamirrorError('config', `remote "${endpoint.remote}" is not a MEGA remote`, { where: job.location });
    }
    const session = await registry.open({
      remote,
      stateDir: file.settings.stateDir,
      cwd: dirname(file.path),
      ...(o.timeouts ? { timeouts: o.timeouts } : {}),
    });
    return new MegaBackend({
      session,
      root: endpoint.path,
      display: `${endpoint.remote}:${endpoint.path}`,
      permanentDelete: remote.permanentDelete,
      ...(o.commitBackoffMs !== undefined ? { commitBackoffMs: o.commitBackoffMs } : {}),
    });
  };
}

/** The opener the CLI uses: shared sessions, timeouts from the environment when set. */
export function openMegaRemote(env: NodeJS.ProcessEnv = process.env): RemoteOpener {
  const timeouts = timeoutsFromEnv(env.MEGAMIRROR_MEGA_TIMEOUTS);
  return megaOpener(timeouts ? { timeouts } : {});
}

const KEYS: Record<string, keyof MegaTimeouts> = { api: 'apiMs', login: 'loginMs', idle: 'transferIdleMs', request: 'transferRequestMs' };

export function timeoutsFromEnv(text: string | undefined): Partial<MegaTimeouts> | undefined {
  if (!text) return undefined;
  const out: Partial<MegaTimeouts> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const key = KEYS[k ?? ''];
    const ms = Number(v);
    if (key && Number.isFinite(ms) && ms > 0) out[key] = ms;
  }
  return out;
}
