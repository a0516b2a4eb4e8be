/**
 * Run one shell command (hooks, password_command) through execa, bounded in time and output.
 *
 * Contract:
 * - The command runs through the shell (`/bin/sh -c` on Unix), stdin closed, in its own process
 *   group, so a timeout or an abort stops everything it started (SIGTERM to the group, SIGKILL
 *   after `killGraceMs`), not only the shell.
 * - Never throws for a command that fails, times out or cannot start: the result says so.
 * - `outputTail` keeps the last `tailBytes` of stdout and stderr as they interleaved (on Unix the
 *   shell sends stderr into the stdout pipe, so the order is exact). With
 *   `secretStdout`, stdout is returned in `stdout` only (up to 64 KiB) and never enters the tail, so
 *   a password printed by `pass show` cannot reach a report or a log.
 * - When the command exits but something it left in the background still holds its output open,
 *   the run ends anyway after `killGraceMs` (the leftovers are then killed with the group).
 */

import type { execa } from 'execa';
import { OutputTail } from './output-tail.js';

export interface CommandOptions {
  timeoutMs: number;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** Inherited variables the command must not see (those holding a secret). */
  unsetEnv?: readonly string[];
  cwd?: string;
  /** Aborting stops the command like a timeout does (the result has `aborted: true`). */
  signal?: AbortSignal;
  secretStdout?: boolean;
  /** Default 4096. */
  tailBytes?: number;
  /** Between SIGTERM and SIGKILL; default 2000 ms. */
  killGraceMs?: number;
}

export interface CommandResult {
  /** True when the command exited with 0 within its time. */
  ok: boolean;
  /** null when the command was killed by a signal or could not start. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  outputTail: string;
  /** Only with `secretStdout`. */
  stdout?: string;
  /** Why it could not start (spawn error), if so. */
  startError?: string;
}

const SECRET_STDOUT_LIMIT = 64 * 1024;

export async function runCommand(command: string, o: CommandOptions): Promise<CommandResult> {
  const started = performance.now();
  const tail = new OutputTail(o.tailBytes ?? 4096);
  const secret: Buffer[] = [];
  let secretBytes = 0;
  const groups = process.platform !== 'win32';
  // One pipe for both streams, so the tail shows them in the order they were written.
  const merged = groups && !o.secretStdout;
  // Loaded on first use: most runs have no hooks, and execa is a seventh of the CLI bundle.
  const { execa } = await import('execa');
  const sub = execa(merged ? `exec 2>&1\n${command}` : command, {
    shell: true,
    cwd: o.cwd,
    // An undefined value removes an inherited variable (child_process skips it).
    env: { ...o.env, ...Object.fromEntries((o.unsetEnv ?? []).map((k) => [k, undefined])) },
    extendEnv: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: groups,
    cleanup: true,
    encoding: 'buffer',
  });
  sub.stdout?.on('data', (chunk: Buffer) => {
    if (!o.secretStdout) tail.push(chunk);
    else if (secretBytes < SECRET_STDOUT_LIMIT) {
      secret.push(chunk);
      secretBytes += chunk.length;
    }
  });
  sub.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));

  let timedOut = false;
  let aborted = false;
  const stop = () => killTree(sub, groups, o.killGraceMs ?? 2000);
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, o.timeoutMs);
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await exited(sub);
  // The shell is gone; give its output a moment to drain, then stop whatever still holds it open.
  const drained = await Promise.race([sub.then(() => true), delay(o.killGraceMs ?? 2000).then(() => false)]);
  if (!drained) {
    if (groups && sub.pid !== undefined) signalGroup(sub.pid, 'SIGKILL');
    sub.stdout?.destroy();
    sub.stderr?.destroy();
    await sub;
  }
  clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  const result: CommandResult = {
    ok: exit.code === 0 && !timedOut && !aborted && exit.error === undefined,
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    aborted,
    durationMs: Math.round(performance.now() - started),
    outputTail: tail.text(),
  };
  if (o.secretStdout) result.stdout = Buffer.concat(secret).toString('utf8');
  if (exit.error !== undefined) result.startError = exit.error;
  return result;
}

interface Exit {
  code: number | null;
  signal: string | null;
  error?: string;
}

function exited(sub: ReturnType<typeof execa>): Promise<Exit> {
  return new Promise((resolve) => {
    if (sub.exitCode !== null || sub.signalCode !== null) {
      resolve({ code: sub.exitCode, signal: sub.signalCode });
      return;
    }
    sub.once('exit', (code, signal) => resolve({ code, signal }));
    sub.once('error', (err) => resolve({ code: null, signal: null, error: err.message }));
  });
}

function killTree(sub: ReturnType<typeof execa>, groups: boolean, graceMs: number): void {
  const pid = sub.pid;
  if (pid === undefined) return;
  if (!groups) {
    sub.kill('SIGTERM');
    setTimeout(() => sub.kill('SIGKILL'), graceMs).unref();
    return;
  }
  signalGroup(pid, 'SIGTERM');
  setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs).unref();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
