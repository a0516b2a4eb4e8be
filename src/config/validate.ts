/**
 * Structural checks against the published schema (`schemas/jobs.schema.json`), with ajv's errors
 * reduced to one human message per location.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { compileJobSchema } from './schema-validator.js';
import type { Issue, Segment } from './issues.js';
import { schemaMessage } from './schema-messages.js';

/** Where the schema lives: `schemas/` at the package root (for src/, dist/ and the CLI bundle alike). */
export const SCHEMA_URL = pathToFileURL(join(PACKAGE_ROOT, 'schemas', 'jobs.schema.json'));

let cached: { schema: AnySchemaObject; validate: ValidateFunction } | undefined;

function compiled(): { schema: AnySchemaObject; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as AnySchemaObject;
    cached = { schema, validate: compileJobSchema(schema) };
  }
  return cached;
}

/** The parsed schema, for tests and tools. */
export function jobFileSchema(): AnySchemaObject {
  return compiled().schema;
}

export function validateSchema(data: unknown): Issue[] {
  const { validate } = compiled();
  if (validate(data)) return [];
  const errors = mergeRequired((validate.errors ?? []).filter((e) => !WRAPPERS.has(e.keyword)));
  // Within one location the type error says the most; enum before range, range before the rest.
  errors.sort((a, b) => rank(a) - rank(b));
  return errors.map((e) => {
    const path = toPath(e.instancePath, data);
    const m = schemaMessage(e, path);
    return { path: m.path, message: m.message, at: m.at };
  });
}

/** Keywords that only summarize errors already reported underneath them. */
const WRAPPERS = new Set(['propertyNames', 'anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'not', '$ref']);

/** One `required` error per mapping, listing every missing key. */
function mergeRequired(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject & { params: { missingProperties: string[] } }>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword !== 'required') {
      out.push(e);
      continue;
    }
    const name = String(e.params.missingProperty);
    const first = byPath.get(e.instancePath);
    if (first) {
      first.params.missingProperties.push(name);
    } else {
      const merged = { ...e, params: { ...e.params, missingProperties: [name] } };
      byPath.set(e.instancePath, merged);
      out.push(merged);
    }
  }
  return out;
}

function rank(e: ErrorObject): number {
  return ['type', 'const', 'enum', 'minimum', 'maximum'].indexOf(e.keyword) + 1 || 9;
}

/** A JSON pointer as path segments, with list indices as numbers. */
function toPath(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const path: Segment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      path.push(Number(seg));
      node = node[Number(seg)];
    } else {
      path.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}
