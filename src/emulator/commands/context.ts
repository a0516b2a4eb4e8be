/** What a command handler gets, and argument helpers that fail with -2 (EARGS). */
import { ApiError, EARGS } from '../errors.js';
import type { LinkTarget } from '../links.js';
import type { Account, EmulatorState } from '../state.js';
import type { Stats } from '../stats.js';
import type { Transfers } from '../transfers.js';

export type Command = Record<string, unknown>;

export interface CommandContext {
  state: EmulatorState;
  transfers: Transfers;
  stats: Stats;
  /** `http://127.0.0.1:PORT/`: upload, download and wait URLs are built on it. */
  baseUrl: string;
  /** The session's account (present for every command but us0/us and public-link reads). */
  account?: Account;
  sid?: string;
  /** `cs?n=<public handle>`: the request reads that folder link (f, g); see links.ts. */
  linkHandle?: string;
  /** The folder `linkHandle` names, when it is a live folder link. */
  folderLink?: LinkTarget;
}

/** Returns a reply value (number for an error, or any JSON) or throws ApiError. */
export type CommandHandler = (cmd: Command, ctx: CommandContext) => unknown;

export function str(cmd: Command, field: string): string {
  const value = cmd[field];
  if (typeof value !== 'string' || value === '') throw new ApiError(EARGS);
  return value;
}

export function optStr(cmd: Command, field: string): string | undefined {
  const value = cmd[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ApiError(EARGS);
  return value;
}

export function account(ctx: CommandContext): Account {
  if (!ctx.account) throw new Error('handler needs a session');
  return ctx.account;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
