/**
 * Public links through the real CLI against the emulator (MEGAMIRROR_MEGA_GATEWAY points the
 * mega.nz links at it): `get` and `ls` of file and folder links without any job file, a job whose
 * source is a folder link, MAC-verified downloads, and the link's key never shown or stored.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../../src/backends/mega/crypto/index.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { readTree } from '../helpers/fs-tree.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from './mega-env.js';

const T1 = Date.parse('2023-04-05T06:07:08Z');
const T2 = Date.parse('2021-01-01T00:00:00Z');

describe('public links (real CLI, emulator)', () => {
  let m: MegaCliEnv;
  let folderUrl: string;
  let fileUrl: string;
  let env: Record<string, string>;
  let shared: string;

  const folder = async (parent: string, name: string) => {
    const b = nodeCrypto.buildFolder(m.masterKey, { n: name });
    return m.emu.insertNode(EMAIL, { parent, t: 1, a: b.a, k: b.k });
  };
  const file = async (parent: string, name: string, text: string, mtimeMs?: number) => {
    const data = Buffer.from(text);
    const attrs = mtimeMs === undefined ? { n: name } : { n: name, c: fingerprintBuffer(data, mtimeMs / 1000).c };
    const b = nodeCrypto.buildFile(m.masterKey, attrs, data);
    return m.emu.insertNode(EMAIL, { parent, a: b.a, k: b.k, data: b.data });
  };
  /** The CLI in a folder without any job file, links sent to the emulator. */
  const cli = (args: string[]) => runCli(args, { cwd: m.root, env });
  const secret = (url: string) => url.slice(url.indexOf('#') + 1);
  const noKey = (r: CliResult) => {
    for (const url of [folderUrl, fileUrl]) expect(`${r.stdout}${r.stderr}`).not.toContain(secret(url));
  };

  beforeAll(async () => {
    m = await megaCliEnv();
    env = { ...m.env, MEGAMIRROR_MEGA_GATEWAY: m.emu.gateway };
    shared = await folder('root', 'Shared Photos');
    await file(shared, 'a b.txt', 'alpha', T1);
    await file(await folder(shared, 'ünï'), 'deep.txt', 'deep', T2);
    await file(shared, 'no fingerprint.txt', 'other tool');
    folderUrl = m.emu.exportLink(EMAIL, { masterKey: m.masterKey, path: '/Shared Photos' }).url;
    fileUrl = m.emu.exportLink(EMAIL, { masterKey: m.masterKey, path: '/Shared Photos/a b.txt' }).url;
  });
  afterAll(() => m.cleanup());

  it('get of a file link writes the file with its mtime, without a job file; the key is never shown', async () => {
    const r = await cli(['get', fileUrl, 'dl/']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^https:\/\/mega\.nz\/file\/[\w-]{8}#… -> .*dl\/a b\.txt \(5 B\)$/m);
    noKey(r);
    expect((await readTree(join(m.root, 'dl')))['a b.txt']).toMatchObject({ size: 5, mtimeMs: T1 });
  });

  it('ls and get of a folder link are recursive', async () => {
    const ls = await cli(['ls', '-R', folderUrl]);
    expect(ls.stdout.split('\n').filter(Boolean)).toEqual(['a b.txt', 'no fingerprint.txt', 'ünï/', 'ünï/deep.txt']);
    const get = await cli(['get', folderUrl, 'copy']);
    expect(get.code).toBe(0);
    noKey(get);
    const tree = await readTree(join(m.root, 'copy'));
    expect(Object.keys(tree).sort()).toEqual(['a b.txt', 'no fingerprint.txt', 'ünï', 'ünï/deep.txt']);
    expect(tree['ünï/deep.txt']).toMatchObject({ size: 4, mtimeMs: T2 });
    expect((await readFile(join(m.root, 'copy', 'no fingerprint.txt'), 'utf8'))).toBe('other tool');
  });

  it('a job mirrors a shared folder link to a local disk; plans and reports show the link without its key', async () => {
    await writeFile(m.jobs, ['version: 1', 'settings:', '  state_dir: ./state', 'jobs:', '  photos:', '    type: mirror', `    source: ${folderUrl}`, '    destination: ./mirror', ''].join('\n'));
    const run = await runCli(['run', '-c', m.jobs], { cwd: m.root, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('photos: ok');
    noKey(run);
    const plan = await runCli(['plan', '-c', m.jobs], { cwd: m.root, env });
    expect(plan.stdout).toMatch(/https:\/\/mega\.nz\/folder\/[\w-]{8}#…/);
    expect(plan.stdout).toContain('0 files to copy (0 B), 0 to delete (0 B), 3 unchanged');
    noKey(plan);
    for (const name of await readdir(join(m.root, 'state'), { recursive: true })) {
      const path = join(m.root, 'state', name);
      if (name.endsWith('.json')) expect(await readFile(path, 'utf8')).not.toContain(secret(folderUrl));
    }

    // A file added to the shared folder arrives with the next run (the hook uploads its key, as a client's `cr` would).
    await file(shared, 'new.txt', 'new', T1);
    m.emu.exportLink(EMAIL, { masterKey: m.masterKey, path: '/Shared Photos' });
    const again = await runCli(['run', '-c', m.jobs], { cwd: m.root, env });
    expect(again.stdout).toContain('copied 1 file');
    expect(existsSync(join(m.root, 'mirror', 'new.txt'))).toBe(true);
  });

  it('a link cannot be a destination; a damaged key, a dead link and corrupted bytes are errors', async () => {
    await writeFile(m.jobs, ['version: 1', 'jobs:', '  back:', '    type: mirror', '    source: ./copy', `    destination: ${folderUrl}`, ''].join('\n'));
    const bad = await runCli(['validate', '-c', m.jobs], { cwd: m.root, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('jobs.back.destination: a public link is read-only');
    noKey(bad);
    expect((await cli(['sync', 'copy', folderUrl])).code).toBe(2);

    const damaged = await cli(['get', `${fileUrl.slice(0, -4)}AAAA`, 'x']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('the key in the link does not open it');
    const truncated = await cli(['get', fileUrl.slice(0, -5), 'x']);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toContain('the key after # is damaged or incomplete');
    const dead = await cli(['get', 'https://mega.nz/folder/AAAAAAAA#AAAAAAAAAAAAAAAAAAAAAA', 'x']);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain('https://mega.nz/folder/AAAAAAAA#…: the public link does not exist or was taken down');

    m.emu.faults.add({ target: 'download', corrupt: true, times: 50 });
    const corrupt = await cli(['get', fileUrl, 'corrupt/']);
    m.emu.faults.clear();
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain('MAC verification failed');
    expect(await readdir(join(m.root, 'corrupt'))).toEqual([]);
  });
});
