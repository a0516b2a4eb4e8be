// megamirror side by side with rsync, rclone and cp on identical trees. Not a test: speed and
// memory are measured only here, with a warm page cache (dropping it needs privileges a container
// does not have). Every run writes into a new empty folder, `sync`ed before the timing starts;
// the folders are deleted only at the end (see docs/performance.md for why).
//
//   npm run bench [-- --quick | --full] [-- --only plan,copy,bigfile,mega,megaplan] [-- --runs N] [-- --build] [-- --no-profile] [-- --mega-full]
//   npm run bench -- --only scale          # plan time and memory at 10k, 100k and 1M files (opt-in: long)
//   npm run bench -- --only mega --mega-2g # plus peak RSS mirroring a 2 GiB file to MEGA and back (in --mega-full)
//
// Prints one table and writes .bench-cache/results.json; docs/performance.md discusses the results.

import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { megaVerdicts, MEGA_SIZES_MIB, scenarioMega, startEmulator } from './mega.mjs';
import { megaMemoryVerdicts, MEGA_MEMORY_MIB, scenarioMegaMemory } from './mega-memory.mjs';
import { EMAIL as MEGA_EMAIL, PASSWORD as MEGA_PASSWORD, REMOTE_ROOT, ensureMegaTree } from './mega-tree.mjs';
import { stats, timed } from './measure.mjs';
import { renderSummary, summarize } from './profile-summary.mjs';
import { renderTable, verdicts, writeResults } from './report.mjs';
import { commands, ensureBuild, ensurePeers, writeJobFile } from './tools.mjs';
import { GENERATOR_VERSION, compareTrees, ensureBigFile, ensureTree, hashSample, listTree, samplePaths, sha1File, warmTree } from './trees.mjs';

const SCENARIOS = ['plan', 'copy', 'bigfile', 'mega', 'megaplan'];
/** Opt-in (`--only scale`): builds 1,000,000-file trees, far over the default run's 10 minutes. */
const EXTRA_SCENARIOS = ['scale'];
const SCALE_FILES = [10_000, 100_000, 1_000_000];
const SEED = 20240101;
const BIG_MIB = 1024;

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string' },
    build: { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'mega-full': { type: 'boolean', default: false },
    'mega-2g': { type: 'boolean', default: false },
  },
});
const only = opt.only ? opt.only.split(',').map((s) => s.trim()) : SCENARIOS;
for (const s of only) if (![...SCENARIOS, ...EXTRA_SCENARIOS].includes(s)) throw new Error(`--only: unknown scenario "${s}" (${[...SCENARIOS, ...EXTRA_SCENARIOS].join(', ')})`);
// The first full copy runs on 20,000 files by default: five runs of each tool on 100,000 files
// take about 13 minutes here (megamirror alone ~80 s a run), over the 10 minute budget. --full
// copies the 100,000 files.
const planFiles = opt.quick ? 10_000 : 100_000;
const copyFiles = opt.quick ? 10_000 : opt.full ? 100_000 : 20_000;
const runs = Math.min(50, Math.max(1, Math.floor(Number(opt.runs ?? (opt.quick ? 3 : 5))) || 1));

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cache = join(repo, '.bench-cache');
const work = join(cache, `work-${process.pid}`);
const log = (s) => console.log(`[bench] ${s}`);
const t0 = performance.now();
const loadAtStart = loadavg();
let build;

/** Folders made in /dev/shm (copy-ram), removed with the work folder even on an interrupt. */
const ramDirs = [];
const cleanup = () => {
  rmSync(work, { recursive: true, force: true });
  for (const d of ramDirs) rmSync(d, { recursive: true, force: true });
};

/** A new folder in /dev/shm when it is a tmpfs with room for two copies of `bytes`, else null. */
function ramFolder(bytes) {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.type !== 0x01021994 || fs.bavail * fs.bsize < 2 * bytes + 2 ** 28) return null; // TMPFS_MAGIC
    const dir = mkdtempSync('/dev/shm/megamirror-bench-');
    ramDirs.push(dir);
    return dir;
  } catch {
    return null;
  }
}
/**
 * Remove the result folders: many `rm -rf` at once, since deleting small files here waits on the
 * disk (ext4 with `discard`), about 0.45 ms a file one at a time and 0.25 ms eight at a time.
 */
function removeResults() {
  execFileSync('sh', ['-c', 'find "$1" -mindepth 2 -maxdepth 2 -print0 | xargs -0 -r -n 2 -P 8 rm -rf', 'sh', work]);
  cleanup();
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: removing ${work}`);
    cleanup();
    process.exit(130);
  });
}

/**
 * Run every tool `runs` times, interleaved (the starting tool rotates) so drift hits all alike.
 * `specFor(tool, i)` prepares run i untimed and returns the command; `check(tool, result, i)`
 * returns a problem or null. A tool whose check fails is FAILED, not timed, and not run again.
 */
async function measureTools({ name, description, tools, specFor, check, note, runs: count = runs }) {
  const rows = Object.fromEntries(tools.map((t) => [t, { tool: t, command: null, status: 'ok', runs: [] }]));
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < tools.length; k++) {
      const tool = tools[(i + k) % tools.length];
      const row = rows[tool];
      if (row.status !== 'ok') continue;
      const spec = await specFor(tool, i);
      row.command = spec.display;
      const r = await timed(spec, { scratch: work, ...(spec.env ? { env: spec.env } : {}) });
      const problem = r.code !== 0 ? `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` : await check(tool, r, i);
      if (problem) {
        row.status = 'failed';
        row.failure = problem;
        log(`${name}: ${tool} run ${i + 1} FAILED: ${problem}`);
        continue;
      }
      row.runs.push({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssKiB: r.peakRssKiB, loadAvg1: r.loadAvg1 });
      const rss = r.peakRssKiB ? `${(r.peakRssKiB / 1024).toFixed(0)} MiB` : '?';
      log(`${name}: ${tool.padEnd(10)} run ${i + 1}/${count}: ${r.seconds.toFixed(3)} s (CPU ${r.cpuSeconds?.toFixed(2) ?? '?'} s), peak RSS ${rss}, load ${r.loadAvg1.toFixed(1)}`);
    }
  }
  for (const row of Object.values(rows)) {
    if (row.status === 'ok') {
      row.stats = stats(row.runs.map((r) => r.seconds));
      row.cpuStats = stats(row.runs.map((r) => r.cpuSeconds).filter((x) => x != null));
      const rss = row.runs.map((r) => r.peakRssKiB).filter((x) => x != null);
      row.peakRssKiB = rss.length ? Math.max(...rss) : null;
      row.note = note?.(row) ?? 'ok';
    } else {
      // A failed tool is not timed: its completed runs stay in the raw results only.
      row.stats = null;
      row.cpuStats = null;
      row.peakRssKiB = null;
    }
  }
  return { name, description, tools: tools.map((t) => rows[t]) };
}

/** A new empty destination for every run, flushed to disk before the timing starts. */
async function freshDir(dir) {
  await mkdir(dir, { recursive: true });
  execFileSync('sync');
  return dir;
}

/**
 * The "initial full copy" the plan scenario compares against: a `cp -a` of the source kept in the
 * cache (deleting and re-creating 100,000 files costs about a minute here), checked before use.
 */
async function mirrorCopy(source) {
  const dst = `${source.root}-copy`;
  const same = await compareTrees({ srcListing: source.listing, srcHashes: source.hashes, dstRoot: dst });
  if (!same) {
    log(`plan: reusing the initial full copy ${dst} (checked identical to the source)`);
    return dst;
  }
  log(`plan: initial full copy with cp -a into ${dst} (untimed)`);
  await rm(dst, { recursive: true, force: true });
  execFileSync('cp', ['-a', source.root, dst]);
  const again = await compareTrees({ srcListing: source.listing, srcHashes: source.hashes, dstRoot: dst });
  if (again) throw new Error(`plan: the cp -a copy differs from the source: ${again.join('; ')}`);
  execFileSync('sync');
  return dst;
}

async function scenarioPlan(src, source) {
  const dst = await mirrorCopy(source);
  const job = await writeJobFile(join(work, 'plan-job.yaml'), src, dst);
  const specs = commands({ megamirrorMain: build.main, jobFile: job, src, dst }).plan;

  // rsync -an prints nothing either way, so an untimed itemized run checks that it sees no change.
  const itemized = await timed({ cmd: 'rsync', args: ['-ani', '--delete', `${src}/`, `${dst}/`] }, { scratch: work });
  const changes = itemized.stdout.split('\n').filter((l) => l && !l.startsWith('.d'));
  const rsyncProblem = itemized.code === 0 && changes.length === 0 ? null : `rsync -ani lists ${changes.length} changes, e.g. ${changes[0]}`;
  const unchanged = new RegExp(`0 files to copy \\(0 B\\), 0 to delete \\(0 B\\), ${source.fileCount} unchanged`);
  const result = await measureTools({
    name: 'plan',
    description: `unchanged mirror plan, ${source.fileCount} files in ${source.dirCount} folders`,
    tools: ['megamirror', 'rsync', 'rclone'],
    specFor: (tool) => specs[tool],
    check: async (tool, r) => {
      const last = (t) => t.trim().split('\n').slice(-1)[0];
      if (tool === 'megamirror') return unchanged.test(r.stdout) ? null : `the plan is not "nothing to do": ${last(r.stdout)}`;
      if (tool === 'rsync') return rsyncProblem ?? (r.stdout.trim() === '' ? null : `unexpected output: ${last(r.stdout)}`);
      const skipped = r.stderr.split('\n').find((l) => /Skipped /.test(l));
      return skipped ? `plans a change: ${skipped}` : null;
    },
  });
  const after = await compareTrees({ srcListing: source.listing, srcHashes: source.hashes, dstRoot: dst });
  if (after) for (const t of result.tools) Object.assign(t, { status: 'failed', failure: `a plan changed the destination: ${after[0]}`, stats: null, cpuStats: null, peakRssKiB: null });

  if (!opt['no-profile'] && result.tools[0].status === 'ok') {
    const profDir = join(cache, 'cpu-profile');
    await rm(profDir, { recursive: true, force: true });
    const r = await timed({ cmd: process.execPath, args: ['--cpu-prof', '--cpu-prof-dir', profDir, build.main, 'plan', '-c', job] }, { scratch: work });
    const file = (await readdir(profDir).catch(() => [])).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const summary = summarize(JSON.parse(await readFile(join(profDir, file), 'utf8')), 15);
      result.profile = { file: join('.bench-cache', 'cpu-profile', file), wallSeconds: r.seconds, ...summary };
      log(`plan: CPU profile of one megamirror plan (${r.seconds.toFixed(1)} s with the profiler), ${join(profDir, file)}:\n${renderSummary(summary)}`);
    }
  }
  return result;
}

/**
 * The first copy, into a new folder on this disk (`copy`) or, with `ram`, in tmpfs (`copy-ram`,
 * each result removed once checked). On this machine's ext4 the disk figure swings 2-3x for every
 * tool with what was deleted in the last minutes (the inode allocator rereads the inode table
 * blocks of recently freed inodes: `recently_deleted` in `perf`); tmpfs has no such state, so the
 * RAM row shows the tools' own costs, the disk row what a backup disk sees.
 */
async function scenarioCopy(src, source, { ram = null } = {}) {
  const name = ram ? 'copy-ram' : 'copy';
  const dstOf = (tool, i) => join(ram ?? work, `copy-${tool}-${i}`);
  const result = await measureTools({
    name,
    description: `first full copy into an empty folder${ram ? ` in tmpfs (${ram})` : ''}, ${source.fileCount} files (${(source.bytes / 2 ** 20).toFixed(0)} MiB) in ${source.dirCount} folders`,
    tools: ['megamirror', 'rsync', 'rclone'],
    specFor: async (tool, i) => {
      // Each run reads a cached source (rclone's runs drop it from the cache: see warmTree).
      warmTree(src, source.listing);
      const dst = await freshDir(dstOf(tool, i));
      const job = tool === 'megamirror' ? await writeJobFile(join(work, `${name}-job-${i}.yaml`), src, dst) : null;
      return commands({ megamirrorMain: build.main, jobFile: job, src, dst }).copy[tool];
    },
    check: async (tool, _r, i) => {
      const p = await compareTrees({ srcListing: source.listing, srcHashes: source.hashes, dstRoot: dstOf(tool, i) });
      if (ram) rmSync(dstOf(tool, i), { recursive: true, force: true });
      return p ? p.join('; ') : null;
    },
    note: (row) => `${Math.round(source.fileCount / row.stats.median)} files/s`,
  });
  return result;
}

async function scenarioBigFile(big) {
  return measureTools({
    name: 'bigfile',
    description: `one ${BIG_MIB} MiB file, local to local, into an empty folder`,
    tools: ['megamirror', 'cp'],
    specFor: async (tool, i) => {
      const dst = await freshDir(join(work, `big-${tool}-${i}`));
      const job = tool === 'megamirror' ? await writeJobFile(join(work, `big-job-${i}.yaml`), big.dir, dst) : null;
      return commands({ megamirrorMain: build.main, jobFile: job, src: big.dir, dst }).bigfile[tool];
    },
    check: async (tool, _r, i) => {
      const dst = join(work, `big-${tool}-${i}`);
      const listing = await listTree(dst);
      const e = listing.get('big.bin');
      if (listing.size !== 1 || !e || e.kind !== 'file') return `expected exactly big.bin, found ${[...listing.keys()].join(', ') || 'nothing'}`;
      if (e.size !== big.size) return `size ${e.size}, source ${big.size}`;
      if (e.mtimeS !== Math.floor(big.mtimeS)) return `mtime ${e.mtimeS}, source ${Math.floor(big.mtimeS)}`;
      const sha1 = await sha1File(join(dst, 'big.bin'));
      return sha1 === big.sha1 ? null : 'content (SHA-1) differs';
    },
    note: (row) => `${(BIG_MIB / row.stats.median).toFixed(0)} MiB/s`,
  });
}

/**
 * Planning against MEGA: the unchanged tree against a MEGA copy of it in the emulator (its own
 * process, state built once by bench/mega-tree.mjs) next to the same plan against the local copy,
 * interleaved. The "÷" column is the MEGA plan's time over the local plan's (target < 3x).
 */
async function scenarioMegaPlan(source) {
  const localCopy = await mirrorCopy(source);
  const listing = await listTree(source.root);
  const stateDir = await ensureMegaTree({ repo, cache, tree: { root: source.root }, listing, files: planFiles, seed: SEED, treeVersion: GENERATOR_VERSION, log });
  const emu = await startEmulator(repo, stateDir);
  try {
    const q = JSON.stringify;
    const jobFile = join(work, 'megaplan-jobs.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(jobFile, `version: 1\nsettings:\n  state_dir: ${q(join(work, 'megaplan-state'))}\nremotes:\n  mega:\n    type: mega\n    email: \${MEGA_EMAIL}\n    password: \${MEGA_PASSWORD}\n    gateway: ${emu.gateway}\njobs:\n  to-mega:\n    type: mirror\n    source: ${q(source.root)}\n    destination: mega:/${REMOTE_ROOT}\n  to-local:\n    type: mirror\n    source: ${q(source.root)}\n    destination: ${q(localCopy)}\n`);
    const env = { ...process.env, MEGA_EMAIL, MEGA_PASSWORD };
    // One untimed login: timed runs reuse the cached session, as a user's scheduled runs do.
    const warm = await timed({ cmd: process.execPath, args: [build.main, 'plan', 'to-mega', '-c', jobFile] }, { scratch: work, env });
    if (warm.code !== 0) throw new Error(`megaplan: the first plan (login) failed: ${warm.stderr || warm.stdout}`);
    const unchanged = new RegExp(`0 files to copy \\(0 B\\), 0 to delete \\(0 B\\), ${source.fileCount} unchanged`);
    const job = { megamirror: 'to-mega', 'megamirror local': 'to-local' };
    return await measureTools({
      name: 'megaplan',
      description: `unchanged mirror plan, ${source.fileCount} files against a ${source.fileCount + source.dirCount}-node MEGA copy (emulator), next to the same plan against a local copy`,
      tools: ['megamirror', 'megamirror local'],
      specFor: (tool) => ({ cmd: process.execPath, args: [build.main, 'plan', job[tool], '-c', jobFile], display: `megamirror plan ${job[tool]} -c JOB`, env }),
      check: async (_tool, r) => (unchanged.test(r.stdout) ? null : `the plan is not "nothing to do": ${r.stdout.trim().split('\n').slice(-1)[0]}`),
    });
  } finally {
    await emu.stop();
  }
}

/**
 * Growth with tree size: an unchanged local plan of 10,000, 100,000 and 1,000,000 files (each
 * against a `cp -a` copy), megamirror alone, 3 runs each; time and peak RSS per file should stay
 * flat (linear growth) from one size to the next.
 */
async function scenarioScale(files) {
  const source = await sourceTree(files);
  const dst = await mirrorCopy(source);
  const job = await writeJobFile(join(work, `scale-${files}.yaml`), source.root, dst);
  const unchanged = new RegExp(`0 files to copy \\(0 B\\), 0 to delete \\(0 B\\), ${source.fileCount} unchanged`);
  const result = await measureTools({
    name: `scale-${files}`,
    description: `unchanged mirror plan, ${source.fileCount} files in ${source.dirCount} folders`,
    tools: ['megamirror'],
    runs: Math.min(runs, 3),
    specFor: () => ({ cmd: process.execPath, args: [build.main, 'plan', '-c', job], display: 'megamirror plan -c JOB' }),
    check: async (_tool, r) => (unchanged.test(r.stdout) ? null : `the plan is not "nothing to do": ${r.stdout.trim().split('\n').slice(-1)[0]}`),
    note: (row) => `${((row.stats.median / source.fileCount) * 1e6).toFixed(1)} µs/file, ${((row.peakRssKiB * 1024) / source.fileCount).toFixed(0)} B/file`,
  });
  result.files = source.fileCount;
  return result;
}

async function sourceTree(files) {
  const tree = await ensureTree({ cache, files, seed: SEED, log });
  const listing = await listTree(tree.root);
  const fileEntries = [...listing.values()].filter((e) => e.kind === 'file');
  const source = {
    root: tree.root,
    listing,
    fileCount: fileEntries.length,
    dirCount: listing.size - fileEntries.length,
    bytes: fileEntries.reduce((a, e) => a + e.size, 0),
    hashes: await hashSample(tree.root, samplePaths(listing, 100)),
  };
  log(`tree: ${source.fileCount} files, ${source.dirCount} folders, ${(source.bytes / 2 ** 20).toFixed(1)} MiB; ${source.hashes.size} files sampled for content checks`);
  return source;
}

function machine() {
  const sh = (c) => execFileSync('sh', ['-c', c], { encoding: 'utf8' }).trim();
  return {
    nproc: Number(sh('nproc')),
    cpu: cpus()[0]?.model ?? '?',
    memTotalGiB: +(totalmem() / 2 ** 30).toFixed(1),
    kernel: release(),
    filesystem: sh(`findmnt -n -o SOURCE,FSTYPE,OPTIONS -T ${JSON.stringify(cache)} || stat -f -c %T ${JSON.stringify(cache)}`),
  };
}

try {
  log(`options: plan ${planFiles} files, copy ${copyFiles} files, ${runs} runs, scenarios ${only.join(', ')}${opt.quick ? ' (--quick)' : ''}${opt.full ? ' (--full)' : ''}`);
  const versions = ensurePeers(log);
  build = ensureBuild({ repo, cache, force: opt.build, log });
  log(`megamirror ${build.version}: dist/ built ${build.builtAt}, commit ${build.commit}${build.srcDirty ? ' + uncommitted src/ changes' : ''}, run from ${build.main}`);
  await mkdir(work, { recursive: true });

  const scenarios = [];
  if (only.includes('plan')) {
    const source = await sourceTree(planFiles);
    scenarios.push(await scenarioPlan(source.root, source));
  }
  if (only.includes('copy')) {
    const source = await sourceTree(copyFiles);
    scenarios.push(await scenarioCopy(source.root, source));
    const ram = ramFolder(source.bytes);
    if (ram) {
      try {
        scenarios.push(await scenarioCopy(source.root, source, { ram }));
      } finally {
        rmSync(ram, { recursive: true, force: true });
      }
    } else {
      log('copy-ram: skipped (no writable tmpfs at /dev/shm with room for two copies)');
    }
  }
  if (only.includes('bigfile')) {
    const big = await ensureBigFile({ cache, mib: BIG_MIB, seed: SEED, log });
    scenarios.push(await scenarioBigFile(big));
  }

  if (only.includes('megaplan')) {
    const source = await sourceTree(planFiles);
    scenarios.push(await scenarioMegaPlan(source));
  }
  if (only.includes('scale')) {
    for (const files of SCALE_FILES) scenarios.push(await scenarioScale(files));
  }

  let mega = null;
  if (only.includes('mega')) {
    // Three runs unless --runs asks for more (up to 5); stock megajs is slow (about 10 MB/s), so it
    // runs on the 128 MiB file only unless --mega-full: the scenario stays near three minutes.
    const files = {};
    for (const mib of MEGA_SIZES_MIB) files[mib] = await ensureBigFile({ cache, mib, seed: SEED, log });
    const r = await scenarioMega({ repo, work, build, files, runs: Math.min(5, Math.max(3, opt.runs ? runs : 3)), full: opt['mega-full'], log });
    scenarios.push(...r.scenarios);
    mega = r.mega;
    // Peak RSS with a 2 GiB file (about a minute with its generation cached): --mega-full or --mega-2g.
    if (opt['mega-full'] || opt['mega-2g']) {
      const file = await ensureBigFile({ cache, mib: MEGA_MEMORY_MIB, seed: SEED, log });
      mega.memory2g = await scenarioMegaMemory({ repo, work, build, file, log });
    }
  }

  const tc = performance.now();
  removeResults();
  log(`removed the result folders in ${((performance.now() - tc) / 1000).toFixed(1)} s`);
  const wallSeconds = (performance.now() - t0) / 1000;
  const table = renderTable(scenarios);
  const lines = [...verdicts(scenarios), ...megaVerdicts(mega), ...megaMemoryVerdicts(mega?.memory2g)];
  console.log(`\n${table}\n\n${lines.join('\n')}\n`);
  console.log("mm time ÷ tool time: megamirror's median divided by the tool's; above 1.00x megamirror is slower.");
  console.log(`warm page cache; medians of ${runs} runs${mega ? ` (mega: ${mega.runs})` : ''}; CPU = user + system seconds; peak RSS from GNU time (largest single process).`);
  console.log(`load average (1 min) at start ${loadAtStart[0].toFixed(1)}, at end ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs; total ${wallSeconds.toFixed(1)} s.`);
  const results = {
    formatVersion: 1,
    startedAt: new Date(Date.now() - wallSeconds * 1000).toISOString(),
    wallSeconds,
    options: { quick: opt.quick, full: opt.full, only, planFiles, copyFiles, runs, seed: SEED, bigFileMiB: BIG_MIB },
    machine: machine(),
    loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    versions: { ...versions, megamirror: build.version, megamirrorCommit: build.commit, megamirrorSrcDirty: build.srcDirty, megamirrorBuiltAt: build.builtAt, megamirrorNative: build.native },
    scenarios,
    mega,
    verdicts: lines,
    table,
  };
  await writeResults(join(cache, 'results.json'), results);
  log(`raw results: ${join(cache, 'results.json')}`);
} finally {
  cleanup();
}
