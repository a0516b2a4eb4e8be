import type { WriteMeta } from '../backend.js';
import { copyFilesArgs, nativeCopyError, type NativeCopyItem, type NativeFailure, type NativeHelpers } from '../../native.js';
import { nativeCopy, type NativeTarget } from './native-copy.js';

/** Files below this size wait to go in groups; larger ones get a job of their own. */
export const GROUP_BELOW = 1024 * 1024;
/** At most this many files, and this many bytes, per group. */
export const GROUP_FILES = 32;
export const GROUP_BYTES = 4 * 1024 * 1024;

interface Waiting {
  /** null: a file of GROUP_BELOW or more, copied alone by `nativeCopy`. */
  item: NativeCopyItem | null;
  meta: WriteMeta;
  signal: AbortSignal | undefined;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
  onProgress: ((bytes: number) => void) | undefined;
  from: string;
  to: NativeTarget;
}

/** A group its caller formed (`copyGroup`): one job as it is, never merged with other files. */
interface WaitingGroup {
  group: readonly NativeCopyItem[];
  signal: AbortSignal | undefined;
  resolve: (results: Array<number | NativeFailure>) => void;
  reject: (err: unknown) => void;
}

type Unit = Waiting | WaitingGroup;

const isGroup = (u: Unit): u is WaitingGroup => 'group' in u;

/**
 * The local backend's copies through the native helpers, at most `parallel` thread-pool jobs at
 * once (the job's `concurrency`). Groups of small files are one job each: the engine forms them
 * (`copyGroup`, through `writeLocalFiles`), and single small files given one by one (`copy`)
 * group by themselves: while `parallel` jobs run, new copies wait, and the next job takes the
 * waiting ones. One job for many files spares a pool thread's and the main thread's wake-up per
 * file (a first copy of many small files is mostly system calls, and on this kind of virtual
 * machine each wake-up costs about as much as a file's own calls). Jobs start in the order they
 * came, except that single small files may join a job ahead of a formed group or a large file
 * waiting before them.
 */
export class CopyQueue {
  private waiting: Unit[] = [];
  /** Waiting units that run as a job of their own: files of GROUP_BELOW or more, formed groups. */
  private alone = 0;
  private running = 0;

  constructor(private readonly native: NativeHelpers, private readonly parallel: number) {}

  /** Copies like `nativeCopy`; resolves with the bytes copied. */
  copy(from: string, to: NativeTarget, meta: WriteMeta, signal?: AbortSignal, onProgress?: (bytes: number) => void): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const small = meta.size < GROUP_BELOW;
      const item = small ? { src: from, dst: to.partial, limit: meta.size, mtimeMs: meta.mtimeMs, final: to.final ?? null, checkSource: to.checkSource === true } : null;
      if (!small) this.alone++;
      this.waiting.push({ item, meta, signal, resolve, reject, onProgress, from, to });
      this.pump();
    });
  }

  /**
   * Copies `group` in one job, as `copyFiles` does: resolves with each item's bytes or failure (it
   * removed its own partial file). Rejects only when the whole group never ran: the signal fired
   * while it waited, or the helper refused it.
   */
  copyGroup(group: readonly NativeCopyItem[], signal?: AbortSignal): Promise<Array<number | NativeFailure>> {
    return new Promise((resolve, reject) => {
      this.alone++;
      this.waiting.push({ group, signal, resolve, reject });
      this.pump();
    });
  }

  private readonly done = (): void => {
    this.running--;
    this.pump();
  };

  private pump(): void {
    while (this.running < this.parallel && this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (isGroup(head) || head.item === null) {
        this.waiting.shift();
        this.alone--;
        // A run interrupted while this waited never starts it.
        if (head.signal?.aborted) {
          head.reject(head.signal.reason);
          continue;
        }
        this.running++;
        const job = isGroup(head)
          ? this.start(head.group).then(head.resolve, head.reject)
          : nativeCopy(this.native, head.from, head.to, head.meta, head.signal, head.onProgress).then(head.resolve, head.reject);
        void job.finally(this.done);
        continue;
      }
      const group = this.takeGroup();
      if (group.length === 0) continue;
      this.running++;
      this.start(group.map((w) => w.item!)).then(
        (results) => {
          for (let i = 0; i < group.length; i++) settle(group[i]!, results[i]);
        },
        (err: unknown) => {
          for (const w of group) w.reject(err);
        },
      ).finally(this.done);
    }
  }

  /** One job for `items`; refused before it started (bad arguments, out of memory): rejected, and the queue goes on. */
  private start(items: readonly NativeCopyItem[]): Promise<Array<number | NativeFailure>> {
    try {
      return this.native.copyFiles(...copyFilesArgs(items));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The waiting small files from the front, in order, up to a group's size; aborted ones fail here. */
  private takeGroup(): Waiting[] {
    let taken: Waiting[];
    if (this.alone === 0) {
      // The usual case: only small files wait, take them from the front in one step.
      let end = 0;
      let bytes = 0;
      while (end < this.waiting.length && end < GROUP_FILES && bytes < GROUP_BYTES) bytes += (this.waiting[end++] as Waiting).meta.size;
      taken = this.waiting.slice(0, end) as Waiting[];
      this.waiting = this.waiting.slice(end);
    } else {
      taken = [];
      const rest: Unit[] = [];
      let bytes = 0;
      for (const w of this.waiting) {
        if (!isGroup(w) && w.item !== null && taken.length < GROUP_FILES && bytes < GROUP_BYTES) {
          taken.push(w);
          bytes += w.meta.size;
        } else {
          rest.push(w);
        }
      }
      this.waiting = rest;
    }
    const group: Waiting[] = [];
    for (const w of taken) {
      if (w.signal?.aborted) w.reject(w.signal.reason);
      else group.push(w);
    }
    return group;
  }
}

/** One file's result to its caller; whatever goes wrong here stays with that file. */
function settle(w: Waiting, result: unknown): void {
  try {
    if (typeof result === 'number') {
      if (result > 0) w.onProgress?.(Math.min(result, w.meta.size));
      w.resolve(result);
    } else {
      w.reject(nativeCopyError(result, w.from, w.to.partial, w.to.where));
    }
  } catch (err) {
    w.reject(err);
  }
}
