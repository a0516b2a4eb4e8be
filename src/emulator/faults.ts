/**
 * Fault injection: rules that make the next matching requests fail in a chosen way.
 *
 * A rule matches by `target` (and `command` for the API, `email` for one account). It fires for
 * the next `times` matching requests (default 1), or, with `probability`, on each matching request
 * with that chance (drawn from a seeded RNG, so runs repeat) until `times` firings if given.
 * A rule has exactly one effect: `error`, `http`, `drop` or `corrupt` (a `delayMs` may come with
 * it, or alone). Faults act before the request changes any state, except `drop`/`corrupt` on
 * transfers, which act part-way through the bytes.
 *
 * Targets and effects:
 * - api: `error` (per-command result; with `batch: true` the bare number for the whole request;
 *   -17 on `g` becomes `{e:-17, tl}`), `http` (e.g. 500, 509 with X-MEGA-Time-Left), `drop`
 *   (destroy the socket without replying).
 * - upload (POST to an upload URL): `error` (body is the number, e.g. "-3"), `http`, `drop`
 *   (after `dropAfterBytes` of the body, default half).
 * - download (GET of a download URL): `http` (509 adds X-MEGA-Time-Left), `drop` (after
 *   `dropAfterBytes` of the reply, default half), `corrupt` (one byte flipped in the reply).
 * - sc (the `sc` poll): `error` (bare number), `http`, `drop`.
 */

export type FaultTarget = 'api' | 'upload' | 'download' | 'sc';

export interface FaultRule {
  target: FaultTarget;
  /** api only: the command name (`a`), e.g. 'p', 'g', 'us'. Absent: any command. */
  command?: string;
  /** Only requests of this account (by session or login email). */
  email?: string;
  error?: number;
  batch?: boolean;
  http?: number;
  statusText?: string;
  /** Seconds for `tl` / X-MEGA-Time-Left (default 3600). */
  timeLeft?: number;
  drop?: boolean;
  dropAfterBytes?: number;
  corrupt?: boolean;
  delayMs?: number;
  times?: number;
  probability?: number;
}

export interface ActiveFault extends FaultRule {
  id: string;
  /** Firings so far. */
  fired: number;
}

export interface FaultContext {
  target: FaultTarget;
  command?: string;
  email?: string;
}

export class FaultController {
  private rules: ActiveFault[] = [];
  private rng: () => number;
  private nextId = 1;
  /** Total firings since start (also in stats). */
  firedTotal = 0;

  constructor(seed = 1) {
    this.rng = mulberry32(seed);
  }

  /** Adds rules; returns their ids. Throws on a malformed rule. */
  add(rules: FaultRule | FaultRule[]): string[] {
    const list = Array.isArray(rules) ? rules : [rules];
    list.forEach(validateRule);
    return list.map((rule) => {
      const id = `f${this.nextId++}`;
      this.rules.push({ ...rule, id, fired: 0 });
      return id;
    });
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  seed(seed: number): void {
    this.rng = mulberry32(seed);
  }

  /** The rule that fires for this request, if any (its count is consumed). */
  take(ctx: FaultContext): ActiveFault | undefined {
    for (const rule of this.rules) {
      if (rule.target !== ctx.target) continue;
      if (rule.command !== undefined && rule.command !== ctx.command) continue;
      if (rule.email !== undefined && rule.email.toLowerCase() !== ctx.email) continue;
      if (rule.probability !== undefined && this.rng() >= rule.probability) continue;
      rule.fired += 1;
      this.firedTotal += 1;
      const limit = rule.times ?? (rule.probability !== undefined ? Infinity : 1);
      if (rule.fired >= limit) this.rules = this.rules.filter((r) => r !== rule);
      return { ...rule };
    }
    return undefined;
  }
}

function validateRule(rule: FaultRule): void {
  const targets: FaultTarget[] = ['api', 'upload', 'download', 'sc'];
  if (!rule || !targets.includes(rule.target)) throw new Error(`fault target must be one of ${targets.join(', ')}`);
  const effects = [rule.error !== undefined, rule.http !== undefined, !!rule.drop, !!rule.corrupt].filter(Boolean);
  if (effects.length > 1) throw new Error('a fault has one effect: error, http, drop or corrupt');
  if (effects.length === 0 && rule.delayMs === undefined) throw new Error('a fault needs an effect or delayMs');
  if (rule.corrupt && rule.target !== 'download') throw new Error('corrupt applies to downloads only');
  if (rule.error !== undefined && (!Number.isInteger(rule.error) || rule.error >= 0)) {
    throw new Error('error must be a negative integer');
  }
  if (rule.error !== undefined && rule.target === 'download') throw new Error('downloads fail with http, drop or corrupt');
  if (rule.http !== undefined && (!Number.isInteger(rule.http) || rule.http < 200 || rule.http > 599)) {
    throw new Error('http must be a status code');
  }
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new Error('probability must be within [0, 1]');
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
    throw new Error('times must be a positive integer');
  }
}

/** Small deterministic PRNG (mulberry32): the same seed gives the same fault sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
