/**
 * The published schema: valid for editors (standalone ajv, no megamirror code), documented on every
 * property, closed everywhere, and in step with itself (defaults = job options).
 */

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';

const schema = JSON.parse(readFileSync(new URL('../../schemas/jobs.schema.json', import.meta.url), 'utf8'));
const example = parse(readFileSync(new URL('./good/jobs.example.yaml', import.meta.url), 'utf8'));

type S = Record<string, any>;

/** Every subschema with the JSON path that leads to it. */
function* subschemas(s: S, at = '#'): Generator<[string, S]> {
  yield [at, s];
  for (const [k, v] of Object.entries(s.properties ?? {})) yield* subschemas(v as S, `${at}/properties/${k}`);
  for (const [k, v] of Object.entries(s.$defs ?? {})) yield* subschemas(v as S, `${at}/$defs/${k}`);
  for (const k of ['items', 'additionalProperties', 'propertyNames']) {
    if (s[k] && typeof s[k] === 'object') yield* subschemas(s[k] as S, `${at}/${k}`);
  }
}

describe('jobs.schema.json', () => {
  test('is a valid 2020-12 schema that accepts the example file', () => {
    // Editors ignore unknown keywords; a strict ajv has to be told about the message annotations.
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addVocabulary(['patternErrorMessage', 'emptyErrorMessage']);
    const validate = ajv.compile(schema);
    expect(validate(example), JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  test('rejects what editors should flag', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const job = { type: 'mirror', source: '/a', destination: '/b' };
    expect(validate({ version: 1, jobs: { j: { ...job, exlude: [] } } })).toBe(false);
    expect(validate({ version: 2, jobs: { j: job } })).toBe(false);
    expect(validate({ version: 1, jobs: {} })).toBe(false);
    expect(validate({ version: 1, jobs: { j: { ...job, mtime_tolerance: '2 s' } } })).toBe(false);
    expect(validate({ version: 1, jobs: { 'a b': job } })).toBe(false);
    expect(validate({ version: 1, defaults: { source: '/x' }, jobs: { j: job } })).toBe(false);
  });

  test('every property has a title and a description', () => {
    const missing: string[] = [];
    for (const [at, s] of subschemas(schema)) {
      const isProperty = /\/properties\/[^/]+$/.test(at);
      if (!isProperty) continue;
      // A $ref'd property may take its documentation from the definition.
      const target = s.$ref ? { ...schema.$defs[String(s.$ref).split('/').pop()!], ...s } : s;
      if (!target.title || !target.description) missing.push(at);
    }
    expect(missing).toEqual([]);
  });

  test('every mapping is closed', () => {
    const open = [...subschemas(schema)]
      .filter(([, s]) => s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')))
      .filter(([, s]) => s.additionalProperties === undefined)
      .map(([at]) => at);
    expect(open).toEqual([]);
  });

  test('defaults accept exactly the job options except type, source and destination', () => {
    const jobKeys = Object.keys(schema.$defs.job.properties).filter((k) => !['type', 'source', 'destination'].includes(k));
    expect(Object.keys(schema.properties.defaults.properties).sort()).toEqual(jobKeys.sort());
    for (const k of jobKeys) expect(schema.properties.defaults.properties[k]).toEqual(schema.$defs.job.properties[k]);
  });
});
