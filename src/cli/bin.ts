#!/usr/bin/env node
/**
 * The CLI bundle's entry (scripts/bundle.mjs). A command that walks local folders gets its walker
 * thread booting before anything else loads: a worker takes 100-120 ms from start to its first
 * readdir, and started from the command itself it lay on the critical path of every local scan
 * (measured on an unchanged 100,000-file plan). Everything else loads after, in main.ts.
 */
import { prewarmWalker } from '../backends/local/walk-thread.js';
import { holdYoungGeneration } from '../heap.js';

holdYoungGeneration();

const SCANNING = new Set(['plan', 'run', 'verify', 'sync', 'adopt']);
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (command !== undefined && SCANNING.has(command)) prewarmWalker();
await import('./main.js');
