import type { Command } from 'commander';
import { configPath, loadConfig, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

export function registerValidate(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('validate')
    .description('check the job file and print every problem at once')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .action(async (o: ConfigOption) => {
      const file = await loadConfig(o);
      io.out(`${configPath(o)}: ok (${file.jobs.length} job${file.jobs.length === 1 ? '' : 's'}: ${file.jobs.map((j) => j.name).join(', ')})`);
      setExit(EXIT.ok);
    });
}
