#!/usr/bin/env node
/**
 * Start the emulator by hand or from tests in another process:
 *
 *   node dist/emulator/cli.js [--port 0] [--host 127.0.0.1] [--state DIR]
 *        [--account email:password | --account email (password in $MEGA_EMULATOR_PASSWORD)]...
 *        [--account-v1 email:password]... [--sc-wait-ms N] [--seed N]
 *
 * Prints exactly one line, `MEGA emulator listening on http://127.0.0.1:PORT/`, once it accepts
 * requests. Accounts are created when missing (v2 by default). SIGINT/SIGTERM save state and exit 0.
 * Control it over HTTP: see control.ts (`/__emulator/...`).
 */
import { parseArgs } from 'node:util';
import type { AccountSpec } from './accounts.js';
import { startEmulator } from './index.js';

/** `email:password`, or a bare `email` whose password comes from $MEGA_EMULATOR_PASSWORD (off the command line). */
function accountSpec(text: string, version: 1 | 2): AccountSpec {
  const colon = text.indexOf(':');
  if (colon < 0 && text !== '' && process.env.MEGA_EMULATOR_PASSWORD) {
    return { email: text, password: process.env.MEGA_EMULATOR_PASSWORD, version };
  }
  if (colon <= 0) throw new Error('--account wants email:password, or email with $MEGA_EMULATOR_PASSWORD set');
  return { email: text.slice(0, colon), password: text.slice(colon + 1), version };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      state: { type: 'string' },
      account: { type: 'string', multiple: true, default: [] },
      'account-v1': { type: 'string', multiple: true, default: [] },
      'sc-wait-ms': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: cli.js [--port N] [--host 127.0.0.1] [--state DIR] [--account email:password]... ' +
        '[--account-v1 email:password]... [--sc-wait-ms N] [--seed N]\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
  const emulator = await startEmulator({
    port,
    host: values.host,
    ...(values.state ? { stateDir: values.state } : {}),
    ...(values['sc-wait-ms'] ? { scWaitMs: Number(values['sc-wait-ms']) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    accounts: [
      ...values.account.map((a) => accountSpec(a, 2)),
      ...values['account-v1'].map((a) => accountSpec(a, 1)),
    ],
  });
  process.stdout.write(`MEGA emulator listening on ${emulator.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: close failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${(error as Error).message}\n`);
  process.exit(2);
});
