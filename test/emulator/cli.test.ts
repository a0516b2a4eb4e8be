import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Storage } from 'megajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTimeout } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Compiles src/emulator on its own (the repo build may be mid-change elsewhere). */
function compileEmulator(outDir: string): string {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      ...['--outDir', outDir, '--rootDir', join(ROOT, 'src/emulator')],
      ...['--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022'],
      ...['--strict', '--skipLibCheck', '--types', 'node'],
      join(ROOT, 'src/emulator/cli.ts'),
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  return join(outDir, 'cli.js');
}

interface Running {
  child: ChildProcess;
  url: string;
}

async function run(cli: string, args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await withTimeout(
    new Promise<string>((resolveLine, reject) => {
      lines.once('line', resolveLine);
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    }),
    30_000,
    'emulator start',
  );
  const match = /^MEGA emulator listening on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first);
  if (!match) throw new Error(`unexpected first line: ${first}`);
  return { child, url: match[1]! };
}

async function stop(running: Running): Promise<number | null> {
  const exited = new Promise<number | null>((r) => running.child.once('exit', (code) => r(code)));
  running.child.kill('SIGTERM');
  return withTimeout(exited, 10_000, 'emulator exit');
}

async function control(url: string, path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${url}__emulator/${path}`, init);
  return res.json();
}

describe('emulator CLI in another process', () => {
  const work = mkdtempSync(join(tmpdir(), 'mega-emu-cli-'));
  const state = join(work, 'state');
  let cli: string;

  beforeAll(() => {
    cli = compileEmulator(join(work, 'build'));
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('starts, is controlled over HTTP, keeps state across a restart', async () => {
    let emu = await run(cli, ['--port', '0', '--host', '127.0.0.1', '--state', state, '--account', 'cli@example.com:pw:with:colons']);
    let storage: any;
    let secondMasterKey = '';
    try {
      expect(await control(emu.url, 'health')).toMatchObject({ ok: true, pid: emu.child.pid });
      storage = new Storage({ email: 'cli@example.com', password: 'pw:with:colons', gateway: emu.url, keepalive: false } as any);
      await withTimeout(storage.ready, 30_000, 'login');
      await storage.mkdir('made-by-cli-test');

      const { ids } = await control(emu.url, 'faults', { method: 'POST', body: JSON.stringify({ target: 'api', command: 'p', error: -4 }) });
      expect(ids).toHaveLength(1);
      await expect(withTimeout(storage.mkdir('refused'), 10_000)).rejects.toThrow(/ERATELIMIT/);
      const stats = await control(emu.url, 'stats');
      expect(stats.commands.p).toBe(2);
      expect(stats.faultsInjected).toBe(1);
      expect((await control(emu.url, 'faults')).faults).toEqual([]);

      const made = await control(emu.url, 'accounts', { method: 'POST', body: JSON.stringify({ email: 'second@example.com', password: 'x', version: 1 }) });
      expect(made).toMatchObject({ email: 'second@example.com', created: true });
      expect(Buffer.from(made.masterKey, 'base64url')).toHaveLength(16);
      secondMasterKey = made.masterKey;
      expect(await control(emu.url, 'accounts/second@example.com/settings', { method: 'POST', body: '{"versioning":false}' })).toMatchObject({
        versioning: false,
      });
      expect(await control(emu.url, 'nope')).toHaveProperty('error');
    } finally {
      storage?.api.close();
      expect(await stop(emu)).toBe(0);
    }

    emu = await run(cli, ['--state', state, '--account', 'cli@example.com:pw:with:colons']);
    try {
      storage = new Storage({ email: 'cli@example.com', password: 'pw:with:colons', gateway: emu.url, keepalive: false } as any);
      await withTimeout(storage.ready, 30_000, 'login after restart');
      expect(storage.root.children.map((c: any) => c.name)).toEqual(['made-by-cli-test']);
      const second = await control(emu.url, 'accounts', { method: 'POST', body: JSON.stringify({ email: 'second@example.com', password: 'x' }) });
      expect(second.created).toBe(false);
      expect(second.masterKey).toBe(secondMasterKey); // unwrapped again from the stored form
    } finally {
      storage?.api.close();
      expect(await stop(emu)).toBe(0);
    }
  }, 120_000);
});

