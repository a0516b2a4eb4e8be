/**
 * The LinkOpener for public-link endpoints (see engine/endpoints.ts). Links always name mega.nz;
 * `MEGAMIRROR_MEGA_GATEWAY` (an http(s) URL) sends their requests to another API address instead:
 * meant for tests against the emulator, like a remote's `gateway`. `MEGAMIRROR_MEGA_TIMEOUTS`
 * applies as for accounts.
 */

import { parseMegaLink, redactLink } from '../../../config/mega-link.js';
import type { LinkOpener } from '../../../engine/endpoints.js';
import { MegamirrorError } from '../../../errors.js';
import { timeoutsFromEnv } from '../open.js';
import { DEFAULT_TIMEOUTS, normalizeGateway } from '../session.js';
import { PublicLinkBackend } from './index.js';

export function openPublicLink(env: NodeJS.ProcessEnv = process.env): LinkOpener {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...timeoutsFromEnv(env.MEGAMIRROR_MEGA_TIMEOUTS) };
  return async (endpoint) => {
    const gateway = gatewayFromEnv(env.MEGAMIRROR_MEGA_GATEWAY);
    const display = redactLink(endpoint.url);
    const parsed = parseMegaLink(endpoint.url);
    if (!parsed.link) throw new MegamirrorError('usage', parsed.error, { where: display });
    return new PublicLinkBackend({ link: parsed.link, display, gateway, timeouts });
  };
}

export function gatewayFromEnv(text: string | undefined): string {
  if (text === undefined || text === '') return normalizeGateway(undefined);
  if (!/^https?:\/\//.test(text) || !URL.canParse(text)) {
    throw new MegamirrorError('usage', `MEGAMIRROR_MEGA_GATEWAY is not an http(s) URL: ${text}`);
  }
  return normalizeGateway(text);
}
