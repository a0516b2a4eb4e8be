/**
 * For CLI tests against MEGA: an in-process emulator the CLI child processes reach through
 * `gateway:` in the job file, a temporary folder with the job file and a state folder (the session
 * cache), and the environment that carries the credentials.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs-tree.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

export const EMAIL = 'cli@example.com';
export const PASSWORD = 'cli password';

export interface MegaCliEnv {
  emu: Emulator;
  root: string;
  masterKey: Buffer;
  jobs: string;
  env: Record<string, string>;
  /** Write the job file: `remote` extra lines under the remote, then the jobs block. */
  writeJobs(jobsYaml: string, remoteExtra?: string, stateDir?: string): Promise<string>;
  cli(args: string[], input?: string): Promise<CliResult>;
  cleanup(): Promise<void>;
}

export async function megaCliEnv(o: { mfaCode?: string } = {}): Promise<MegaCliEnv> {
  const emu = await startEmulator({ rsaBits: 1024, scWaitMs: 2000, log: () => undefined });
  const { masterKey } = await emu.createAccount({ email: EMAIL, password: PASSWORD, ...(o.mfaCode ? { mfaCode: o.mfaCode } : {}) });
  const { path: root, cleanup } = await tempDir('mm-mega-cli-');
  const jobs = join(root, 'jobs.yaml');
  const env = {
    MEGA_EMAIL: EMAIL,
    MEGA_PASSWORD: PASSWORD,
    MEGAMIRROR_MEGA_TIMEOUTS: 'api=4000,idle=5000,request=2000,login=30000',
  };
  const self: MegaCliEnv = {
    emu,
    root,
    masterKey,
    jobs,
    env,
    async writeJobs(jobsYaml, remoteExtra = '    password: ${MEGA_PASSWORD}\n', stateDir = './state') {
      const text = [
        'version: 1',
        'settings:',
        `  state_dir: ${stateDir}`,
        'remotes:',
        '  mega:',
        '    type: mega',
        '    email: ${MEGA_EMAIL}',
        `    gateway: ${emu.gateway}`,
        remoteExtra.trimEnd(),
        'jobs:',
        jobsYaml.trimEnd(),
        '',
      ].join('\n');
      await writeFile(jobs, text);
      return jobs;
    },
    cli: (args, input) => runCli([...args, '-c', jobs], { cwd: root, env, ...(input !== undefined ? { input } : {}) }),
    async cleanup() {
      await emu.close();
      await cleanup();
    },
  };
  return self;
}
