import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFile } from '../../src/emulator/nodecrypto.js';
import { eventually, Harness, rawUpload, upload, withTimeout, type MegaStorage } from './helpers.js';

const EMAIL = 'sc@example.com';
const PASSWORD = 'sc password';

describe('emulator: sc channel (changes reach every session)', () => {
  let h: Harness;
  let a: MegaStorage;
  let b: MegaStorage;
  let masterKey: Buffer;
  const events: string[] = [];

  beforeAll(async () => {
    h = await Harness.start({ scWaitMs: 2_000 });
    ({ masterKey } = await h.emu.createAccount({ email: EMAIL, password: PASSWORD }));
    a = await h.login(EMAIL, PASSWORD);
    b = await h.login(EMAIL, PASSWORD);
    b.on('add', (f: any) => events.push(`add ${f.name}`));
    b.on('update', (f: any) => events.push(`update ${f.name}`));
    b.on('move', (f: any, from: any) => events.push(`move ${f.name} from ${from.name} to ${f.parent.name}`));
    b.on('delete', (f: any) => events.push(`delete ${f.name}`));
  });
  afterAll(() => h.close());

  const seen = (event: string) => eventually(() => events.includes(event), 10_000, event);

  it('a new folder and file made by one session appear in the other', async () => {
    const dir = await a.mkdir('shared');
    await seen('add shared');
    await upload(dir, 'hello.txt', Buffer.from('hi'));
    await seen('add hello.txt');
    expect(b.root.navigate('shared/hello.txt')?.size).toBe(2);
  });

  it('renames (u packets), moves (d m:1 + t) and deletes (d) propagate', async () => {
    const file = a.root.navigate('shared/hello.txt');
    await withTimeout(file.rename('renamed.txt'), 10_000);
    await seen('update renamed.txt');
    await withTimeout(file.moveTo(a.root), 10_000);
    await seen('move renamed.txt from shared to Cloud Drive');
    expect(b.root.navigate('renamed.txt')).toBeTruthy();
    await withTimeout(a.root.navigate('shared').delete(true), 10_000);
    await seen('delete shared');
    expect(b.root.navigate('shared')).toBeFalsy();
  });

  it('the acting session receives its own packets too (megajs applies them)', async () => {
    const delivered = h.emu.stats.scPacketsDelivered;
    await a.mkdir('own');
    await eventually(() => h.emu.stats.scPacketsDelivered >= delivered + 2, 10_000, 'packet delivered to both sessions');
    await seen('add own');
    expect(a.root.children.filter((c: any) => c.name === 'own')).toHaveLength(1);
  });

  it('an ov replacement shows the new node and drops the old one', async () => {
    const old = await upload(a.root, 'report.txt', Buffer.from('v1'));
    await seen('add report.txt');
    const built = buildFile(masterKey, { n: 'report.txt' }, Buffer.from('v2'));
    const token = await rawUpload(a, built.data);
    const reply: any = await a.api.request({ a: 'p', t: a.root.nodeId, n: [{ h: token, t: 0, a: built.a, k: built.k, ov: old.nodeId }] });
    await seen('delete report.txt');
    await eventually(() => !!b.files[reply.f[0].h], 10_000, 'new version known');
    expect(b.root.children.filter((c: any) => c.name === 'report.txt').map((c: any) => c.nodeId)).toEqual([reply.f[0].h]);
  });

  it('long-polls time out and resume without errors', async () => {
    const polls = h.emu.stats.scPolls;
    await eventually(() => h.emu.stats.scPolls >= polls + 2, 8_000, 'wait timed out and re-polled');
    expect(h.apiErrors).toEqual([]);
  });
});
