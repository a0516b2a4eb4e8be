/**
 * Suite 5, hostile input to the CLI: the corpus of broken job files (each a located error, exit 2,
 * no stack trace), and unknown flags, missing arguments and options without their value on every
 * command and subcommand. The commands are discovered from `--help`, so a command added later is
 * covered without touching this file. Runs concurrently: each case is its own process.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { record } from './harness.js';

const brokenDir = fileURLToPath(new URL('../config/broken/', import.meta.url));
const broken = readdirSync(brokenDir).filter((f) => f.endsWith('.yaml'));
/** A stack trace line as Node prints it. */
const STACK = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

describe.concurrent('hostile job files through the real CLI', () => {
  it('the corpus is large enough', () => expect(broken.length).toBeGreaterThanOrEqual(40));
  for (const name of broken) {
    it(`${name}: exit 2, located message, no stack trace`, async () => {
      const r = await runCli(['validate', '-c', join(brokenDir, name)]);
      const ok = r.code === 2 && /:\d+:\d+: /.test(r.stderr) && !STACK.test(r.stderr) && r.stdout === '';
      await record({ suite: 'hostile-inputs', scenario: 'broken job files', injected: name, outcome: ok ? 'exit 2, located' : `exit ${r.code}`, lost: 0, detail: { ok } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/:\d+:\d+: /);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stdout).toBe('');
    });
  }
  it('a job file that does not exist', async () => {
    const r = await runCli(['plan', '-c', '/nonexistent/jobs.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/jobs.yaml:1:1: cannot read the job file');
  });
  it('a folder given as the job file', async () => {
    const r = await runCli(['run', '-c', brokenDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:1:1: cannot read the job file: it is a folder/);
    expect(r.stderr).not.toMatch(STACK);
  });
  it('a binary file given as the job file', async () => {
    const r = await runCli(['validate', '-c', process.execPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:\d+:\d+: /);
    expect(r.stderr).not.toMatch(STACK);
  });
});

interface Command {
  path: string[];
  /** Placeholders for the required positional arguments. */
  args: string[];
  /** Options that take a required value (`--config <file>`). */
  valued: string[];
  hasSubcommands: boolean;
}

const help = (path: string[]) => execFileSync(process.execPath, [CLI, ...path, '--help'], { encoding: 'utf8' });

function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    out.push(l);
  }
  return out;
}

/** Every command and subcommand, from the help texts. */
function discover(path: string[] = []): Command[] {
  const text = help(path);
  const out: Command[] = [];
  const usage = /^Usage: \S+ (.*)$/m.exec(text)?.[1] ?? '';
  const subs = section(text, 'Commands').map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter((n): n is string => !!n && n !== 'help');
  if (path.length > 0) {
    out.push({
      path,
      args: [...usage.matchAll(/<([^>]+)>/g)].map(() => 'x'),
      valued: section(text, 'Options').map((l) => /^ {2}(?:-\w, )?(--[\w-]+) <[^>]+>/.exec(l)?.[1]).filter((o): o is string => !!o),
      hasSubcommands: subs.length > 0,
    });
  }
  for (const s of subs) out.push(...discover([...path, s]));
  return out;
}

const commands = discover();

describe.concurrent('unknown flags and missing arguments on every command', () => {
  it('discovers the commands', () => {
    expect(commands.map((c) => c.path.join(' '))).toEqual(expect.arrayContaining(['validate', 'plan', 'run', 'apply', 'verify', 'snapshots', 'prune', 'restore', 'login', 'daemon', 'status', 'schedule', 'schedule export']));
  });

  const cases: Array<{ name: string; args: string[]; expect: RegExp }> = [
    { name: 'megamirror (no command)', args: [], expect: /Usage: megamirror/ },
    { name: 'megamirror --bogus', args: ['--bogus'], expect: /unknown option '--bogus'/ },
    { name: 'megamirror nonsense', args: ['nonsense'], expect: /unknown command 'nonsense'/ },
    { name: 'megamirror run --dry-rn', args: ['run', '--dry-rn'], expect: /Did you mean --dry-run/ },
  ];
  for (const c of commands) {
    const name = c.path.join(' ');
    // An unknown flag, with the required arguments present; a required option may be named first.
    cases.push({ name: `${name} --bogus-flag`, args: [...c.path, ...c.args, '--bogus-flag'], expect: /unknown option '--bogus-flag'|required option '.*' not specified/ });
    if (c.args.length > 0) cases.push({ name: `${name} (no arguments)`, args: c.path, expect: /missing required argument|required option/ });
    if (c.hasSubcommands) {
      cases.push({ name: `${name} (no subcommand)`, args: c.path, expect: /Usage: megamirror/ });
      cases.push({ name: `${name} nonsense`, args: [...c.path, 'nonsense'], expect: /unknown command 'nonsense'/ });
    }
    for (const o of c.valued) cases.push({ name: `${name} ${o} (no value)`, args: [...c.path, ...c.args, o], expect: /argument missing/ });
  }
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runCli(c.args);
      const ok = r.code === 2 && c.expect.test(r.stderr) && !STACK.test(r.stderr);
      await record({ suite: 'hostile-inputs', scenario: 'unknown flags, missing arguments', injected: `megamirror ${c.args.join(' ')}`, outcome: ok ? 'exit 2, clear message' : `exit ${r.code}`, lost: 0, detail: { ok } });
      expect(r.stderr).toMatch(c.expect);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.code).toBe(2);
    });
  }

  it('an unknown job name is a usage error with a suggestion', async () => {
    const jobs = join(fileURLToPath(new URL('../config/good/', import.meta.url)), 'jobs.example.yaml');
    const r = await runCli(['plan', 'documnets', '-c', jobs], { env: { MEGA_EMAIL: 'a@b', MEGA_PASSWORD: 'x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no job named "documnets" (did you mean "documents"?)');
  });
  it('--help and --version exit 0', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await runCli(['run', '--help'])).stdout).toContain('--dry-run');
    expect((await runCli(['help', 'run'])).code).toBe(0);
  });
});
