import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { didYouMean } from '../../config/suggest.js';
import { dirname } from 'node:path';
import { MegamirrorError } from '../../errors.js';
import { loadConfig, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface LoginOptions extends ConfigOption {
  code?: string;
}

/**
 * `megamirror login REMOTE`: log in to a MEGA remote now and cache the session in the state
 * folder, so that later runs (cron, the daemon) need neither a prompt nor a 2FA code. The password
 * comes from the remote's `password` / `password_command`, else a prompt (hidden on a terminal;
 * read as a line from standard input otherwise). A 2FA code is asked for when the account needs
 * one, or given with `--code`.
 */
export function registerLogin(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('login')
    .description('log in to a MEGA remote and cache the session (asks for a 2FA code when needed)')
    .argument('<remote>', 'the remote, as named under remotes in the job file')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--code <code>', 'the two-factor authentication code (asked for when needed)')
    .action(async (name: string, o: LoginOptions) => {
      const file = await loadConfig(o);
      const remote = file.remotes[name];
      if (!remote) {
        const known = Object.keys(file.remotes);
        throw new MegamirrorError('usage', `no remote named "${name}"${didYouMean(name, known)}`, {
          where: file.path,
          hint: known.length ? `remotes in this file: ${known.join(', ')}` : 'the job file defines no remotes',
        });
      }
      // The MEGA client loads only for commands that talk to MEGA.
      const [{ megajsLogin }, { passwordSource }, { saveSession, sessionCachePath }, { normalizeGateway }] = await Promise.all([
        import('../../backends/mega/login.js'),
        import('../../backends/mega/password.js'),
        import('../../backends/mega/session-cache.js'),
        import('../../backends/mega/session.js'),
      ]);
      const prompt = new Prompter();
      try {
        const password = (await passwordSource(remote, { cwd: dirname(file.path) })()) ?? (await prompt.ask(`MEGA password for ${remote.email}: `, true));
        if (!password) throw new MegamirrorError('usage', 'no password given', { where: `remotes.${name}` });
        const gateway = normalizeGateway(remote.gateway);
        const attempt = (code?: string) =>
          megajsLogin({ email: remote.email, password, gateway, timeoutMs: 120_000, where: `remotes.${name}`, ...(code ? { secondFactorCode: code } : {}) });
        let session;
        try {
          session = await attempt(o.code);
        } catch (err) {
          if (!(err instanceof MegamirrorError && err.code === 'mfa-required') || o.code) throw err;
          const code = (await prompt.ask('Two-factor authentication code: ', false)).trim();
          if (!code) throw new MegamirrorError('usage', 'no two-factor authentication code given', { where: `remotes.${name}` });
          session = await attempt(code);
        }
        const path = sessionCachePath(file.settings.stateDir, remote.email, gateway);
        await saveSession(path, remote.email, gateway, session);
        io.out(`logged in to MEGA as ${remote.email}; the session is cached in ${path}`);
        setExit(EXIT.ok);
      } finally {
        prompt.close();
      }
    });
}

/** Questions on stderr; answers from the terminal (hidden when asked) or, piped, one line each. */
class Prompter {
  #lines: AsyncIterator<string> | null = null;
  #rl: ReturnType<typeof createInterface> | null = null;

  async ask(question: string, hidden: boolean): Promise<string> {
    process.stderr.write(question);
    if (process.stdin.isTTY && hidden) return readHidden();
    if (!this.#lines) {
      this.#rl = createInterface({ input: process.stdin, terminal: false });
      this.#lines = this.#rl[Symbol.asyncIterator]();
    }
    const next = await this.#lines.next();
    if (!process.stdin.isTTY) process.stderr.write('\n');
    return next.done ? '' : next.value;
  }

  close(): void {
    this.#rl?.close();
  }
}

/** A line from the terminal without echo; Ctrl-C interrupts. */
function readHidden(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new MegamirrorError('interrupted', 'interrupted'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
