import { painter, type Painter } from '../report/format.js';

/** Where a command writes: stdout for results, stderr for diagnostics; colors only on a terminal. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  paint: Painter;
  errPaint: Painter;
}

export function consoleOutput(env: NodeJS.ProcessEnv = process.env): Output {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    paint: painter(!noColor && process.stdout.isTTY === true),
    errPaint: painter(!noColor && process.stderr.isTTY === true),
  };
}
