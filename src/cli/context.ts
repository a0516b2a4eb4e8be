import { loadJobFile } from '../config/index.js';
import { didYouMean } from '../config/suggest.js';
import type { Job, JobFile } from '../config/types.js';
import { MegamirrorError } from '../errors.js';
import { backendFactory, type LinkOpener, type OpenBackend, type RemoteOpener } from '../engine/endpoints.js';

export interface ConfigOption {
  config?: string;
}

/** As given (messages show it so): `-c FILE`, else `$MEGAMIRROR_CONFIG`, else `jobs.yaml` in the current folder. */
export function configPath(o: ConfigOption, env: NodeJS.ProcessEnv = process.env): string {
  return o.config ?? env.MEGAMIRROR_CONFIG ?? 'jobs.yaml';
}

export async function loadConfig(o: ConfigOption): Promise<JobFile> {
  return loadJobFile(configPath(o));
}

/** The jobs named on the command line (all when none), in file order; unknown names are usage errors. */
export function selectJobs(file: JobFile, names: readonly string[]): Job[] {
  if (names.length === 0) return file.jobs;
  const known = file.jobs.map((j) => j.name);
  for (const n of names) {
    if (!known.includes(n)) {
      throw new MegamirrorError('usage', `no job named "${n}"${didYouMean(n, known)}`, {
        where: file.path,
        hint: `jobs in this file: ${known.join(', ') || '(none)'}`,
      });
    }
  }
  return file.jobs.filter((j) => names.includes(j.name));
}

export function openerFor(file: JobFile): OpenBackend {
  return backendFactory(file, { openRemote: lazyRemote(), openLink: lazyLink() });
}

/**
 * MEGA openers that load the MEGA backend (megajs and its streams, a fifth of the CLI bundle)
 * on first use: a job between local folders never pays for it. One opener per file, as before.
 */
function lazyRemote(): RemoteOpener {
  let opener: Promise<RemoteOpener> | undefined;
  return async (...args) => {
    opener ??= import('../backends/mega/open.js').then((m) => m.openMegaRemote());
    return (await opener)(...args);
  };
}

function lazyLink(): LinkOpener {
  let opener: Promise<LinkOpener> | undefined;
  return async (...args) => {
    opener ??= import('../backends/mega/public/open.js').then((m) => m.openPublicLink());
    return (await opener)(...args);
  };
}
