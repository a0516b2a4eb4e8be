// Top functions by self time in a V8 .cpuprofile (from `node --cpu-prof`), with dist/ positions
// mapped back to src/ through tsc's source maps, plus self time per file.
//
//   node bench/profile-summary.mjs FILE.cpuprofile [top=15]

import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const B64 = Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64[ch];
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** Source map v3 -> per generated line, sorted [column, sourceIndex, originalLine] triples. */
function parseMap(mapFile) {
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  const sources = map.sources.map((s) => resolve(dirname(mapFile), map.sourceRoot ?? '', s));
  const lines = [];
  let src = 0;
  let origLine = 0;
  for (const lineText of map.mappings.split(';')) {
    let col = 0;
    const segs = [];
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      col += v[0];
      if (v.length >= 4) {
        src += v[1];
        origLine += v[2];
        segs.push([col, src, origLine]);
      }
    }
    lines.push(segs);
  }
  return { sources, lines };
}

const maps = new Map();
/** file:///…/dist/x.js + 0-based line/column -> "src/x.ts:LINE", or null when there is no map. */
function original(path, line, column) {
  if (!maps.has(path)) maps.set(path, existsSync(`${path}.map`) ? parseMap(`${path}.map`) : null);
  const m = maps.get(path);
  const segs = m?.lines[line];
  if (!segs?.length) return null;
  let best = segs[0];
  for (const s of segs) if (s[0] <= column) best = s;
  return `${shorten(m.sources[best[1]])}:${best[2] + 1}`;
}

/** Paths relative to the checkout; the bench's private copy of the build reads like the original. */
function shorten(path) {
  return relative(process.cwd(), path).replace(/^.*\bmegamirror-build\//, '');
}

function where(frame) {
  const { url, lineNumber, columnNumber } = frame;
  if (!url) return '';
  if (url.startsWith('file://')) {
    const path = fileURLToPath(url);
    return original(path, lineNumber, columnNumber) ?? `${shorten(path)}:${lineNumber + 1}`;
  }
  return `${url}:${lineNumber + 1}`;
}

/** Self time per function (and per file) in milliseconds, largest first. */
export function summarize(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of selfUs) {
    const f = byId.get(id).callFrame;
    const name = f.functionName || (f.url ? '(anonymous)' : '(root)');
    const loc = where(f);
    const key = `${name}\u0000${loc}`;
    fns.set(key, { name, location: loc, selfMs: (fns.get(key)?.selfMs ?? 0) + us / 1000 });
    const file = loc ? loc.replace(/:\d+$/, '') : name;
    files.set(file, (files.get(file) ?? 0) + us / 1000);
  }
  const pct = (ms) => (total ? (100 * ms * 1000) / total : 0);
  const functions = [...fns.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map((r) => ({ ...r, percent: pct(r.selfMs) }));
  const byFile = [...files].map(([file, selfMs]) => ({ file, selfMs, percent: pct(selfMs) })).sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  return { totalMs: total / 1000, functions, byFile };
}

export function renderSummary(s) {
  const row = (ms, pct, label) => `${ms.toFixed(1).padStart(9)} ms ${pct.toFixed(1).padStart(5)}%  ${label}`;
  return [
    `sampled ${s.totalMs.toFixed(0)} ms; top ${s.functions.length} functions by self time:`,
    ...s.functions.map((f) => row(f.selfMs, f.percent, `${f.name}${f.location ? `  ${f.location}` : ''}`)),
    '',
    'self time by file:',
    ...s.byFile.map((f) => row(f.selfMs, f.percent, f.file)),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '15'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [top=15]');
    process.exit(2);
  }
  console.log(renderSummary(summarize(JSON.parse(readFileSync(file, 'utf8')), Number(top))));
}
