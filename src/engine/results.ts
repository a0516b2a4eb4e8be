import type { Action } from '../core/types.js';
import type { ErrorCode } from '../errors.js';

/** What happened to one planned action. */
export type ActionResult =
  | {
      action: Action;
      outcome: 'done';
      attempts: number;
      /** Bytes moved through this process (0 for links, folders and deletions). */
      bytes: number;
      note?: string;
      /** For copies: the size and mtime of what was actually stored (the source may have changed). */
      stored?: { size: number; mtimeMs: number | null };
    }
  | { action: Action; outcome: 'failed'; attempts: number; error: { code: ErrorCode; message: string } }
  | { action: Action; outcome: 'skipped'; why: string };

/** Progress events an apply emits, for progress bars and logs. Never carries content or secrets. */
export type ApplyEvent =
  | { type: 'action-start'; action: Action }
  | { type: 'action-end'; result: ActionResult }
  | { type: 'bytes'; path: string; bytes: number };
