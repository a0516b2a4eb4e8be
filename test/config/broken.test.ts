/**
 * The broken-file corpus: every `broken/NAME.yaml` must fail with exactly the problems in
 * `broken/NAME.expected.txt` (formatted `FILE:LINE:COL: path: message`, FILE as the base name).
 * Run with UPDATE_GOLDEN=1 to rewrite the goldens, then review the diff.
 */

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ConfigError, formatProblem } from '../../src/errors.js';
import { loadJobFile } from '../../src/config/index.js';

const dir = fileURLToPath(new URL('./broken/', import.meta.url));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();
const options = { env: { MEGA_EMAIL: 'me@example.com', MEGA_PASSWORD: 'secret' }, home: '/home/alice' };

async function problemsOf(file: string): Promise<string> {
  try {
    await loadJobFile(file, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.length).toBeGreaterThan(0);
    return problems.map((p) => `${formatProblem({ ...p, file: basename(p.file) })}\n`).join('');
  }
  throw new Error(`${basename(file)} loaded without problems`);
}

describe('broken job files', () => {
  test('the corpus is large enough', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)('%s', async (name) => {
    const actual = await problemsOf(join(dir, `${name}.yaml`));
    const goldenPath = join(dir, `${name}.expected.txt`);
    if (process.env.UPDATE_GOLDEN || !existsSync(goldenPath)) {
      writeFileSync(goldenPath, actual);
      if (!process.env.UPDATE_GOLDEN) throw new Error(`wrote missing golden ${basename(goldenPath)}; review it`);
    }
    expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
  });
});
