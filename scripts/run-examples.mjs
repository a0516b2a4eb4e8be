#!/usr/bin/env node
// Runs the example jobs end to end, offline: validate, plan, run, then plan again (which must show
// nothing to do). Output lands in examples/out (git-ignored). Exits non-zero if any step fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli/main.js');
const config = join(root, 'jobs.example.yaml');

if (!existsSync(cli)) step('build', 'npm', ['run', 'build']);
rmSync(join(root, 'examples/out'), { recursive: true, force: true });
mkdirSync(join(root, 'examples/out/mirror'), { recursive: true });

const env = { ...process.env };
step('validate', process.execPath, [cli, 'validate', '-c', config], env);
step('plan', process.execPath, [cli, 'plan', '-c', config], env);
step('run', process.execPath, [cli, 'run', '-c', config, '--report', join(root, 'examples/out/report.json')], env);
const again = step('plan again', process.execPath, [cli, 'plan', '--json', '-c', config], env, true);
const pending = JSON.parse(again).jobs.reduce((n, j) => n + j.actions.length, 0);
if (pending !== 0) fail(`the second plan still has ${pending} actions`);
console.log('\nexamples: ok (report in examples/out/report.json; the second plan has nothing to do)');

function step(name, cmd, args, stepEnv = process.env, quiet = false) {
  console.log(`\n$ megamirror ${args.slice(1).join(' ').replace(root + '/', '')}`);
  const r = spawnSync(cmd, args, { cwd: root, env: stepEnv, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit' });
  if (r.status !== 0) fail(`${name} exited with ${r.status}${quiet ? `\n${r.stdout}${r.stderr}` : ''}`);
  return r.stdout;
}

function fail(message) {
  console.error(`examples: FAILED: ${message}`);
  process.exit(1);
}
