/**
 * Suite 7: secrets never leak. Two emulator accounts with known passwords (one given through
 * `${MEGA_PASSWORD}`, one through `password_command` reading a private file) go through every
 * command, successes and failures (a wrong password, a failing password command, injected faults,
 * an expired session), with hooks that dump their own environment, argv and the process table,
 * and the daemon with JSON logs. Then every captured stdout/stderr, every file the runs left
 * (reports, plans, state, hook dumps, daemon log) except the session cache itself, is searched for
 * the passwords, the session ids (read from the cache files) and the master keys (hex, base64 with
 * and without padding, base64url): zero hits.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, stat, writeFile, chmod, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import { writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { record } from './harness.js';

const A = { email: 'alice.secret@example.com', password: 'A-pass: correct horse 7319!' };
const B = { email: 'bob.secret@example.com', password: 'B-pass: battery staple 5521?' };

/** A hook that shows everything it was given: environment, argv, and every process's argv. */
const DUMP = 'mkdir -p "$DUMP_DIR"; f="$DUMP_DIR/$MEGAMIRROR_JOB-$MEGAMIRROR_STAGE-$$$$.txt"; { env; echo "argv: $0 $*"; ps -eo args; } > "$f"; env; echo "argv: $0 $*"';

const JOBS = (gateway: string) => `version: 1
settings:
  state_dir: ./state
remotes:
  alice:
    type: mega
    email: ${A.email}
    password: \${MEGA_PASSWORD}
    gateway: ${gateway}
  bob:
    type: mega
    email: ${B.email}
    password_command: cat ./bob.pw
    gateway: ${gateway}
defaults:
  hooks:
    before: ['${DUMP}']
    after: ['${DUMP}']
    on_success: ['${DUMP}']
    on_error: ['${DUMP}']
jobs:
  up:
    type: mirror
    source: ./src
    destination: alice:/Up
  down:
    type: mirror
    source: alice:/Up
    destination: ./back
  bobsnap:
    type: snapshot
    source: ./src
    destination: bob:/Snaps
    retention: { keep_last: 1 }
  tick:
    type: mirror
    source: ./src
    destination: bob:/Tick
    schedule: "*/2 * * * * *"
`;

describe('no password, session id or master key in any output, log, report or hook', () => {
  let m: MegaCliEnv;
  const outputs: Array<{ what: string; r: CliResult }> = [];
  const keys: Buffer[] = [];
  let env: Record<string, string>;
  let jobs: string;

  const cli = async (what: string, args: string[], extraEnv: Record<string, string> = {}, jobFile?: string) => {
    const r = await runCli([...args, '-c', jobFile ?? jobs], { cwd: m.root, env: { ...env, ...extraEnv } });
    outputs.push({ what, r });
    return r;
  };

  beforeAll(async () => {
    m = await megaCliEnv();
    for (const acct of [A, B]) keys.push((await m.emu.createAccount(acct)).masterKey);
    jobs = join(m.root, 'jobs.yaml');
    env = { ...m.env, MEGA_PASSWORD: A.password, DUMP_DIR: join(m.root, 'hook-dumps') };
    await writeFile(jobs, JOBS(m.emu.gateway));
    await writeFile(join(m.root, 'bob.pw'), `${B.password}\n`);
    await chmod(join(m.root, 'bob.pw'), 0o600);
    await writeTree(join(m.root, 'src'), { 'a.txt': 'alpha', 'sub/b.bin': Buffer.alloc(300_000, 2), 'sub/c.txt': 'gamma' });
  }, 60_000);
  afterAll(() => m.cleanup());

  it('every command, successes and failures', { timeout: 240_000 }, async () => {
    expect((await cli('validate', ['validate'])).code).toBe(0);
    expect((await cli('login alice', ['login', 'alice'])).code).toBe(0);
    await cli('plan before anything exists', ['plan']);
    expect((await cli('run up', ['run', 'up', '--report', join(m.root, 'up.json')])).code).toBe(0);
    expect((await cli('plan', ['plan'])).code).toBe(0);
    await cli('plan --json', ['plan', '--json']);
    await cli('plan markdown', ['plan', '--format', 'markdown', '--out', join(m.root, 'plan.md')]);
    await cli('plan --out', ['plan', 'down', '--out', join(m.root, 'saved-plan.json')]);
    expect((await cli('apply', ['apply', join(m.root, 'saved-plan.json')])).code).toBe(0);
    expect((await cli('run down --json', ['run', 'down', '--json'])).code).toBe(0);
    expect((await cli('run bobsnap', ['run', 'bobsnap', '-v'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await cli('run bobsnap again', ['run', 'bobsnap'])).code).toBe(0);
    await cli('verify', ['verify']);
    await cli('verify --json', ['verify', '--json']);
    await cli('snapshots', ['snapshots', 'bobsnap']);
    await cli('snapshots --json', ['snapshots', 'bobsnap', '--json']);
    await cli('prune --dry-run', ['prune', '--dry-run']);
    await cli('prune', ['prune']);
    await cli('restore', ['restore', 'bobsnap', '--to', join(m.root, 'restored')]);
    await cli('status', ['status']);
    await cli('status --json', ['status', '--json']);
    for (const format of ['systemd', 'cron', 'kubernetes']) await cli(`schedule export ${format}`, ['schedule', 'export', '--format', format]);
    // The quick commands, where this build has them.
    await cli('ls', ['ls', '-l', '-R', 'alice:/']);
    await cli('quota', ['quota', 'bob', '--json']);
    await cli('get', ['get', 'alice:/Up/a.txt', join(m.root, 'got.txt')]);
    await cli('put', ['put', join(m.root, 'src', 'a.txt'), 'bob:/put']);
    await cli('sync', ['sync', join(m.root, 'src'), 'bob:/Synced']);

    // Failures: a fault, an expired session (renewed by a fresh login), a password command that
    // fails, a wrong password (a fresh state folder, so no cached session hides it).
    m.emu.faults.add({ target: 'upload', http: 500, times: 1000 });
    await writeTree(join(m.root, 'src'), { 'new.bin': Buffer.alloc(100_000, 5) });
    expect((await cli('run up with faults', ['run', 'up'])).code).toBe(1);
    m.emu.faults.clear();
    m.emu.expireSessions({ email: A.email });
    m.emu.expireSessions({ email: B.email });
    expect((await cli('run after expiry', ['run', 'up', 'bobsnap'])).code).toBe(0);
    const badCommand = join(m.root, 'bad-command.yaml');
    await writeFile(badCommand, JOBS(m.emu.gateway).replace('state_dir: ./state', 'state_dir: ./state-bad').replace('cat ./bob.pw', `echo "${B.password.slice(0, 6)}... nope" >&2; exit 3`));
    expect((await cli('failing password_command', ['run', 'bobsnap'], {}, badCommand)).code).toBe(1);
    const wrong = join(m.root, 'wrong.yaml');
    await writeFile(wrong, JOBS(m.emu.gateway).replace('state_dir: ./state', 'state_dir: ./state-wrong'));
    const denied = await cli('wrong password', ['run', 'up'], { MEGA_PASSWORD: `${A.password}x` }, wrong);
    expect(denied.code).toBe(1);
    expect(denied.stdout + denied.stderr).toContain('MEGA did not accept the email and password');
    await cli('wrong password, login', ['login', 'alice'], { MEGA_PASSWORD: 'not it' }, wrong);
    await cli('wrong password, verbose plan', ['plan', '--json'], { MEGA_PASSWORD: 'not it', MEGAMIRROR_DEBUG: '1' }, wrong);

    // The daemon, JSON logs, a job every two seconds with the same hooks, then SIGTERM.
    const daemonLog = await runDaemon(m.root, jobs, env);
    await writeFile(join(m.root, 'daemon.log'), daemonLog);

    // The secrets, as they would appear.
    const sids: string[] = [];
    const cacheFiles: string[] = [];
    for (const state of ['state', 'state-bad', 'state-wrong']) {
      const dir = join(m.root, state, 'sessions');
      for (const f of await readdir(dir).catch(() => [] as string[])) {
        cacheFiles.push(join(dir, f));
        sids.push(JSON.parse(await readFile(join(dir, f), 'utf8')).session.sid as string);
      }
    }
    expect(sids.length).toBeGreaterThanOrEqual(2);
    const needles = new Map<string, string>([
      ['password A', A.password], ['password B', B.password],
      ...sids.map((s, i) => [`sid ${i}`, s] as [string, string]),
      ...keys.flatMap((k, i) => [
        [`master key ${i} hex`, k.toString('hex')], [`master key ${i} base64`, k.toString('base64')],
        [`master key ${i} base64 unpadded`, k.toString('base64').replace(/=+$/, '')], [`master key ${i} base64url`, k.toString('base64url')],
      ] as Array<[string, string]>),
    ]);

    // Everything to search: captured output, and every file below the test folder except the
    // session caches (allowed to hold the session), the password file and the test's own data.
    const haystacks: Array<{ where: string; text: string }> = outputs.map(({ what, r }) => ({ where: `output of ${what}`, text: `${r.stdout}\n${r.stderr}` }));
    const skip = new Set([...cacheFiles, join(m.root, 'bob.pw')]);
    for (const f of await filesBelow(m.root)) {
      if (skip.has(f) || /\/(src|back|restored)\//.test(f)) continue;
      haystacks.push({ where: relative(m.root, f), text: (await readFile(f)).toString('latin1') });
    }
    const hits: string[] = [];
    for (const { where, text } of haystacks) for (const [name, value] of needles) if (text.includes(value)) hits.push(`${name} in ${where}`);
    const hookDumps = haystacks.filter((h) => h.where.startsWith('hook-dumps/')).length;
    await record({
      suite: 'secrets', scenario: 'every command, with failures, hooks and the daemon',
      injected: `${outputs.length} CLI runs (${outputs.filter((o) => o.r.code !== 0).length} failing), ${haystacks.length - outputs.length} files (${hookDumps} hook dumps), ${needles.size} secret forms`,
      outcome: hits.length === 0 ? 'zero hits' : `${hits.length} hits`, lost: hits.length,
      detail: { hits, exits: outputs.map(({ what, r }) => `${what}: ${r.code}`) },
    });
    // The searches found what they look for where it is allowed to be: a sanity check of the needles.
    const cached = await Promise.all(cacheFiles.map((f) => readFile(f, 'utf8')));
    expect(cached.some((t) => sids.some((s) => t.includes(s)))).toBe(true);
    expect(hookDumps).toBeGreaterThan(10);
    // The dumps hold what a hook sees: its environment (ours included) and the process table.
    const dump = haystacks.find((h) => h.where.startsWith('hook-dumps/'))!.text;
    expect(dump).toContain('MEGAMIRROR_JOB=');
    expect(dump).toContain(`MEGA_EMAIL=`);
    expect(dump).toContain('megamirror.mjs');
    expect(daemonLog).toContain('"event":"finish"');
    expect(hits).toEqual([]);
  });
});

async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir, { recursive: true })).map(String)) {
    const p = join(dir, name);
    if ((await stat(p)).isFile()) out.push(p);
  }
  return out;
}

/** The daemon in the foreground with JSON logs for about six seconds, then SIGTERM. */
async function runDaemon(cwd: string, jobs: string, env: Record<string, string>): Promise<string> {
  await mkdir(join(cwd, 'hook-dumps'), { recursive: true });
  const child = spawn(process.execPath, [CLI, 'daemon', '-c', jobs, '--log-format', 'json', '--grace-period', '20s'], {
    cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise((r) => child.on('close', r));
  await new Promise((r) => setTimeout(r, 6000));
  child.kill('SIGTERM');
  await closed;
  return out;
}
