/**
 * Typed errors with stable codes. Thrown anywhere, classified where the cause is known (the MEGA
 * adapter knows -3 is transient), caught once in the CLI and mapped to an exit code there.
 */

export type ErrorCode =
  // usage and configuration (exit 2)
  | 'usage'
  | 'config'
  // safety guards (exit 3)
  | 'refused'
  // a run that another process holds (exit 4)
  | 'locked'
  // interruption (exit 130)
  | 'interrupted'
  // storage and transport
  | 'not-found'
  | 'permission-denied'
  | 'no-space'
  | 'exists'
  | 'not-a-folder'
  | 'source-changed'
  | 'size-mismatch'
  | 'integrity' // MAC or hash mismatch
  | 'link-unsupported'
  | 'transient' // worth retrying: EAGAIN, rate limits, 5xx, dropped connections
  | 'timeout'
  | 'auth' // wrong credentials, expired session that cannot be renewed
  | 'mfa-required'
  | 'blocked'
  | 'over-quota'
  | 'remote' // any other error reported by a remote service
  | 'io'
  | 'internal';

export interface ErrorDetails {
  /** Where: a file:line:col, a job name, a path. Shown before the message. */
  where?: string;
  /** What to do about it, shown on its own line. */
  hint?: string;
  transient?: boolean;
  /** Seconds until a quota or ban is lifted, when the service says. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class MegamirrorError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly transient: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MegamirrorError';
    this.code = code;
    this.where = details.where;
    this.hint = details.hint;
    this.transient = details.transient ?? code === 'transient';
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** A configuration problem list: every problem found, reported at once. */
export class ConfigError extends MegamirrorError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('config', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the offending value, e.g. `jobs.documents.schedule`; '' for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const at = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${at}: ${p.path}: ${p.message}` : `${at}: ${p.message}`;
}

export function isAbort(err: unknown): boolean {
  return (
    (err instanceof MegamirrorError && err.code === 'interrupted') ||
    (err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR'))
  );
}

/** Map a Node.js system error to a MegamirrorError, keeping the path. */
export function fromSystemError(err: unknown, where: string): MegamirrorError {
  if (err instanceof MegamirrorError) return err;
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case 'ENOENT':
      return new MegamirrorError('not-found', 'no such file or folder', { where, cause: err });
    case 'EACCES':
    case 'EPERM':
      return new MegamirrorError('permission-denied', 'permission denied', { where, cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new MegamirrorError('no-space', 'no space left on the destination device', { where, cause: err });
    case 'EEXIST':
      return new MegamirrorError('exists', 'already exists', { where, cause: err });
    case 'ENOTDIR':
      return new MegamirrorError('not-a-folder', 'a path component is not a folder', { where, cause: err });
    case 'EXDEV':
    case 'EMLINK':
      return new MegamirrorError('link-unsupported', 'cannot hard-link here', { where, cause: err });
    case 'EBUSY':
    case 'EAGAIN':
    case 'EINTR':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new MegamirrorError('transient', msg, { where, cause: err, transient: true });
    default:
      if (isAbort(err)) return new MegamirrorError('interrupted', 'interrupted', { where, cause: err });
      return new MegamirrorError('io', msg, { where, cause: err });
  }
}
