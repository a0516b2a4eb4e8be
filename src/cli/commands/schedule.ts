import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MegamirrorError } from '../../errors.js';
import { EXPORT_FORMATS, exportSchedule, type ExportFormat } from '../../scheduler/export/index.js';
import { VERSION } from '../../version.js';
import { loadConfig, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface ExportOptions extends ConfigOption {
  format?: string;
  outputDir?: string;
  command?: string;
  image: string;
}

export function registerSchedule(program: Command, io: Output, setExit: (c: number) => void): void {
  const schedule = program.command('schedule').description('schedules for other schedulers');
  schedule
    .command('export')
    .description('print the scheduled jobs as systemd units, crontab lines or Kubernetes CronJobs')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('-o, --output-dir <dir>', 'write the files there instead of printing them')
    .option('--command <path>', 'the megamirror executable on the target machine (default: this node and this megamirror; in a container: megamirror)')
    .option('--image <image>', 'the container image (kubernetes)', `megamirror:${VERSION}`)
    .action(async (o: ExportOptions) => {
      const format = exportFormat(o.format ?? '');
      const file = await loadConfig(o);
      const command = o.command ? [o.command] : [process.execPath, await realpath(process.argv[1] ?? '').catch(() => process.argv[1] ?? 'megamirror')];
      const containerCommand = [o.command ?? 'megamirror'];
      const files = exportSchedule(format, { file, text: await readFile(file.path, 'utf8'), command, containerCommand, image: o.image });
      if (!file.jobs.some((j) => j.schedule !== null)) io.err(`${io.errPaint.yellow('warning:')} no job in ${file.path} has a schedule`);
      if (o.outputDir) {
        const dir = resolve(o.outputDir);
        await mkdir(dir, { recursive: true });
        for (const f of files) {
          await writeFile(join(dir, f.name), f.content);
          io.out(join(dir, f.name));
        }
      } else if (files.length === 1) {
        io.out(files[0]!.content.trimEnd());
      } else {
        io.out(files.map((f) => `# ==> ${f.name} <==\n${f.content}`).join('\n').trimEnd());
      }
      setExit(EXIT.ok);
    });
}

function exportFormat(text: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x === text);
  if (!f) throw new MegamirrorError('usage', `--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${text}"`);
  return f;
}
