import { execFileSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTask } from 'node-cron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs-tree.js';

let root: string;
let cleanup: () => Promise<void>;
let jobs: string;

const text = `version: 1
jobs:
  documents:
    type: mirror
    source: /data/documents
    destination: /backup/documents
    schedule: "30 2 * * *"
    timezone: Europe/Berlin
  Photos_2024:
    type: mirror
    source: /data/photos
    destination: /backup/photos
    schedule: "*/15 8-18 * * MON-FRI"
  by-hand:
    type: mirror
    source: /data/x
    destination: /backup/x
`;

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-export-'));
  jobs = join(root, 'my jobs.yaml');
  await writeFile(jobs, text);
});
afterEach(() => cleanup());

const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('megamirror schedule export', () => {
  it('systemd: a service and a Persistent timer per scheduled job, that systemd-analyze verify accepts', async () => {
    const out = join(root, 'units');
    const r = await runCli(['schedule', 'export', '--format', 'systemd', '-c', jobs, '-o', out]);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['megamirror-Photos_2024.service', 'megamirror-Photos_2024.timer', 'megamirror-documents.service', 'megamirror-documents.timer']);
    const timer = await readFile(join(out, 'megamirror-documents.timer'), 'utf8');
    expect(timer).toContain('OnCalendar=*-*-* 02:30:00 Europe/Berlin\n');
    expect(timer).toContain('Persistent=true\n');
    expect(await readFile(join(out, 'megamirror-Photos_2024.timer'), 'utf8')).toContain('OnCalendar=Mon..Fri *-*-* 08..18:00/15:00\n');
    const service = await readFile(join(out, 'megamirror-documents.service'), 'utf8');
    expect(service).toContain(`ExecStart=${process.execPath} ${CLI} run -c "${jobs}" documents\n`);
    expect(service).toContain('Type=oneshot\n');
    if (!hasSystemdAnalyze) return;
    const files = (await readdir(out)).map((f) => join(out, f));
    // verify prints problems on stderr and fails on a unit it cannot load.
    execFileSync('systemd-analyze', ['verify', '--man=no', ...files], { stdio: 'pipe', cwd: out });
  });

  it('systemd: printed to stdout with a header per file', async () => {
    const r = await runCli(['schedule', 'export', '--format', 'systemd', '-c', jobs]);
    expect(r.stdout.match(/^# ==> megamirror-[\w-]+\.(service|timer) <==$/gm)).toHaveLength(4);
  });

  it('cron: five fields and the command that runs the job, for each scheduled job', async () => {
    const r = await runCli(['schedule', 'export', '--format', 'cron', '-c', jobs, '--command', '/usr/local/bin/megamirror']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual([
      `*/15 8-18 * * 1-5 /usr/local/bin/megamirror run -c '${jobs}' Photos_2024`,
      'CRON_TZ=Europe/Berlin',
      `30 2 * * * /usr/local/bin/megamirror run -c '${jobs}' documents`,
    ]);
    for (const line of lines.filter((l) => !l.startsWith('CRON_TZ='))) {
      const words = line.split(' ');
      const fields = words.slice(0, 5).join(' ');
      expect(words.slice(5, 8)).toEqual(['/usr/local/bin/megamirror', 'run', '-c']);
      // The five fields fire exactly when the job's own schedule does.
      const job = words.at(-1)!;
      const original = job === 'documents' ? '30 2 * * *' : '*/15 8-18 * * MON-FRI';
      const [a, b] = [createTask(fields, () => {}), createTask(original, () => {})];
      expect(a.getNextRuns(20)).toEqual(b.getNextRuns(20));
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  it('cron: a schedule cron cannot express is refused with the reason, exit 2', async () => {
    await writeFile(jobs, text.replace('"30 2 * * *"', '"0 0 L * *"'));
    const r = await runCli(['schedule', 'export', '--format', 'cron', '-c', jobs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/jobs\.documents\.schedule: "0 0 L \* \*" cannot be written for cron: its day of month uses L or W/);
    expect(r.stdout).toBe('');
  });

  it('kubernetes: valid YAML: the job file in a ConfigMap and a Forbid CronJob per job, secrets from a Secret', async () => {
    const r = await runCli(['schedule', 'export', '--format', 'kubernetes', '-c', jobs, '--image', 'registry.example/megamirror:1']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout);
    for (const d of docs) expect(d.errors).toEqual([]);
    const [configMap, ...cronJobs] = docs.map((d) => d.toJS());
    expect(configMap).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'megamirror-jobs' }, data: { 'jobs.yaml': text } });
    expect(cronJobs.map((c) => [c.kind, c.apiVersion, c.metadata.name, c.spec.schedule, c.spec.timeZone])).toEqual([
      ['CronJob', 'batch/v1', 'megamirror-documents', '30 2 * * *', 'Europe/Berlin'],
      ['CronJob', 'batch/v1', 'megamirror-photos-2024', '*/15 8-18 * * 1-5', undefined],
    ]);
    for (const c of cronJobs) {
      expect(c.spec.concurrencyPolicy).toBe('Forbid');
      const pod = c.spec.jobTemplate.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      const [container] = pod.containers;
      expect(container.image).toBe('registry.example/megamirror:1');
      expect([...container.command, ...container.args]).toEqual(['megamirror', 'run', '-c', '/etc/megamirror/jobs.yaml', c.metadata.annotations['megamirror.dev/job']]);
      expect(container.envFrom).toEqual([{ secretRef: { name: 'megamirror-secrets' } }]);
      expect(container.volumeMounts).toContainEqual({ name: 'jobs', mountPath: '/etc/megamirror', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'jobs', configMap: { name: 'megamirror-jobs' } });
      expect(c.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});
