/** The command table. Every command but us0/us needs a live session (else the batch gets -15). */
import { sml, ug, uq, us, us0 } from './auth.js';
import type { CommandHandler } from './context.js';
import { a, d, f, m, p } from './nodes.js';
import { g, u } from './transfer.js';

export const COMMANDS: Readonly<Record<string, CommandHandler>> = { us0, us, ug, uq, sml, f, p, a, m, d, u, g };

export const SESSIONLESS = new Set(['us0', 'us']);

export type { CommandContext, CommandHandler, Command } from './context.js';
