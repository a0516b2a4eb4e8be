/**
 * Error classification for MEGA: API result codes, HTTP statuses, network failures and the error
 * strings megajs produces, mapped once to MegamirrorErrors with stable codes. This is the one place
 * that knows -3 is worth retrying and -9 at login means a wrong password.
 *
 * Contract:
 * - Every function returns a MegamirrorError; none throws.
 * - Messages never contain session ids, keys, passwords or transfer URLs: foreign text goes through
 *   `redact()` first, and most messages are built from codes, not from the original text.
 * - Transient (retry with backoff): -3 EAGAIN, -4 ERATELIMIT, -6, -7/-8 (upload URL problems),
 *   -18 ETEMPUNAVAIL, -19, -1 EINTERNAL, HTTP 408/429/5xx (except 509), storage-server 403/404
 *   (an expired transfer URL; a new one is fetched on retry), dropped connections and timeouts.
 * - Not transient: over quota (-17, HTTP 509), auth (-9 at login, -15 after a failed re-login),
 *   -26 (2FA needed), -16 (blocked), and everything else.
 */

import { MegamirrorError, fromSystemError, isAbort, type ErrorCode } from '../../errors.js';

/** What a request was doing, for messages and for which quota a -17 means. */
export type Operation = 'login' | 'api' | 'upload' | 'download';

const NAMES: Record<number, string> = {
  [-1]: 'EINTERNAL',
  [-2]: 'EARGS',
  [-3]: 'EAGAIN',
  [-4]: 'ERATELIMIT',
  [-5]: 'EFAILED',
  [-6]: 'ETOOMANY',
  [-7]: 'ERANGE',
  [-8]: 'EEXPIRED',
  [-9]: 'ENOENT',
  [-10]: 'ECIRCULAR',
  [-11]: 'EACCESS',
  [-12]: 'EEXIST',
  [-13]: 'EINCOMPLETE',
  [-14]: 'EKEY',
  [-15]: 'ESID',
  [-16]: 'EBLOCKED',
  [-17]: 'EOVERQUOTA',
  [-18]: 'ETEMPUNAVAIL',
  [-19]: 'ETOOMANYCONNECTIONS',
  [-24]: 'EGOINGOVERQUOTA',
  [-26]: 'EMFAREQUIRED',
};

const TRANSIENT_CODES = new Set([-1, -3, -4, -6, -7, -8, -18, -19]);

/** Codes that mean "slow down": the shared rate limiter backs off on them. */
export function isThrottle(e: MegamirrorError): boolean {
  return (e as { megaCode?: number }).megaCode === -4 || (e as { httpStatus?: number }).httpStatus === 429;
}

/** The API code a MegamirrorError came from, if any. */
export function megaCodeOf(e: unknown): number | undefined {
  return e instanceof MegamirrorError ? (e as { megaCode?: number }).megaCode : undefined;
}

export interface ClassifyContext {
  op: Operation;
  /** The API command (`p`, `g`, `u`...) for API errors. */
  command?: string;
  where?: string;
  /** Seconds until a quota resets, when the server said (`tl`, X-MEGA-Time-Left). */
  timeLeft?: number;
}

/** A MEGA API result code (negative number) as a MegamirrorError. */
export function fromApiCode(code: number, ctx: ClassifyContext): MegamirrorError {
  const name = NAMES[code] ?? 'error';
  const tag = `${name} (${code})`;
  const where = ctx.where;
  const mk = (c: ErrorCode, message: string, extra: { transient?: boolean; hint?: string; retryAfterSeconds?: number } = {}) =>
    tagged(new MegamirrorError(c, message, { ...(where ? { where } : {}), ...extra }), { megaCode: code });
  if (code === -17 || code === -24) return overQuota(quotaOf(ctx), ctx.timeLeft, where, code);
  if (TRANSIENT_CODES.has(code)) return mk('transient', `MEGA asked to try again later: ${tag}`, { transient: true });
  switch (code) {
    case -9:
      return ctx.op === 'login'
        ? mk('auth', 'MEGA did not accept the email and password', { hint: 'check the remote\'s email and password (or password_command)' })
        : mk('not-found', `no such file or folder on MEGA: ${tag}`);
    case -5:
      return ctx.op === 'login'
        ? mk('auth', 'MEGA did not accept the two-factor authentication code')
        : mk('remote', `MEGA refused the request: ${tag}`);
    case -11:
      return mk('permission-denied', `MEGA denied access: ${tag}`);
    case -12:
      return mk('exists', `already exists on MEGA: ${tag}`);
    case -15:
      return mk('auth', 'the MEGA session has expired or was ended', { hint: 'run `megamirror login REMOTE` to log in again' });
    case -16:
      return mk('blocked', 'the MEGA account is blocked', { hint: 'log in at https://mega.nz to see why' });
    case -26:
      return mk('mfa-required', 'this MEGA account needs a two-factor authentication code', {
        hint: 'run `megamirror login REMOTE` once in a terminal: the session is cached and later runs need no code',
      });
    default:
      return mk('remote', `MEGA refused the request${ctx.command ? ` (${ctx.command})` : ''}: ${tag}`);
  }
}

/** An HTTP status other than 200 from the API or a storage server. */
export function fromHttpStatus(status: number, ctx: ClassifyContext): MegamirrorError {
  const where = ctx.where;
  const base = where ? { where } : {};
  if (status === 509) return tagged(overQuota('transfer', ctx.timeLeft, where), { httpStatus: status });
  const transient =
    status === 408 || status === 429 || (status >= 500 && status <= 599) || (ctx.op !== 'api' && ctx.op !== 'login' && (status === 403 || status === 404));
  const what = ctx.op === 'upload' || ctx.op === 'download' ? 'the MEGA storage server' : 'the MEGA API';
  return tagged(
    new MegamirrorError(transient ? 'transient' : 'remote', `${what} answered HTTP ${status}`, { ...base, transient }),
    { httpStatus: status },
  );
}

/** Any error thrown while talking to MEGA (fetch failures, megajs messages, our own errors). */
export function classify(err: unknown, ctx: ClassifyContext): MegamirrorError {
  if (err instanceof MegamirrorError) return err;
  const where = ctx.where;
  const base = where ? { where } : {};
  if (isAbort(err)) {
    const reason = (err as { cause?: unknown })?.cause;
    if (reason instanceof MegamirrorError) return reason;
    return new MegamirrorError('interrupted', 'interrupted', base);
  }
  const message = err instanceof Error ? err.message : String(err);
  const timeLimit = (err as { timeLimit?: unknown })?.timeLimit;
  if (/Bandwidth limit reached/i.test(message) || timeLimit !== undefined) {
    const seconds = Number(timeLimit ?? /(\d+) seconds/.exec(message)?.[1]);
    return overQuota('transfer', Number.isFinite(seconds) ? seconds : undefined, where);
  }
  const apiCode = /\((-\d+)\)/.exec(message)?.[1] ?? /returned error (-\d+)/.exec(message)?.[1];
  if (apiCode !== undefined) return fromApiCode(Number(apiCode), ctx);
  const status = /returned an? (\d{3}) status/.exec(message)?.[1];
  if (status !== undefined) return fromHttpStatus(Number(status), ctx);
  const statusText = /Server returned error: (.*)$/.exec(message)?.[1];
  if (statusText !== undefined) {
    return new MegamirrorError('transient', `the MEGA API answered "${redact(statusText)}"`, { ...base, transient: true });
  }
  if (/Specified data size does not match/.test(message)) {
    return new MegamirrorError('size-mismatch', 'the content did not have the declared size', { ...base, transient: true });
  }
  if (/MAC verification failed/.test(message)) {
    return new MegamirrorError('integrity', 'MAC verification failed', { ...base, transient: true });
  }
  if (isNetworkError(err)) {
    return new MegamirrorError('transient', `connection to MEGA failed: ${redact(networkDetail(err))}`, { ...base, transient: true, cause: err });
  }
  if (typeof (err as { syscall?: unknown })?.syscall === 'string') return fromSystemError(err, where ?? '');
  if ((err as { name?: string })?.name === 'TimeoutError') {
    return new MegamirrorError('timeout', 'MEGA did not answer in time', { ...base, transient: true });
  }
  return new MegamirrorError('remote', `MEGA: ${redact(message)}`, base);
}

/** Over a quota, saying which and for how long. */
export function overQuota(which: 'storage' | 'transfer', seconds: number | undefined, where?: string, code?: number): MegamirrorError {
  const when = seconds !== undefined && seconds > 0 ? `; it resets in ${formatSeconds(seconds)}` : '';
  const message =
    which === 'storage'
      ? 'the MEGA account is over its storage quota'
      : `the MEGA account is over its transfer quota${when}`;
  const hint = which === 'storage' ? 'free space on MEGA (empty the Rubbish Bin) or upgrade the plan' : 'wait for the quota to reset, or upgrade the plan';
  const e = new MegamirrorError('over-quota', message, {
    ...(where ? { where } : {}),
    hint,
    ...(seconds !== undefined && seconds > 0 ? { retryAfterSeconds: seconds } : {}),
  });
  return code === undefined ? e : tagged(e, { megaCode: code });
}

/** Remove session ids, keys in URLs and transfer URLs from foreign text. */
export function redact(text: string): string {
  return text
    .replace(/([?&](?:sid|sn|n|k|key|h|id)=)[^&\s"']*/gi, '$1…')
    .replace(/https?:\/\/[^\s"']*\/(?:ul|dl)\/[^\s"']*/gi, '<transfer url>')
    .replace(/https?:\/\/[^\s"']*(?:cs|sc)\?[^\s"']*/gi, (m) => m.replace(/\?.*/, '?…'));
}

function quotaOf(ctx: ClassifyContext): 'storage' | 'transfer' {
  return ctx.op === 'download' || ctx.command === 'g' ? 'transfer' : 'storage';
}

function tagged(e: MegamirrorError, tags: { megaCode?: number; httpStatus?: number }): MegamirrorError {
  return Object.assign(e, tags);
}

/** A quota's time left as the messages say it (`90 min`, `2 h 5 min`). */
export function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE',
]);

function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    if (code && NETWORK_CODES.has(code)) return true;
    const message = (e as { message?: string }).message ?? '';
    if (e instanceof TypeError && /fetch failed|terminated|network/i.test(message)) return true;
    if (/other side closed|socket hang up|premature close/i.test(message)) return true;
  }
  return false;
}

function networkDetail(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    const message = (e as { message?: string }).message;
    parts.push(code && !message?.includes(code) ? `${message ?? ''} (${code})` : (message ?? String(e)));
  }
  return parts.join(': ');
}
