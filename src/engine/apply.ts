import { depthOf, parentOf } from '../core/paths.js';
import { assertNever } from '../core/summary.js';
import { PHASES, type Action, type Phase, type Plan } from '../core/types.js';
import { MegamirrorError, fromSystemError, isAbort } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import type { ActionResult, ApplyEvent } from './results.js';
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
  // Transfers in flight spread over folders (see pool): parallel file creation scales only then.
  if (phase === 'transfer') return pool(actions, transferWidth(o), (a) => runOne(a, o, before), (a) => parentOf(a.path));
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
 * Transfers in flight: `concurrency`, times the destination's write group when the source is a
 * local folder (the destination then runs `concurrency` jobs of up to that many small files).
 */
function transferWidth(o: ApplyOptions): number {
  const width = Math.max(1, o.concurrency);
  const group = o.source.localPath !== undefined ? (o.destination.capabilities.writeGroup ?? 1) : 1;
  return width * Math.max(1, group);
}

async function runOne(action: Action, o: PhaseOptions, before: readonly ActionResult[]): Promise<ActionResult> {
  if (o.signal?.aborted) return { action, outcome: 'skipped', why: 'interrupted' };
  if (o.halt.why !== null) return { action, outcome: 'skipped', why: o.halt.why };
  o.onEvent?.({ type: 'action-start', action });
  let result: ActionResult;
  try {
    const { attempts, bytes, note, stored } = await execute(action, o.ops, before);
    // Assigned, not spread: this runs once per file.
    const done: Extract<ActionResult, { outcome: 'done' }> = { action, outcome: 'done', attempts, bytes };
    if (note) done.note = note;
    if (stored) done.stored = stored;
    result = done;
  } catch (err) {
    if (o.signal?.aborted || (isAbort(err) && o.halt.why === null)) {
      result = { action, outcome: 'skipped', why: 'interrupted' };
    } else if (isAbort(err)) {
      result = { action, outcome: 'skipped', why: o.halt.why! };
    } else {
      const e = err instanceof MegamirrorError ? err : fromSystemError(err, action.path);
      result = { action, outcome: 'failed', attempts: 1, error: { code: e.code, message: e.message } };
      if (HALTING.has(e.code) && o.halt.why === null) {
        o.halt.why = `stopped after ${e.code}: ${e.message}`;
        o.halt.stop.abort();
      }
    }
  }
  o.onEvent?.({ type: 'action-end', result });
  return result;
}

/** Copies (once per file) hand back copyFile's promise as it is; the rest await their step. */
function execute(a: Action, o: ApplyOptions, before: readonly ActionResult[]): Promise<TransferOutcome> {
  return a.op === 'copy' ? copyFile(a, o) : executeOther(a, o, before);
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
