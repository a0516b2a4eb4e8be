import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type FileSpec = string | Buffer | { content: string | Buffer; mtime?: string };
export const DEFAULT_MTIME = '2024-01-01T00:00:00Z';

/** A fresh temporary folder; `cleanup` removes it. */
export async function tempDir(prefix = 'mm-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Write files from literals (a trailing `/` makes an empty folder); mtimes default to 2024-01-01. */
export async function writeTree(root: string, spec: Record<string, FileSpec | null>): Promise<void> {
  for (const [rel, v] of Object.entries(spec)) {
    const full = join(root, rel);
    if (rel.endsWith('/') || v === null) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(dirname(full), { recursive: true });
    const content = typeof v === 'string' || Buffer.isBuffer(v) ? v : v.content;
    const mtime = typeof v === 'object' && !Buffer.isBuffer(v) && v.mtime ? v.mtime : DEFAULT_MTIME;
    await writeFile(full, content);
    const t = new Date(mtime);
    await utimes(full, t, t);
  }
}

export interface SeenFile {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** Every file and folder below root: files with size, mtime (ms) and content hash; folders as 'dir'. */
export async function readTree(root: string): Promise<Record<string, SeenFile | 'dir'>> {
  const out: Record<string, SeenFile | 'dir'> = {};
  async function walk(rel: string): Promise<void> {
    for (const d of await readdir(join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        out[r] = 'dir';
        await walk(r);
      } else {
        const full = join(root, r);
        const s = await stat(full);
        out[r] = { size: s.size, mtimeMs: Math.floor(s.mtimeMs), sha256: createHash('sha256').update(await readFile(full)).digest('hex') };
      }
    }
  }
  await walk('');
  return out;
}
