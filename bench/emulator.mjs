#!/usr/bin/env node
/**
 * Throughput of the MEGA emulator alone: upload then download N MiB of raw ciphertext through its
 * storage server (no crypto, no megajs transfer code), emulator in its own process.
 *
 *   npx tsc -p . && node bench/emulator.mjs [--mib 256] [--chunk-mib 1] [--connections 4] [--state DIR]
 *
 * Chunks follow the MAC boundaries (128 KiB x i, then `--chunk-mib` MiB per request once past
 * them, megajs uses 1), `--connections` requests in flight (megajs default 4). Prints MB/s (1e6 B).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Storage } from 'megajs';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    'chunk-mib': { type: 'string', default: '1' },
    connections: { type: 'string', default: '4' },
    state: { type: 'string' },
  },
});
const SIZE = Number(values.mib) * 1024 * 1024;
const MAX_CHUNK = Number(values['chunk-mib']) * 1024 * 1024;
const CONNECTIONS = Number(values.connections);

const cli = join(dirname(fileURLToPath(import.meta.url)), '../dist/emulator/cli.js');
if (!existsSync(cli)) {
  console.error('build first: npx tsc -p .');
  process.exit(2);
}

/** [start, end) pieces: MAC chunks (128K x i up to 1 MiB), merged up to MAX_CHUNK per request. */
function plan(size) {
  const out = [];
  let pos = 0;
  for (let i = 1; pos < size; i++) {
    const mac = Math.min(i, 8) * 128 * 1024;
    const want = pos >= 4608 * 1024 ? Math.max(mac, MAX_CHUNK) : mac;
    out.push([pos, Math.min(pos + want, size)]);
    pos += want;
  }
  return out;
}

async function pool(items, worker) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}

function request(url, method, body, sink) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
      const pieces = [];
      res.on('data', (d) => (sink ? sink(d) : pieces.push(d)));
      res.on('end', () => resolve(Buffer.concat(pieces)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
const args = ['--port', '0', '--account', 'bench@example.com:bench'];
if (values.state) args.push('--state', values.state);
// EMULATOR_CPU_PROF=DIR writes the emulator's CPU profile there (it exits cleanly on SIGTERM).
const profile = process.env.EMULATOR_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.EMULATOR_CPU_PROF] : [];
const child = spawn(process.execPath, [...profile, cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
const gateway = /(http:\S+)/.exec(line)[1];

try {
  const storage = new Storage({ email: 'bench@example.com', password: 'bench', gateway, keepalive: false });
  await storage.ready;

  const data = Buffer.allocUnsafe(SIZE);
  for (let i = 0; i < SIZE; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  const pieces = plan(SIZE);

  // CPU time the emulator process spends per phase: its capacity if the client were free.
  const cpu = async () => {
    const { cpuMicros } = await (await fetch(`${gateway}__emulator/health`)).json();
    return (cpuMicros.user + cpuMicros.system) / 1e6;
  };
  const { p: url } = await storage.api.request({ a: 'u', s: SIZE });
  let token;
  let cpu0 = await cpu();
  let t0 = process.hrtime.bigint();
  await pool(pieces, async ([start, end]) => {
    const reply = await request(`${url}/${start}`, 'POST', data.subarray(start, end));
    if (reply.length === 36) token = reply;
    else if (reply.length) throw new Error(`upload error ${reply}`);
  });
  const upSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const upCpu = (await cpu()) - cpu0;
  if (!token) throw new Error('no completion token');

  const put = await storage.api.request({
    a: 'p',
    t: storage.root.nodeId,
    n: [{ h: token.toString('base64url'), t: 0, a: 'AAAAAAAAAAAAAAAAAAAAAA', k: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  });
  const { g } = await storage.api.request({ a: 'g', g: 1, n: put.f[0].h });

  // Compared in place against the original (no copy into fresh memory on the client side).
  let mismatches = 0;
  cpu0 = await cpu();
  t0 = process.hrtime.bigint();
  await pool(pieces, async ([start, end]) => {
    let at = start;
    await request(`${g}/${start}-${end - 1}`, 'GET', undefined, (d) => {
      if (!d.equals(data.subarray(at, at + d.length))) mismatches += 1;
      at += d.length;
    });
    if (at !== end) throw new Error(`short range ${start}-${end}`);
  });
  const downSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const downCpu = (await cpu()) - cpu0;
  if (mismatches) throw new Error('downloaded bytes differ');

  const mb = SIZE / 1e6;
  const fmt = (n) => n.toFixed(0).padStart(6);
  console.log(`emulator throughput: ${values.mib} MiB, ${pieces.length} requests per direction, ${CONNECTIONS} connections, ` +
    `max ${values['chunk-mib']} MiB per request, blobs in ${values.state ? 'the state folder' : 'a scratch folder'}`);
  const line = (what, seconds, cpuSeconds) =>
    console.log(`  ${what.padEnd(8)} ${fmt(mb / seconds)} MB/s wall (${seconds.toFixed(3)} s); ` +
      `emulator CPU ${cpuSeconds.toFixed(3)} s = ${fmt(mb / cpuSeconds)} MB/s per emulator core`);
  line('upload', upSeconds, upCpu);
  line('download', downSeconds, downCpu);
  console.log(`  both     ${fmt((2 * mb) / (upSeconds + downSeconds))} MB/s wall`);
  storage.api.close();
} finally {
  agent.destroy();
  child.kill('SIGTERM');
}
