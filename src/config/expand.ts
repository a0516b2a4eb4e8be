/**
 * Environment and home-folder expansion.
 *
 * In every string value (never in keys): `${NAME}` is the variable's value, `${NAME:-fallback}` the
 * fallback when NAME is unset or empty, `$$` a literal `$`. Any other `$` is kept as written, so
 * shell commands in hooks keep their `$1` and `$HOME`. An unset variable without a fallback is a
 * problem at the `${` (its value is then taken as '' and later checks on that value are skipped).
 */

import { isUnder, type DataPath, type Issue, type Segment } from './issues.js';

export type Env = Record<string, string | undefined>;

export interface Expanded {
  data: unknown;
  issues: Issue[];
  /** Paths whose value could not be expanded: later problems there would only be noise. */
  tainted: DataPath[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandEnv(data: unknown, env: Env): Expanded {
  const issues: Issue[] = [];
  const tainted: DataPath[] = [];
  const walk = (value: unknown, path: Segment[]): unknown => {
    if (typeof value === 'string') {
      const r = expandString(value, env);
      for (const e of r.errors) issues.push({ path, find: e.find, message: e.message });
      if (r.errors.length > 0) tainted.push(path);
      return r.value;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  return { data: walk(data, []), issues, tainted };
}

/** True when a problem at `path` is a consequence of an expansion failure at or above it. */
export function isTainted(tainted: readonly DataPath[], path: DataPath): boolean {
  return tainted.some((t) => isUnder(path, t));
}

interface StringResult {
  value: string;
  errors: { find: string; message: string }[];
}

export function expandString(text: string, env: Env): StringResult {
  const errors: StringResult['errors'] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0 || dollar === text.length - 1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = text.indexOf('}', dollar + 2);
      if (close < 0) {
        errors.push({ find: text.slice(dollar), message: 'unterminated "${" (write "$$" for a literal "$")' });
        break;
      }
      const body = text.slice(dollar + 2, close);
      const sep = body.indexOf(':-');
      const name = sep < 0 ? body : body.slice(0, sep);
      const find = text.slice(dollar, close + 1);
      const value = env[name];
      if (!NAME.test(name)) {
        errors.push({ find, message: `invalid variable name "${name}" in "${find}"` });
      } else if (value !== undefined && (value !== '' || sep < 0)) {
        out += value;
      } else if (sep >= 0) {
        out += body.slice(sep + 2);
      } else {
        errors.push({ find, message: `environment variable ${name} is not set (use \${${name}:-fallback} for a default)` });
      }
      i = close + 1;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  return { value: out, errors };
}

/**
 * `~` and `~/...` at the start of a path become `home` and `home/...`. Returns an error message
 * for `~user` forms, which are not supported.
 */
export function expandHome(path: string, home: string): { value: string; error?: string } {
  if (path === '~') return { value: home };
  if (path.startsWith('~/')) return { value: home + path.slice(1) };
  if (path.startsWith('~')) {
    return { value: path, error: `"${path.split('/')[0]}": only "~" and "~/" are expanded (not ~user)` };
  }
  return { value: path };
}
