/**
 * A MEGA service emulator on loopback, faithful enough that the unmodified megajs client behaves
 * as against mega.nz: login (v1, v2, 2FA), the node tree (f/p/a/m/d, copies, `ov` versions), the
 * sc channel with packets to every session, uploads and downloads of ciphertext, quotas, sessions
 * that end (sml, expiry), fault injection, and optional persistence in a folder.
 *
 *   const emu = await startEmulator({ accounts: [{ email, password }] });
 *   const storage = new Storage({ email, password, gateway: emu.gateway });
 *   ...
 *   await emu.close();
 *
 * HTTP control for other processes: see control.ts. Command line: cli.ts.
 */
import { buildAccountRecord, masterKeyFromPassword, normalizeEmail, type AccountSpec, type CreatedAccount } from './accounts.js';
import { MemoryBlobStore, type BlobStore } from './blobs.js';
import { DiskBlobStore } from './blobs-disk.js';
import type { ControlTarget } from './control.js';
import type { Env } from './env.js';
import { FaultController } from './faults.js';
import { insertNode, type InsertNodeSpec } from './inject.js';
import { exportLink, type ExportSpec, type ExportedLink } from './links.js';
import { Persistence } from './persist.js';
import { startServer } from './server.js';
import { EmulatorState, type Account } from './state.js';
import { Stats } from './stats.js';
import { Transfers } from './transfers.js';
import type { AccountSettings, WireNode } from './types.js';

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Loopback address to listen on (default 127.0.0.1; other addresses are refused). */
  host?: string;
  /** Keep state in this folder (created if missing) instead of memory only. */
  stateDir?: string;
  /**
   * With stateDir: how long after a change the state is saved, ms (default 20). Every save
   * writes the whole state, so loading a large tree node by node wants a long delay (close()
   * always saves).
   */
  saveDelayMs?: number;
  /**
   * Without stateDir, where file bytes live: 'scratch' (default; a temporary folder removed on
   * close: the page cache is much cheaper than fresh process memory) or 'memory'.
   */
  blobs?: 'scratch' | 'memory';
  /** Accounts to create when missing. */
  accounts?: AccountSpec[];
  /** Longest an sc long-poll stays open, ms (default 20000). */
  scWaitMs?: number;
  /** Seed of the fault RNG (default 1). */
  seed?: number;
  /** RSA modulus size for new accounts (default 2048, as MEGA). */
  rsaBits?: number;
  /** Where unexpected internal errors go (default stderr). */
  log?: (message: string) => void;
}

export interface AccountView {
  email: string;
  userHandle: string;
  version: 1 | 2;
  roots: { drive: string; inbox: string; rubbish: string };
  settings: AccountSettings;
  transferUsed: number;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** The megajs `gateway` option (same as url: API, sc, storage and control share the server). */
  readonly gateway: string;
  readonly port: number;
  readonly faults: FaultController;
  /** Live counters; `stats.snapshot()` copies, `stats.reset()` zeroes. */
  readonly stats: Stats;
  /** Creates an account (throws if the email exists). The master key is returned, never stored. */
  createAccount(spec: AccountSpec): Promise<CreatedAccount>;
  /** Creates the account if missing; the master key is derived from the password if it exists. */
  ensureAccount(spec: AccountSpec): Promise<CreatedAccount & { created: boolean }>;
  account(email: string): AccountView | undefined;
  setAccountSettings(email: string, settings: Partial<AccountSettings>): AccountSettings;
  /** Unwraps an account's master key with its password (throws if wrong). */
  masterKey(email: string, password: string): Promise<Buffer>;
  /** Ends sessions (later requests with them get -15); returns how many. */
  expireSessions(target: { email?: string; sid?: string }): number;
  /** Test hook: put a node straight into the tree (see inject.ts). Returns its handle. */
  insertNode(email: string, spec: InsertNodeSpec): Promise<string>;
  /** What `f` would list for the account. */
  listNodes(email: string): { f: WireNode[]; f2: WireNode[] };
  /**
   * Test hook: export a file or folder as a public link, doing what a client does for it (see
   * links.ts), and return `https://mega.nz/file|folder/PH#KEY`. Run it again after adding nodes to
   * an exported folder (the URL stays the same).
   */
  exportLink(email: string, spec: ExportSpec): ExportedLink;
  /** Writes state to the state folder now (no-op in memory). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const blobs: BlobStore = options.stateDir
    ? await DiskBlobStore.open(Persistence.blobDir(options.stateDir))
    : options.blobs === 'memory'
      ? new MemoryBlobStore()
      : await DiskBlobStore.scratch();
  const log = options.log ?? ((message: string) => process.stderr.write(message + '\n'));
  const state = new EmulatorState(blobs);
  const persistence = options.stateDir ? new Persistence(options.stateDir, state, log, options.saveDelayMs) : undefined;
  if (persistence) {
    await persistence.load();
    state.onChange = () => persistence.schedule();
  }
  const env: Env = {
    state,
    transfers: new Transfers(blobs),
    stats: new Stats(),
    faults: new FaultController(options.seed ?? 1),
    baseUrl: '',
    scWaitMs: options.scWaitMs ?? 20_000,
    waits: new Set(),
    log,
  };
  const rsaBits = options.rsaBits ?? 2048;

  const need = (email: string): Account => {
    const account = state.account(email);
    if (!account) throw new Error(`no account ${normalizeEmail(email)}`);
    return account;
  };

  const createAccount = async (spec: AccountSpec): Promise<CreatedAccount> => {
    if (state.account(spec.email)) throw new Error(`account ${normalizeEmail(spec.email)} exists`);
    const roots = { drive: '', inbox: '', rubbish: '' };
    const { record, masterKey } = await buildAccountRecord(spec, roots, rsaBits);
    if (state.account(record.email)) throw new Error(`account ${record.email} exists`);
    const account = state.addAccount(record);
    const ts = record.createdAt;
    for (const [name, t] of [['drive', 2], ['inbox', 3], ['rubbish', 4]] as const) {
      roots[name] = account.tree.newHandle();
      account.tree.add({ h: roots[name], p: '', t, a: '', k: '', ts });
    }
    state.changed();
    return { email: record.email, userHandle: record.handle, masterKey };
  };

  const ensureAccount = async (spec: AccountSpec): Promise<CreatedAccount & { created: boolean }> => {
    const existing = state.account(spec.email);
    if (!existing) return { ...(await createAccount(spec)), created: true };
    const masterKey = await masterKeyFromPassword(existing.record, spec.password);
    return { email: existing.record.email, userHandle: existing.record.handle, masterKey, created: false };
  };

  const setAccountSettings = (email: string, settings: Partial<AccountSettings>): AccountSettings => {
    const { record } = need(email);
    record.settings = { ...record.settings, ...settings };
    state.changed();
    return { ...record.settings };
  };

  const control: ControlTarget = {
    env,
    ensureAccount,
    setAccountSettings,
    insertNode: (email, spec) => insertNode(state, need(email), spec),
    listNodes: (email) => need(email).tree.listing(),
    exportLink: async (email, spec) => {
      const { password, ...rest } = spec;
      return exportLink(state, need(email), { ...rest, masterKey: await masterKeyFromPassword(need(email).record, password) });
    },
  };
  const server = await startServer(env, control, options.host ?? '127.0.0.1', options.port ?? 0);
  const hostPart = (options.host ?? '127.0.0.1') === '::1' ? '[::1]' : '127.0.0.1';
  env.baseUrl = `http://${hostPart}:${server.port}/`;

  try {
    for (const spec of options.accounts ?? []) await ensureAccount(spec);
  } catch (error) {
    await server.close();
    await blobs.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: env.baseUrl,
    gateway: env.baseUrl,
    port: server.port,
    faults: env.faults,
    stats: env.stats,
    createAccount,
    ensureAccount,
    account(email) {
      const found = state.account(email);
      if (!found) return undefined;
      const { record } = found;
      return {
        email: record.email,
        userHandle: record.handle,
        version: record.version,
        roots: { ...record.roots },
        settings: { ...record.settings },
        transferUsed: record.transferUsed,
      };
    },
    setAccountSettings,
    masterKey: (email, password) => masterKeyFromPassword(need(email).record, password),
    expireSessions: (target) => state.expireSessions(target),
    insertNode: control.insertNode,
    listNodes: (email) => need(email).tree.listing(),
    exportLink: (email, spec) => exportLink(state, need(email), spec),
    flush: async () => persistence?.flush(),
    close() {
      closing ??= (async () => {
        await server.close();
        await env.transfers.abortAll();
        await persistence?.flush();
        await blobs.close();
      })();
      return closing;
    },
  };
}

export type { AccountSpec, CreatedAccount } from './accounts.js';
export type { FaultRule, FaultTarget, ActiveFault } from './faults.js';
export type { InsertNodeSpec } from './inject.js';
export type { ExportSpec, ExportedLink } from './links.js';
export type { StatsSnapshot } from './stats.js';
export type { AccountSettings, WireNode, NodeType } from './types.js';
export { FaultController } from './faults.js';
export { Stats } from './stats.js';
export * as nodeCrypto from './nodecrypto.js';
