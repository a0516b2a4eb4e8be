/**
 * The vocabulary shared by every layer. Pure data: no behaviour lives here.
 *
 * Conventions:
 * - A `RelPath` is a posix path relative to an endpoint root, NFC-normalized, without a leading or
 *   trailing slash. The root itself is the empty string `''`.
 * - Times are milliseconds since the Unix epoch (`mtimeMs`), `null` where the backend cannot tell.
 * - Sizes are bytes.
 */

export type RelPath = string;

export interface FileEntry {
  kind: 'file';
  path: RelPath;
  size: number;
  /** Modification time in ms; null where unknown (a MEGA node without a fingerprint). */
  mtimeMs: number | null;
  /** Backend-private identity (a MEGA handle, an inode); never shown to users as a path. */
  id?: string;
}

export interface DirEntry {
  kind: 'dir';
  path: RelPath;
  id?: string;
}

export type Entry = FileEntry | DirEntry;

/** Something a scan saw but will not take part in the plan, with why. */
export interface SkippedEntry {
  path: RelPath;
  reason: SkipReason;
  detail?: string;
  /** `duplicate` files only: backend identity (MEGA handle) of the shadowed copy, so it can be removed. */
  id?: string;
  /** `duplicate` files only: its size in bytes. */
  size?: number;
}

export type SkipReason =
  | 'symlink' // not followed (follow_symlinks is off)
  | 'symlink-loop' // followed, but it points back into its own ancestry
  | 'special' // socket, fifo, device
  | 'unreadable' // permission denied or vanished while scanning
  | 'unsafe-name' // `.`, `..`, contains `/` or NUL, or not representable on the other side
  | 'duplicate' // another node with the same name won (MEGA allows duplicates)
  | 'name-collision' // two names that the destination would see as one (NFC/NFD, case)
  | 'partial'; // a temporary file left by an interrupted run

export interface Warning {
  /** Stable machine code, e.g. `no-mtime`, `type-conflict`, `duplicate-name`. */
  code: string;
  message: string;
  path?: RelPath;
}

/** A whole-tree listing. `entries` is sorted by `comparePaths` and holds every folder and file. */
export interface Listing {
  entries: Entry[];
  skipped: SkippedEntry[];
  warnings: Warning[];
}

/**
 * What a backend can do and remember; the planner reads these, never `instanceof`.
 */
export interface Capabilities {
  /** Granularity of stored mtimes in ms; null when mtimes are not stored at all. */
  mtimePrecisionMs: number | null;
  /** `A` and `a` name the same entry. */
  caseInsensitive: boolean;
  /** A folder may hold several entries with one name (MEGA). */
  allowsDuplicateNames: boolean;
  /** Deleting moves to a trash that can be restored from. */
  deleteGoesToTrash: boolean;
  /** `copyWithin` exists: reuse of an existing file without moving its bytes (hard link, MEGA copy). */
  serverSideCopy: boolean;
  /**
   * `Backend.writeLocalFiles` exists (the local backend with its native helpers): the engine hands
   * it the copies of local files under `fileBelow` bytes in groups of at most `files` files and
   * `bytes` bytes, one call per group instead of one `write` per file. Absent: one by one.
   */
  writeGroup?: WriteGroupShape;
}

/** See `Capabilities.writeGroup`. */
export interface WriteGroupShape {
  files: number;
  bytes: number;
  fileBelow: number;
}

export type CopyReason = 'missing' | 'size-differs' | 'mtime-differs' | 'type-conflict';
export type DeleteReason = 'not-in-source' | 'excluded' | 'type-conflict' | 'duplicate' | 'partial';

/**
 * The phases an apply runs, in this order. `commit` (a snapshot's manifest) and the removals after
 * it run only when everything before succeeded.
 */
export const PHASES = ['clear', 'mkdir', 'transfer', 'commit', 'delete', 'rmdir'] as const;
export type Phase = (typeof PHASES)[number];

export type Action =
  | { op: 'mkdir'; phase: 'mkdir'; path: RelPath; reason: 'missing' | 'type-conflict' }
  | {
      op: 'copy';
      phase: 'transfer';
      path: RelPath;
      reason: CopyReason;
      size: number;
      mtimeMs: number | null;
      /** Where to read in the source when it differs from `path` (snapshots write below `<id>/`). */
      sourcePath?: RelPath;
      /** What the destination held before (for changed files), as the plan saw it. */
      previous?: { size: number; mtimeMs: number | null };
    }
  | {
      /** Reuse an identical file already at the destination (snapshot): a hard link or MEGA copy. */
      op: 'link';
      phase: 'transfer';
      path: RelPath;
      from: RelPath;
      reason: 'unchanged';
      size: number;
      mtimeMs: number | null;
    }
  | {
      op: 'delete';
      /** `clear` when it makes room for a copy of another type; `delete` otherwise. */
      phase: 'clear' | 'delete';
      path: RelPath;
      reason: DeleteReason;
      size: number;
      /** The mtime the plan saw, so a saved plan can tell whether the file changed since. */
      mtimeMs?: number | null;
      /** Backend identity of the one entry meant, where a path can name several (MEGA duplicates). */
      id?: string;
    }
  | { op: 'rmdir'; phase: 'clear' | 'rmdir'; path: RelPath; reason: DeleteReason }
  | {
      /** Write a snapshot's manifest, last: its presence marks the snapshot complete. */
      op: 'manifest';
      phase: 'commit';
      path: RelPath;
      reason: 'complete';
      snapshot: string;
    }
  | {
      /** Remove a whole snapshot folder in one step. */
      op: 'prune';
      phase: 'delete';
      path: RelPath;
      reason: 'retention' | 'incomplete';
      snapshot: string;
      /** Why retention let it go, or what happened to it, for the plan and report. */
      detail: string;
    }

export type ActionOp = Action['op'];

export interface PlanSummary {
  copy: { files: number; bytes: number };
  link: { files: number; bytes: number };
  delete: { files: number; bytes: number };
  mkdir: number;
  rmdir: number;
  /** Whole snapshots removed (retention or incomplete). */
  prune: number;
  unchanged: { files: number; bytes: number };
  skipped: number;
}

export interface Plan {
  job: string;
  kind: 'mirror' | 'snapshot' | 'restore';
  source: string;
  destination: string;
  /** In execution order: grouped by phase (PHASES order), parents before children, deepest rmdir first. */
  actions: Action[];
  unchanged: number;
  skipped: SkippedEntry[];
  warnings: Warning[];
  summary: PlanSummary;
}
