/**
 * MEGA links in job files and arguments: the forms accepted, the errors (never with the key), the
 * redacted form every message uses, link endpoints (sources only), and the remotes-only loader the
 * quick commands use.
 */
import { describe, expect, it } from 'vitest';
import { parseJobFileText } from '../../src/config/index.js';
import { formatEndpoint, parseEndpoint } from '../../src/config/endpoints.js';
import { canonicalLink, parseMegaLink, redactLink } from '../../src/config/mega-link.js';
import { ConfigError } from '../../src/errors.js';

const FILE_KEY = Buffer.alloc(32, 1).toString('base64url');
const FOLDER_KEY = Buffer.alloc(16, 2).toString('base64url');
const ctx = { remotes: ['mega'], baseDir: '/base', home: '/home/me' };

describe('parseMegaLink', () => {
  it.each([
    [`https://mega.nz/file/AbCd_-12#${FILE_KEY}`, 'file'],
    [`https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}`, 'folder'],
    [`https://mega.co.nz/folder/AbCd_-12#${FOLDER_KEY}`, 'folder'],
    [`https://www.mega.nz/file/AbCd_-12/#${FILE_KEY}`, 'file'],
    [`https://mega.nz/#!AbCd_-12!${FILE_KEY}`, 'file'],
    [`https://mega.nz/#F!AbCd_-12!${FOLDER_KEY}`, 'folder'],
  ])('%s is a %s link', (text, kind) => {
    const r = parseMegaLink(text);
    expect(r.link).toMatchObject({ kind, handle: 'AbCd_-12' });
    expect(r.link!.key.length).toBe(kind === 'file' ? 32 : 16);
    expect(canonicalLink(r.link!)).toBe(`https://mega.nz/${kind}/AbCd_-12#${kind === 'file' ? FILE_KEY : FOLDER_KEY}`);
  });

  it.each([
    ['https://mega.nz/file/AbCd_-12', 'the link has no key'],
    [`https://mega.nz/file/AbCd_-12#${FILE_KEY.slice(0, 20)}`, 'the key after # is damaged or incomplete'],
    [`https://mega.nz/folder/AbCd_-12#${FILE_KEY}`, 'damaged or incomplete'],
    [`https://mega.nz/folder/short#${FOLDER_KEY}`, "the link's handle is not 8 characters"],
    [`https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}/file/XyZ12345`, 'inside a shared folder are not supported'],
    [`https://mega.nz/chat/AbCd_-12#${FOLDER_KEY}`, 'is not a file or folder link'],
  ])('%s is refused: %s', (text, message) => {
    const r = parseMegaLink(text);
    expect(r.error).toContain(message);
    expect(r.error).not.toContain(FILE_KEY.slice(0, 20));
    expect(r.error).not.toContain(FOLDER_KEY);
  });

  it('redactLink keeps the kind and handle and cuts the key', () => {
    expect(redactLink(`https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}`)).toBe('https://mega.nz/folder/AbCd_-12#…');
    expect(redactLink(`https://mega.nz/#F!AbCd_-12!${FOLDER_KEY}`)).toBe('https://mega.nz/folder/AbCd_-12#…');
    expect(redactLink(`https://mega.nz/whatever#${FOLDER_KEY}`)).toBe('https://mega.nz/whatever#…');
    expect(redactLink('/local/path')).toBe('/local/path');
  });
});

describe('link endpoints', () => {
  it('a link is a link endpoint, shown without its key; other text keeps its meaning', () => {
    const e = parseEndpoint(`https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}`, ctx).endpoint!;
    expect(e).toEqual({ type: 'link', url: `https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}` });
    expect(formatEndpoint(e)).toBe('https://mega.nz/folder/AbCd_-12#…');
    expect(parseEndpoint('mega:/x', ctx).endpoint).toEqual({ type: 'remote', remote: 'mega', path: '/x' });
    expect(parseEndpoint('https://example.com/x', ctx).error).toContain('unknown remote "https"');
  });

  it('a job may read a folder link; a link as destination is an error without the key', () => {
    const job = (source: string, destination: string) => `version: 1\njobs:\n  j:\n    type: mirror\n    source: ${source}\n    destination: ${destination}\n`;
    const file = parseJobFileText(job(`https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}`, './out'), '/base/jobs.yaml');
    expect(file.jobs[0]!.source).toEqual({ type: 'link', url: `https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}` });
    try {
      parseJobFileText(job('./in', `https://mega.nz/folder/AbCd_-12#${FOLDER_KEY}`), '/base/jobs.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain('jobs.j.destination: a public link is read-only');
      expect((e as Error).message).not.toContain(FOLDER_KEY);
    }
  });
});

describe('remotes-only loading (quick commands)', () => {
  const remotes = 'remotes:\n  mega:\n    type: mega\n    email: a@b.c\n    password: pw\n';

  it('accepts a file with remotes and no jobs, and ignores broken jobs', () => {
    const only = parseJobFileText(`version: 1\n${remotes}`, '/base/jobs.yaml', { remotesOnly: true, env: {} });
    expect(Object.keys(only.remotes)).toEqual(['mega']);
    expect(only.jobs).toEqual([]);
    const broken = parseJobFileText(`version: 1\n${remotes}jobs:\n  bad: { type: nope, source: "\${UNSET}" }\n`, '/base/jobs.yaml', { remotesOnly: true, env: {} });
    expect(broken.jobs).toEqual([]);
  });

  it('still checks what it reads', () => {
    expect(() => parseJobFileText(`version: 1\nremotes:\n  mega:\n    type: mega\n    email: a@b.c\n`, '/base/jobs.yaml', { remotesOnly: true, env: {} })).toThrow(
      /remotes\.mega: missing "password" or "password_command"/,
    );
    expect(() => parseJobFileText(remotes, '/base/jobs.yaml', { remotesOnly: true, env: {} })).toThrow(/version/);
  });
});
