// The mega scenario: one file uploaded to and downloaded from the MEGA emulator (its own process,
// started here) by megamirror's real CLI (a mirror job local -> MEGA, then MEGA -> local) and by
// stock megajs (`upload` with its own crypto, `download` with its own decrypt + MAC check), both
// against the same emulator in the same run; plus the emulator's own throughput measured alone
// (raw ciphertext, bench/emulator.mjs). Every download is hashed against the source before its
// time counts. Two sizes (128 and 512 MiB) show whether peak RSS grows with the file.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stats, timed } from './measure.mjs';

const EMAIL = 'bench@example.com';
const PASSWORD = 'bench password';
export const MEGA_SIZES_MIB = [128, 512];

async function sha1File(file) {
  const h = createHash('sha1');
  for await (const b of createReadStream(file, { highWaterMark: 4 << 20 })) h.update(b);
  return h.digest('hex');
}

export async function startEmulator(repo, dir) {
  const cli = join(repo, 'dist', 'emulator', 'cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--state', dir, '--account', `${EMAIL}:${PASSWORD}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`emulator exited with ${c}`)));
  });
  const gateway = /(http:\S+)/.exec(line)[1];
  return {
    gateway,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

async function emulatorAlone(repo, mib, work) {
  // The same request size and parallelism as megamirror's client (8 MiB, 4 at once): the ceiling
  // for that client, not for megajs's 1 MiB requests.
  execFileSync('sync');
  const r = await timed({ cmd: process.execPath, args: [join(repo, 'bench', 'emulator.mjs'), '--mib', String(mib), '--chunk-mib', '8', '--connections', '4'] }, { scratch: work });
  const up = /upload\s+(\d+) MB\/s wall.* = +(\d+) MB\/s per emulator core/.exec(r.stdout);
  const down = /download\s+(\d+) MB\/s wall.* = +(\d+) MB\/s per emulator core/.exec(r.stdout);
  if (r.code !== 0 || !up || !down) throw new Error(`bench/emulator.mjs failed: ${r.stderr || r.stdout}`);
  // Wall: what a plain node:http client gets through it; per core: what its own CPU time allows.
  return { upMBps: Number(up[1]), downMBps: Number(down[1]), upCoreMBps: Number(up[2]), downCoreMBps: Number(down[2]) };
}

/**
 * `files[mib]` = { dir, file, size, sha1 } (the source folder holds only big.bin). Returns the
 * scenario rows for the report and a `mega` block (throughputs, ratios, memory) for results.json.
 */
export async function scenarioMega({ repo, work, build, files, runs, full = false, log }) {
  // Stock megajs moves about 10 MB/s here (its per-block MAC code), CPU-bound, so its throughput
  // does not depend on the file size: by default it runs on the small file only (3 runs of the
  // 512 MiB file would take about 5 minutes alone); --mega-full runs it on both sizes.
  const stockSizes = full ? MEGA_SIZES_MIB : [MEGA_SIZES_MIB[0]];
  // The emulator alone moves the same size as megamirror's verdict (its first requests carry its
  // start-up costs: at 128 MiB it measured about a third of its 512 MiB capacity).
  const emuMiB = MEGA_SIZES_MIB.at(-1);
  const root = join(work, 'mega');
  await mkdir(root, { recursive: true });
  const emu = await startEmulator(repo, join(root, 'emulator-state'));
  const env = { ...process.env, MEGA_EMAIL: EMAIL, MEGA_PASSWORD: PASSWORD };
  const stateDir = join(root, 'mm-state');
  const jobFile = join(root, 'jobs.yaml');
  const rows = {};
  const row = (key) => (rows[key] ??= { runs: [], status: 'ok' });
  const q = JSON.stringify;
  const emuRuns = [];
  try {
    // Job file: for every size and run, an upload job and a download job into fresh folders.
    const jobs = [];
    for (const mib of MEGA_SIZES_MIB) {
      for (let i = 0; i < runs; i++) {
        jobs.push(`  up-${mib}-${i}:\n    type: mirror\n    source: ${q(files[mib].dir)}\n    destination: mega:/mm-${mib}-${i}\n`);
        jobs.push(`  down-${mib}-${i}:\n    type: mirror\n    source: mega:/mm-${mib}-${i}\n    destination: ${q(join(root, `mm-down-${mib}-${i}`))}\n`);
      }
    }
    await writeFile(jobFile, `version: 1\nsettings:\n  state_dir: ${q(stateDir)}\nremotes:\n  mega:\n    type: mega\n    email: \${MEGA_EMAIL}\n    password: \${MEGA_PASSWORD}\n    gateway: ${emu.gateway}\njobs:\n${jobs.join('')}`);
    // One untimed login: every timed run reuses the cached session, as a real user's runs do.
    const warm = await timed({ cmd: process.execPath, args: [build.main, 'plan', `up-${MEGA_SIZES_MIB[0]}-0`, '-c', jobFile] }, { scratch: root, env });
    if (warm.code !== 0) throw new Error(`megamirror plan (login) failed: ${warm.stderr || warm.stdout}`);

    const measure = async (key, spec, check) => {
      const r = row(key);
      if (r.status !== 'ok') return;
      // Each run starts with nothing left to write back (the last download, the emulator's
      // stored blobs, the 1 GiB copies of the scenario before): as the copy scenarios do.
      execFileSync('sync');
      const t = await timed(spec, { scratch: root, env });
      let seconds = t.seconds;
      let problem = t.code !== 0 ? `exit ${t.code}: ${(t.stderr || t.stdout).trim().split('\n').slice(-2).join(' / ')}` : null;
      if (!problem && spec.inner) {
        try {
          seconds = JSON.parse(t.stdout.trim().split('\n').pop()).seconds;
        } catch {
          problem = `no timing in output: ${t.stdout.slice(-200)}`;
        }
      }
      if (!problem && check) problem = await check();
      if (problem) {
        Object.assign(r, { status: 'failed', failure: problem });
        log(`mega: ${key} FAILED: ${problem}`);
        return;
      }
      r.command = spec.display;
      // megamirror's own summary line ends with the job's duration (no process start-up, no exit).
      const job = spec.inner ? null : /, (\d+(?:\.\d+)?)s\s*$/m.exec(t.stdout);
      r.runs.push({ seconds, wallSeconds: t.seconds, jobSeconds: job ? Number(job[1]) : null, cpuSeconds: t.cpuSeconds, peakRssKiB: t.peakRssKiB, loadAvg1: t.loadAvg1 });
      const rss = t.peakRssKiB ? `${(t.peakRssKiB / 1024).toFixed(0)} MiB` : '?';
      const jobNote = r.runs.at(-1).jobSeconds != null ? ` (job ${r.runs.at(-1).jobSeconds} s)` : '';
      log(`mega: ${key.padEnd(22)} ${seconds.toFixed(2)} s${spec.inner ? ` (process ${t.seconds.toFixed(2)} s)` : jobNote}, CPU ${t.cpuSeconds?.toFixed(2) ?? '?'} s, peak RSS ${rss}, load ${t.loadAvg1.toFixed(1)}`);
    };
    const sameAsSource = (mib, file) => async () => {
      const got = await sha1File(file).catch((e) => `unreadable: ${e.message}`);
      await rm(file, { force: true });
      return got === files[mib].sha1 ? null : `downloaded content differs from the source (${got})`;
    };

    for (let i = 0; i < runs; i++) {
      for (const mib of MEGA_SIZES_MIB) {
        const src = files[mib];
        const order = i % 2 === 0 ? ['megamirror', 'megajs'] : ['megajs', 'megamirror'];
        for (const tool of order) {
          if (tool === 'megamirror') {
            await measure(`megamirror up ${mib}`, { cmd: process.execPath, args: [build.main, 'run', `up-${mib}-${i}`, '-c', jobFile], display: 'megamirror run -c JOB (local -> mega:)' });
            const out = join(root, `mm-down-${mib}-${i}`, 'big.bin');
            await measure(`megamirror down ${mib}`, { cmd: process.execPath, args: [build.main, 'run', `down-${mib}-${i}`, '-c', jobFile], display: 'megamirror run -c JOB (mega: -> local)' }, sameAsSource(mib, out));
          } else if (stockSizes.includes(mib)) {
            const stock = join(repo, 'bench', 'mega-stock.mjs');
            const folder = `stock-${mib}-${i}`;
            await measure(`megajs up ${mib}`, { cmd: process.execPath, args: [stock, 'up', emu.gateway, EMAIL, folder, src.file], inner: true, display: 'megajs storage.upload (its crypto)' });
            const out = join(root, `stock-${mib}-${i}.bin`);
            await measure(`megajs down ${mib}`, { cmd: process.execPath, args: [stock, 'down', emu.gateway, EMAIL, folder, 'big.bin', out], inner: true, display: 'megajs file.download (its decrypt + MAC)' }, sameAsSource(mib, out));
          }
        }
      }
      // bench/emulator.mjs starts its own emulator; a rare dropped keep-alive socket there fails
      // a run: try once more, and never lose the scenario's other results over it.
      const e = await emulatorAlone(repo, emuMiB, root).catch(() => emulatorAlone(repo, emuMiB, root)).catch((err) => {
        log(`mega: emulator alone FAILED: ${String(err.message).split('\n')[0]}`);
        return null;
      });
      if (!e) continue;
      emuRuns.push(e);
      log(`mega: emulator alone (raw ciphertext, ${emuMiB} MiB): upload ${e.upMBps} MB/s (${e.upCoreMBps} per core of its CPU), download ${e.downMBps} MB/s (${e.downCoreMBps})`);
    }
  } finally {
    await emu.stop();
    await rm(root, { recursive: true, force: true });
  }

  // Report: one scenario per direction and size, megamirror vs megajs.
  const MB = 1e6;
  const mega = { sizesMiB: MEGA_SIZES_MIB, stockSizesMiB: stockSizes, runs, results: {}, emulatorAlone: null };
  const scenarios = [];
  for (const mib of MEGA_SIZES_MIB) {
    for (const dir of ['up', 'down']) {
      const tools = [];
      for (const tool of ['megamirror', 'megajs']) {
        if (tool === 'megajs' && !stockSizes.includes(mib)) continue;
        const r = rows[`${tool} ${dir} ${mib}`] ?? { runs: [], status: 'failed', failure: 'not run' };
        const s = r.status === 'ok' ? stats(r.runs.map((x) => x.seconds)) : null;
        const rss = r.runs.map((x) => x.peakRssKiB).filter((x) => x != null);
        tools.push({
          tool,
          command: r.command ?? null,
          status: r.status,
          failure: r.failure,
          runs: r.runs,
          stats: s,
          cpuStats: r.status === 'ok' ? stats(r.runs.map((x) => x.cpuSeconds).filter((x) => x != null)) : null,
          peakRssKiB: r.status === 'ok' && rss.length ? Math.max(...rss) : null,
          note: s ? `${((mib * 1048576) / MB / s.median).toFixed(0)} MB/s` : undefined,
        });
      }
      const [mm, mjHere] = tools;
      const stockMiB = stockSizes.includes(mib) ? mib : stockSizes[0];
      const mj = mjHere ?? scenarios.find((x) => x.name === `mega-${dir}-${stockMiB}`)?.tools[1];
      const mbps = (t, m) => (t?.stats ? (m * 1048576) / MB / t.stats.median : null);
      const mmMBps = mbps(mm, mib);
      const mjMBps = mbps(mj, stockMiB);
      mega.results[`${dir}-${mib}`] = {
        megamirrorMBps: mmMBps, megajsMBps: mjMBps, megajsMeasuredAtMiB: stockMiB,
        ratio: mmMBps && mjMBps ? mmMBps / mjMBps : null,
        megamirrorPeakRssKiB: mm.peakRssKiB, megajsPeakRssKiB: mj?.peakRssKiB ?? null,
        megamirrorJobSecondsMedian: stats(mm.runs.map((x) => x.jobSeconds).filter((x) => x != null))?.median ?? null,
      };
      scenarios.push({ name: `mega-${dir}-${mib}`, description: `one ${mib} MiB file, ${dir === 'up' ? 'local -> MEGA emulator' : 'MEGA emulator -> local'}`, tools });
    }
  }
  if (emuRuns.length) {
    mega.emulatorAlone = {
      mib: emuMiB,
      upMBps: stats(emuRuns.map((e) => e.upMBps)).median,
      downMBps: stats(emuRuns.map((e) => e.downMBps)).median,
      upCoreMBps: stats(emuRuns.map((e) => e.upCoreMBps)).median,
      downCoreMBps: stats(emuRuns.map((e) => e.downCoreMBps)).median,
      runs: emuRuns,
    };
  }
  return { scenarios, mega };
}

/** Verdict lines for the mega scenario: throughput ratios against the 10x / 20x targets, memory. */
export function megaVerdicts(mega) {
  if (!mega) return [];
  const out = [];
  const big = MEGA_SIZES_MIB.at(-1);
  for (const dir of ['up', 'down']) {
    const r = mega.results[`${dir}-${big}`];
    if (!r?.ratio) {
      out.push(`mega ${dir} ${big} MiB: not measured (a tool FAILED)`);
      continue;
    }
    const state = r.ratio >= 20 ? 'MET (both targets)' : r.ratio >= 10 ? 'MET >= 10x (MEGA issue), MISSED >= 20x (performance issue)' : 'MISSED (>= 10x and >= 20x)';
    const ea = mega.emulatorAlone;
    const emu = ea ? `; emulator alone ${dir === 'up' ? ea.upMBps : ea.downMBps} MB/s at ${ea.mib} MiB, its CPU ${dir === 'up' ? ea.upCoreMBps : ea.downCoreMBps} MB/s per core` : '';
    const at = r.megajsMeasuredAtMiB === big ? '' : ` at ${r.megajsMeasuredAtMiB} MiB`;
    out.push(`mega ${dir} ${big} MiB: megamirror ${r.megamirrorMBps.toFixed(0)} MB/s = ${r.ratio.toFixed(2)}x stock megajs (${r.megajsMBps.toFixed(0)} MB/s${at})${emu}: ${state}`);
  }
  const rss = (mib) => Math.max(mega.results[`up-${mib}`]?.megamirrorPeakRssKiB ?? 0, mega.results[`down-${mib}`]?.megamirrorPeakRssKiB ?? 0) / 1024;
  const [small] = MEGA_SIZES_MIB;
  const grows = rss(big) > rss(small) * 1.25 + 16;
  out.push(`mega memory: megamirror peak RSS ${rss(small).toFixed(0)} MiB at ${small} MiB, ${rss(big).toFixed(0)} MiB at ${big} MiB: ${grows ? 'GROWS with file size' : 'flat (MET)'}`);
  return out;
}
