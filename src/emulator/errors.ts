/**
 * MEGA API error codes the emulator returns (negative numbers on the wire), and the one exception
 * type command handlers throw to produce them.
 */
export const EINTERNAL = -1;
export const EARGS = -2;
export const EAGAIN = -3;
export const ERATELIMIT = -4;
export const EFAILED = -5;
export const ERANGE = -7;
export const EEXPIRED = -8;
export const ENOENT = -9;
export const ECIRCULAR = -10;
export const EACCESS = -11;
export const ESID = -15;
export const EOVERQUOTA = -17;
export const ETEMPUNAVAIL = -18;
export const EMFAREQUIRED = -26;

/** Thrown by a command handler; the API layer turns it into the bare negative number. */
export class ApiError extends Error {
  constructor(readonly code: number) {
    super(`MEGA API error ${code}`);
    this.name = 'ApiError';
  }
}
