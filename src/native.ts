import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getSystemErrorName } from 'node:util';
import { MegamirrorError } from './errors.js';
import { PACKAGE_ROOT } from './package-root.js';

/**
 * megamirror's optional native helpers (native/*.c, built by scripts/build-native.mjs at install):
 * one call per folder for the scan and one thread-pool job per copied file or group of small files
 * (the local backend),
 * and one call to decrypt many MEGA node attributes. They only move bytes and metadata; every
 * decision stays in TypeScript. Absent (no C compiler at install, another
 * platform, or MEGAMIRROR_NATIVE=0), the local backend does the same through node:fs, and the
 * backend contract suite runs both ways.
 */
export interface NativeListing {
  /** Names joined by NUL (which no name holds), in readdir order. */
  names: string;
  /** 1 file, 2 folder, 3 symlink, 4 anything else, 0 lstat failed (ask fs for the error). */
  kinds: Uint8Array;
  sizes: Float64Array;
  /** Floored milliseconds, files only. */
  mtimes: Float64Array;
  /** Every name is ASCII. */
  ascii: boolean;
}

export const NATIVE_KIND = { failed: 0, file: 1, dir: 2, link: 3, other: 4 } as const;

export interface NativeHelpers {
  /** A listing, or the errno that kept the folder from being read. */
  listFolder(path: string): NativeListing | number;
  /**
   * Copy `src` into a new file `dst` (exclusive create): at most `limit` + 1 bytes, stopping at
   * the source's end; mtime set exactly when `mtimeMs` is a number. `state[0] = 1` cancels between
   * 8 MiB chunks, `state[1]` reads the bytes copied so far. With `final`, a copy of exactly
   * `limit` bytes is committed in the same job (after `src` is checked to still have `limit`
   * bytes and `mtimeMs` when `checkSource`; else it rejects with syscall "source-changed").
   * Resolves with the bytes copied; on failure removes `dst` and rejects with
   * { errno, syscall, target }.
   */
  copyFile(src: string, dst: string, limit: number, mtimeMs: number | null, state?: Float64Array, final?: string, checkSource?: boolean): Promise<number>;
  /**
   * Several copies as by copyFile (without state), one after the other in one thread-pool job,
   * from flat arguments (see `copyFilesArgs`). Never rejects: each item's result is its bytes
   * copied or its failure.
   */
  copyFiles(paths: string, numbers: Float64Array, checks: Uint8Array): Promise<Array<number | NativeFailure>>;
  /**
   * Many AES-128-CBC decryptions (IV 0, no padding), segment i of `data` (up to `ends[i]`) under
   * `keys[16i..16i+16)`; segments not a positive multiple of 16 come back as zeros. Absent where
   * the build found no OpenSSL headers.
   */
  cbcDecryptMany?(keys: Uint8Array, data: Uint8Array, ends: Uint32Array): Uint8Array;
  /** Each chunk's AES-128 CBC-MAC from `iv` (native/cbc_mac.c); only on x86-64 with AES-NI. */
  cbcMacChunks?(key: Uint8Array, iv: Uint8Array, data: Uint8Array, ends: Uint32Array): Uint8Array;
  /**
   * `dst` = `src` XOR the AES-128-CTR keystream of a MEGA file from byte `offset` on (counter
   * block i = nonce || BE64(i)); `dst` is `src` itself or does not overlap it (native/aes_ctr.c);
   * only on x86-64 with AES-NI.
   */
  aesCtr?(key: Uint8Array, nonce: Uint8Array, offset: number, src: Uint8Array, dst: Uint8Array): void;
}

/** One file for copyFiles: copyFile's arguments, without state. */
export interface NativeCopyItem {
  src: string;
  dst: string;
  limit: number;
  mtimeMs: number | null;
  final: string | null;
  checkSource: boolean;
}

/**
 * copyFiles' flat arguments: each item's src, dst and final (empty: none) each ended by a NUL
 * (which no path holds), its limit and mtimeMs (NaN: leave it), its checkSource.
 */
export function copyFilesArgs(items: readonly NativeCopyItem[]): [string, Float64Array, Uint8Array] {
  let paths = '';
  const numbers = new Float64Array(2 * items.length);
  const checks = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    // A NUL inside a path would shift every field after it: refused here (no path holds one).
    if (it.src.includes('\0') || it.dst.includes('\0') || (it.final?.includes('\0') ?? false)) throw new TypeError('copyFiles: a path holds a NUL');
    // NaN stands for "leave the mtime": only null may become it.
    if (it.mtimeMs !== null && !Number.isFinite(it.mtimeMs)) throw new RangeError('copyFiles: mtimeMs must be finite or null');
    paths += `${it.src}\0${it.dst}\0${it.final ?? ''}\0`;
    numbers[2 * i] = it.limit;
    numbers[2 * i + 1] = it.mtimeMs ?? Number.NaN;
    checks[i] = it.checkSource ? 1 : 0;
  }
  return [paths, numbers, checks];
}

export interface NativeFailure {
  errno: number;
  syscall: string;
  target: boolean;
}

/** Must match MEGAMIRROR_NATIVE_ABI in native/native.h: a stale build is ignored, not trusted. */
const ABI = 2;
export const NATIVE_MODULE = join(PACKAGE_ROOT, 'native', 'build', 'Release', 'megamirror_native.node');

let loaded: NativeHelpers | null | undefined;

/** MEGAMIRROR_NATIVE=0 at start turns the helpers off; tests switch with setNativeEnabled. */
let enabled = process.env.MEGAMIRROR_NATIVE !== '0';

/** The helpers, loaded once per thread; null where they are not built or turned off. */
export function nativeHelpers(): NativeHelpers | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * Use the helpers (when built) or node:fs from now on, in this thread and the walks it starts on
 * worker threads: to compare both paths.
 */
export function setNativeEnabled(on: boolean): void {
  enabled = on;
}

export function nativeEnabled(): boolean {
  return enabled;
}

function load(): NativeHelpers | null {
  try {
    const m = createRequire(import.meta.url)(NATIVE_MODULE) as NativeHelpers & { abi?: number };
    return m.abi === ABI ? m : null;
  } catch {
    return null; // not built here: the fs paths serve
  }
}

/**
 * The rejection of copyFile as the Error node:fs would have thrown (code, syscall, path), or as
 * megamirror's own error for a source that changed while it was copied.
 */
export function nativeCopyError(f: unknown, src: string, dst: string, where = src): unknown {
  if (typeof f !== 'object' || f === null || typeof (f as NativeFailure).errno !== 'number') return f;
  const { errno, syscall, target } = f as NativeFailure;
  if (errno === 0 && syscall === 'source-changed') return new MegamirrorError('source-changed', 'the source file changed while it was copied', { where });
  const code = getSystemErrorName(-errno);
  const path = target ? dst : src;
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { errno: -errno, code, syscall, path });
}
