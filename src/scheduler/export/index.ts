/** `megamirror schedule export`: the scheduled jobs for systemd, cron or Kubernetes. */
import { crontab } from './crontab.js';
import { kubernetesManifests } from './kubernetes.js';
import { systemdUnits } from './systemd.js';
import type { ExportedFile, ExportInput } from './types.js';

export type ExportFormat = 'systemd' | 'cron' | 'kubernetes';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['systemd', 'cron', 'kubernetes'];
export type { ExportInput, ExportedFile } from './types.js';

export function exportSchedule(format: ExportFormat, input: ExportInput): ExportedFile[] {
  switch (format) {
    case 'systemd':
      return systemdUnits(input);
    case 'cron':
      return crontab(input);
    case 'kubernetes':
      return kubernetesManifests(input);
  }
}
