// The end-of-run table, the verdicts against the issue's targets, and results.json.

import { writeFile } from 'node:fs/promises';

const fmtS = (x) => (x == null ? '-' : x < 10 ? x.toFixed(3) : x.toFixed(2));
const fmtMiB = (kib) => (kib == null ? '-' : (kib / 1024).toFixed(0));

/** megamirror's median time divided by the tool's: above 1, megamirror is slower. */
export function ratioVsMegamirror(scenario, row) {
  const mm = scenario.tools.find((t) => t.tool === 'megamirror');
  if (!mm?.stats || !row.stats) return null;
  return mm.stats.median / row.stats.median;
}

/** megamirror's fastest run divided by the tool's fastest run. */
export function bestRatio(scenario, row) {
  const mm = scenario.tools.find((t) => t.tool === 'megamirror');
  if (!mm?.stats || !row.stats) return null;
  return mm.stats.min / row.stats.min;
}

/**
 * The median of megamirror's time over the tool's, round by round (run i of each tool ran back to
 * back, see measureTools): a slow spell of the machine that takes a whole round hits both sides
 * of that round's ratio. Shown beside the verdict, which stays on the ratio of medians.
 */
export function roundRatio(scenario, row) {
  const mm = scenario.tools.find((t) => t.tool === 'megamirror');
  const n = Math.min(mm?.runs?.length ?? 0, row.runs?.length ?? 0);
  if (!mm?.stats || !row.stats || n === 0) return null;
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(mm.runs[i].seconds / row.runs[i].seconds);
  ratios.sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  return n % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

export function renderTable(scenarios) {
  const head = ['scenario', 'tool', 'median s', 'min s', 'max s', 'runs', 'mm time ÷ tool time', 'CPU s (median)', 'peak RSS MiB', 'status / notes'];
  const rows = [];
  for (const sc of scenarios) {
    for (const t of sc.tools) {
      const r = ratioVsMegamirror(sc, t);
      rows.push([
        sc.name,
        t.tool,
        fmtS(t.stats?.median),
        fmtS(t.stats?.min),
        fmtS(t.stats?.max),
        String(t.stats?.n ?? 0),
        t.tool === 'megamirror' || r == null ? '-' : `${r.toFixed(2)}x`,
        fmtS(t.cpuStats?.median),
        fmtMiB(t.peakRssKiB),
        t.status === 'ok' ? (t.note ?? 'ok') : `FAILED: ${t.failure}`,
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i >= 2 && i <= 8 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i >= 2 && i <= 8 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), sep, ...rows.map(line)].join('\n');
}

/** One line per target of the issue: met, acceptable for now, or missed. */
export function verdicts(scenarios) {
  const out = [];
  const by = (name) => scenarios.find((s) => s.name === name);
  const check = (sc, peer, { goal, acceptable }) => {
    const t = sc?.tools.find((x) => x.tool === peer);
    if (!t) return;
    const r = ratioVsMegamirror(sc, t);
    if (r == null) {
      out.push(`${sc.name} vs ${peer}: not measured (${t.status === 'ok' ? 'no data' : 'a tool FAILED'})`);
      return;
    }
    const state = r < goal ? 'MET' : acceptable != null && r <= acceptable ? 'ACCEPTABLE FOR NOW' : 'MISSED';
    const limit = acceptable != null ? `target < ${goal}x, acceptable <= ${acceptable}x` : `target < ${goal}x`;
    // The verdict is on medians; the fastest runs' ratio is shown beside it because this kind of
    // machine has a slow mode that takes every tool about 1 s longer in some runs, and which tool
    // draws more of those runs decides a median of five.
    const best = bestRatio(sc, t);
    const round = roundRatio(sc, t);
    const beside = [best == null ? null : `fastest runs: ${best.toFixed(2)}x`, round == null ? null : `round by round: ${round.toFixed(2)}x`].filter(Boolean).join('; ');
    out.push(`${sc.name}: megamirror takes ${r.toFixed(2)}x the time of ${peer} (${limit}): ${state}${beside ? ` (${beside})` : ''}`);
  };
  const plan = by('plan');
  check(plan, 'rsync', { goal: 1, acceptable: 1.5 });
  check(plan, 'rclone', { goal: 1 });
  const copy = by('copy');
  check(copy, 'rsync', { goal: 1 });
  check(copy, 'rclone', { goal: 1 });
  const copyRam = by('copy-ram');
  check(copyRam, 'rsync', { goal: 1 });
  check(copyRam, 'rclone', { goal: 1 });
  const big = by('bigfile');
  const cp = big?.tools.find((x) => x.tool === 'cp');
  if (cp) {
    const r = ratioVsMegamirror(big, cp);
    out.push(r == null
      ? 'bigfile vs cp: not measured'
      : `bigfile: megamirror throughput is ${(1 / r).toFixed(2)}x cp's (target >= 0.9x): ${1 / r >= 0.9 ? 'MET' : 'MISSED'}`);
  }
  const mib = (kib) => (kib / 1024).toFixed(0);
  const planMm = plan?.tools.find((x) => x.tool === 'megamirror');
  if (planMm?.peakRssKiB) {
    const mb = (planMm.peakRssKiB * 1024) / 1e6;
    out.push(`plan memory: megamirror peak RSS ${mib(planMm.peakRssKiB)} MiB = ${mb.toFixed(0)} MB (target < 150 MB): ${mb < 150 ? 'MET' : 'MISSED'}`);
  }
  const megaplan = by('megaplan');
  const local = megaplan?.tools.find((x) => x.tool === 'megamirror local');
  if (local) {
    const r = ratioVsMegamirror(megaplan, local);
    out.push(r == null
      ? 'megaplan: not measured'
      : `megaplan: planning against MEGA takes ${r.toFixed(2)}x the local plan (target < 3x): ${r < 3 ? 'MET' : 'MISSED'}`);
  }
  const scale = scenarios.filter((s) => s.name.startsWith('scale-') && s.tools[0]?.stats).sort((a, b) => a.files - b.files);
  for (let i = 1; i < scale.length; i++) {
    const [a, b] = [scale[i - 1], scale[i]];
    const [ta, tb] = [a.tools[0], b.tools[0]];
    const n = b.files / a.files;
    const time = tb.stats.median / ta.stats.median;
    const rss = tb.peakRssKiB / ta.peakRssKiB;
    // Linear: per-file cost no higher at the larger size (a 25% margin for noise and fixed costs
    // amortized unevenly).
    const linear = time <= n * 1.25 && rss <= n * 1.25;
    out.push(`scale ${a.files} -> ${b.files} files (${n}x): time ${time.toFixed(1)}x, peak RSS ${rss.toFixed(1)}x (${mib(ta.peakRssKiB)} -> ${mib(tb.peakRssKiB)} MiB): ${linear ? 'no faster than linear (MET)' : 'faster than linear (MISSED)'}`);
  }
  return out;
}

export async function writeResults(file, results) {
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}
