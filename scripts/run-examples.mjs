#!/usr/bin/env node
// Runs the example jobs end to end, offline: starts the bundled MEGA emulator on loopback, then
// validate, plan, run, snapshots, verify, and plan again (which must have nothing left to copy).
// Output lands in examples/out (git-ignored). Exits non-zero if any step fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/megamirror.mjs');
const config = join(root, 'jobs.example.yaml');
const DEMO = { email: 'demo@megamirror.test', password: 'demo-password' };

if (!existsSync(cli)) run('build', 'npm', ['run', 'build']);
rmSync(join(root, 'examples/out'), { recursive: true, force: true });
mkdirSync(join(root, 'examples/out/mirror'), { recursive: true });
mkdirSync(join(root, 'examples/out/from-mega'), { recursive: true });

let emulator = null;
emulator = await startEmulator();
const env = { ...process.env, MEGA_GATEWAY: emulator.url, MEGA_EMAIL: DEMO.email, MEGA_PASSWORD: DEMO.password, NO_COLOR: process.env.NO_COLOR ?? '' };
try {
  mm('validate');
  mm('plan', 'documents', 'photos-to-mega', 'documents-history'); // photos-from-mega's source exists only after the run
  mm('run', '--report', join(root, 'examples/out/report.json'));
  mm('snapshots', 'documents-history');
  mm('verify');
  const again = JSON.parse(mm('plan', '--json', { quiet: true }));
  const left = again.jobs.flatMap((j) => j.actions.filter((a) => a.op === 'copy' || (j.kind === 'mirror' && a.op !== 'link')));
  if (left.length !== 0) fail(`the second plan still has ${left.length} actions: ${left.map((a) => a.path).join(', ')}`);
  console.log('\nexamples: ok (report in examples/out/report.json; the second plan copies nothing)');
} finally {
  emulator.child.kill('SIGTERM');
}

function mm(...args) {
  const opts = typeof args.at(-1) === 'object' ? args.pop() : {};
  const shown = [...args, '-c', 'jobs.example.yaml'].join(' ').replaceAll(root + '/', '');
  console.log(`\n$ megamirror ${shown}`);
  const r = spawnSync(process.execPath, [cli, ...args, '-c', config], { cwd: root, env, encoding: 'utf8', stdio: opts.quiet ? 'pipe' : 'inherit' });
  if (r.status !== 0) fail(`megamirror ${args[0]} exited with ${r.status}${opts.quiet ? `\n${r.stdout}${r.stderr}` : ''}`);
  return r.stdout;
}

function run(name, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`${name} exited with ${r.status}`);
}

/** The emulator in its own process on a free loopback port; the demo password goes by environment. */
function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/emulator/cli.js'), '--port', '0', '--account', DEMO.email], {
      env: { ...process.env, MEGA_EMULATOR_PASSWORD: DEMO.password },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => reject(new Error('the emulator did not start within 30 s')), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        console.log(`MEGA emulator (bundled, offline) at ${m[1]}`);
        resolve({ url: m[1], child });
      }
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
}

function fail(message) {
  console.error(`examples: FAILED: ${message}`);
  emulator?.child.kill('SIGTERM');
  process.exit(1);
}
