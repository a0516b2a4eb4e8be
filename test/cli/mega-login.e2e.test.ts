/**
 * `megamirror login` and credentials through the real CLI: a 2FA account logs in once (the code
 * read from standard input here; hidden prompts on a terminal) and later runs go unattended on the
 * cached session; wrong credentials fail clearly with one login attempt per process; passwords
 * never appear in any output.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, PASSWORD, type MegaCliEnv } from './mega-env.js';

const JOBS = `  one:
    type: mirror
    source: ./src
    destination: mega:/One
  two:
    type: mirror
    source: ./src
    destination: mega:/Two
`;

describe('MEGA credentials through the real CLI', () => {
  let m: MegaCliEnv;
  afterEach(() => m.cleanup());

  it('2FA: a run without a session says what to do; `login` asks for the code; then runs are unattended', async () => {
    m = await megaCliEnv({ mfaCode: '123456' });
    await writeTree(join(m.root, 'src'), { 'a.txt': 'a' });
    await m.writeJobs(JOBS);
    const refused = await m.cli(['run', 'one']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('needs a two-factor authentication code');
    expect(refused.stdout + refused.stderr).toContain('megamirror login');

    const wrong = await m.cli(['login', 'mega', '--code', '000000']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('did not accept the two-factor authentication code');

    const login = await m.cli(['login', 'mega'], '123456\n');
    expect(login.stderr).toContain('Two-factor authentication code:');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('logged in to MEGA as cli@example.com');
    const logins = m.emu.stats.commands.us;

    const run = await m.cli(['run']);
    expect(run.code).toBe(0);
    expect(m.emu.stats.commands.us).toBe(logins);
    const [cache] = await readdir(join(m.root, 'state', 'sessions'));
    const text = await readFile(join(m.root, 'state', 'sessions', cache!), 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('123456');
    for (const r of [refused, wrong, login, run]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('wrong password: a clear error, one login attempt for all jobs, nothing leaked', async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), { 'a.txt': 'a' });
    await m.writeJobs(JOBS);
    expect((await m.cli(['run'])).code).toBe(0);
    // A wrong password and a fresh state folder: no cached session to fall back on.
    m.env.MEGA_PASSWORD = 'not the password';
    await m.writeJobs(JOBS, undefined, './state2');
    const before = m.emu.stats.commands.us ?? 0;
    const bad = await m.cli(['run']);
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('MEGA did not accept the email and password');
    expect((m.emu.stats.commands.us ?? 0) - before).toBe(1);
    expect(bad.stdout + bad.stderr).not.toContain('not the password');
  });

  it('password_command: its first line is the password, and it runs once per process', async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), { 'a.txt': 'a' });
    await m.writeJobs(JOBS, `    password_command: "echo run >> count.txt; printf '%s\\\\nignored\\\\n' \\"$MEGA_PASSWORD\\""\n`);
    const r = await m.cli(['run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await readFile(join(m.root, 'count.txt'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect((await m.cli(['run'])).code).toBe(0);
    // The second process found the cached session: the command did not run again.
    expect((await readFile(join(m.root, 'count.txt'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
