import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { renderReference } from '../../scripts/reference.mjs';

describe('docs/reference.md', () => {
  it('is what scripts/reference.mjs generates from the schema (run it after changing the schema)', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/jobs.schema.json', import.meta.url), 'utf8'));
    const committed = readFileSync(new URL('../../docs/reference.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderReference(schema));
  });

  it('documents every job key the schema accepts', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/jobs.schema.json', import.meta.url), 'utf8'));
    const doc = readFileSync(new URL('../../docs/reference.md', import.meta.url), 'utf8');
    for (const key of Object.keys(schema.$defs.job.properties)) expect(doc).toContain(`| \`${key}\` |`);
  });
});
