/**
 * Where a remote's password comes from: `password` in the job file (after ${VAR} expansion), or
 * the first line printed by `password_command` (run by the shared command runner, its stdout kept
 * out of every log and report). Asked for only when a login is needed, at most once per process.
 */

import { MegamirrorError } from '../../errors.js';
import type { MegaRemoteConfig } from '../../config/types.js';
import { readPasswordCommand } from '../../engine/password-command.js';

export interface PasswordContext {
  /** The job file's folder: password commands run there. */
  cwd?: string;
  signal?: AbortSignal;
}

/** A function that yields the password, or null when the configuration has none. */
export type PasswordSource = (signal?: AbortSignal) => Promise<string | null>;

export function passwordSource(remote: MegaRemoteConfig, ctx: PasswordContext = {}): PasswordSource {
  let cached: Promise<string | null> | undefined;
  return (signal) => {
    cached ??= resolvePassword(remote, { ...ctx, ...(signal ? { signal } : {}) });
    // A failed command is not cached: the next login may try again.
    cached.catch(() => (cached = undefined));
    return cached;
  };
}

async function resolvePassword(remote: MegaRemoteConfig, ctx: PasswordContext): Promise<string | null> {
  if (remote.password !== undefined) return remote.password;
  if (remote.passwordCommand === undefined) return null;
  try {
    return await readPasswordCommand(remote.passwordCommand, {
      where: `remotes.${remote.name}.password_command`,
      ...(ctx.cwd ? { cwd: ctx.cwd } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    if (err instanceof MegamirrorError) throw err;
    throw new MegamirrorError('auth', 'the password command could not be run', { where: `remotes.${remote.name}.password_command` });
  }
}
