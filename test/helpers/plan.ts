import type { Backend } from '../../src/backends/backend.js';
import { compileFilter } from '../../src/core/filter.js';
import { planMirror } from '../../src/core/plan.js';
import type { Plan } from '../../src/core/types.js';

/** A mirror plan of everything in `src` onto `dst` (no filter, deletions on), from their listings now. */
export async function mirrorPlan(src: Backend, dst: Backend, mtimeToleranceMs = 2000): Promise<Plan> {
  return planMirror({
    job: 'j',
    source: { display: 's', listing: await src.list(), capabilities: src.capabilities },
    destination: { display: 'd', listing: await dst.list(), capabilities: dst.capabilities },
    filter: compileFilter([], []),
    compare: 'size-mtime',
    mtimeToleranceMs,
    deleteExtraneous: true,
  });
}
