/**
 * The job file as written (snake_case), after env expansion and once the schema has accepted it.
 * Only `normalize` relies on these shapes; `rules` runs before that guarantee and checks as it goes.
 */

export interface RawJobFile {
  version: 1;
  settings?: RawSettings | null;
  remotes?: Record<string, RawRemote> | null;
  defaults?: RawJobOptions | null;
  jobs: Record<string, RawJob>;
}

export interface RawSettings {
  state_dir?: string;
  max_parallel_jobs?: number;
  keep_reports?: number;
}

export interface RawRemote {
  type: 'mega';
  email: string;
  password?: string;
  password_command?: string;
  gateway?: string;
  permanent_delete?: boolean;
}

export interface RawJobOptions {
  include?: string[];
  exclude?: string[];
  delete?: boolean;
  mtime_tolerance?: string;
  compare?: 'size-mtime' | 'size';
  safety?: { max_delete?: number | null; max_delete_percent?: number | null };
  follow_symlinks?: boolean;
  concurrency?: number;
  retries?: number;
  retention?: Record<string, number | string>;
  schedule?: string | null;
  timezone?: string | null;
  catch_up?: boolean;
  hooks?: RawHooks;
}

export interface RawHooks {
  before?: string[];
  after?: string[];
  on_success?: string[];
  on_error?: string[];
  timeout?: string;
}

export interface RawJob extends RawJobOptions {
  type: 'mirror' | 'snapshot';
  source: string;
  destination: string;
}

/** A plain mapping (not a list, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
