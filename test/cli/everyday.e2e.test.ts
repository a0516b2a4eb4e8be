import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';

let root: string;
let cleanup: () => Promise<void>;
let jobs: string;

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-every-'));
  await writeTree(join(root, 'src'), { 'a.txt': 'alpha', 'dir/b|pipe.txt': 'beta', 'dir/c.txt': 'gamma' });
  jobs = join(root, 'jobs.yaml');
  await writeFile(jobs, 'version: 1\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./dst\n    safety: { max_delete_percent: null }\n');
});
afterEach(() => cleanup());

/** Golden files hold output with the temporary folder replaced by ROOT. */
function golden(name: string, actual: string): void {
  const path = new URL(`./golden/${name}`, import.meta.url);
  const normalized = actual.split(root).join('ROOT');
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, normalized);
  expect(normalized).toBe(readFileSync(path, 'utf8'));
}

describe('plans for review', () => {
  it('plan --format markdown renders a summary table and the actions (golden)', async () => {
    await writeTree(join(root, 'dst'), { 'a.txt': 'old alpha', 'stale.txt': 'x' });
    const r = await runCli(['plan', '--format', 'markdown', '-c', jobs]);
    expect(r.code).toBe(0);
    golden('plan-small.md', r.stdout);
  });

  it('large markdown plans are folded with counts (golden)', async () => {
    await writeTree(join(root, 'src'), Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`many/f${String(i).padStart(2, '0')}.txt`, `${i}`])));
    const r = await runCli(['plan', '--format', 'markdown', '-c', jobs]);
    golden('plan-folded.md', r.stdout);
    expect(r.stdout).toContain('…and 35 more actions (35 copy).');
  });
});

describe('saved plans', () => {
  it('apply runs exactly the saved plan and skips, with reasons, what changed since', async () => {
    await writeTree(join(root, 'dst'), { 'dir/c.txt': 'gamma', 'stale.txt': 'x' });
    const planFile = join(root, 'plan.json');
    expect((await runCli(['plan', '--out', planFile, '-c', jobs])).code).toBe(0);
    // The world changes after planning: one source edited, one new file nobody planned for.
    await writeTree(join(root, 'src'), { 'a.txt': { content: 'alpha, edited', mtime: '2025-01-01T00:00:00Z' }, 'unplanned.txt': 'new' });
    const r = await runCli(['apply', planFile, '-c', jobs, '--allow-deletes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('world changed: the source file changed since the plan');
    const dst = await readTree(join(root, 'dst'));
    expect(Object.keys(dst).sort()).toEqual(['dir', 'dir/b|pipe.txt', 'dir/c.txt']);
  });

  it('a plan made for another job definition is refused', async () => {
    const planFile = join(root, 'plan.json');
    await runCli(['plan', '--out', planFile, '-c', jobs]);
    await writeFile(jobs, 'version: 1\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./elsewhere\n');
    const r = await runCli(['apply', planFile, '-c', jobs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('changed since the plan was made');
  });

  it('deletions beyond the guards still need --allow-deletes', async () => {
    await writeTree(join(root, 'dst'), Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`old${i}`, 'x'])));
    await writeFile(jobs, 'version: 1\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./dst\n    safety: { max_delete: 2 }\n');
    const planFile = join(root, 'plan.json');
    await runCli(['plan', '--out', planFile, '-c', jobs]);
    const r = await runCli(['apply', planFile, '-c', jobs]);
    expect(r.code).toBe(3);
    expect((await readTree(join(root, 'dst')))['old0']).toBeDefined();
  });

  it('a file that is not a plan is a usage error', async () => {
    await writeFile(join(root, 'bogus.json'), '{"hello": 1}');
    const r = await runCli(['apply', join(root, 'bogus.json'), '-c', jobs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a megamirror plan file');
  });
});

describe('verify', () => {
  it('passes on an exact mirror and catches one flipped byte', async () => {
    await runCli(['run', '-c', jobs]);
    expect((await runCli(['verify', '-c', jobs])).code).toBe(0);
    const target = join(root, 'dst', 'dir', 'c.txt');
    const bytes = await readFile(target);
    bytes[2] ^= 0x01;
    const { utimes, stat } = await import('node:fs/promises');
    const st = await stat(target);
    await writeFile(target, bytes);
    await utimes(target, st.atime, st.mtime);
    const r = await runCli(['verify', '--json', '-c', jobs]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).jobs[0].problems).toEqual([{ path: 'dir/c.txt', problem: 'content-differs', detail: 'content differs' }]);
  });
});

describe('progress', () => {
  it('without a terminal: plain lines, no redraws; --verbose adds one line per action; --quiet only the summary', async () => {
    const verbose = await runCli(['run', '--verbose', '-c', jobs]);
    expect(verbose.stderr).not.toContain('\r');
    expect(verbose.stderr).toContain('+ a.txt');
    expect(verbose.stderr).toContain('+ dir/c.txt');
    await writeTree(join(root, 'src'), { 'd.txt': 'delta' });
    const quiet = await runCli(['run', '--quiet', '-c', jobs]);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^docs: ok: copied 1 file/);
  });

  it('on a pseudo-terminal: a live bar with files, bytes, rate and ETA', async () => {
    await writeFile(join(root, 'src', 'big.bin'), '');
    await truncate(join(root, 'src', 'big.bin'), 400 * 1024 * 1024);
    // util-linux `script` gives the CLI a real pty; its output is what a terminal would show.
    const out = await new Promise<string>((resolve) => {
      const cmd = `${process.execPath} ${CLI} run -c ${jobs}`;
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: join(root, 'state') } });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', () => resolve(text));
    });
    expect(out).toMatch(/\d+\/4 files \| [\d.]+ \w+\/400 MiB \| [\d.]+ \w+\/s \| ETA/);
    expect(out).toContain('docs: ok: copied 4 files');
  });
});
