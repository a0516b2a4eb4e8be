/**
 * The job-file schema compiled into a validate function. Run from `src/` or `dist/` (tests, the
 * library API) it is compiled by ajv here, on first use. The CLI bundle replaces this module with
 * the same function generated ahead of time by ajv's standalone code (see scripts/bundle.mjs):
 * compiling at every start cost 150-200 ms, most of it checking the schema against the 2020-12
 * meta-schema, which is more than a whole unchanged plan of a small tree takes.
 */

import { Ajv2020, type AnySchemaObject, type Options, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Non-standard annotations the schema uses for messages; VS Code's YAML and JSON support understands
 * `patternErrorMessage` too. `emptyErrorMessage` is ours: the message for an empty or missing mapping.
 */
const MESSAGE_KEYWORDS = ['patternErrorMessage', 'emptyErrorMessage'];

/** The one ajv configuration, shared with the build so both produce the same errors. */
export function jobSchemaAjv(extra: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, ...extra });
  ajv.addVocabulary(MESSAGE_KEYWORDS);
  return ajv;
}

export function compileJobSchema(schema: AnySchemaObject): ValidateFunction {
  return jobSchemaAjv().compile(schema);
}
