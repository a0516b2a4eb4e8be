/** The shared objects every HTTP handler works with. */
import type { FaultController } from './faults.js';
import type { EmulatorState } from './state.js';
import type { Stats } from './stats.js';
import type { Transfers } from './transfers.js';

export interface Env {
  state: EmulatorState;
  transfers: Transfers;
  stats: Stats;
  faults: FaultController;
  /** `http://127.0.0.1:PORT/` */
  baseUrl: string;
  /** Longest a `wsc` long-poll stays open. */
  scWaitMs: number;
  /** Cancels every open long-poll (on close). */
  waits: Set<() => void>;
  /** Unexpected handler errors go here (never passwords or keys: handlers do not log inputs). */
  log: (message: string) => void;
}
