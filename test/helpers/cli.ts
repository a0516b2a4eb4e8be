import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/megamirror.mjs', import.meta.url));

/** Every CLI a test starts keeps its state (locks, sessions, reports) here, never in the real home. */
const STATE_HOME = mkdtempSync(join(tmpdir(), 'mm-state-'));
process.on('exit', () => rmSync(STATE_HOME, { recursive: true, force: true }));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill the process if it runs longer than this (ms); default 60 s. */
  timeoutMs?: number;
  uid?: number;
  gid?: number;
  input?: string;
}

/** Run the built CLI as a real child process and collect its output and exit status. */
export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, o);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}

/**
 * The bundled CLI in a world-readable folder, for runs as an unprivileged user: the checkout may
 * live below a folder only root can enter (CI clones into a mode-0700 temporary folder).
 */
let publicCli: string | null = null;
function cliFor(uid: number | undefined): string {
  if (uid === undefined || uid === 0) return CLI;
  if (publicCli) return publicCli;
  const dir = mkdtempSync(join(tmpdir(), 'mm-cli-'));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  mkdirSync(join(dir, 'dist'));
  for (const f of ['package.json', 'dist/megamirror.mjs', 'dist/walk-worker.mjs']) copyFileSync(join(root, f), join(dir, f));
  // The bundle's lazily loaded chunks, and the native helpers when built (else the fs paths run).
  cpSync(join(root, 'dist', 'chunks'), join(dir, 'dist', 'chunks'), { recursive: true });
  const native = join('native', 'build', 'Release', 'megamirror_native.node');
  if (existsSync(join(root, native))) {
    mkdirSync(join(dir, dirname(native)), { recursive: true });
    copyFileSync(join(root, native), join(dir, native));
  }
  cpSync(join(root, 'schemas'), join(dir, 'schemas'), { recursive: true });
  chmodSync(dir, 0o755);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  publicCli = join(dir, 'dist', 'megamirror.mjs');
  return publicCli;
}

/** Start the CLI without waiting: for signal and lock tests. */
export function spawnCli(args: string[], o: CliOptions = {}) {
  return spawn(process.execPath, [cliFor(o.uid), ...args], {
    cwd: o.cwd,
    env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: STATE_HOME, ...o.env },
    stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(o.uid !== undefined ? { uid: o.uid } : {}),
    ...(o.gid !== undefined ? { gid: o.gid } : {}),
  });
}
