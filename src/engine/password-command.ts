/**
 * `password_command`: a shell command whose first line of standard output is a password. It runs
 * through the same runner as hooks, with stdout kept out of every tail, report and log; a failure
 * reports only the exit status and the command's stderr.
 */

import { MegamirrorError } from '../errors.js';
import { runCommand } from './command.js';

export interface PasswordCommandOptions {
  /** Default 60 s: long enough for a GPG pinentry. */
  timeoutMs?: number;
  cwd?: string;
  signal?: AbortSignal;
  /** Where it is configured, for messages (`remotes.NAME.password_command`). */
  where?: string;
}

/** @throws MegamirrorError('auth') when the command fails or prints nothing. */
export async function readPasswordCommand(command: string, o: PasswordCommandOptions = {}): Promise<string> {
  const r = await runCommand(command, {
    timeoutMs: o.timeoutMs ?? 60_000,
    secretStdout: true,
    ...(o.cwd ? { cwd: o.cwd } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const where = o.where ?? 'password_command';
  if (!r.ok) {
    const why = r.timedOut ? `timed out after ${Math.round(r.durationMs / 1000)}s` : r.exitCode !== null ? `exited with ${r.exitCode}` : `was stopped (${r.signal ?? r.startError ?? 'unknown'})`;
    const stderr = r.outputTail.trim();
    throw new MegamirrorError('auth', `the password command ${why}${stderr ? `: ${lastLine(stderr)}` : ''}`, { where });
  }
  const password = (r.stdout ?? '').split(/\r?\n/)[0] ?? '';
  if (password === '') throw new MegamirrorError('auth', 'the password command printed nothing on its first line', { where });
  return password;
}

function lastLine(text: string): string {
  const lines = text.split('\n');
  return lines[lines.length - 1] ?? '';
}
