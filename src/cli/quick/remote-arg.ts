import { formatEndpoint } from '../../config/endpoints.js';
import type { Endpoint } from '../../config/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Quick } from './context.js';

export type RemoteEndpoint = Extract<Endpoint, { type: 'remote' }>;

/** An argument that must be `REMOTE:/path` (rm, mkdir, mv, quota): anything else is a usage error. */
export function remoteArg(q: Quick, arg: string, command: string): RemoteEndpoint {
  const e = q.endpoint(arg);
  if (e.type === 'remote') return e;
  const why = e.type === 'link' ? 'a public link is read-only' : `${command} works on MEGA: write REMOTE:/path`;
  throw new MegamirrorError('usage', why, { where: formatEndpoint(e) });
}
