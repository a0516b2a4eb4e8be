import { Command, CommanderError } from 'commander';
import { MegamirrorError } from '../errors.js';
import { VERSION } from '../version.js';
import { allowGcPacing } from '../backends/mega/gc-pacer.js';
import { registerAdopt } from './commands/adopt.js';
import { registerDaemon } from './commands/daemon.js';
import { registerGet } from './commands/get.js';
import { registerLs } from './commands/ls.js';
import { registerMkdir } from './commands/mkdir.js';
import { registerMv } from './commands/mv.js';
import { registerPut } from './commands/put.js';
import { registerQuota } from './commands/quota.js';
import { registerRm } from './commands/rm.js';
import { registerSync } from './commands/sync.js';
import { registerLogin } from './commands/login.js';
import { registerApply } from './commands/apply.js';
import { registerPlan } from './commands/plan.js';
import { registerPrune } from './commands/prune.js';
import { registerRestore } from './commands/restore.js';
import { registerRun } from './commands/run.js';
import { registerSchedule } from './commands/schedule.js';
import { registerSnapshots } from './commands/snapshots.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { EXIT, exitForError } from './exit-codes.js';
import { consoleOutput, type Output } from './output.js';

/**
 * The CLI entry: the only place that catches errors and chooses the exit code. Commands throw
 * MegamirrorErrors; anything else is a bug, reported in one line with a request to report it.
 */
export async function main(argv: string[], io: Output = consoleOutput()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (c: number) => {
    exitCode = c;
  };
  const program = new Command('megamirror')
    .description('declarative backup and mirror jobs for MEGA and local folders')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  registerValidate(program, io, setExit);
  registerPlan(program, io, setExit);
  registerRun(program, io, setExit);
  registerApply(program, io, setExit);
  registerVerify(program, io, setExit);
  registerSnapshots(program, io, setExit);
  registerPrune(program, io, setExit);
  registerRestore(program, io, setExit);
  registerLogin(program, io, setExit);
  registerAdopt(program, io, setExit);
  registerLs(program, io, setExit);
  registerGet(program, io, setExit);
  registerPut(program, io, setExit);
  registerRm(program, io, setExit);
  registerMkdir(program, io, setExit);
  registerMv(program, io, setExit);
  registerQuota(program, io, setExit);
  registerSync(program, io, setExit);
  registerDaemon(program, io, setExit);
  registerStatus(program, io, setExit);
  registerSchedule(program, io, setExit);
  for (const c of program.commands) c.exitOverride().showSuggestionAfterError(true);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: Output): number {
  if (err instanceof CommanderError) {
    // Help and version end with an exit code of 0; everything else is a usage error.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    // Help shown in place of a missing command or subcommand (`megamirror`, `megamirror schedule`).
    if (err.code === 'commander.help') return EXIT.usage;
    return EXIT.usage;
  }
  if (err instanceof MegamirrorError) {
    const where = err.code === 'config' ? '' : err.where ? `${err.where}: ` : '';
    io.err(`${io.errPaint.red('error:')} ${where}${err.message}`);
    if (err.hint) io.err(err.hint);
    return exitForError(err.code);
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`${io.errPaint.red('internal error:')} ${message}`);
  io.err('This is a bug in megamirror; please report it with the command you ran.');
  if (process.env.MEGAMIRROR_DEBUG) io.err(String((err as Error)?.stack));
  return EXIT.failed;
}

// This process is the CLI's own: MEGA transfers may pace V8's young collections (gc-pacer.ts).
allowGcPacing();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`internal error: ${String(err)}\n`);
    process.exitCode = EXIT.failed;
  },
);
