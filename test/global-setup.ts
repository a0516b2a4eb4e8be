import { execFileSync } from 'node:child_process';

/** CLI tests run the real built binary: compile (incremental) and bundle first, as `npm run build` does. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
}
