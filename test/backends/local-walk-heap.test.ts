/**
 * The young-generation setting (src/heap.ts) is the CLI's choice and process-wide: a program using
 * megamirror as a library must keep V8's own sizing even when its walks run on the walker thread,
 * while in the CLI the walker holds it again after its start (a worker's start sets the flags back).
 * Each case runs in a fresh Node process on the built dist/ (as the CLI does).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dist = (p: string) => fileURLToPath(new URL(`../../dist/${p}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'mm-walk-heap-'));
const tree = join(root, 'tree');
mkdirSync(tree);
for (let i = 0; i < 50; i++) writeFileSync(join(tree, `f${i}`), 'x');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The host's new-space size after a walk on the walker thread and 300,000 objects kept. */
function newSpaceAfterWalk(asCli: boolean): number {
  const script = `
    import v8 from 'node:v8';
    const { walkAnywhere } = await import(${JSON.stringify(dist('backends/local/walk-thread.js'))});
    if (${asCli}) (await import(${JSON.stringify(dist('heap.js'))})).holdYoungGeneration();
    const l = await walkAnywhere({ root: ${JSON.stringify(tree)}, followSymlinks: false });
    if (l.entries.length !== 50) throw new Error('walk');
    const keep = [];
    for (let i = 0; i < 300000; i++) keep.push({ p: 'x' + i, s: i * 1.5 });
    console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  `;
  // A file, not --eval: the walker thread inherits the process's exec arguments.
  const file = join(root, `host-${asCli ? 'cli' : 'library'}.mjs`);
  writeFileSync(file, script);
  return Number(execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim());
}

describe('the walker thread and V8\'s young generation', () => {
  it('a library walk leaves the host\'s sizing alone; the CLI\'s setting holds through the walker\'s start', () => {
    expect(newSpaceAfterWalk(false)).toBeGreaterThan(8 * 1024 * 1024);
    expect(newSpaceAfterWalk(true)).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
