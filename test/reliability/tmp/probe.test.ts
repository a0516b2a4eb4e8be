import { join } from 'node:path';
import { afterEach, beforeEach, it, expect } from 'vitest';
import { megaCliEnv, type MegaCliEnv } from '../../cli/mega-env.js';
import { writeVersion } from '../harness.js';
let m: MegaCliEnv;
beforeEach(async () => { m = await megaCliEnv(); await m.writeJobs(`  up:\n    type: mirror\n    source: ./src\n    destination: mega:/F\n  down:\n    type: mirror\n    source: mega:/F\n    destination: ./back\n`); });
afterEach(() => m.cleanup());
for (const rule of [{ target: 'api', command: 'g', error: -3, times: 3 }, { target: 'api', command: 'g', drop: true, times: 3 }, { target: 'download', drop: true, times: 3 }, { target: 'download', http: 500, times: 3 }, { target: 'api', command: 'g', drop: true, times: 4 }]) {
  it(JSON.stringify(rule), async () => {
    await writeVersion(join(m.root, 'src'), { 'a.bin': Buffer.alloc(300000, 1) });
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    m.emu.faults.add(rule as never);
    const d = await m.cli(['run', 'down', '-v']);
    console.log(JSON.stringify(rule), d.code, d.stdout, d.stderr, m.emu.stats.commands.g, m.emu.stats.downloadRequests);
  });
}
