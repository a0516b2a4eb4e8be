/**
 * One ajv error to one human sentence, located at the key or value a person would edit.
 * Messages read after the dotted path: `jobs.docs.concurrency: must be an integer from 1 to 64`.
 */

import type { AnySchemaObject, ErrorObject } from 'ajv/dist/2020.js';
import type { Segment } from './issues.js';
import { didYouMean } from './suggest.js';

export interface SchemaMessage {
  path: Segment[];
  message: string;
  at: 'key' | 'value';
}

/** An ajv error; `params.missingProperties` is added by validate.ts when it merges required errors. */
export function schemaMessage(e: ErrorObject, path: Segment[]): SchemaMessage {
  const schema = (e.parentSchema ?? {}) as AnySchemaObject;
  const params = e.params as Record<string, unknown>;
  const value = (message: string): SchemaMessage => ({ path, message, at: 'value' });

  if (e.propertyName !== undefined) {
    const hint = typeof schema.patternErrorMessage === 'string' ? schema.patternErrorMessage : 'invalid name';
    return { path: [...path, e.propertyName], at: 'key', message: `invalid name "${e.propertyName}": ${hint}` };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { path: [...path, key], at: 'key', message: unknownKey(key, path, schema) };
    }
    case 'required': {
      const names = (params.missingProperties as string[] | undefined) ?? [String(params.missingProperty)];
      const list = names.map((n) => `"${n}"`);
      const text = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
      return { path, at: 'key', message: `missing required key${names.length === 1 ? '' : 's'} ${text}` };
    }
    case 'type':
      if (path.length === 0) {
        return value(`the top level must be a mapping with "version" and "jobs" (found ${describeValue(e.data)})`);
      }
      if (e.data === null && typeof schema.emptyErrorMessage === 'string') return value(schema.emptyErrorMessage);
      return value(`${expectation(schema)} (found ${describeValue(e.data)}${listHint(schema, e.data)})`);
    case 'const':
      if (path.length === 1 && path[0] === 'version') {
        return value(`unsupported version ${JSON.stringify(e.data)}; this megamirror reads version 1`);
      }
      return value(`must be ${JSON.stringify(params.allowedValue)}`);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return value(allowed.length === 1 ? `must be "${allowed[0]}"` : `must be one of: ${allowed.join(', ')}${hint}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return value(`${expectation(schema)} (found ${describeValue(e.data)})`);
    case 'minLength':
      return value('must not be empty');
    case 'minProperties':
      return value(typeof schema.emptyErrorMessage === 'string' ? schema.emptyErrorMessage : 'must not be empty');
    case 'pattern': {
      const text = typeof schema.patternErrorMessage === 'string' ? schema.patternErrorMessage : `must match ${String(params.pattern)}`;
      return value(`${text} (found ${JSON.stringify(e.data)})`);
    }
    default:
      return value(e.message ?? `fails "${e.keyword}"`);
  }
}

function unknownKey(key: string, path: Segment[], schema: AnySchemaObject): string {
  if (path.length === 1 && path[0] === 'defaults' && ['type', 'source', 'destination'].includes(key)) {
    return `"${key}" cannot be set in defaults; set it in each job`;
  }
  const allowed = Object.keys((schema.properties ?? {}) as object);
  return `unknown key "${key}"${didYouMean(key, allowed)}`;
}

/** A single string where a list is expected: show the one-item list it probably meant. */
function listHint(schema: AnySchemaObject, data: unknown): string {
  const wantsList = schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'));
  return wantsList && typeof data === 'string' ? `; write [${JSON.stringify(data)}] for a one-item list` : '';
}

/** `must be an integer from 1 to 64`, `must be a list`, `must be true or false`... */
function expectation(schema: AnySchemaObject): string {
  if (typeof schema.patternErrorMessage === 'string' && schema.patternErrorMessage.startsWith('must be ')) {
    return schema.patternErrorMessage;
  }
  let types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  // An optional section may be left empty; that is not worth a mention.
  if (types.includes('object')) types = types.filter((t) => t !== 'null');
  return `must be ${types.map((t) => describeType(t, schema)).join(' or ')}`;
}

function describeType(type: string, schema: AnySchemaObject): string {
  switch (type) {
    case 'integer':
    case 'number': {
      const noun = type === 'integer' ? 'an integer' : 'a number';
      const { minimum: min, maximum: max } = schema as { minimum?: number; maximum?: number };
      if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
      if (min !== undefined) return `${noun} >= ${min}`;
      if (max !== undefined) return `${noun} <= ${max}`;
      return noun;
    }
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'null':
      return 'null';
    default:
      return type;
  }
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return String(v);
}
