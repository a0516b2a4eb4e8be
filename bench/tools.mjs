// The tools under test: installing the peers (rsync, rclone, GNU time) through apt when missing,
// building megamirror's dist/ when missing, their versions, and the exact command lines measured.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** `npm run build` when dist/cli/main.js is missing (or when asked); otherwise use what is there. */
export function ensureBuild({ repo, force, log }) {
  const main = join(repo, 'dist', 'cli', 'main.js');
  if (force || !existsSync(main)) {
    log(`build: ${force ? 'rebuilding' : 'dist/ missing,'} running npm run build ...`);
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    log('build: using the existing dist/ (pass --build to rebuild)');
  }
  const version = firstLine(process.execPath, [main, '--version']);
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout?.trim() || null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repo, encoding: 'utf8' }).stdout?.trim() !== '';
  return { main, version, commit, srcDirty: dirty };
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
