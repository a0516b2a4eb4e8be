import type { Command } from 'commander';
import type { Job } from '../../config/types.js';
import { childEndpoint, type OpenBackend } from '../../engine/endpoints.js';
import { readCatalog } from '../../engine/snapshot/catalog.js';
import { MANIFEST_NAME } from '../../core/snapshot/manifest.js';
import { verifyJob, type VerifyReport } from '../../engine/verify.js';
import { MegamirrorError } from '../../errors.js';
import { printable } from '../../report/format.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface Options extends ConfigOption {
  json?: boolean;
}

export function registerVerify(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('verify')
    .description('prove the destination equals the source without downloading: MEGA MACs, or content hashes for local folders')
    .argument('[jobs...]', 'job names (default: all); snapshot jobs verify their latest complete snapshot')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], o: Options) => {
      const file = await loadConfig(o);
      const open = openerFor(file);
      const reports: VerifyReport[] = [];
      for (const job of selectJobs(file, names)) reports.push(await verifyOne(job, open));
      if (o.json) io.out(JSON.stringify({ formatVersion: 1, jobs: reports }, null, 2));
      else for (const r of reports) io.out(render(r, io));
      setExit(reports.some((r) => r.problems.length > 0) ? EXIT.failed : EXIT.ok);
    });
}

async function verifyOne(job: Job, open: OpenBackend): Promise<VerifyReport> {
  let target = job.destination;
  if (job.type === 'snapshot') {
    const dest = await open(job.destination, job);
    try {
      const latest = (await readCatalog(dest)).snapshots.filter((s) => s.complete).at(-1);
      if (!latest) throw new MegamirrorError('usage', 'the job has no complete snapshot to verify', { where: `${job.name}: ${dest.display}` });
      target = childEndpoint(job.destination, latest.id);
    } finally {
      await dest.close();
    }
  }
  // A snapshot holds its manifest beside the files: leave it out of the comparison.
  const effective: Job = job.type === 'snapshot' ? { ...job, delete: true, exclude: [...job.exclude, MANIFEST_NAME] } : job;
  const source = await open(job.source, job);
  const destination = await open(target, job);
  try {
    const report = await verifyJob(effective, source, destination, { concurrency: job.concurrency });
    if (job.type === 'snapshot') report.problems = report.problems.filter((p) => p.path !== MANIFEST_NAME);
    return report;
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
}

function render(r: VerifyReport, io: Output): string {
  const ok = r.problems.length === 0;
  const lines = [
    `${ok ? io.paint.green(`${r.job}: verified`) : io.paint.red(`${r.job}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`)}` +
      ` (${r.proven.mac} by MAC, ${r.proven.sha256} by SHA-256) ${r.source} -> ${r.destination}`,
  ];
  for (const p of r.problems) lines.push(io.paint.red(`  ${p.problem}: ${printable(p.path)}${p.detail && p.detail !== p.problem ? ` (${printable(p.detail)})` : ''}`));
  return lines.join('\n');
}
