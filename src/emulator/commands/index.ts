/** The command table. Every command but us0/us needs a live session (else the batch gets -15). */
import { sml, ug, uq, us, us0 } from './auth.js';
import type { CommandHandler } from './context.js';
import { a, d, f, m, p } from './nodes.js';
import { l } from './links.js';
import { g, u } from './transfer.js';

export const COMMANDS: Readonly<Record<string, CommandHandler>> = { us0, us, ug, uq, sml, f, p, a, m, d, u, g, l };

export const SESSIONLESS = new Set(['us0', 'us']);

/** Commands that read a public link without a session: `g` with `p`, and `f`/`g` on `cs?n=`. */
export function isPublicRead(name: string, cmd: unknown, linkHandle: string | undefined): boolean {
  if (linkHandle !== undefined && (name === 'f' || name === 'g')) return true;
  return name === 'g' && typeof (cmd as { p?: unknown } | null)?.p === 'string';
}

export type { CommandContext, CommandHandler, Command } from './context.js';
