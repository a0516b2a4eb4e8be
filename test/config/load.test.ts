/** Good job files: what the loader produces (defaults, expansion, paths, endpoints, state folder). */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadJobFile, parseJobFileText, type Job, type LoadOptions } from '../../src/config/index.js';

const FILE = '/etc/megamirror/jobs.yaml';
const env = { MEGA_EMAIL: 'me@example.com', MEGA_PASSWORD: 'secret' };
const opts: LoadOptions = { env, home: '/home/alice' };

/** A file with one job `j` made of `body` (YAML lines under the job key) plus extra top-level text. */
function one(body: string, top = '', options: LoadOptions = opts): Job {
  const text = `version: 1\n${top}jobs:\n  j:\n${body.replace(/^/gm, '    ')}\n`;
  return parseJobFileText(text, FILE, options).jobs[0]!;
}

const MEGA = 'remotes:\n  mega: { type: mega, email: "${MEGA_EMAIL}", password: "${MEGA_PASSWORD}" }\n';

describe('the example file', () => {
  const path = fileURLToPath(new URL('./good/jobs.example.yaml', import.meta.url));

  test('loads with every default resolved', async () => {
    const file = await loadJobFile(path, { ...opts, env: { ...env, ARCHIVE_EMAIL: '' } });
    expect(file.path).toBe(path);
    expect(file.settings).toEqual({ stateDir: '/home/alice/state/mm', maxParallelJobs: 2, keepReports: 5 });
    expect(file.remotes.mega).toEqual({
      type: 'mega', name: 'mega', email: 'me@example.com', password: 'secret',
      gateway: 'http://127.0.0.1:3000/', permanentDelete: false,
    });
    expect(file.remotes.archive).toEqual({
      type: 'mega', name: 'archive', email: 'archive@example.com', passwordCommand: 'pass show mega.nz', permanentDelete: false,
    });
    expect(file.jobs.map((j) => j.name)).toEqual(['documents', 'photos', 'pull']);
    const [documents, photos, pull] = file.jobs as [Job, Job, Job];
    expect(documents).toEqual({
      name: 'documents',
      type: 'mirror',
      source: { type: 'local', path: '/home/alice/Documents' },
      destination: { type: 'local', path: '/mnt/backup/documents' },
      include: ['**/*.md', '**/*.pdf'],
      exclude: ['**/.DS_Store', '**/Thumbs.db', '**/drafts/**'],
      delete: true,
      mtimeToleranceMs: 2000,
      compare: 'size-mtime',
      safety: { maxDelete: null, maxDeletePercent: 25 },
      followSymlinks: false,
      concurrency: 8,
      retries: 5,
      retention: null,
      schedule: '0 */6 * * *',
      timezone: 'Europe/Berlin',
      catchUp: true,
      hooks: {
        before: ['echo start $USER', 'mount /mnt/backup'],
        after: ['umount /mnt/backup'],
        onSuccess: ['notify ok'],
        onError: ['notify fail'],
        timeoutMs: 60_000,
      },
      location: `${path}:25:3`,
    });
    expect(photos.source).toEqual({ type: 'local', path: join(path, '..', 'photos') });
    expect(photos.destination).toEqual({ type: 'remote', remote: 'mega', path: '/Backups/Photos' });
    expect(photos.retention).toEqual({
      keep_last: 3, keep_daily: 7, keep_weekly: 4, keep_monthly: 12, keep_yearly: -1,
      keep_within: '1y2m3d4h', keep_within_daily: '30d',
    });
    expect(pull.source).toEqual({ type: 'remote', remote: 'archive', path: '/Old' });
    expect(pull.destination).toEqual({ type: 'local', path: join(path, '..', '..', 'restore', 'old') });
    expect(pull.compare).toBe('size');
  });
});

describe('defaults', () => {
  test('built-in defaults for a minimal job', () => {
    const job = one('type: mirror\nsource: /a\ndestination: /b');
    expect(job).toMatchObject({
      include: ['**'], exclude: [], delete: true, mtimeToleranceMs: 2000, compare: 'size-mtime',
      safety: { maxDelete: 1000, maxDeletePercent: 50 }, followSymlinks: false, concurrency: 4, retries: 3,
      retention: null, schedule: null, timezone: null, catchUp: false,
      hooks: { before: [], after: [], onSuccess: [], onError: [], timeoutMs: 300_000 },
      location: `${FILE}:3:3`,
    });
  });

  test('job values win over defaults; lists concatenate defaults first without repeats', () => {
    const top = [
      'defaults:',
      '  include: ["**/*.md"]',
      '  exclude: ["**/.git/**", "**/*.tmp"]',
      '  concurrency: 2',
      '  delete: false',
      '  mtime_tolerance: 1s',
      '  safety: { max_delete: 10, max_delete_percent: null }',
      '  hooks: { before: ["a"], on_error: ["e"], timeout: 30s }',
      '  schedule: "0 3 * * *"',
      '  timezone: UTC',
      '',
    ].join('\n');
    const job = one(
      'type: mirror\nsource: /a\ndestination: /b\ninclude: ["**/*.pdf"]\nexclude: ["**/*.tmp", "x/**"]\n' +
        'concurrency: 8\nsafety: { max_delete: 20 }\nhooks: { before: ["b", "a"] }\nschedule: null',
      top,
    );
    expect(job.include).toEqual(['**/*.md', '**/*.pdf']);
    expect(job.exclude).toEqual(['**/.git/**', '**/*.tmp', 'x/**']);
    expect(job.concurrency).toBe(8);
    expect(job.delete).toBe(false);
    expect(job.mtimeToleranceMs).toBe(1000);
    expect(job.safety).toEqual({ maxDelete: 20, maxDeletePercent: null });
    expect(job.hooks).toEqual({ before: ['a', 'b', 'a'], after: [], onSuccess: [], onError: ['e'], timeoutMs: 30_000 });
    expect(job.schedule).toBeNull();
    expect(job.timezone).toBe('UTC');
  });

  test('retention from defaults applies to snapshot jobs only, and a job replaces it whole', () => {
    const text = [
      'version: 1',
      'defaults:',
      '  retention: { keep_daily: 7, keep_weekly: 4 }',
      'jobs:',
      '  m: { type: mirror, source: /a, destination: /b }',
      '  s: { type: snapshot, source: /c, destination: /d }',
      '  t: { type: snapshot, source: /e, destination: /f, retention: { keep_last: 2 } }',
    ].join('\n');
    const [m, s, t] = parseJobFileText(text, FILE, opts).jobs as [Job, Job, Job];
    expect(m.retention).toBeNull();
    expect(s.retention).toEqual({ keep_daily: 7, keep_weekly: 4 });
    expect(t.retention).toEqual({ keep_last: 2 });
  });

  test('empty optional sections are allowed', () => {
    const file = parseJobFileText('version: 1\nsettings:\nremotes:\ndefaults:\njobs:\n  j: { type: mirror, source: /a, destination: /b }\n', FILE, opts);
    expect(file.remotes).toEqual({});
    expect(file.jobs).toHaveLength(1);
  });
});

describe('environment expansion', () => {
  const e = { ...env, DATA: '/srv/data', EMPTY: '', NAME: 'docs' };
  const expand = (value: string) => one(`type: mirror\nsource: /a\ndestination: /b\nhooks: { before: [${JSON.stringify(value)}] }`, '', { ...opts, env: e }).hooks.before[0];

  test.each([
    ['${DATA}/x', '/srv/data/x'],
    ['${DATA}${NAME}', '/srv/datadocs'],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${DATA:-fallback}', '/srv/data'],
    ['a${UNSET:-}b', 'ab'],
    ['a${EMPTY}b', 'ab'],
    ['cost $$5', 'cost $5'],
    ['$$${NAME}', '$docs'],
    ['echo $HOME $1 $', 'echo $HOME $1 $'],
    ['${UNSET:-a:-b}', 'a:-b'],
  ])('%s -> %s', (input, output) => {
    expect(expand(input)).toBe(output);
  });

  test('in endpoints, remotes and settings', () => {
    const text = [
      'version: 1',
      'settings: { state_dir: "${DATA}/state" }',
      MEGA,
      'jobs:',
      '  docs: { type: mirror, source: "${DATA}/docs", destination: "mega:/${NAME}" }',
    ].join('\n');
    const file = parseJobFileText(text, FILE, { ...opts, env: e });
    expect(file.settings.stateDir).toBe('/srv/data/state');
    expect(file.remotes.mega!.password).toBe('secret');
    expect(file.jobs[0]!.source).toEqual({ type: 'local', path: '/srv/data/docs' });
    expect(file.jobs[0]!.destination).toEqual({ type: 'remote', remote: 'mega', path: '/docs' });
  });

  test('defaults to process.env', () => {
    process.env.MEGAMIRROR_TEST_VAR = '/from/process';
    try {
      const job = one('type: mirror\nsource: ${MEGAMIRROR_TEST_VAR}\ndestination: /b', '', { home: '/h' });
      expect(job.source).toEqual({ type: 'local', path: '/from/process' });
    } finally {
      delete process.env.MEGAMIRROR_TEST_VAR;
    }
  });

  test('an unset variable taints only its own value', () => {
    // The destination would otherwise be "/backup" inside a source "/" and be reported twice.
    const text = 'version: 1\njobs:\n  j: { type: mirror, source: "${NOPE}/", destination: /backup }\n';
    expect(() => parseJobFileText(text, 'x.yaml', opts)).toThrow(
      /^x\.yaml:3:31: jobs\.j\.source: environment variable NOPE is not set \(use \$\{NOPE:-fallback\} for a default\)$/,
    );
  });
});

describe('paths', () => {
  const endpoints = (source: string, destination: string, top = '', home = '/home/alice') => {
    const j = one(`type: mirror\nsource: ${JSON.stringify(source)}\ndestination: ${JSON.stringify(destination)}`, top, { ...opts, home });
    return [j.source, j.destination];
  };

  test('~ expands to the home folder', () => {
    expect(endpoints('~', '/b')[0]).toEqual({ type: 'local', path: '/home/alice' });
    expect(endpoints('~/Documents/', '/b')[0]).toEqual({ type: 'local', path: '/home/alice/Documents' });
    expect(endpoints('/a/~/x', '/b')[0]).toEqual({ type: 'local', path: '/a/~/x' });
  });

  test('relative paths resolve against the job file folder', () => {
    expect(endpoints('docs', '../backup/./docs')).toEqual([
      { type: 'local', path: '/etc/megamirror/docs' },
      { type: 'local', path: '/etc/backup/docs' },
    ]);
    expect(endpoints('.', '/elsewhere')[0]).toEqual({ type: 'local', path: '/etc/megamirror' });
  });

  test('remote endpoints: normalized posix paths, only for defined remotes', () => {
    expect(endpoints('mega:/Backups//Docs/', '/b', MEGA)[0]).toEqual({ type: 'remote', remote: 'mega', path: '/Backups/Docs' });
    expect(endpoints('mega:', '/b', MEGA)[0]).toEqual({ type: 'remote', remote: 'mega', path: '/' });
    expect(endpoints('mega:/a/../b', '/b', MEGA)[0]).toEqual({ type: 'remote', remote: 'mega', path: '/b' });
    // Not NAME:/..., so a local path even though it has a colon.
    expect(endpoints('notes:2024', '/b', MEGA)[0]).toEqual({ type: 'local', path: '/etc/megamirror/notes:2024' });
    expect(endpoints('./other:/x', '/b', MEGA)[0]).toEqual({ type: 'local', path: '/etc/megamirror/other:/x' });
  });

  test('siblings and remote-vs-local pairs are not nested', () => {
    expect(() => endpoints('/data/docs', '/data/docs-backup')).not.toThrow();
    expect(() => endpoints('mega:/data', '/data/copy', MEGA)).not.toThrow();
  });
});

describe('state folder', () => {
  const stateDir = (top: string, options: LoadOptions) =>
    parseJobFileText(`version: 1\n${top}jobs:\n  j: { type: mirror, source: /a, destination: /b }\n`, FILE, options).settings.stateDir;

  test('settings.state_dir first, then options.stateDir, then XDG_STATE_HOME, then ~/.local/state', () => {
    const xdg = { env: { XDG_STATE_HOME: '/xdg' }, home: '/home/alice' };
    expect(stateDir('settings: { state_dir: state }\n', { ...xdg, stateDir: '/opt' })).toBe('/etc/megamirror/state');
    expect(stateDir('settings: { state_dir: ~/s }\n', xdg)).toBe('/home/alice/s');
    expect(stateDir('', { ...xdg, stateDir: '/opt/mm' })).toBe('/opt/mm');
    expect(stateDir('', xdg)).toBe('/xdg/megamirror');
    expect(stateDir('', { env: { XDG_STATE_HOME: 'relative' }, home: '/home/alice' })).toBe('/home/alice/.local/state/megamirror');
    expect(stateDir('', { env: {}, home: '/home/alice' })).toBe('/home/alice/.local/state/megamirror');
  });
});

describe('reading', () => {
  test('a missing file is one problem at 1:1', async () => {
    const err = await loadJobFile('/nonexistent/jobs.yaml', opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      { file: '/nonexistent/jobs.yaml', line: 1, column: 1, path: '', message: 'cannot read the job file: no such file' },
    ]);
    expect((err as ConfigError).code).toBe('config');
    expect((err as ConfigError).message).toBe('/nonexistent/jobs.yaml:1:1: cannot read the job file: no such file');
  });

  test('a folder is one problem at 1:1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-config-'));
    const err = (await loadJobFile(dir, opts).catch((e: unknown) => e)) as ConfigError;
    expect(err.problems.map((p) => p.message)).toEqual(['cannot read the job file: it is a folder']);
  });

  test('a byte order mark and CRLF line ends are fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-config-'));
    const path = join(dir, 'jobs.yaml');
    writeFileSync(path, '\uFEFFversion: 1\r\njobs:\r\n  j:\r\n    type: mirror\r\n    source: a\r\n    destination: b\r\n');
    const file = await loadJobFile(path, opts);
    expect(file.jobs[0]!.source).toEqual({ type: 'local', path: join(dir, 'a') });
    expect(file.jobs[0]!.location).toBe(`${path}:3:3`);
  });

  test('the error message lists every problem, one per line, in file order', () => {
    const text = 'version: 2\njobs:\n  j: { type: copy, source: /a, destination: /a }\n';
    expect(() => parseJobFileText(text, 'jobs.yaml', opts)).toThrow(
      [
        'jobs.yaml:1:10: version: unsupported version 2; this megamirror reads version 1',
        'jobs.yaml:3:14: jobs.j.type: must be one of: mirror, snapshot',
        'jobs.yaml:3:45: jobs.j.destination: destination is the same folder as source (/a)',
      ].join('\n'),
    );
  });

  test('aliases and anchors work', () => {
    const text = [
      'version: 1',
      'defaults:',
      '  exclude: &common ["**/.git/**"]',
      'jobs:',
      '  a: { type: mirror, source: /a, destination: /b, include: *common }',
    ].join('\n');
    expect(parseJobFileText(text, FILE, opts).jobs[0]!.include).toEqual(['**/.git/**']);
  });
});
