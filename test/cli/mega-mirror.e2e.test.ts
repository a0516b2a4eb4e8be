/**
 * Mirror jobs to and from MEGA through the real CLI (child processes) against the emulator:
 * local -> MEGA -> local round trips, byte-identical with mtimes; a second plan with nothing to do;
 * changed files replaced without duplicates (the old one in the Rubbish Bin); files without `c`
 * compared by size with a warning; duplicates warned about and cleaned; hostile names refused.
 */
import { existsSync } from 'node:fs';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../../src/backends/mega/crypto/index.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import { readTree, writeTree, type FileSpec } from '../helpers/fs-tree.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from './mega-env.js';
import { JOBS, NFD, SIZES, nfcTree, pattern, sample } from './mega-sample.js';

describe('mirror jobs with MEGA through the real CLI', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), sample);
    await m.writeJobs(JOBS);
  });
  afterEach(() => m.cleanup());

  const folderHandle = (name: string): string => {
    const { f } = m.emu.listNodes(EMAIL);
    const found = f.find((n) => n.t === 1 && nodeCrypto.decryptAttributes(nodeCrypto.unwrapKey(m.masterKey, n.k.split(':')[1]!), n.a)?.n === name);
    if (!found) throw new Error(`no folder ${name}`);
    return found.h;
  };
  const insertFile = async (parent: string, name: string, data: Buffer, attrs: Record<string, unknown> = {}, ts?: number) => {
    const built = nodeCrypto.buildFile(m.masterKey, { n: name, ...attrs }, data);
    return m.emu.insertNode(EMAIL, { parent, a: built.a, k: built.k, data: built.data, ...(ts ? { ts } : {}) });
  };
  const inRubbish = () => {
    const { f } = m.emu.listNodes(EMAIL);
    const rubbish = m.emu.account(EMAIL)!.roots.rubbish;
    return f.filter((n) => n.p === rubbish).length;
  };

  it('round-trips local -> MEGA -> local byte-identically with mtimes; the second plan is empty', async () => {
    const up = await m.cli(['run', 'up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const down = await m.cli(['run', 'down']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(await nfcTree(join(m.root, 'back'))).toEqual(await nfcTree(join(m.root, 'src')));

    const plan = await m.cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).not.toMatch(/^\s+[+~-] /m);
    expect(plan.stdout).not.toContain('warning');
    expect(plan.stdout.match(/0 files to copy \(0 B\), 0 to delete \(0 B\), 17 unchanged/g)).toHaveLength(2);
    // One login for the whole test: later processes reuse the cached session.
    expect(m.emu.stats.commands.us).toBe(1);

    // verify proves every file by its MEGA MAC without downloading anything...
    const downloaded = m.emu.stats.bytesDownloaded;
    const verified = await m.cli(['verify', 'up']);
    expect(verified.stdout).toContain('up: verified (17 by MAC, 0 by SHA-256)');
    expect(verified.code).toBe(0);
    expect(m.emu.stats.bytesDownloaded).toBe(downloaded);
    // ...and catches content that changed behind an unchanged size and mtime.
    const t = new Date('2024-01-01T00:00:00Z');
    await writeTree(join(m.root, 'src'), { 'abc.zip': { content: 'NOT A ZIP', mtime: t.toISOString() } });
    const tampered = await m.cli(['verify', 'up']);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('content-differs: abc.zip');
  });

  it('a touched file is uploaded again; the old node goes to the Rubbish Bin, never two of a name', async () => {
    await m.cli(['run', 'up']);
    const later = new Date('2025-06-01T10:00:00Z');
    await utimes(join(m.root, 'src', 'abc'), later, later);
    const plan = await m.cli(['plan', 'up']);
    expect(plan.stdout).toContain('~ abc (mtime-differs');
    const before = m.emu.stats.snapshot();
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    expect(m.emu.stats.uploads - before.uploads).toBe(1);
    expect(inRubbish()).toBe(1);
    const again = await m.cli(['plan', 'up']);
    expect(again.stdout).not.toMatch(/^\s+[+~-] /m);
    expect(again.stdout).not.toContain('duplicate');
    await m.cli(['run', 'down']);
    expect((await readTree(join(m.root, 'back')))['abc']).toMatchObject({ mtimeMs: later.getTime(), size: 3 });
  });
});
