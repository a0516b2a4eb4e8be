/**
 * Shared fixtures for MEGA backend tests: an in-process emulator with one account, a session
 * registry of its own (so sessions never leak between emulators), a state folder, and backends
 * opened the way the CLI opens them (retry wrapper included, short timeouts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Backend, WriteSource } from '../../../src/backends/backend.js';
import { MegaBackend } from '../../../src/backends/mega/index.js';
import { SessionRegistry } from '../../../src/backends/mega/registry.js';
import type { MegaSession, MegaTimeouts } from '../../../src/backends/mega/session.js';
import { withRetry } from '../../../src/backends/wrappers/retry.js';
import type { MegaRemoteConfig } from '../../../src/config/types.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import { pattern } from '../../helpers/pattern.js';

export const EMAIL = 'mirror@example.com';
export const PASSWORD = 'correct horse battery staple';

export const FAST: Partial<MegaTimeouts> = { apiMs: 3000, transferIdleMs: 4000, transferRequestMs: 1500, loginMs: 20_000 };

export interface MegaFixture {
  emu: Emulator;
  stateDir: string;
  registry: SessionRegistry;
  remote: MegaRemoteConfig;
  masterKey: Buffer;
  session(): Promise<MegaSession>;
  /** A backend rooted at `root` (absolute MEGA path), without the retry wrapper. */
  open(root: string, o?: { permanentDelete?: boolean }): Promise<MegaBackend>;
  /** The same, wrapped in the retry wrapper as the CLI composes it (fast backoff). */
  openRetrying(root: string, retries?: number): Promise<Backend>;
  cleanup(): Promise<void>;
}

export async function megaFixture(o: { mfaCode?: string; timeouts?: Partial<MegaTimeouts> } = {}): Promise<MegaFixture> {
  const emu = await startEmulator({ rsaBits: 1024, scWaitMs: 2000, log: () => undefined });
  const account = await emu.createAccount({ email: EMAIL, password: PASSWORD, ...(o.mfaCode ? { mfaCode: o.mfaCode } : {}) });
  const stateDir = await mkdtemp(join(tmpdir(), 'mm-mega-state-'));
  const registry = new SessionRegistry();
  const remote: MegaRemoteConfig = { type: 'mega', name: 'mega', email: EMAIL, password: PASSWORD, gateway: emu.gateway, permanentDelete: false };
  const backends: Backend[] = [];
  const session = () => registry.open({ remote, stateDir, timeouts: o.timeouts ?? FAST, loginBackoffMs: 50 });
  const open = async (root: string, p: { permanentDelete?: boolean } = {}) => {
    const b = new MegaBackend({ session: await session(), root, display: `mega:${root}`, permanentDelete: p.permanentDelete ?? false, commitBackoffMs: 20 });
    backends.push(b);
    return b;
  };
  return {
    emu,
    stateDir,
    registry,
    remote,
    masterKey: account.masterKey,
    session,
    open,
    openRetrying: async (root, retries = 3) => withRetry(await open(root), { retries, minTimeoutMs: 20, maxTimeoutMs: 200 }),
    async cleanup() {
      for (const b of backends) await b.close();
      await emu.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export const fromBuffer = (data: Buffer): WriteSource => ({ open: async () => Readable.from([data]) });

export async function put(b: Backend, path: string, data: Buffer | string, mtimeMs: number | null = Date.parse('2024-05-06T07:08:09Z')): Promise<void> {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  await b.write(path, fromBuffer(bytes), { size: bytes.length, mtimeMs });
}

export async function read(b: Backend, path: string): Promise<Buffer> {
  return buffer(await b.openRead(path));
}

export { pattern };
