import { execFileSync } from 'node:child_process';

/** CLI tests run the real built binary: compile first (incremental, so a no-op when up to date). */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
