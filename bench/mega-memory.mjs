// Peak RSS of megamirror's CLI moving one 2 GiB file local -> MEGA and back (the emulator in its own
// process), against the performance issue's target: under 150 MB (decimal) while mirroring a 2 GB
// file. One run per direction: memory is what is measured here, and it does not depend on the
// run's speed the way time does. Part of `--mega-full`, or alone with `--mega-2g`; the download is
// SHA-1-compared with the source before its numbers count.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator } from './mega.mjs';
import { timed } from './measure.mjs';
import { sha1File } from './trees.mjs';

export const MEGA_MEMORY_MIB = 2048;
/** The target, in KiB: 150 MB = 150e6 bytes. */
const TARGET_KIB = 150e6 / 1024;

/** `file` = { dir, file, sha1 } of the 2 GiB source; returns { mib, up, down } with peak RSS per direction. */
export async function scenarioMegaMemory({ repo, work, build, file, log }) {
  const root = join(work, 'mega-memory');
  await mkdir(root, { recursive: true });
  const emu = await startEmulator(repo, join(root, 'emulator-state'));
  const env = { ...process.env, MEGA_EMAIL: 'bench@example.com', MEGA_PASSWORD: 'bench password' };
  const q = JSON.stringify;
  const out = { mib: MEGA_MEMORY_MIB, targetKiB: TARGET_KIB, up: null, down: null };
  try {
    const jobFile = join(root, 'jobs.yaml');
    await writeFile(jobFile, `version: 1\nsettings:\n  state_dir: ${q(join(root, 'mm-state'))}\nremotes:\n  mega:\n    type: mega\n    email: \${MEGA_EMAIL}\n    password: \${MEGA_PASSWORD}\n    gateway: ${emu.gateway}\njobs:\n  up:\n    type: mirror\n    source: ${q(file.dir)}\n    destination: mega:/mm-2g\n  down:\n    type: mirror\n    source: mega:/mm-2g\n    destination: ${q(join(root, 'down'))}\n`);
    const warm = await timed({ cmd: process.execPath, args: [build.main, 'plan', 'up', '-c', jobFile] }, { scratch: root, env });
    if (warm.code !== 0) throw new Error(`megamirror plan (login) failed: ${warm.stderr || warm.stdout}`);
    for (const dir of ['up', 'down']) {
      const t = await timed({ cmd: process.execPath, args: [build.main, 'run', dir, '-c', jobFile] }, { scratch: root, env, timeoutMs: 600_000 });
      let failure = t.code !== 0 ? `exit ${t.code}: ${(t.stderr || t.stdout).trim().split('\n').slice(-2).join(' / ')}` : null;
      if (!failure && dir === 'down') {
        const got = await sha1File(join(root, 'down', 'big.bin')).catch((e) => `unreadable: ${e.message}`);
        if (got !== file.sha1) failure = `downloaded content differs from the source (${got})`;
      }
      const mbps = (MEGA_MEMORY_MIB * 1048576) / 1e6 / t.seconds;
      out[dir] = failure ? { status: 'failed', failure } : { status: 'ok', seconds: t.seconds, MBps: mbps, cpuSeconds: t.cpuSeconds, peakRssKiB: t.peakRssKiB, loadAvg1: t.loadAvg1 };
      log(failure
        ? `mega 2 GiB ${dir}: FAILED: ${failure}`
        : `mega 2 GiB ${dir}: ${t.seconds.toFixed(2)} s = ${mbps.toFixed(0)} MB/s, CPU ${t.cpuSeconds?.toFixed(2) ?? '?'} s, peak RSS ${(t.peakRssKiB / 1024).toFixed(0)} MiB, load ${t.loadAvg1.toFixed(1)}`);
    }
  } finally {
    await emu.stop();
    await rm(root, { recursive: true, force: true });
  }
  return out;
}

/** One verdict line per direction against the 150 MB target. */
export function megaMemoryVerdicts(m) {
  if (!m) return [];
  return ['up', 'down'].map((dir) => {
    const r = m[dir];
    if (r?.status !== 'ok' || !r.peakRssKiB) return `mega memory ${m.mib} MiB ${dir}: not measured (${r?.failure ?? 'not run'})`;
    const mb = (r.peakRssKiB * 1024) / 1e6;
    return `mega memory ${m.mib} MiB ${dir}: peak RSS ${(r.peakRssKiB / 1024).toFixed(0)} MiB = ${mb.toFixed(0)} MB: ${r.peakRssKiB < m.targetKiB ? 'MET' : 'MISSED'} (< 150 MB)`;
  });
}
