import type { ChildProcess } from 'node:child_process';
import { spawnCli, type CliOptions } from '../helpers/cli.js';

export interface LogEvent {
  time: string;
  event: string;
  job?: string;
  [key: string]: unknown;
}

/**
 * A real `megamirror daemon --log-format json` child: its log events as they come, a way to wait for
 * one, and its exit. `kill()` is for afterEach: it never leaves the child behind.
 */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly events: LogEvent[] = [];
  stderr = '';
  private partial = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], o: CliOptions = {}) {
    this.child = spawnCli(['daemon', '--log-format', 'json', ...args], o);
    this.child.stdout!.on('data', (d: Buffer) => {
      this.partial += d.toString();
      const lines = this.partial.split('\n');
      this.partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) this.events.push(JSON.parse(l) as LogEvent);
      for (const w of this.waiters) w();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  of(event: string, job?: string): LogEvent[] {
    return this.events.filter((e) => e.event === event && (job === undefined || e.job === job));
  }

  /** Resolves with the first event (from index `from`) matching, or rejects after `timeoutMs`. */
  waitFor(match: (e: LogEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<LogEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (!found) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms; got:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
