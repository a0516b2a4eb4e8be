import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const brokenDir = fileURLToPath(new URL('../config/broken/', import.meta.url));
const broken = readdirSync(brokenDir).filter((f) => f.endsWith('.yaml'));
/** A stack trace line as Node prints it. */
const STACK = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

describe('hostile job files through the real CLI', () => {
  it('the corpus is large enough', () => expect(broken.length).toBeGreaterThanOrEqual(40));
  // One process per file and command would be slow; validate and plan share the loader.
  for (const name of broken) {
    it(`${name}: exit 2, located message, no stack trace`, async () => {
      const r = await runCli(['validate', '-c', join(brokenDir, name)]);
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
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('unknown flags and missing arguments on every command', () => {
  const commands: Array<{ args: string[]; expect: RegExp }> = [
    { args: ['--bogus'], expect: /unknown option '--bogus'/ },
    { args: ['nonsense'], expect: /unknown command 'nonsense'/ },
    { args: ['validate', '--bogus'], expect: /unknown option/ },
    { args: ['plan', '--bogus'], expect: /unknown option/ },
    { args: ['plan', '-c'], expect: /argument missing/ },
    { args: ['run', '--bogus'], expect: /unknown option/ },
    { args: ['run', '--report'], expect: /argument missing/ },
    { args: ['run', '--dry-rn'], expect: /Did you mean --dry-run/ },
    { args: ['snapshots'], expect: /missing required argument 'job'/ },
    { args: ['snapshots', 'x', '--bogus'], expect: /unknown option/ },
    { args: ['prune', '--bogus'], expect: /unknown option/ },
    { args: ['restore', 'job'], expect: /required option '--to <dir>' not specified/ },
    { args: ['restore'], expect: /required option '--to <dir>'|missing required argument 'job'/ },
  ];
  for (const c of commands) {
    it(`megamirror ${c.args.join(' ')}`, async () => {
      const r = await runCli(c.args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(c.expect);
      expect(r.stderr).not.toMatch(STACK);
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
  });
});
