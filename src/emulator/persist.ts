/**
 * State in a folder: `<dir>/state.json` (accounts, node trees, sessions, sc sequence numbers)
 * and `<dir>/blobs/<id>` (one file per stored ciphertext, see blobs.ts).
 *
 * Saves are coalesced (a short timer after a change) and forced by `flush()`, which close() and
 * the CLI's signal handlers call, so a restarted emulator sees every completed command. Writes
 * go to a temporary file renamed over the old one. Blob reference counts are rebuilt from the
 * nodes on load, and blob files no node refers to are deleted then. The sc packet log is not
 * kept: after a restart, clients resume from the current sn.
 */
import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorState } from './state.js';
import type { AccountRecord, NodeRecord, SessionRecord } from './types.js';

const FORMAT = 'megamirror-emulator-state';
/** Default wait between a change and its save. */
const SAVE_DELAY_MS = 20;

interface StateFile {
  format: typeof FORMAT;
  version: 1;
  accounts: Array<{ record: AccountRecord; sn: number; nodes: NodeRecord[] }>;
  sessions: SessionRecord[];
}

export class Persistence {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly state: EmulatorState,
    private readonly log: (message: string) => void = () => {},
    /** Each save writes the whole state: bulk loads (a bench tree) want it once, at close. */
    private readonly saveDelayMs: number = SAVE_DELAY_MS,
  ) {}

  static blobDir(dir: string): string {
    return join(dir, 'blobs');
  }

  /** Loads `state.json` if present (into an empty state) and removes unreferenced blobs. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = readFileSync(join(this.dir, 'state.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const file = JSON.parse(text) as StateFile;
    if (file.format !== FORMAT || file.version !== 1) throw new Error(`${this.dir}/state.json: unknown state format`);
    for (const entry of file.accounts) {
      const account = this.state.addAccount(entry.record, entry.sn);
      for (const node of entry.nodes) {
        account.tree.add(node);
        if (node.blob) this.state.retainBlob(node.blob, node.s ?? 0);
      }
    }
    for (const session of file.sessions) this.state.sessions.set(session.sid, session);
    for (const id of await this.state.blobs.ids()) {
      if (!this.state.blobRefs.has(id)) await this.state.blobs.delete(id);
    }
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.log(`emulator: saving state failed: ${(error as Error).message}`));
    }, this.saveDelayMs);
    this.timer.unref();
  }

  /** Writes pending changes now; resolves when they are on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.dirty || this.saving) {
      if (this.saving) {
        await this.saving;
        continue;
      }
      this.dirty = false;
      this.saving = this.write().finally(() => (this.saving = undefined));
    }
  }

  private async write(): Promise<void> {
    const file: StateFile = {
      format: FORMAT,
      version: 1,
      accounts: [...this.state.accounts.values()].map((a) => ({ record: a.record, sn: a.sc.sequence, nodes: a.tree.all() })),
      sessions: [...this.state.sessions.values()],
    };
    const target = join(this.dir, 'state.json');
    const temp = `${target}.${process.pid}.tmp`;
    await fsp.writeFile(temp, JSON.stringify(file));
    await fsp.rename(temp, target);
  }
}
