import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadJobFile } from '../../src/config/index.js';
import { stateFor } from '../../src/engine/state.js';
import { spawnCli } from '../helpers/cli.js';
import { runCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';

let root: string;
let cleanup: () => Promise<void>;
let jobs: string;
const children: ReturnType<typeof spawnCli>[] = [];

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-lock-e2e-'));
  await writeTree(join(root, 'src'), { 'a.txt': 'alpha', 'b/c.txt': 'gamma' });
  jobs = join(root, 'jobs.yaml');
  // The before hook keeps the lock held long enough for a second process, started at once, to meet it.
  await writeFile(jobs, 'version: 1\nsettings:\n  state_dir: ./state\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./dst\n    hooks:\n      before: ["sleep 3"]\n');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await cleanup();
});

function start(args: string[]) {
  const child = spawnCli(args, { cwd: root });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ pid: number; code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ pid: child.pid!, code, stdout, stderr })),
  );
}

/** The same job without the slow hook. */
const quick = () => writeFile(jobs, 'version: 1\nsettings:\n  state_dir: ./state\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./dst\n');

async function lockPath(): Promise<string> {
  return join((await stateFor(await loadJobFile(jobs))).locks, 'docs.lock');
}

describe('the per-job lock between real processes', () => {
  it('two runs of the same job at once: exactly one proceeds, the other exits 4 naming the holder', async () => {
    const results = await Promise.all([start(['run', '-c', jobs]), start(['run', '-c', jobs])]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 4]);
    const winner = results.find((r) => r.code === 0)!;
    const loser = results.find((r) => r.code === 4)!;
    expect(loser.stderr).toContain('error: job "docs" is locked by another run');
    expect(loser.stderr).toContain(`pid ${winner.pid} on ${hostname()} (megamirror run, since `);
    expect(loser.stdout).toBe('');
    expect(await readTree(join(root, 'dst'))).toEqual(await readTree(join(root, 'src')));
    expect(existsSync(await lockPath())).toBe(false);
  });

  it('run --json of a locked job reports it as skipped with error code locked', async () => {
    // Held by a live process: this test runner.
    const path = await lockPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JSON.stringify({ formatVersion: 1, pid: process.pid, host: hostname(), started_at: '2024-01-01T00:00:00.000Z', command: 'daemon', config: jobs, token: 'x' }));
    const second = await runCli(['run', '--json', '-c', jobs], { cwd: root });
    expect(second.code).toBe(4);
    const report = JSON.parse(second.stdout);
    expect(report.jobs[0]).toMatchObject({ status: 'skipped', error: { code: 'locked', where: path } });
    expect(report.jobs[0].error.message).toContain(`pid ${process.pid}`);
    expect(existsSync(join(root, 'dst'))).toBe(false);
  });

  it('a lock left by a process that is gone is taken over with a warning', async () => {
    const dead = await new Promise<number>((resolve) => {
      const c = spawn('true');
      c.on('close', () => resolve(c.pid!));
    });
    await quick();
    const path = await lockPath();
    await mkdir(join(path, '..'), { recursive: true });
    const stale = { formatVersion: 1, pid: dead, host: hostname(), started_at: '2024-01-01T00:00:00.000Z', command: 'run', config: jobs, token: 'stale' };
    await writeFile(path, JSON.stringify(stale));
    const r = await runCli(['run', '-c', jobs], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: job "docs": took over a stale lock from pid ${dead} on ${hostname()} (megamirror run, since 2024-01-01T00:00:00.000Z), which is no longer running`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(root, 'dst', 'a.txt'))).toBe(true);
  });

  it('a lock held on another host is not taken over', async () => {
    await quick();
    const path = await lockPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JSON.stringify({ formatVersion: 1, pid: 1, host: 'nas.example', started_at: '2024-01-01T00:00:00.000Z', command: 'daemon', config: jobs, token: 'x' }));
    const r = await runCli(['run', '-c', jobs], { cwd: root });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('pid 1 on nas.example (megamirror daemon');
    expect(r.stderr).toContain(`if it is no longer running there, remove ${path}`);
    expect(JSON.parse(await readFile(path, 'utf8')).host).toBe('nas.example');
  });
});
