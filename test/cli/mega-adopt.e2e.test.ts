/**
 * `megamirror adopt` through the real CLI against the emulator: MEGA files another tool uploaded
 * (no `c`) whose MAC matches the local file get `c` with the local mtime and keep their other
 * attributes; nothing is transferred; the next plan compares them by mtime (no `no-mtime`
 * warning); different content and sizes are refused and reported.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBuffer, parseFingerprint } from '../../src/backends/mega/crypto/index.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import { writeTree } from '../helpers/fs-tree.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from './mega-env.js';

const MTIME = '2022-02-03T04:05:06.789Z';
const LOCAL = {
  'same.txt': { content: 'identical bytes', mtime: MTIME },
  'dir/ünï same.bin': { content: Buffer.alloc(300_000, 9), mtime: MTIME },
  'same size, other bytes.txt': { content: 'AAAA', mtime: MTIME },
  'other size.txt': { content: 'longer here', mtime: MTIME },
  'has c.txt': { content: 'mine', mtime: MTIME },
};

describe('adopt (real CLI, emulator)', () => {
  let m: MegaCliEnv;
  const handles: Record<string, string> = {};

  beforeAll(async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), LOCAL);
    await m.writeJobs('  up:\n    type: mirror\n    source: ./src\n    destination: mega:/Backups\n  local:\n    type: mirror\n    source: ./src\n    destination: ./elsewhere\n');
    const folder = async (parent: string, name: string) => {
      const b = nodeCrypto.buildFolder(m.masterKey, { n: name });
      return m.emu.insertNode(EMAIL, { parent, t: 1, a: b.a, k: b.k });
    };
    const file = async (parent: string, name: string, data: Buffer, attrs: Record<string, unknown> = {}) => {
      const b = nodeCrypto.buildFile(m.masterKey, { n: name, ...attrs }, data);
      handles[name] = await m.emu.insertNode(EMAIL, { parent, a: b.a, k: b.k, data: b.data });
    };
    const backups = await folder('root', 'Backups');
    await file(backups, 'same.txt', Buffer.from('identical bytes'), { lbl: 3 });
    await file(await folder(backups, 'dir'), 'ünï same.bin', Buffer.alloc(300_000, 9));
    await file(backups, 'same size, other bytes.txt', Buffer.from('BBBB'));
    await file(backups, 'other size.txt', Buffer.from('short'));
    await file(backups, 'has c.txt', Buffer.from('mine'), { c: fingerprintBuffer(Buffer.from('mine'), Math.floor(Date.parse(MTIME) / 1000)).c });
  });
  afterAll(() => m.cleanup());

  const attrsOf = (name: string) => {
    const node = m.emu.listNodes(EMAIL).f.find((n) => n.h === handles[name])!;
    return nodeCrypto.decryptAttributes(nodeCrypto.unwrapKey(m.masterKey, node.k.split(':')[1]!), node.a)!;
  };

  it('plans compare the files without `c` by size only, and say so', async () => {
    const plan = await m.cli(['plan', 'up']);
    expect(plan.stdout).toContain('same.txt: compared by size only');
    expect(plan.stdout).toContain('~ other size.txt');
  });

  it('--dry-run reports and writes nothing', async () => {
    const before = m.emu.listNodes(EMAIL).f.map((n) => n.a);
    const r = await m.cli(['adopt', 'up', '--dry-run']);
    expect(r.stdout).toContain('up: would adopt 2 files (content proven by MAC), 2 refused, 1 already fingerprinted (dry run)');
    expect(r.code).toBe(1); // the same-size file with other content needs attention
    expect(m.emu.listNodes(EMAIL).f.map((n) => n.a)).toEqual(before);
  });

  it('writes `c` with the local mtime, keeps the other attributes, transfers nothing; the next plan compares by mtime', async () => {
    const before = m.emu.stats.snapshot();
    const r = await m.cli(['adopt', 'up']);
    expect(r.stdout).toContain('up: adopted 2 files (content proven by MAC), 2 refused, 1 already fingerprinted');
    expect(r.stdout).toContain('adopted: dir/ünï same.bin');
    expect(r.stdout).toContain('refused: same size, other bytes.txt (content-differs');
    expect(r.stdout).toContain('refused: other size.txt (size-differs');
    expect(m.emu.stats.bytesUploaded).toBe(before.bytesUploaded);
    expect(m.emu.stats.bytesDownloaded).toBe(before.bytesDownloaded);
    expect(m.emu.stats.commands.a - (before.commands.a ?? 0)).toBe(2);

    const same = attrsOf('same.txt');
    expect(same).toMatchObject({ n: 'same.txt', lbl: 3 });
    expect(parseFingerprint(same.c)?.mtimeSeconds).toBe(Math.floor(Date.parse(MTIME) / 1000));
    expect(same.c).toBe(fingerprintBuffer(Buffer.from('identical bytes'), Math.floor(Date.parse(MTIME) / 1000)).c);
    expect(attrsOf('same size, other bytes.txt').c).toBeUndefined();

    const plan = await m.cli(['plan', 'up']);
    expect(plan.stdout).not.toContain('same.txt: compared by size only');
    expect(plan.stdout).not.toContain('ünï same.bin: compared by size only');
    expect(plan.stdout).toContain('same size, other bytes.txt: compared by size only');
    // A touched local file is now seen as changed, as for files this tool uploaded.
    await writeTree(join(m.root, 'src'), { 'same.txt': { content: 'identical bytes', mtime: '2025-01-01T00:00:00Z' } });
    expect((await m.cli(['plan', 'up'])).stdout).toContain('~ same.txt (mtime-differs');
  });

  it('a job without a MEGA side is a usage error', async () => {
    const r = await m.cli(['adopt', 'local']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('adopt needs a job between a local folder and a MEGA folder');
  });
});
