import type { Action } from '../core/types.js';
import type { ErrorCode } from '../errors.js';

/** What happened to one planned action. */
export type ActionResult =
  | { action: Action; outcome: 'done'; attempts: number; bytes: number; note?: string }
  | { action: Action; outcome: 'failed'; attempts: number; error: { code: ErrorCode; message: string } }
  | { action: Action; outcome: 'skipped'; why: string };

/** Progress events an apply emits, for progress bars and logs. Never carries content or secrets. */
export type ApplyEvent =
  | { type: 'action-start'; action: Action }
  | { type: 'action-end'; result: ActionResult }
  | { type: 'bytes'; path: string; bytes: number };
