// Throughput of the MEGA crypto layer (encrypt + MAC) over data held in memory. Not a test.
//
//   npx tsc -p . && node bench/mega-crypto.mjs [MiB, default 256] [megajs MiB, default 32]
//
// Imports the compiled output in dist/. Prints MB/s (MiB per second) for our streams, the raw
// primitives without streams, the slicing choice in src/backends/mega/crypto/slicing.ts, and
// megajs 1.3.10's own encrypt stream (slow: per-block MAC, so it runs on less data by default).

import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const dist = new URL('../dist/backends/mega/crypto/index.js', import.meta.url);
const crypto = await import(dist.href).catch((err) => {
  console.error(`cannot import ${dist.pathname}: build first with \`npx tsc -p .\`\n${err.message}`);
  process.exit(1);
});
const { createEncryptStream, createDecryptStream, CtrCipher, FileMac, chunkBoundaries, randomFileSecrets } = crypto;

const MiB = 1024 * 1024;
const total = Number(process.argv[2] ?? 256) * MiB;
const megajsTotal = Number(process.argv[3] ?? 32) * MiB;
const data = randomBytes(total);
const secrets = randomFileSecrets();

const pieces = (buf, size) => Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size));
const sink = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

async function measure(name, bytes, fn, runs = 3) {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${name.padEnd(58)} ${(bytes / MiB / best).toFixed(0).padStart(6)} MB/s`);
}

console.log(`node ${process.version}, ${total / MiB} MiB in memory, best of 3`);
for (const size of [64 * 1024, MiB]) {
  await measure(`EncryptStream (CTR + MAC), ${size / 1024} KiB pieces`, total, () =>
    pipeline(Readable.from(pieces(data, size)), createEncryptStream(secrets), sink()),
  );
}
await measure('async generator instead of Transform, 1 MiB pieces', total, () => {
  const ctr = new CtrCipher(secrets.aesKey, secrets.nonce);
  const mac = new FileMac(secrets.aesKey, secrets.nonce);
  return pipeline(
    Readable.from(pieces(data, MiB)),
    async function* (source) {
      for await (const p of source) (mac.update(p), yield ctr.update(p));
      mac.digest();
    },
    sink(),
  );
});
const enc = createEncryptStream(secrets);
const cipherPieces = [];
await pipeline(Readable.from(pieces(data, MiB)), enc, new Writable({ write: (c, _e, cb) => (cipherPieces.push(c), cb()) }));
await measure('DecryptStream (CTR + MAC + verify), 1 MiB pieces', total, () =>
  pipeline(Readable.from(cipherPieces), createDecryptStream(enc.result.nodeKey, { where: 'bench' }), sink()),
);
await measure('raw loop, no stream: CtrCipher + FileMac, 1 MiB pieces', total, () => {
  const ctr = new CtrCipher(secrets.aesKey, secrets.nonce);
  const mac = new FileMac(secrets.aesKey, secrets.nonce);
  for (const p of pieces(data, MiB)) (mac.update(p), ctr.update(p));
  mac.digest();
});
await measure('FileMac only (16 KiB native slices)', total, () => {
  const mac = new FileMac(secrets.aesKey, secrets.nonce);
  mac.update(data);
  mac.digest();
});
await measure('chunk MACs with ONE cipher.update per chunk (rejected)', total, () => {
  const iv = Buffer.concat([secrets.nonce, secrets.nonce]);
  for (const [s, e] of chunkBoundaries(total)) {
    createCipheriv('aes-128-cbc', secrets.aesKey, iv).setAutoPadding(false).update(data.subarray(s, e));
  }
});

const megajs = await import('megajs').catch(() => null);
if (megajs) {
  const small = data.subarray(0, megajsTotal);
  await measure(`megajs encrypt stream (${megajsTotal / MiB} MiB), 64 KiB pieces`, small.length, () =>
    pipeline(Readable.from(pieces(small, 64 * 1024).map((p) => Buffer.from(p))), megajs.encrypt(Buffer.concat([secrets.aesKey, secrets.nonce])), sink()),
  1);
}
