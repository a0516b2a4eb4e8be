// Timing one command: wall time measured here around the child process; peak RSS and CPU time
// (user + system) from GNU time (`%M %U %S`: the largest resident set of the process and of the
// children it waited for, and their summed CPU seconds). CPU time suffers less than wall time when
// other work shares the machine.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/**
 * Run `cmd args` once; resolves { seconds, cpuSeconds, peakRssKiB, loadAvg1, code, stdout, stderr }. Output is captured
 * (not shown) so terminal speed is not part of the time. `timeoutMs` bounds a stuck tool.
 */
export async function timed({ cmd, args }, { scratch, timeoutMs = 300_000, env } = {}) {
  const rssFile = join(scratch, `rss-${process.pid}-${Math.random().toString(16).slice(2)}.txt`);
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const loadAvg1 = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = await new Promise((resolve) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? `signal ${signal}` : null), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: `spawn error: ${e.message}`, stdout: '', stderr: '' });
    });
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let peakRssKiB = null;
  let cpuSeconds = null;
  if (useTime) {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    await rm(rssFile, { force: true });
    // GNU time prefixes "Command exited with non-zero status N" lines; the numbers are the last line.
    const [rss, user, sys] = (text.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (Number.isFinite(rss) && rss > 0) peakRssKiB = rss;
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user + sys;
  }
  return { seconds, cpuSeconds, peakRssKiB, loadAvg1, ...r };
}

export function stats(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}
