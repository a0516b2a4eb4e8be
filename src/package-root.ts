import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root folder, found by walking up from this module to megamirror's
 * package.json. Works from src/ (tests), dist/ (tsc output) and the single-file CLI bundle alike.
 */
export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'megamirror') return dir;
    if (dirname(dir) === dir) throw new Error(`megamirror's package.json not found above ${start}`);
  }
}
