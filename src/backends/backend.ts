import type { Readable } from 'node:stream';
import type { Capabilities, Entry, Listing, RelPath } from '../core/types.js';
import type { MegamirrorError } from '../errors.js';

/**
 * The one storage interface. Every endpoint (local folder, MEGA folder, in-memory tree) implements
 * it, and every implementation passes the contract suite in `test/backends/contract.ts`.
 *
 * Contract for all methods:
 * - Paths are RelPaths below the backend's root; '' is the root. A backend never touches anything
 *   outside its root, whatever the path says.
 * - Errors are `MegamirrorError`s (see `errors.ts`) with a stable code; transient ones have
 *   `transient: true` so that the retry wrapper knows.
 * - Every method that can wait honours `signal` and rejects with an `interrupted` error when it fires.
 */
export interface Backend {
  /** `local`, `mega`, `memory`: for messages and reports only. */
  readonly kind: string;
  /** Human description of the root, e.g. `/home/me/docs` or `mega:/Backups`. */
  readonly display: string;
  readonly capabilities: Capabilities;

  /** The root: `missing` (does not exist), `not-a-folder`, or `ok`. Unreadable roots throw. */
  probeRoot(): Promise<'ok' | 'missing' | 'not-a-folder'>;

  /**
   * Every folder and file below the root, sorted with `comparePaths`. `prune(path)` returning true
   * for a folder means: do not descend (its own entry is still listed). Entries a plan cannot use
   * (symlinks, unsafe names, duplicates) go to `skipped` with a reason.
   */
  list(options?: ListOptions): Promise<Listing>;

  /** One entry, or null when nothing is there. */
  stat(path: RelPath, options?: OpOptions): Promise<Entry | null>;

  /** The file's content as a stream of plaintext bytes. */
  openRead(path: RelPath, options?: OpOptions): Promise<Readable>;

  /**
   * Store a file atomically: nothing appears under `path` until the whole content is stored and
   * `meta.beforeCommit` (if given) has resolved; then it replaces what was there in one step and
   * carries `meta.mtimeMs`. A failure or abort leaves the old content (or nothing) under `path`
   * and no temporary file behind. Parent folders must exist.
   */
  write(path: RelPath, content: WriteSource, meta: WriteMeta, options?: OpOptions): Promise<void>;

  /**
   * Store several files from local paths, each as `write` would with `meta.beforeCommitChecksSource`:
   * atomically, with `mtimeMs`, and committed only if the local file still has `size` and `mtimeMs`
   * (else `source-changed`; a file that grew or shrank while it was read: `size-mismatch`). Resolves
   * with one outcome per item, in order: null for a stored file, or that file's MegamirrorError (one
   * file's failure does not fail the others; a run aborted before an item started: `interrupted`).
   * Only where `capabilities.writeGroup`; the items keep to its shape.
   */
  writeLocalFiles?(items: readonly LocalFileWrite[], options?: OpOptions): Promise<Array<MegamirrorError | null>>;

  /** Create one folder (its parent exists). Succeeds when the folder is already there. */
  mkdir(path: RelPath, options?: OpOptions): Promise<void>;

  /**
   * Delete one file. Goes to the trash where `capabilities.deleteGoesToTrash`. With `options.id`
   * (a `duplicate` delete action), delete exactly the entry with that backend identity, which must
   * be a file at `path` (one of several same-named entries where `allowsDuplicateNames`); backends
   * without duplicate names ignore it.
   */
  deleteFile(path: RelPath, options?: OpOptions & { id?: string }): Promise<void>;

  /** Remove one folder that the plan has emptied. */
  rmdir(path: RelPath, options?: OpOptions): Promise<void>;

  /**
   * Remove a folder and everything below it in as few steps as the storage allows (MEGA: one
   * recursive delete or move to the Rubbish Bin). For whole snapshots, never for mirror entries.
   */
  removeTree(path: RelPath, options?: OpOptions): Promise<void>;

  /**
   * Make `to` an identical file to the existing `from` without moving content through this
   * process (hard link, MEGA server-side copy). Only where `capabilities.serverSideCopy`.
   * Rejects with code `link-unsupported` when it cannot (another device), so the caller can copy.
   */
  copyWithin?(from: RelPath, to: RelPath, options?: OpOptions): Promise<void>;

  /**
   * A proof of a file's content that needs no transfer: MEGA's condensed MAC with the node's key
   * and nonce. `verify` computes the same MAC over the other side's bytes. Null when unknown.
   */
  macProof?(path: RelPath, options?: OpOptions): Promise<MacProof | null>;

  /** Absolute local path of a file where content can be read directly from disk, else null. */
  localPath?(path: RelPath): string | null;

  /**
   * Move or rename an existing file or folder within this backend without moving content (MEGA:
   * `m` into another folder, `a` for a new name). The parent of `to` must exist and nothing may be
   * at `to` (`exists`); a folder cannot move below itself (`usage`). Not retried by the retry
   * wrapper: after a lost reply the outcome is unknown until the next `stat`.
   */
  move?(from: RelPath, to: RelPath, options?: OpOptions): Promise<void>;

  /**
   * Give an existing file the modification time of a local file whose content the caller has
   * proven equal (by `macProof`), without transferring anything: MEGA writes the fingerprint `c`
   * (the local file's CRCs with `from.mtimeMs` in whole seconds) and keeps every other attribute,
   * so this tool and MEGA's own clients then compare the file by mtime. Rejects with
   * `size-mismatch` when the local file's size is not the stored file's. Idempotent.
   */
  adoptMtime?(path: RelPath, from: { localPath: string; mtimeMs: number }, options?: OpOptions): Promise<void>;

  /** What the storage holds and allows (MEGA: `uq`), for `megamirror quota`. */
  usage?(options?: OpOptions): Promise<StorageUsage>;

  /** Release connections and timers. Idempotent. */
  close(): Promise<void>;
}

export interface OpOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends OpOptions {
  prune?: (dir: RelPath) => boolean;
  /**
   * The job's filter as data, for backends that list elsewhere (a worker thread) and cannot call
   * `prune`: folders the filter excludes need not be descended. Like `prune`, only an optimization:
   * the planner filters again.
   */
  selection?: { include: string[]; exclude: string[] };
  /**
   * The caller's thread would only wait for this listing (the other side lists on a worker
   * thread): a backend that lists on a worker may list here instead, sparing a thread start and
   * the hand-over of the result.
   */
  here?: boolean;
}

/** Where a write's bytes come from: a stream opener, and a local file path when there is one. */
export interface WriteSource {
  open(): Promise<Readable>;
  /** When set, backends may read the file directly (copy_file_range, positional reads). */
  localPath?: string;
  /** Told of bytes stored as the write goes (for progress); the counts add up to the size. */
  onProgress?: (bytes: number) => void;
}

/** One file for `writeLocalFiles`: the local file at `localPath`, stored as `path`. */
export interface LocalFileWrite {
  path: RelPath;
  localPath: string;
  /** The size and mtime the plan saw: the file must still have them when it is committed. */
  size: number;
  mtimeMs: number | null;
}

export interface WriteMeta {
  /** Exact size of the content; a stream that yields another count fails the write. */
  size: number;
  mtimeMs: number | null;
  /** Runs after the content is stored and before it is committed; rejecting aborts the write. */
  beforeCommit?: () => Promise<void>;
  /**
   * Set when `beforeCommit` only checks that the file at the source's `localPath` still has
   * `size` and `mtimeMs` (following links) and throws `source-changed` otherwise: a backend that
   * stores and commits in one step (the local backend's native copy) may run that check itself.
   */
  beforeCommitChecksSource?: boolean;
}

/** See `Backend.usage`. Bytes; null where the service does not say. */
export interface StorageUsage {
  /** Everything stored: files, old versions and the trash. */
  usedBytes: number;
  totalBytes: number | null;
  /** In the trash (MEGA's Rubbish Bin). */
  trashBytes: number | null;
  /** Held by old versions of files. */
  versionBytes: number | null;
  transferUsedBytes: number | null;
  transferTotalBytes: number | null;
}

/** See `Backend.macProof`. All raw bytes: aesKey 16, nonce 8, mac 8. */
export interface MacProof {
  aesKey: Buffer;
  nonce: Buffer;
  mac: Buffer;
  /** MEGA: whether the node carries the official clients' fingerprint `c` (see `adoptMtime`). */
  fingerprinted?: boolean;
}
