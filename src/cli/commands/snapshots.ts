import type { Command } from 'commander';
import { MegamirrorError } from '../../errors.js';
import { readCatalog } from '../../engine/snapshot/catalog.js';
import { formatBytes } from '../../report/format.js';
import { loadConfig, openerFor, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface Options extends ConfigOption {
  json?: boolean;
}

export function registerSnapshots(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('snapshots')
    .description("list a snapshot job's snapshots: id, time, complete or not, files, bytes")
    .argument('<job>', 'a snapshot job')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: Options) => {
      const file = await loadConfig(o);
      const [job] = selectJobs(file, [name]);
      if (job!.type !== 'snapshot') throw new MegamirrorError('usage', `job "${name}" is a ${job!.type} job, not a snapshot job`, { where: job!.location });
      const dest = await openerFor(file)(job!.destination, job!);
      try {
        const { snapshots } = await readCatalog(dest);
        const rows = snapshots.map((s) => ({
          id: s.id,
          time: s.time.toISOString(),
          complete: s.complete,
          files: s.header?.files ?? null,
          bytes: s.header?.bytes ?? null,
        }));
        if (o.json) io.out(JSON.stringify({ formatVersion: 1, job: name, snapshots: rows }, null, 2));
        else if (rows.length === 0) io.out(`${name}: no snapshots in ${dest.display}`);
        else {
          io.out('ID                   TIME                      STATE       FILES        SIZE');
          for (const r of rows) {
            const state = r.complete ? 'complete' : io.paint.yellow('incomplete');
            io.out(`${r.id}  ${r.time.padEnd(24)}  ${state.padEnd(10)}  ${String(r.files ?? '-').padStart(5)}  ${(r.bytes === null ? '-' : formatBytes(r.bytes)).padStart(10)}`);
          }
        }
      } finally {
        await dest.close();
      }
      setExit(EXIT.ok);
    });
}
