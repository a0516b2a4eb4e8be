/**
 * Suite 2: the emulator fails requests while a real CLI child mirrors a few hundred files.
 * - 10% of every kind of request fails transiently (-3, -4, HTTP 500, dropped connections; API,
 *   upload and download alike, login included): the run still completes with every file intact.
 * - Download bytes corrupted in transit are caught by the MAC every time: nothing damaged lands,
 *   and with corruption on every download nothing lands at all, each file failing by name.
 * - Over the storage or the transfer quota the run stops with a message saying which quota.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/emulator/index.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { TRIALS, hashes, record, rng, writeVersion } from './harness.js';
import { differences, megaFolder, rawDuplicates } from './mega-harness.js';

const JOBS = `  up:
    type: mirror
    source: ./src
    destination: mega:/F
  down:
    type: mirror
    source: mega:/F
    destination: ./back
`;

/** Fault-rate trials: one in CI, a third of RELIABILITY_TRIALS for the report. */
const RUNS = Math.max(1, Math.ceil(TRIALS / 3));
const FILES = 300;

/** `n` files in a few folders: mostly small, one in twenty of 200 KiB to 1.5 MiB (several chunks). */
function tree(seed: number, n: number): Record<string, Buffer> {
  const r = rng(seed);
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < n; i++) {
    const size = r() < 0.05 ? 200_000 + Math.floor(r() * 1_300_000) : Math.floor(r() * 40_000);
    const b = Buffer.allocUnsafe(size);
    for (let j = 0; j < size; j++) b[j] = (j * 31 + i * 7 + seed) & 0xff;
    out[`dir${i % 9}/f${i}.bin`] = b;
  }
  return out;
}

/** Each target fails `rate` of its requests, spread evenly over its transient fault kinds. */
function transientFaults(rate: number): FaultRule[] {
  const per = (k: number) => 1 - (1 - rate) ** (1 / k);
  const api: FaultRule[] = [{ target: 'api', error: -3 }, { target: 'api', error: -4 }, { target: 'api', http: 500 }, { target: 'api', drop: true }];
  const upload: FaultRule[] = [{ target: 'upload', error: -3 }, { target: 'upload', http: 500 }, { target: 'upload', drop: true }];
  const download: FaultRule[] = [{ target: 'download', http: 500 }, { target: 'download', drop: true }];
  return [api, upload, download].flatMap((rules) => rules.map((f) => ({ ...f, probability: per(rules.length) })));
}

const requests = (m: MegaCliEnv) => m.emu.stats.apiRequests + m.emu.stats.uploadChunks + m.emu.stats.downloadRequests;

let m: MegaCliEnv;
beforeEach(async () => {
  m = await megaCliEnv();
  await m.writeJobs(JOBS);
});
afterEach(() => m.cleanup());

describe('10% transient faults for a whole run of a few hundred files', () => {
  for (let t = 0; t < RUNS; t++) {
    const seed = 3000 + t;
    it(`seed ${seed}: upload and download complete with every file intact`, { timeout: 180_000 }, async () => {
      const files = tree(seed, FILES);
      await writeVersion(join(m.root, 'src'), files);
      m.emu.faults.seed(seed);
      m.emu.faults.add(transientFaults(0.1));
      const r0 = requests(m);
      const f0 = m.emu.stats.faultsInjected;
      const up = await m.cli(['run', 'up']);
      const upRequests = requests(m) - r0;
      const upFaults = m.emu.stats.faultsInjected - f0;
      m.emu.faults.clear();
      const stored = await megaFolder(m, '/F');
      const upLost = differences(stored.files, files).length + stored.unreadable.length + rawDuplicates(m).length;
      await record({
        suite: 'faults', scenario: `local -> MEGA, ${FILES} files`, injected: `${upFaults} faults in ${upRequests} requests (${((100 * upFaults) / upRequests).toFixed(1)}%): -3, -4, HTTP 500, drops`,
        outcome: up.code === 0 ? 'completed' : `exit ${up.code}`, lost: upLost, detail: { seed, stdout: up.code === 0 ? undefined : up.stdout.slice(-2000) },
      });
      expect(up.stdout).toContain('up: ok');
      expect(up.code).toBe(0);
      expect(upLost).toBe(0);

      m.emu.faults.add(transientFaults(0.1));
      const r1 = requests(m);
      const f1 = m.emu.stats.faultsInjected;
      const down = await m.cli(['run', 'down']);
      const downRequests = requests(m) - r1;
      const downFaults = m.emu.stats.faultsInjected - f1;
      m.emu.faults.clear();
      const back = await hashes(join(m.root, 'back'));
      const downLost = differences(back, files).length;
      await record({
        suite: 'faults', scenario: `MEGA -> local, ${FILES} files`, injected: `${downFaults} faults in ${downRequests} requests (${((100 * downFaults) / downRequests).toFixed(1)}%): -3, -4, HTTP 500, drops`,
        outcome: down.code === 0 ? 'completed' : `exit ${down.code}`, lost: downLost, detail: { seed, stdout: down.code === 0 ? undefined : down.stdout.slice(-2000) },
      });
      expect(down.code).toBe(0);
      expect(downLost).toBe(0);
      expect(upFaults / upRequests).toBeGreaterThan(0.05);
      expect(downFaults / downRequests).toBeGreaterThan(0.05);
    });
  }
});

describe('corrupted download bytes', () => {
  for (let t = 0; t < RUNS; t++) {
    const seed = 3100 + t;
    it(`seed ${seed}: 30% of downloads damaged: every damage caught, re-downloaded, nothing damaged lands`, { timeout: 120_000 }, async () => {
      const files = tree(seed, 120);
      await writeVersion(join(m.root, 'src'), files);
      expect((await m.cli(['run', 'up'])).code).toBe(0);
      m.emu.faults.seed(seed);
      const [id] = m.emu.faults.add({ target: 'download', corrupt: true, probability: 0.3 });
      const d0 = m.emu.stats.downloadRequests;
      const down = await m.cli(['run', 'down']);
      const fired = m.emu.faults.list().find((f) => f.id === id)?.fired ?? 0;
      const gets = m.emu.stats.downloadRequests - d0;
      m.emu.faults.clear();
      const back = await hashes(join(m.root, 'back'));
      // Every file is either its exact content or, after its retries ran out, absent by name.
      const damaged = Object.entries(back).filter(([p, h]) => !p.endsWith('.mmpartial') && differences({ [p]: h }, { [p]: files[p] ?? Buffer.alloc(0) }).length > 0);
      const failed = [...down.stdout.matchAll(/failed: copy (\S+): MAC verification failed/g)].map((x) => x[1]!);
      const missing = Object.keys(files).filter((p) => back[p] === undefined);
      await record({
        suite: 'faults', scenario: 'corrupted downloads (30%)', injected: `${fired} corrupted replies in ${gets} download requests`,
        outcome: failed.length === 0 ? 'every damage caught; all files intact' : 'every damage caught; files damaged on every attempt failed by name',
        lost: damaged.length + missing.filter((p) => !failed.includes(p)).length + Object.keys(back).filter((p) => p.endsWith('.mmpartial')).length,
        detail: { seed, failed: failed.length, files: Object.keys(files).length },
      });
      expect(fired).toBeGreaterThan(0);
      expect(damaged).toEqual([]);
      expect(missing.sort()).toEqual(failed.sort());
      expect(Object.keys(back).filter((p) => p.endsWith('.mmpartial'))).toEqual([]);
      expect(down.code).toBe(failed.length === 0 ? 0 : 1);
      // Every damaged reply cost one more request: each file that landed needed one clean one.
      expect(gets).toBeGreaterThanOrEqual(Object.keys(files).filter((p) => files[p]!.length > 0).length - failed.length + fired);
    });
  }

  it('every download damaged: every file fails by name, nothing lands, no partial file', async () => {
    const files = tree(3199, 12);
    await writeVersion(join(m.root, 'src'), files);
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    const [id] = m.emu.faults.add({ target: 'download', corrupt: true, probability: 1 });
    const down = await m.cli(['run', 'down']);
    const fired = m.emu.faults.list().find((f) => f.id === id)?.fired ?? 0;
    m.emu.faults.clear();
    const left = (await readdir(join(m.root, 'back'), { recursive: true })).map(String);
    const landed = left.filter((p) => p.endsWith('.bin') || p.includes('mmpartial'));
    const nonEmpty = Object.keys(files).filter((p) => files[p]!.length > 0);
    const failed = [...down.stdout.matchAll(/failed: copy (\S+): MAC verification failed/g)].map((x) => x[1]!);
    const emptyOnes = Object.keys(files).filter((p) => files[p]!.length === 0);
    await record({
      suite: 'faults', scenario: 'corrupted downloads (100%)', injected: `${fired} corrupted replies`,
      outcome: `${failed.length} of ${nonEmpty.length} files failed by name, exit ${down.code}`,
      lost: landed.filter((p) => !emptyOnes.some((e) => p.endsWith(e))).length, detail: {},
    });
    expect(down.code).toBe(1);
    expect(failed.sort()).toEqual(nonEmpty.sort());
    expect(landed.filter((p) => !emptyOnes.some((e) => p.endsWith(e)))).toEqual([]);
  });
});

describe('over quota', () => {
  it('storage: the upload stops at once saying the storage quota is full; nothing partial is visible', async () => {
    const files = tree(3200, 60);
    await writeVersion(join(m.root, 'src'), files);
    const total = Object.values(files).reduce((n, b) => n + b.length, 0);
    m.emu.setAccountSettings(EMAIL, { storageQuota: Math.floor(total / 3) });
    const up = await m.cli(['run', 'up']);
    const stored = await megaFolder(m, '/F');
    const lost = stored.unreadable.length + Object.entries(stored.files).filter(([p, h]) => differences({ [p]: h }, { [p]: files[p]! }).length > 0).length;
    await record({
      suite: 'faults', scenario: 'over the storage quota', injected: `storage quota ${Math.floor(total / 3)} B for ${total} B`,
      outcome: up.stdout.includes('over its storage quota') ? `stopped, exit ${up.code}, "over its storage quota"` : `exit ${up.code}`,
      lost, detail: { stored: Object.keys(stored.files).length },
    });
    expect(up.code).toBe(1);
    expect(up.stdout).toContain('the MEGA account is over its storage quota');
    expect(up.stdout).toMatch(/not done: \d+ \(stopped after over-quota/);
    expect(lost).toBe(0);
  });

  it('transfer: the download stops saying the transfer quota is spent and when it resets', async () => {
    const files = tree(3201, 60);
    await writeVersion(join(m.root, 'src'), files);
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    const total = Object.values(files).reduce((n, b) => n + b.length, 0);
    m.emu.setAccountSettings(EMAIL, { transferQuota: Math.floor(total / 3), transferTimeLeft: 5400 });
    const down = await m.cli(['run', 'down']);
    const back = await hashes(join(m.root, 'back'));
    const lost = differences(Object.fromEntries(Object.entries(back).filter(([p]) => files[p])), Object.fromEntries(Object.keys(back).filter((p) => files[p]).map((p) => [p, files[p]!]))).length
      + Object.keys(back).filter((p) => !files[p]).length;
    await record({
      suite: 'faults', scenario: 'over the transfer quota', injected: `transfer quota ${Math.floor(total / 3)} B for ${total} B`,
      outcome: down.stdout.includes('over its transfer quota') ? `stopped, exit ${down.code}, "over its transfer quota; it resets in 90 min"` : `exit ${down.code}`,
      lost, detail: { landed: Object.keys(back).length },
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('the MEGA account is over its transfer quota; it resets in 90 min');
    expect(down.stdout).toMatch(/not done: \d+ \(stopped after over-quota/);
    expect(lost).toBe(0);
  });
});
