import { depthOf, parentOf } from '../core/paths.js';
import { assertNever } from '../core/summary.js';
import { PHASES, type Action, type Phase, type Plan } from '../core/types.js';
import { MegamirrorError, fromSystemError, isAbort } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import type { ActionResult, ApplyEvent } from './results.js';
import { groupLane, splitTransfers } from './copy-groups.js';
import { pool } from './pool.js';
import { copyFile, linkFile, type TransferOutcome } from './transfer.js';

export interface ApplyOptions {
  source: Backend;
  destination: Backend;
  /** Transfers and deletions in flight at once. */
  concurrency: number;
  /** Extra attempts for a copy whose source changed while it was read. */
  sourceChangeRetries: number;
  signal?: AbortSignal;
  onEvent?: (e: ApplyEvent) => void;
  /** Writes a snapshot's manifest from the results so far (the `manifest` action). */
  commit?: (action: Extract<Action, { op: 'manifest' }>, results: readonly ActionResult[]) => Promise<void>;
}

/**
 * Execute a plan's actions in order, phase by phase. It decides nothing about *what* to do; its
 * only judgments are gates: a phase waits for the one before, and deletions are skipped when any
 * earlier action failed or the run was interrupted (a half-failed mirror must not delete).
 */
export async function applyPlan(plan: Plan, o: ApplyOptions): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  let failed = false;
  const halt: Halt = { why: null, stop: new AbortController() };
  // What the actions themselves see: the run's signal, and the halt (transfers still waiting in a
  // backend's queue are not started after the disk filled up; they are skipped like the rest).
  const ops: ApplyOptions = { ...o, signal: o.signal ? AbortSignal.any([o.signal, halt.stop.signal]) : halt.stop.signal };
  for (const phase of PHASES) {
    const actions = plan.actions.filter((a) => a.phase === phase);
    if (actions.length === 0) continue;
    const gate = halt.why ?? gateFor(phase, failed, o.signal);
    if (gate !== null) {
      for (const action of actions) results.push({ action, outcome: 'skipped', why: gate });
      continue;
    }
    const phaseResults = await runPhase(phase, actions, { ...o, halt, ops }, results);
    if (phaseResults.some((r) => r.outcome !== 'done')) failed = true;
    results.push(...phaseResults);
  }
  return results;
}

/**
 * Errors after which no further action can succeed (the disk is full, the quota is spent, the
 * account is locked out): the rest of the run is skipped instead of failing file by file.
 */
const HALTING = new Set(['no-space', 'over-quota', 'auth', 'blocked', 'mfa-required']);

interface Halt {
  why: string | null;
  /** Aborted with `why`: actions already handed to a backend but not started stop there. */
  stop: AbortController;
}

type PhaseOptions = ApplyOptions & { halt: Halt; ops: ApplyOptions };

function gateFor(phase: Phase, failed: boolean, signal?: AbortSignal): string | null {
  if (signal?.aborted) return 'interrupted';
  if (failed && phase === 'commit') return 'an earlier action failed: the snapshot stays incomplete';
  if (failed && (phase === 'delete' || phase === 'rmdir')) return 'an earlier action failed: deletions are skipped';
  return null;
}

/** Removal phases go deepest level first and creation shallowest first; each level runs concurrently. */
async function runPhase(phase: Phase, actions: Action[], o: PhaseOptions, before: readonly ActionResult[]): Promise<ActionResult[]> {
  const run = (batch: Action[]) => pool(batch, Math.max(1, o.concurrency), (a) => runOne(a, o, before));
  if (phase === 'transfer') return runTransfers(actions, o, before);
  if (phase === 'delete' || phase === 'commit') return run(actions);
  const levels = new Map<number, Action[]>();
  for (const a of actions) {
    const d = depthOf(a.path);
    const level = levels.get(d);
    if (level) level.push(a);
    else levels.set(d, [a]);
  }
  const order = [...levels.keys()].sort((x, y) => (phase === 'mkdir' ? x - y : y - x));
  const out: ActionResult[] = [];
  for (const depth of order) out.push(...(await run(levels.get(depth)!)));
  return out;
}

/**
 * The transfer phase. Where the destination takes groups of local files (`writeLocalFiles`), the
 * copies of small files go to it in groups (copy-groups.ts), `concurrency` + 1 of them in flight
 * (the destination runs `concurrency` jobs; one more waits in its queue, so no job slot idles
 * while a finished group's results are recorded). Everything else goes one by one, `concurrency`
 * at once, beside them. Transfers in flight spread over folders (see pool): parallel file
 * creation scales only then.
 */
async function runTransfers(actions: Action[], o: PhaseOptions, before: readonly ActionResult[]): Promise<ActionResult[]> {
  const width = Math.max(1, o.concurrency);
  const one = (a: Action) => runOne(a, o, before);
  const shape = o.destination.capabilities.writeGroup;
  const source = o.source;
  if (shape === undefined || o.destination.writeLocalFiles === undefined || source.localPath === undefined) {
    return pool(actions, width, one, (a) => parentOf(a.path));
  }
  // A path the source refuses goes alone: runOne reports it for that file only.
  const localOf = (a: Action): string | null => {
    try {
      return source.localPath!(sourceOf(a));
    } catch {
      return null;
    }
  };
  const { groups, alone } = splitTransfers(actions, shape, (a) => localOf(a) !== null);
  const results = new Array<ActionResult>(actions.length);
  const loose = alone.map((i) => actions[i]!);
  await Promise.all([
    pool(groups, width + 1, async (g) => {
      const rs = await runGroup(g.map((i) => actions[i] as CopyAction), localOf, o, before);
      for (let k = 0; k < g.length; k++) results[g[k]!] = rs[k]!;
    }, groupLane(actions)),
    // As many in flight as the groups hold: a snapshot's hard links are quick, many at once.
    pool(loose, width * shape.files, one, (a) => parentOf(a.path)).then((rs) => {
      for (let k = 0; k < alone.length; k++) results[alone[k]!] = rs[k]!;
    }),
  ]);
  return results;
}

type CopyAction = Extract<Action, { op: 'copy' }>;

const sourceOf = (a: Action): string => (a.op === 'copy' && a.sourcePath !== undefined ? a.sourcePath : a.path);

/** Codes after which copyFile tries a file again from a fresh stat (when `sourceChangeRetries` allows). */
const FRESH = new Set(['source-changed', 'size-mismatch', 'not-found']);

/**
 * One group of copies through `writeLocalFiles`, with the same gates, events and results as
 * `runOne` gives each file. A file that failed where one by one it would have been tried again
 * goes on through `runOne`: after a transient error as it was planned (through `write`, so with
 * the retry wrapper's attempts: the grouped attempt is one more, outside the wrapper), after a
 * changed or vanished source from a fresh stat as copyFile's second attempt (only when
 * `sourceChangeRetries` allows one).
 */
async function runGroup(group: CopyAction[], localOf: (a: Action) => string | null, o: PhaseOptions, before: readonly ActionResult[]): Promise<ActionResult[]> {
  if (o.signal?.aborted) return group.map((action) => ({ action, outcome: 'skipped', why: 'interrupted' }));
  if (o.halt.why !== null) return group.map((action) => ({ action, outcome: 'skipped', why: o.halt.why! }));
  for (const action of group) o.onEvent?.({ type: 'action-start', action });
  // splitTransfers took only copies with a local path: localOf gives the same again.
  const items = group.map((a) => ({ path: a.path, localPath: localOf(a) ?? '', size: a.size, mtimeMs: a.mtimeMs }));
  let outcomes: Array<MegamirrorError | null>;
  try {
    outcomes = await o.destination.writeLocalFiles!(items, { signal: o.ops.signal });
  } catch (err) {
    const e = err instanceof MegamirrorError ? err : fromSystemError(err, group[0]!.path);
    outcomes = group.map(() => e);
  }
  const results = new Array<ActionResult>(group.length);
  const again: Array<[number, number]> = [];
  for (let k = 0; k < group.length; k++) {
    const action = group[k]!;
    const e = outcomes[k] ?? (outcomes[k] === null ? null : new MegamirrorError('internal', 'the destination returned no outcome for this file', { where: action.path }));
    if (e === null) {
      results[k] = { action, outcome: 'done', attempts: 1, bytes: action.size, stored: { size: action.size, mtimeMs: action.mtimeMs } };
      // As one by one: no progress event for an empty file.
      if (action.size > 0) o.onEvent?.({ type: 'bytes', path: action.path, bytes: action.size });
    } else if (!o.signal?.aborted && !isAbort(e) && e.transient && !FRESH.has(e.code)) {
      again.push([k, 1]);
      continue;
    } else if (!o.signal?.aborted && FRESH.has(e.code) && o.sourceChangeRetries >= 1) {
      again.push([k, 2]);
      continue;
    } else {
      results[k] = failure(action, e, o);
    }
    o.onEvent?.({ type: 'action-end', result: results[k]! });
  }
  for (const [k, attempt] of again) results[k] = await runOne(group[k]!, o, before, attempt, false);
  return results;
}

/**
 * One action. A copy whose grouped attempt failed (runGroup) comes here already announced, with
 * the attempt copyFile starts from.
 */
async function runOne(action: Action, o: PhaseOptions, before: readonly ActionResult[], firstAttempt = 1, announce = true): Promise<ActionResult> {
  if (o.signal?.aborted || o.halt.why !== null) {
    const skipped: ActionResult = { action, outcome: 'skipped', why: o.signal?.aborted ? 'interrupted' : o.halt.why! };
    // Announced already (runGroup): it ends here.
    if (!announce) o.onEvent?.({ type: 'action-end', result: skipped });
    return skipped;
  }
  if (announce) o.onEvent?.({ type: 'action-start', action });
  let result: ActionResult;
  try {
    const { attempts, bytes, note, stored } = await execute(action, o.ops, before, firstAttempt);
    // Assigned, not spread: this runs once per file.
    const done: Extract<ActionResult, { outcome: 'done' }> = { action, outcome: 'done', attempts, bytes };
    if (note) done.note = note;
    if (stored) done.stored = stored;
    result = done;
  } catch (err) {
    result = failure(action, err, o);
  }
  o.onEvent?.({ type: 'action-end', result });
  return result;
}

/** What an action that threw comes to: skipped when the run was interrupted or halted, else failed (and a halting error halts). */
function failure(action: Action, err: unknown, o: PhaseOptions): ActionResult {
  if (o.signal?.aborted || (isAbort(err) && o.halt.why === null)) return { action, outcome: 'skipped', why: 'interrupted' };
  if (isAbort(err)) return { action, outcome: 'skipped', why: o.halt.why! };
  const e = err instanceof MegamirrorError ? err : fromSystemError(err, action.path);
  if (HALTING.has(e.code) && o.halt.why === null) {
    o.halt.why = `stopped after ${e.code}: ${e.message}`;
    o.halt.stop.abort();
  }
  return { action, outcome: 'failed', attempts: 1, error: { code: e.code, message: e.message } };
}

/** Copies (once per file) hand back copyFile's promise as it is; the rest await their step. */
function execute(a: Action, o: ApplyOptions, before: readonly ActionResult[], firstAttempt: number): Promise<TransferOutcome> {
  return a.op === 'copy' ? copyFile(a, o, firstAttempt) : executeOther(a, o, before);
}

async function executeOther(a: Action, o: ApplyOptions, before: readonly ActionResult[]): Promise<TransferOutcome> {
  const signal = o.signal;
  switch (a.op) {
    case 'mkdir':
      await o.destination.mkdir(a.path, { signal });
      return { attempts: 1, bytes: 0 };
    case 'copy':
      return copyFile(a, o);
    case 'link':
      return linkFile(a, o);
    case 'delete':
      await o.destination.deleteFile(a.path, { signal, ...(a.id !== undefined ? { id: a.id } : {}) });
      return { attempts: 1, bytes: 0 };
    case 'rmdir':
      await o.destination.rmdir(a.path, { signal });
      return { attempts: 1, bytes: 0 };
    case 'manifest':
      if (!o.commit) throw new MegamirrorError('internal', 'a manifest action needs a commit function', { where: a.path });
      await o.commit(a, before);
      return { attempts: 1, bytes: 0 };
    case 'prune':
      await o.destination.removeTree(a.path, { signal });
      return { attempts: 1, bytes: 0 };
    default:
      return assertNever(a);
  }
}
