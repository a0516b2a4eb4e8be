#!/usr/bin/env node
// Stock megajs against the emulator, the baseline of the mega scenario: its own encryption and MAC
// on upload (`storage.upload`), its own decryption and MAC check on download (`file.download`).
// One direction per process, so GNU time measures each one's peak RSS alone.
//
//   node bench/mega-stock.mjs up   GATEWAY EMAIL FOLDER FILE      (password in $MEGA_PASSWORD)
//   node bench/mega-stock.mjs down GATEWAY EMAIL FOLDER NAME OUT
//
// Prints one JSON line { seconds }: the transfer alone, login and listing excluded (megamirror's
// times include its whole process, so the comparison favours megajs).

import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Storage } from 'megajs';

const [mode, gateway, email, folder, a, b] = process.argv.slice(2);
const storage = new Storage({ email, password: process.env.MEGA_PASSWORD, gateway, keepalive: false, autoload: true });
await storage.ready;
const find = (parent, name) => (parent.children ?? []).find((n) => n.name === name);

let seconds;
if (mode === 'up') {
  const dir = find(storage.root, folder) ?? (await storage.root.mkdir(folder));
  const { size } = await stat(a);
  const t0 = process.hrtime.bigint();
  const up = dir.upload({ name: basename(a), size }, createReadStream(a, { highWaterMark: 1024 * 1024 }));
  up.on('error', () => undefined);
  await up.complete;
  seconds = Number(process.hrtime.bigint() - t0) / 1e9;
} else if (mode === 'down') {
  const dir = find(storage.root, folder);
  const file = dir && find(dir, a);
  if (!file) throw new Error(`no ${folder}/${a} on the emulator`);
  const t0 = process.hrtime.bigint();
  await pipeline(file.download({}), createWriteStream(b));
  seconds = Number(process.hrtime.bigint() - t0) / 1e9;
} else {
  throw new Error(`mode: up or down, not ${mode}`);
}
console.log(JSON.stringify({ seconds }));
storage.api.close?.();
process.exit(0);
