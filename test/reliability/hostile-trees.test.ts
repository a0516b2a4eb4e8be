/**
 * Suite 5, hostile trees: MEGA trees built node by node in the emulator (names `..`, `.`, empty,
 * with `/` or NUL, control characters and terminal escapes, names over 255 bytes, NFC/NFD twins,
 * case-only twins, a file and a folder of one name, thousands of same-named files, a node whose
 * key does not decrypt) are mirrored and snapshotted to a local folder by the real CLI, and local
 * trees with NFC/NFD twins go the other way. Nothing is written outside the destination root,
 * every case is reported (plan JSON and human output), the human output carries no raw control
 * character, and the run is exact for everything that is fine. Case-only twins onto a
 * case-insensitive destination go through the library (the planner reports `name-collision`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/backends/local/index.js';
import { MemoryBackend } from '../../src/backends/memory.js';
import { compileFilter } from '../../src/core/filter.js';
import { planMirror } from '../../src/core/plan.js';
import { applyPlan } from '../../src/engine/apply.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import { tempDir, writeTree } from '../helpers/fs-tree.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { hashes, record, sha } from './harness.js';

const NFC = 'caf\u00e9.txt';
const NFD = NFC.normalize('NFD');
const FAKE_LINE = 'evil\n  - victim.txt (not-in-source)';

/** Names that must never become a path, each with the reason the listing gives. */
const UNSAFE: Array<[name: string, reason: RegExp]> = [
  ['..', /reserved name/],
  ['.', /reserved name/],
  ['', /empty name/],
  ['../../escape.txt', /contains "\/"/],
  ['a/b.txt', /contains "\/"/],
  ['/abs.txt', /contains "\/"/],
  ['nul\0.txt', /contains NUL/],
  ['L'.repeat(256), /longer than 255 bytes/],
  ['\u00e9'.repeat(128), /longer than 255 bytes/],
];

/** Names that are odd but legal on Linux: copied, and shown escaped. */
const ODD = ['bell\u0007.txt', 'tab\tname.txt', 'cr\rname.txt', 'esc\u001b[2J\u001b[31mred.txt', 'del\u007f.txt', FAKE_LINE, 'L'.repeat(255), '\u00e9'.repeat(127)];

const DUPLICATES = 2000;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe('hostile MEGA trees, mirrored and snapshotted to a local folder by the real CLI', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await m.writeJobs(`  down:
    type: mirror
    source: mega:/H
    destination: ./deep/er/back
  snap:
    type: snapshot
    source: mega:/H
    destination: ./deep/er/snaps
`);
  });
  afterEach(() => m.cleanup());

  it('writes nothing outside the destination, reports every case, prints no raw control character', { timeout: 120_000 }, async () => {
    const key = m.masterKey;
    const folder = async (parent: string, name: string) => {
      const b = nodeCrypto.buildFolder(key, { n: name });
      return m.emu.insertNode(EMAIL, { parent, t: 1, a: b.a, k: b.k, silent: true });
    };
    const file = async (parent: string, name: string, data: Buffer, ts?: number) => {
      const b = nodeCrypto.buildFile(key, { n: name }, data);
      return m.emu.insertNode(EMAIL, { parent, a: b.a, k: b.k, data: b.data, silent: true, ...(ts ? { ts } : {}) });
    };
    const h = await folder('root', 'H');
    const expected: Record<string, Buffer> = {};
    const put = async (parent: string, rel: string, name: string, data = randomBytes(64), ts?: number) => {
      await file(parent, name, data, ts);
      expected[rel] = data;
    };
    for (const [name] of UNSAFE) await file(h, name, Buffer.from('evil'));
    const dotdot = await folder(h, '..');
    await file(dotdot, 'inside-dotdot.txt', Buffer.from('evil'));
    const slashed = await folder(h, 'x/../..');
    await file(slashed, 'inside-slashed.txt', Buffer.from('evil'));
    for (const name of ODD) await put(h, name, name);
    // NFC/NFD twins: one name on MEGA's terms; the newer wins, the other is a reported duplicate.
    await file(h, NFD, Buffer.from('nfd, older'), 1_600_000_000);
    await put(h, NFC, NFC, Buffer.from('nfc, newer'), 1_700_000_000);
    // Case-only twins: two names on Linux.
    await put(h, 'Readme.md', 'Readme.md');
    await put(h, 'README.md', 'README.md');
    // A folder and a file of one name: the newer (the folder) wins; the file is a duplicate.
    await file(h, 'same', Buffer.from('file named same'), 1_600_000_000);
    const same = await folder(h, 'same');
    await put(same, 'same/inner.txt', 'inner.txt');
    // Thousands of same-named files: the newest is used, every other one reported.
    const dups = await folder(h, 'dups');
    for (let i = 0; i < DUPLICATES - 1; i++) await file(dups, 'dup.txt', Buffer.from(`old ${i}`), 1_600_000_000 + i);
    await put(dups, 'dups/dup.txt', 'dup.txt', Buffer.from('the newest'), 1_700_000_000);
    // A node whose key is not ours (another account's share, damage): its name cannot be read.
    const stranger = nodeCrypto.buildFile(randomBytes(16), { n: 'stranger.txt' }, Buffer.from('?'));
    await m.emu.insertNode(EMAIL, { parent: h, a: stranger.a, k: nodeCrypto.wrapKey(randomBytes(16), randomBytes(32)), data: stranger.data, silent: true });

    // The destinations lie two levels down, so a `../..` that got through would land in view.
    await mkdir(join(m.root, 'deep/er'), { recursive: true });
    const rootBefore = (await readdir(m.root)).sort();
    const plan = await m.cli(['plan', 'down', '--json']);
    expect(plan.code).toBe(0);
    const p = JSON.parse(plan.stdout).jobs[0] as { actions: Array<{ op: string; path: string }>; skipped: Array<{ path: string; reason: string; detail?: string }>; warnings: Array<{ code: string }> };
    const human = await m.cli(['plan', 'down']);
    const run = await m.cli(['run', 'down']);
    const snap = await m.cli(['run', 'snap', '--json']);
    const back = await hashes(join(m.root, 'deep/er/back'));
    const snapId = JSON.parse(snap.stdout).jobs[0].snapshot.id as string;
    const snapshot = await hashes(join(m.root, 'deep/er/snaps', snapId));
    delete snapshot['.megamirror-manifest.json'];
    const outside = (await readdir(m.root, { recursive: true })).map(String).filter((p) => !p.startsWith('deep/er/back') && !p.startsWith('deep/er/snaps') && !p.startsWith('state'));
    const unsafeReported = p.skipped.filter((s) => s.reason === 'unsafe-name');
    const dupReported = p.skipped.filter((s) => s.reason === 'duplicate');
    const unreadable = p.skipped.filter((s) => s.reason === 'unreadable');
    const want = Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, sha(v)]));
    const wrong = Object.keys({ ...want, ...back }).filter((k) => want[k] !== back[k]);
    const wrongSnap = Object.keys({ ...want, ...snapshot }).filter((k) => want[k] !== snapshot[k]);
    const lsRemote = await m.cli(['ls', '-R', '-l', 'mega:/H']);
    const lsLocal = await m.cli(['ls', '-R', join(m.root, 'deep/er/back')]);
    expect(lsLocal.stdout).toContain('evil\\n  - victim.txt');
    const rawControl = [human.stdout, run.stdout, run.stderr, human.stderr, lsRemote.stdout, lsRemote.stderr, lsLocal.stdout].filter((t) => CONTROL.test(t)).length;
    await record({
      suite: 'hostile-inputs', scenario: 'hostile MEGA tree -> local (mirror and snapshot)',
      injected: `${UNSAFE.length + 2} unsafe names (2 of them folders with content), ${ODD.length} control/long names, NFC/NFD and case twins, file/folder twin, ${DUPLICATES} same-named files, 1 undecryptable node`,
      outcome: `${unsafeReported.length} unsafe-name, ${dupReported.length} duplicate, ${unreadable.length} unreadable reported; exits ${run.code}/${snap.code}`,
      lost: wrong.length + wrongSnap.length + outside.filter((x) => !['deep', 'deep/er', 'jobs.yaml'].includes(x)).length + rawControl,
      detail: { wrong, wrongSnap, rawControl },
    });
    // Partial, not ok: the node that cannot be decrypted was not backed up (the rest was).
    expect(run.stdout).toContain('down: partial');
    expect(run.stdout).not.toContain('failed:');
    expect(run.code).toBe(1);
    expect(JSON.parse(snap.stdout).jobs[0].status).toBe('partial');
    expect(JSON.parse(snap.stdout).jobs[0].failed_actions).toEqual([]);
    expect((await readdir(m.root)).sort()).toEqual([...new Set([...rootBefore, 'state'])].sort());
    expect(outside.sort()).toEqual(['deep', 'deep/er', 'jobs.yaml']);
    expect(unsafeReported).toHaveLength(UNSAFE.length + 2);
    for (const [, reason] of UNSAFE) expect(unsafeReported.some((s) => reason.test(s.detail ?? ''))).toBe(true);
    expect(dupReported).toHaveLength(DUPLICATES - 1 + 2);
    expect(unreadable).toHaveLength(1);
    expect(p.warnings.filter((w) => w.code === 'duplicate-name')).toHaveLength(3);
    expect(wrong).toEqual([]);
    expect(wrongSnap).toEqual([]);
    // Reported in the human plan too, folded past the first few of a kind, and never raw.
    expect(human.stdout).toMatch(/skipped: .* \(unsafe-name/);
    expect(human.stdout).toContain(`skipped: ... and ${DUPLICATES - 1 + 2 - 10} more (duplicate)`);
    expect(rawControl).toBe(0);
    expect(human.stdout).not.toMatch(/^ {2}- victim\.txt/m);
    // A second run has nothing to do and still reports every case.
    const again = await m.cli(['plan', 'down']);
    expect(again.stdout).toContain('0 files to copy (0 B), 0 to delete (0 B)');
  });
});

describe('hostile local trees', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-hostile-')));
  afterEach(() => cleanup());

  it('NFC/NFD twins in a local source: one is copied, the other reported as a name collision', async () => {
    await writeTree(join(root, 'src'), { [NFC]: 'nfc', [NFD]: 'nfd', 'ok.txt': 'ok' });
    const src = new LocalBackend(join(root, 'src'));
    const dst = new MemoryBackend();
    const listing = await src.list();
    const plan = planMirror({
      job: 'j', source: { display: 's', listing, capabilities: src.capabilities },
      destination: { display: 'd', listing: await dst.list(), capabilities: dst.capabilities },
      filter: compileFilter([], []), compare: 'size-mtime', mtimeToleranceMs: 2000, deleteExtraneous: true,
    });
    const results = await applyPlan(plan, { source: src, destination: dst, concurrency: 2, sourceChangeRetries: 1 });
    const collisions = plan.skipped.filter((s) => s.reason === 'name-collision');
    await record({
      suite: 'hostile-inputs', scenario: 'NFC/NFD twins in a local source', injected: 'café.txt in NFC and NFD',
      outcome: `${collisions.length} name-collision reported`, lost: results.filter((r) => r.outcome !== 'done').length,
    });
    expect(collisions).toEqual([expect.objectContaining({ path: NFC })]);
    expect(results.every((r) => r.outcome === 'done')).toBe(true);
    expect(['nfc', 'nfd']).toContain(dst.read(NFC)?.toString());
  });

  it('case-only twins onto a case-insensitive destination: one copied, the other reported (name-collision)', async () => {
    await writeTree(join(root, 'src'), { 'Readme.md': 'upper R', 'README.md': 'all upper', 'docs/A.txt': 'A', 'docs/a.txt': 'a', 'Docs/b.txt': 'b' });
    const src = new LocalBackend(join(root, 'src'));
    const dst = new MemoryBackend('memory:/ci', { caseInsensitive: true });
    const plan = planMirror({
      job: 'j', source: { display: 's', listing: await src.list(), capabilities: src.capabilities },
      destination: { display: 'd', listing: await dst.list(), capabilities: dst.capabilities },
      filter: compileFilter([], []), compare: 'size-mtime', mtimeToleranceMs: 2000, deleteExtraneous: true,
    });
    const results = await applyPlan(plan, { source: src, destination: dst, concurrency: 2, sourceChangeRetries: 1 });
    const collisions = plan.skipped.filter((s) => s.reason === 'name-collision').map((s) => s.path).sort();
    await record({
      suite: 'hostile-inputs', scenario: 'case-only twins -> case-insensitive destination', injected: 'Readme.md/README.md, docs/A.txt/docs/a.txt, Docs/ and docs/',
      outcome: `${collisions.length} name-collision reported`, lost: results.filter((r) => r.outcome !== 'done').length,
    });
    // `Docs` and `README.md` sort first and win; `docs` collides, and so does all it holds.
    expect(collisions).toEqual(['Readme.md', 'docs', 'docs/A.txt', 'docs/a.txt']);
    expect(results.every((r) => r.outcome === 'done')).toBe(true);
    // Exactly one of each twin was written, and nothing under a name the destination would merge.
    const written = (await dst.list()).entries.filter((e) => e.kind === 'file').map((e) => e.path.toLowerCase()).sort();
    expect(written).toEqual([...new Set(written)]);
  });
});
