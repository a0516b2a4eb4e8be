/**
 * The small pieces of the MEGA backend, as tables: the one-pass fingerprint equals the SDK's for
 * every piece size, error classification, secret redaction, and the shared rate limiter.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../../../src/backends/mega/crypto/index.js';
import { classify, fromApiCode, fromHttpStatus, redact } from '../../../src/backends/mega/errors.js';
import { FingerprintTap } from '../../../src/backends/mega/plain-tap.js';
import { RateLimiter } from '../../../src/backends/mega/rate-limiter.js';
import { timeoutsFromEnv } from '../../../src/backends/mega/open.js';
import { pattern } from './helpers.js';

function pieces(data: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  for (let p = 0; p < data.length; ) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % 70_000);
    out.push(data.subarray(p, p + n));
    p += n;
  }
  return out;
}

describe('FingerprintTap: the fingerprint in one pass', () => {
  it.each([0, 1, 16, 17, 4096, 8192, 8193, 8256, 100_000, 1_000_003])('size %i, random pieces: same c as the SDK algorithm', (size) => {
    const data = pattern(size, size + 11);
    for (const seed of [1, 2, 3]) {
      const tap = new FingerprintTap(size, 'f');
      for (const p of pieces(data, seed)) tap.see(p);
      tap.end();
      expect(tap.fingerprint(1_700_000_123)).toBe(fingerprintBuffer(data, 1_700_000_123).c);
    }
  });

  it('fails on more bytes than declared before keeping them, and on fewer at the end', () => {
    const tap = new FingerprintTap(15, 'f');
    tap.see(Buffer.alloc(10));
    expect(() => tap.see(Buffer.alloc(10))).toThrow(expect.objectContaining({ code: 'size-mismatch', transient: true }));
    expect(tap.bytes).toBe(10);
    expect(() => tap.end()).toThrow(expect.objectContaining({ code: 'size-mismatch' }));
  });
});

describe('error classification', () => {
  it.each<[number, string, boolean, string]>([
    [-3, 'transient', true, 'api'],
    [-4, 'transient', true, 'api'],
    [-18, 'transient', true, 'api'],
    [-8, 'transient', true, 'upload'],
    [-9, 'not-found', false, 'api'],
    [-9, 'auth', false, 'login'],
    [-5, 'auth', false, 'login'],
    [-11, 'permission-denied', false, 'api'],
    [-15, 'auth', false, 'api'],
    [-16, 'blocked', false, 'api'],
    [-17, 'over-quota', false, 'api'],
    [-26, 'mfa-required', false, 'login'],
    [-2, 'remote', false, 'api'],
  ])('API %i (%s)', (code, expected, transient, op) => {
    const e = fromApiCode(code, { op: op as 'api' });
    expect([e.code, e.transient]).toEqual([expected, transient]);
  });

  it('quota: which one, and for how long', () => {
    expect(fromApiCode(-17, { op: 'api', command: 'p' }).message).toBe('the MEGA account is over its storage quota');
    expect(fromApiCode(-17, { op: 'api', command: 'g', timeLeft: 3600 }).message).toBe('the MEGA account is over its transfer quota; it resets in 60 min');
    expect(fromHttpStatus(509, { op: 'download', timeLeft: 30 })).toMatchObject({ code: 'over-quota', retryAfterSeconds: 30 });
  });

  it.each<[number, string, boolean]>([
    [500, 'api', true],
    [503, 'download', true],
    [429, 'api', true],
    [403, 'download', true],
    [404, 'upload', true],
    [403, 'api', false],
    [400, 'api', false],
  ])('HTTP %i from %s: transient %s', (status, op, transient) => {
    expect(fromHttpStatus(status, { op: op as 'api' }).transient).toBe(transient);
  });

  it('megajs and network messages', () => {
    expect(classify(new Error('Server returned error -3 while uploading'), { op: 'upload' })).toMatchObject({ code: 'transient' });
    expect(classify(new Error('MEGA returned a 500 status code'), { op: 'download' })).toMatchObject({ code: 'transient' });
    expect(classify(Object.assign(new Error('Bandwidth limit reached: 120 seconds until it resets'), { timeLimit: '120' }), { op: 'download' })).toMatchObject({
      code: 'over-quota',
      retryAfterSeconds: 120,
    });
    const drop = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classify(drop, { op: 'api' })).toMatchObject({ code: 'transient', transient: true });
    expect(classify(new Error('ENOENT (-9): Object (typically, node or user) not found. Wrong password?'), { op: 'login' })).toMatchObject({ code: 'auth' });
  });

  it('redacts sessions and transfer URLs from foreign text', () => {
    const text = redact('POST http://127.0.0.1:9/cs?id=1&sid=SECRETSID failed; GET http://h/dl/TOKEN123/0-9 and ?sid=abc&x=1');
    expect(text).not.toMatch(/SECRETSID|TOKEN123|abc/);
  });
});

describe('RateLimiter', () => {
  it('bounds concurrency and paces starts', async () => {
    const l = new RateLimiter({ maxConcurrent: 2, minIntervalMs: 20 });
    let active = 0;
    let peak = 0;
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () =>
        l.run(async () => {
          starts.push(Date.now());
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 30));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(15);
  });

  it('a throttle pauses every caller, and the pause decays on success', async () => {
    const l = new RateLimiter({ minIntervalMs: 0 });
    l.throttle();
    expect(l.penaltyMs).toBe(500);
    const t = Date.now();
    await l.run(async () => undefined);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
    l.relax();
    expect(l.penaltyMs).toBe(0);
  });

  it('an aborted waiter leaves the queue', async () => {
    const l = new RateLimiter({ maxConcurrent: 1, minIntervalMs: 0 });
    let release!: () => void;
    const first = l.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    const second = l.run(async () => 'ran', ac.signal);
    ac.abort(new Error('stop'));
    await expect(second).rejects.toThrow('stop');
    release();
    await first;
    await expect(l.run(async () => 'third')).resolves.toBe('third');
  });
});

it('MEGAMIRROR_MEGA_TIMEOUTS parses', () => {
  expect(timeoutsFromEnv('api=100, idle=200,request=300,login=400,bogus=1,idle2=x')).toEqual({ apiMs: 100, transferIdleMs: 200, transferRequestMs: 300, loginMs: 400 });
  expect(timeoutsFromEnv(undefined)).toBeUndefined();
});
