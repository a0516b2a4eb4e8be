/**
 * The normalized job file: what `config/normalize` produces and everything else reads.
 * Defaults are resolved here once; later layers never re-apply them.
 */

export interface JobFile {
  /** Absolute path of the file the jobs came from. */
  path: string;
  version: 1;
  remotes: Record<string, RemoteConfig>;
  jobs: Job[];
  settings: GlobalSettings;
}

export interface GlobalSettings {
  /** Folder for locks, session cache, reports. Absolute. */
  stateDir: string;
  /** The daemon's limit on jobs running at once (default 1). */
  maxParallelJobs: number;
  /** Reports kept per job in the state folder (default 20). */
  keepReports: number;
}

export interface MegaRemoteConfig {
  type: 'mega';
  name: string;
  email: string;
  /** Exactly one of password and passwordCommand is set. Never logged. */
  password?: string;
  passwordCommand?: string;
  /** API gateway URL (the emulator); default the real service. */
  gateway?: string;
  /** Deletions and replaced versions are removed for good instead of going to the Rubbish Bin. */
  permanentDelete: boolean;
}

export type RemoteConfig = MegaRemoteConfig;

/**
 * An endpoint as written (`/abs/path`, `mega:/Backups/x`, a MEGA folder link) after expansion and
 * resolution. A `link` is read-only (a source only); its `url` holds the key: show it only through
 * `redactLink` (config/mega-link.ts).
 */
export type Endpoint =
  | { type: 'local'; path: string }
  | { type: 'remote'; remote: string; path: string }
  | { type: 'link'; url: string };

export interface SafetyOptions {
  /** Refuse plans that delete more files than this; null for no limit. Default 1000. */
  maxDelete: number | null;
  /** Refuse plans that delete more than this percentage of the destination's files. Default 50. */
  maxDeletePercent: number | null;
}

export interface HookSet {
  before: string[];
  after: string[];
  onSuccess: string[];
  onError: string[];
  timeoutMs: number;
}

export interface RetentionPolicy {
  keep_last?: number;
  keep_hourly?: number;
  keep_daily?: number;
  keep_weekly?: number;
  keep_monthly?: number;
  keep_yearly?: number;
  keep_within?: string;
  keep_within_hourly?: string;
  keep_within_daily?: string;
  keep_within_weekly?: string;
  keep_within_monthly?: string;
  keep_within_yearly?: string;
}

export interface Job {
  name: string;
  type: 'mirror' | 'snapshot';
  source: Endpoint;
  destination: Endpoint;
  /** Globs relative to the source root; default ['**']. */
  include: string[];
  exclude: string[];
  /** Mirror: delete what is not (or no longer) selected in the source. Default true. */
  delete: boolean;
  mtimeToleranceMs: number;
  compare: 'size-mtime' | 'size';
  safety: SafetyOptions;
  followSymlinks: boolean;
  concurrency: number;
  retries: number;
  retention: RetentionPolicy | null;
  schedule: string | null;
  /** IANA zone; null for the machine's zone. */
  timezone: string | null;
  catchUp: boolean;
  hooks: HookSet;
  /** Where in the file the job was defined, for messages: `FILE:LINE:COL`. */
  location: string;
}
