/**
 * Kubernetes manifests: a ConfigMap `megamirror-jobs` holding the job file, and per scheduled job a
 * CronJob (`concurrencyPolicy: Forbid`, the schedule's zone as `timeZone`) running
 * `megamirror run -c /etc/megamirror/jobs.yaml JOB` with the environment (for `${VAR}` secrets) from
 * the Secret `megamirror-secrets`, and a state folder volume (an emptyDir: replace it with a
 * PersistentVolumeClaim to keep reports and `status` across runs). Local source and destination
 * folders must be mounted by you: they are specific to the cluster.
 */

import { stringify } from 'yaml';
import type { Job } from '../../config/types.js';
import { MegamirrorError } from '../../errors.js';
import { cronLine } from './cron-line.js';
import { refuseProblems, scheduledJobs, type ExportedFile, type ExportInput } from './types.js';

const CONFIG_DIR = '/etc/megamirror';
const STATE_DIR = '/var/lib/megamirror';
const LABELS = { 'app.kubernetes.io/name': 'megamirror', 'app.kubernetes.io/managed-by': 'megamirror-schedule-export' };

export function kubernetesManifests(input: ExportInput): ExportedFile[] {
  const problems = new Map<Job, string[]>();
  const docs: object[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'megamirror-jobs', labels: LABELS },
      data: { 'jobs.yaml': input.text },
    },
  ];
  const names = new Map<string, string>();
  for (const { job, spec } of scheduledJobs(input.file)) {
    const line = cronLine(spec);
    if (!line.ok) {
      problems.set(job, line.problems);
      continue;
    }
    const name = resourceName(job.name);
    const clash = names.get(name);
    if (clash) throw new MegamirrorError('config', `jobs "${clash}" and "${job.name}" would both be the CronJob ${name}; rename one`);
    names.set(name, job.name);
    docs.push(cronJob(job, name, line.fields, input));
  }
  refuseProblems('Kubernetes', problems);
  const header = [
    `# megamirror jobs of ${input.file.path} (megamirror schedule export --format kubernetes)`,
    '# Create the Secret megamirror-secrets with the variables the job file uses (${VAR}),',
    '# and mount the local folders the jobs read and write.',
  ].join('\n');
  return [{ name: 'megamirror.yaml', content: `${header}\n${docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n')}` }];
}

function cronJob(job: Job, name: string, schedule: string, input: ExportInput): object {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, labels: LABELS, annotations: { 'megamirror.dev/job': job.name } },
    spec: {
      schedule,
      ...(job.timezone ? { timeZone: job.timezone } : {}),
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels: LABELS },
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'megamirror',
                  image: input.image,
                  command: input.containerCommand,
                  args: ['run', '-c', `${CONFIG_DIR}/jobs.yaml`, job.name],
                  env: [{ name: 'XDG_STATE_HOME', value: STATE_DIR }],
                  envFrom: [{ secretRef: { name: 'megamirror-secrets' } }],
                  volumeMounts: [
                    { name: 'jobs', mountPath: CONFIG_DIR, readOnly: true },
                    { name: 'state', mountPath: STATE_DIR },
                  ],
                },
              ],
              volumes: [
                { name: 'jobs', configMap: { name: 'megamirror-jobs' } },
                { name: 'state', emptyDir: {} },
              ],
            },
          },
        },
      },
    },
  };
}

/** An RFC 1123 name of at most 52 characters (a CronJob's limit): `megamirror-` and the job. */
function resourceName(job: string): string {
  const body = job.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `megamirror-${body}`.slice(0, 52).replace(/-+$/, '');
}
