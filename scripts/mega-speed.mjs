#!/usr/bin/env node
/**
 * Upload and download speed of the MEGA backend against the emulator, for one file.
 *   npx tsc -p . && node scripts/mega-speed.mjs [MiB=256] [--separate]
 * `--separate` runs the emulator in its own process (dist/emulator/cli.js) so it does not share
 * this process's CPU. Prints MiB/s and the peak RSS of this process (memory stays flat: the file
 * is streamed, never held).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { startEmulator } from '../dist/emulator/index.js';
import { SessionRegistry } from '../dist/backends/mega/registry.js';
import { MegaBackend } from '../dist/backends/mega/index.js';

const mib = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 256);
const separate = process.argv.includes('--separate');
const email = 'speed@example.com';
const password = 'speed password';
const dir = await mkdtemp(join(tmpdir(), 'mm-speed-'));
let emu;
let child;
let gateway;
if (separate) {
  child = spawn(process.execPath, ['dist/emulator/cli.js', '--port', '0', '--account', `${email}:${password}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  gateway = await new Promise((resolve) => child.stdout.on('data', (d) => {
    const m = /listening on (\S+)/.exec(String(d));
    if (m) resolve(m[1]);
  }));
} else {
  emu = await startEmulator({ accounts: [{ email, password }], log: () => undefined });
  gateway = emu.gateway;
}
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
try {
  const file = join(dir, 'big.bin');
  const h = await open(file, 'w');
  const block = randomBytes(1024 * 1024);
  for (let i = 0; i < mib; i++) await h.write(block);
  await h.close();
  const size = (await stat(file)).size;
  const registry = new SessionRegistry();
  const remote = { type: 'mega', name: 'mega', email, password, gateway, permanentDelete: false };
  const session = await registry.open({ remote, stateDir: join(dir, 'state') });
  const b = new MegaBackend({ session, root: '/speed', display: 'mega:/speed', permanentDelete: false });
  await b.mkdir('');
  const rssBefore = process.memoryUsage().rss;
  let t = performance.now();
  await b.write('big.bin', { localPath: file, open: async () => { throw new Error('unused'); } }, { size, mtimeMs: Date.now() });
  const up = performance.now() - t;
  t = performance.now();
  await pipeline(await b.openRead('big.bin'), new Writable({ write: (_c, _e, cb) => cb() }));
  const down = performance.now() - t;
  t = performance.now();
  await pipeline(await b.openRead('big.bin'), createWriteStream(join(dir, 'back.bin')));
  const downDisk = performance.now() - t;
  await b.close();
  const rate = (ms) => `${(size / 1048576 / (ms / 1000)).toFixed(0)} MiB/s (${(ms / 1000).toFixed(1)} s)`;
  console.log(`${mib} MiB, emulator ${separate ? 'in its own process' : 'in process'}`);
  console.log(`upload:             ${rate(up)}`);
  console.log(`download (discard): ${rate(down)}`);
  console.log(`download to disk:   ${rate(downDisk)}`);
  console.log(`rss before transfers ${(rssBefore / 1048576).toFixed(0)} MiB, peak ${(peak / 1048576).toFixed(0)} MiB`);
} finally {
  clearInterval(sampler);
  await emu?.close();
  child?.kill();
  await rm(dir, { recursive: true, force: true });
}
