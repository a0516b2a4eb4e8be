/**
 * The quick commands that change a MEGA tree in place, through the real CLI against the emulator:
 * mv (into a folder, rename; on the server, nothing transferred), rm (every same-named copy of a
 * file; folders only with -r; to the Rubbish Bin), and errors that name the path and follow the
 * exit-code table. The tree is built in the emulator directly.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../src/emulator/index.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from './mega-env.js';

describe('mv and rm on MEGA (real CLI, emulator)', () => {
  let m: MegaCliEnv;
  beforeAll(async () => {
    m = await megaCliEnv();
    await writeFile(m.jobs, ['version: 1', 'settings:', '  state_dir: ./state', 'remotes:', '  mega:', '    type: mega', '    email: ${MEGA_EMAIL}', '    password: ${MEGA_PASSWORD}', `    gateway: ${m.emu.gateway}`, ''].join('\n'));
    const folder = async (parent: string, name: string) => {
      const b = nodeCrypto.buildFolder(m.masterKey, { n: name });
      return m.emu.insertNode(EMAIL, { parent, t: 1, a: b.a, k: b.k });
    };
    const file = async (parent: string, name: string, text: string, ts?: number) => {
      const b = nodeCrypto.buildFile(m.masterKey, { n: name }, Buffer.from(text));
      return m.emu.insertNode(EMAIL, { parent, a: b.a, k: b.k, data: b.data, ...(ts ? { ts } : {}) });
    };
    const work = await folder('root', 'Quick Work');
    await folder(work, 'nested');
    await file(work, 'single.txt', 'one');
    await file(work, 'dup.txt', 'old', 1_600_000_000);
    await file(work, 'dup.txt', 'new', 1_700_000_000);
    const docs = await folder(work, 'docs');
    await file(docs, 'a.txt', 'a');
    await file(await folder(docs, 'sub'), 'b.txt', 'b');
  });
  afterAll(() => m.cleanup());

  const inRubbish = () => m.emu.listNodes(EMAIL).f.filter((n) => n.p === m.emu.account(EMAIL)!.roots.rubbish).length;

  it('mv moves into a folder and renames, on the server', async () => {
    const before = m.emu.stats.snapshot();
    const moved = await m.cli(['mv', 'mega:/Quick Work/single.txt', 'mega:/Quick Work/nested']);
    expect(moved.stdout).toContain('mega:/Quick Work/single.txt -> mega:/Quick Work/nested/single.txt');
    const renamed = await m.cli(['mv', 'mega:/Quick Work/nested/single.txt', 'mega:/Quick Work/nested/renamed ✓.txt']);
    expect(renamed.code).toBe(0);
    expect(m.emu.stats.bytesUploaded).toBe(before.bytesUploaded);
    expect(m.emu.stats.bytesDownloaded).toBe(before.bytesDownloaded);
    expect((await m.cli(['ls', 'mega:/Quick Work/nested'])).stdout.trim()).toBe('renamed ✓.txt');
  });

  it('rm removes every copy of a name, and folders only with -r, to the Rubbish Bin', async () => {
    const dup = await m.cli(['rm', 'mega:/Quick Work/dup.txt']);
    expect(dup.stdout).toContain('removed mega:/Quick Work/dup.txt (to the Rubbish Bin)');
    expect(inRubbish()).toBe(2);
    const notRecursive = await m.cli(['rm', 'mega:/Quick Work/docs']);
    expect(notRecursive.code).toBe(2);
    expect(notRecursive.stderr).toContain('error: mega:/Quick Work/docs: is a folder');
    expect((await m.cli(['rm', '-r', 'mega:/Quick Work/docs'])).code).toBe(0);
    expect(inRubbish()).toBe(3);
    expect((await m.cli(['ls', 'mega:/Quick Work'])).stdout.trim()).toBe('nested/');
  });

  it('errors name the path and follow the exit-code table', async () => {
    const missing = await m.cli(['rm', 'mega:/Quick Work/nope.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: mega:/Quick Work/nope.txt: no such file or folder');
    const unknown = await m.cli(['ls', 'mgea:/x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown remote "mgea" (did you mean "mega"?)');
    const local = await m.cli(['rm', join(m.root, 'jobs.yaml')]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('rm works on MEGA: write REMOTE:/path');
    const into = await m.cli(['mv', 'mega:/Quick Work/nested', 'mega:/Quick Work/nested/inner']);
    expect(into.code).toBe(2);
    expect(into.stderr).toContain('cannot move into itself');
    const noParent = await m.cli(['mv', 'mega:/Quick Work/nested', 'mega:/Elsewhere/x']);
    expect(noParent.code).toBe(1);
    expect(noParent.stderr).toContain('mega:/Elsewhere/x: the parent folder does not exist');
  });
});
