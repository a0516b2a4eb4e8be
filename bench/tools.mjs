// The tools under test: installing the peers (rsync, rclone, GNU time) through apt when missing,
// building megamirror's dist/ when missing, their versions, and the exact command lines measured.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const APT_PACKAGES = { rsync: 'rsync', rclone: 'rclone', '/usr/bin/time': 'time' };

function onPath(cmd) {
  if (cmd.startsWith('/')) return existsSync(cmd);
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '?';
}

function dpkgVersion(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** apt-get update once, then install whatever is missing; nothing when all are present. */
export function ensurePeers(log) {
  const missing = Object.entries(APT_PACKAGES).filter(([cmd]) => !onPath(cmd)).map(([, pkg]) => pkg);
  if (missing.length === 0) {
    log('peers: rsync, rclone and /usr/bin/time already installed');
  } else {
    log(`peers: installing ${missing.join(', ')} with apt-get ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
  }
  const versions = {
    node: process.version,
    rsync: firstLine('rsync', ['--version']).replace(/\s+/g, ' '),
    rsyncPackage: dpkgVersion('rsync'),
    rclone: firstLine('rclone', ['version']),
    rclonePackage: dpkgVersion('rclone'),
    cp: firstLine('cp', ['--version']),
  };
  log(`peers: ${versions.rsync} (deb ${versions.rsyncPackage}); ${versions.rclone} (deb ${versions.rclonePackage}); ${versions.cp}`);
  return versions;
}

/**
 * `npm run build` when dist/megamirror.mjs is missing (or when asked), then a private copy of dist/,
 * schemas/ and package.json under the cache: other work on this checkout may rebuild dist/ in the
 * middle of a run, and every megamirror run of one bench must use the same build. node_modules is
 * still found by walking up to the checkout's.
 */
export function ensureBuild({ repo, cache, force, log }) {
  const main = join(repo, 'dist', 'megamirror.mjs');
  if (force || !existsSync(main)) {
    log(`build: ${force ? 'rebuilding' : 'dist/ missing,'} running npm run build ...`);
    execFileSync('npm', ['run', 'build:native'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    log('build: using the existing dist/ (pass --build to rebuild it from src/ first)');
  }
  const builtAt = statSync(main).mtime.toISOString();
  const copy = join(cache, 'megamirror-build');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  for (const item of ['dist', 'schemas', 'package.json']) cpSync(join(repo, item), join(copy, item), { recursive: true });
  // The native helpers, when built: without them the copy would measure the node:fs fallback.
  const nativeModule = join('native', 'build', 'Release', 'megamirror_native.node');
  const built = existsSync(join(repo, nativeModule));
  if (built) cpSync(join(repo, nativeModule), join(copy, nativeModule));
  const off = process.env.MEGAMIRROR_NATIVE === '0';
  const native = built && !off;
  log(`build: native helpers ${native ? 'built and used' : off ? 'turned off (MEGAMIRROR_NATIVE=0): megamirror runs on its node:fs fallback' : 'not built: megamirror runs on its node:fs fallback'}`);
  const copied = join(copy, 'dist', 'megamirror.mjs');
  const version = firstLine(process.execPath, [copied, '--version']);
  const git = (...args) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' }).stdout?.trim() ?? '';
  return { main: copied, version, builtAt, native, commit: git('rev-parse', '--short', 'HEAD') || null, srcDirty: git('status', '--porcelain', '--', 'src') !== '' };
}

/** A one-job mirror file for megamirror. */
export async function writeJobFile(file, source, destination) {
  const q = (s) => JSON.stringify(s);
  await writeFile(file, `version: 1\njobs:\n  bench:\n    type: mirror\n    source: ${q(source)}\n    destination: ${q(destination)}\n`);
  return file;
}

/** The commands measured; each returns { cmd, args } and the display form used in the report. */
export function commands({ megamirrorMain, jobFile, src, dst }) {
  const node = process.execPath;
  const rclone = (verb, ...extra) => ({ cmd: 'rclone', args: [verb, ...extra, '--config', '/dev/null', src, dst] });
  return {
    plan: {
      megamirror: { cmd: node, args: [megamirrorMain, 'plan', '-c', jobFile], display: 'megamirror plan -c JOB' },
      rsync: { cmd: 'rsync', args: ['-an', '--delete', `${src}/`, `${dst}/`], display: 'rsync -an --delete SRC/ DST/' },
      rclone: { ...rclone('sync', '--dry-run'), display: 'rclone sync --dry-run --config /dev/null SRC DST' },
    },
    copy: {
      megamirror: { cmd: node, args: [megamirrorMain, 'run', '-c', jobFile], display: 'megamirror run -c JOB' },
      rsync: { cmd: 'rsync', args: ['-a', `${src}/`, `${dst}/`], display: 'rsync -a SRC/ DST/' },
      rclone: { ...rclone('copy'), display: 'rclone copy --config /dev/null SRC DST' },
    },
    bigfile: {
      megamirror: { cmd: node, args: [megamirrorMain, 'run', '-c', jobFile], display: 'megamirror run -c JOB' },
      cp: { cmd: 'cp', args: ['--preserve=timestamps', join(src, 'big.bin'), join(dst, 'big.bin')], display: 'cp --preserve=timestamps SRC/big.bin DST/' },
    },
  };
}
