/**
 * `width` workers pulling items: results in input order, and no queue of pending promises (a
 * p-limit queue of 100,000 closures was most of a large copy's memory).
 *
 * With `lane` (a key per item, such as its folder), each worker keeps to a lane of its own while
 * unclaimed lanes remain, so the items in flight belong to different lanes: files being created
 * in one folder contend for that folder's lock in the kernel, and four copies into four folders
 * ran in parallel where four into one folder ran one after the other. When no lane is free, idle
 * workers help with the longest one, so a single folder still gets the full width. Within a lane,
 * items run in input order.
 */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>, lane?: (item: T) => string): Promise<R[]> {
  const results = new Array<R>(items.length);
  const next = lane === undefined ? inOrder(items.length) : byLane(items, lane);
  const worker = async () => {
    const claim: Claim = { lane: null };
    for (let i = next(claim); i !== -1; i = next(claim)) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

interface Claim {
  lane: Lane | null;
}

interface Lane {
  indices: number[];
  /** The next of `indices` to hand out. */
  at: number;
}

/** Hands out the next index for a worker, or -1 when none is left. */
type Next = (claim: Claim) => number;

function inOrder(n: number): Next {
  let i = 0;
  return () => (i < n ? i++ : -1);
}

function byLane<T>(items: readonly T[], key: (item: T) => string): Next {
  const lanes = new Map<string, Lane>();
  for (let i = 0; i < items.length; i++) {
    const k = key(items[i]!);
    const l = lanes.get(k);
    if (l) l.indices.push(i);
    else lanes.set(k, { indices: [i], at: 0 });
  }
  const unclaimed = [...lanes.values()];
  let firstUnclaimed = 0;
  return (claim) => {
    if (claim.lane !== null && claim.lane.at < claim.lane.indices.length) return claim.lane.indices[claim.lane.at++]!;
    if (firstUnclaimed < unclaimed.length) {
      claim.lane = unclaimed[firstUnclaimed++]!;
      return claim.lane.indices[claim.lane.at++]!;
    }
    // Every lane is taken: help with the one that has the most left.
    let best: Lane | null = null;
    for (const l of unclaimed) if (l.indices.length - l.at > (best === null ? 0 : best.indices.length - best.at)) best = l;
    if (best === null) return -1;
    claim.lane = best;
    return best.indices[best.at++]!;
  };
}
