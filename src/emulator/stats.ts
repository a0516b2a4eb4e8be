/**
 * Counters for tests ("the second snapshot of an unchanged tree uploads zero bytes").
 * Live fields; `snapshot()` copies them, `reset()` zeroes them.
 */
export interface StatsSnapshot {
  /** Request bodies stored by the upload server (retries count again). */
  bytesUploaded: number;
  /** Bytes sent by the download server. */
  bytesDownloaded: number;
  /** Upload URLs handed out (`u` commands that succeeded). */
  uploadsStarted: number;
  /** Uploads that received every byte and returned a completion token. */
  uploads: number;
  uploadChunks: number;
  /** Download URLs handed out (`g` commands that succeeded). */
  downloads: number;
  downloadRequests: number;
  /** API requests (`cs` POSTs), whatever their batch size. */
  apiRequests: number;
  /** Commands by name (`a`), counted when received, faults included. */
  commands: Record<string, number>;
  scPolls: number;
  /** sc packets handed to clients (each session counts: two sessions, one change -> 2 or more). */
  scPacketsDelivered: number;
  faultsInjected: number;
}

export class Stats implements StatsSnapshot {
  bytesUploaded = 0;
  bytesDownloaded = 0;
  uploadsStarted = 0;
  uploads = 0;
  uploadChunks = 0;
  downloads = 0;
  downloadRequests = 0;
  apiRequests = 0;
  commands: Record<string, number> = {};
  scPolls = 0;
  scPacketsDelivered = 0;
  faultsInjected = 0;

  countCommand(name: string): void {
    this.commands[name] = (this.commands[name] ?? 0) + 1;
  }

  snapshot(): StatsSnapshot {
    return {
      bytesUploaded: this.bytesUploaded,
      bytesDownloaded: this.bytesDownloaded,
      uploadsStarted: this.uploadsStarted,
      uploads: this.uploads,
      uploadChunks: this.uploadChunks,
      downloads: this.downloads,
      downloadRequests: this.downloadRequests,
      apiRequests: this.apiRequests,
      commands: { ...this.commands },
      scPolls: this.scPolls,
      scPacketsDelivered: this.scPacketsDelivered,
      faultsInjected: this.faultsInjected,
    };
  }

  reset(): void {
    this.bytesUploaded = 0;
    this.bytesDownloaded = 0;
    this.uploadsStarted = 0;
    this.uploads = 0;
    this.uploadChunks = 0;
    this.downloads = 0;
    this.downloadRequests = 0;
    this.apiRequests = 0;
    this.commands = {};
    this.scPolls = 0;
    this.scPacketsDelivered = 0;
    this.faultsInjected = 0;
  }
}
