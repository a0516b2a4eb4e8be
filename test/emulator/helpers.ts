/**
 * Shared helpers for emulator tests: start an emulator, log megajs in against it, and make every
 * asynchronous wait bounded (megajs can leave promises pending forever on failures).
 */
import { Storage } from 'megajs';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { pattern } from '../helpers/pattern.js';

export type MegaStorage = any;
export type MegaFile = any;

export function withTimeout<T>(promise: Promise<T>, ms = 20_000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An emulator plus every megajs session opened on it, closed together. */
export class Harness {
  readonly sessions: MegaStorage[] = [];
  /** Errors megajs emitted on its API object (sc channel failures). */
  readonly apiErrors: Error[] = [];

  private constructor(readonly emu: Emulator) {}

  static async start(options: EmulatorOptions = {}): Promise<Harness> {
    return new Harness(await startEmulator({ scWaitMs: 5_000, ...options }));
  }

  /** Logs in with megajs (keepalive on: the sc channel runs). */
  async login(email: string, password: string, extra: Record<string, unknown> = {}): Promise<MegaStorage> {
    const storage = this.track(new Storage({ email, password, gateway: this.emu.gateway, ...extra } as any));
    await withTimeout(storage.ready as Promise<unknown>, 30_000, 'login');
    return storage;
  }

  /** Registers a session so close() ends it, and swallows (but records) its sc errors. */
  track(storage: MegaStorage): MegaStorage {
    storage.api.on('error', (error: Error) => this.apiErrors.push(error));
    this.sessions.push(storage);
    return storage;
  }

  async close(): Promise<void> {
    for (const storage of this.sessions) {
      if (storage.status !== 'closed' || storage.api.sn) {
        await withTimeout(Promise.resolve(storage.close()).catch(() => {}), 5_000, 'megajs close').catch(() => {});
      } else {
        storage.api.close();
      }
    }
    await this.emu.close();
  }
}

export async function upload(parent: MegaFile, name: string, data: Buffer, opts: Record<string, unknown> = {}): Promise<MegaFile> {
  // megajs encrypts a Buffer in place: give it a copy.
  const stream = parent.upload({ name, size: data.length, ...opts }, Buffer.from(data));
  const failed = new Promise<never>((_, reject) => stream.on('error', reject));
  return withTimeout(Promise.race([stream.complete, failed]), 30_000, `upload ${name}`);
}

export async function download(file: MegaFile, opts: Record<string, unknown> = {}): Promise<Buffer> {
  return withTimeout(file.downloadBuffer(opts) as Promise<Buffer>, 30_000, `download ${file.name}`);
}

/** Waits until `check()` is true (polling), failing after `ms`. */
export async function eventually(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { pattern };

/** MAC chunk boundaries in [0, size): 0, 128K, 384K, ... then every 1 MiB. */
export function chunkStarts(size: number): number[] {
  const starts: number[] = [];
  let pos = 0;
  for (let i = 1; pos < size || (size === 0 && starts.length === 0); i++) {
    starts.push(pos);
    pos += Math.min(i, 8) * 128 * 1024;
  }
  return starts;
}

/**
 * Uploads ciphertext through the API of a logged-in megajs session without megajs's upload code:
 * `u`, one POST per MAC chunk, returns the completion token (base64url) for a `p`.
 */
export async function rawUpload(storage: MegaStorage, ciphertext: Buffer): Promise<string> {
  const { p: url } = (await storage.api.request({ a: 'u', s: ciphertext.length })) as { p: string };
  const starts = chunkStarts(ciphertext.length);
  let token: Buffer | undefined;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = Math.min(starts[i + 1] ?? ciphertext.length, ciphertext.length);
    const reply = Buffer.from(await (await fetch(`${url}/${start}`, { method: 'POST', body: ciphertext.subarray(start, end) })).arrayBuffer());
    if (reply.length === 36) token = reply;
    else if (reply.length) throw new Error(`upload chunk failed: ${reply.toString()}`);
  }
  if (!token) throw new Error('no completion token');
  return token.toString('base64url');
}
