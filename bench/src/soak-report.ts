/**
 * The soak's checks (PASS/FAIL), its table (one line per segment) and its RSS curve.
 *
 * - RSS bounded: the highest RSS sampled in the last third of the soak is at most the highest
 *   of the first third + {@link SOAK_RSS_SLACK_MB}; and RSS does not grow across the dead
 *   segments: their peaks do not rise at every step (with 3 dead segments or more).
 * - Every span received or counted: created == received + failed + dropped + droppedAtShutdown,
 *   exactly, with nothing pending (the service's counters after the last drain, the backend's
 *   count), and in every segment too; the bench's count of ended spans equals tracepack's.
 * - The service never answers slower with the backend dead than alive by more than the bench's
 *   p99 bound: the worst dead segment's p99 <= {@link P99_BOUND_FACTOR} x the median p99 of
 *   the alive segments.
 * - Every request answered: no socket error or timeout, no non-2xx response.
 */
import { median, P99_BOUND_FACTOR, type TargetResult } from './report';
import type { RssSample, SoakResult, SoakSegment, SoakSegmentSpans } from './soak';

/** RSS may end this much above the first third's peak: a V8 heap settling, not a leak. */
export const SOAK_RSS_SLACK_MB = 30;

export interface SoakSummary {
  checks: TargetResult[];
  aliveRpsMedian: number;
  deadRpsMedian: number;
  aliveP99Median: number;
  deadP99Max: number;
  rssFirstThirdMaxMB: number;
  rssLastThirdMaxMB: number;
  rssMinMB: number;
  rssMaxMB: number;
}

export function summarizeSoak(
  segments: readonly SoakSegment[],
  samples: readonly RssSample[],
  totals: SoakSegmentSpans,
): SoakSummary {
  const alive = segments.filter((s) => s.backend === 'alive');
  const dead = segments.filter((s) => s.backend === 'dead');
  const checks: TargetResult[] = [];

  // RSS: thirds of the soak's time line.
  const end = samples.length > 0 ? samples[samples.length - 1]!.tS : 0;
  const first = samples.filter((s) => s.tS <= end / 3).map((s) => s.rssMB);
  const last = samples.filter((s) => s.tS >= (2 * end) / 3).map((s) => s.rssMB);
  const firstMax = first.length > 0 ? Math.max(...first) : NaN;
  const lastMax = last.length > 0 ? Math.max(...last) : NaN;
  const thirdsMeasured = samples.length >= 3 && first.length > 0 && last.length > 0;
  checks.push({
    id: 'soak-rss-bounded',
    description: `RSS bounded: max of the last third <= max of the first third + ${SOAK_RSS_SLACK_MB} MB`,
    measured: thirdsMeasured
      ? `${lastMax.toFixed(1)} <= ${firstMax.toFixed(1)} + ${SOAK_RSS_SLACK_MB} MB (${signed(lastMax - firstMax)} MB)`
      : `${samples.length} RSS samples: too few`,
    pass: thirdsMeasured ? lastMax <= firstMax + SOAK_RSS_SLACK_MB : undefined,
  });

  const deadPeaks = dead.map((s) => s.rssMaxMB);
  const rises = deadPeaks.slice(1).filter((p, i) => p > deadPeaks[i]!).length;
  checks.push({
    id: 'soak-rss-dead-trend',
    description: 'RSS: no monotonic growth across dead segments (their peaks do not rise at every step)',
    measured:
      deadPeaks.length >= 3
        ? `peaks ${deadPeaks.map((p) => p.toFixed(0)).join(', ')} MB: ${rises} of ${deadPeaks.length - 1} steps up`
        : `${deadPeaks.length} dead segment(s): needs 3`,
    pass: deadPeaks.length >= 3 ? rises < deadPeaks.length - 1 : undefined,
  });

  // Every span: received, or in one of tracepack's loss counters; in total and per segment.
  const badSegments = segments.filter((s) => s.spans.unaccounted !== 0);
  const accounted =
    totals.unaccounted === 0 && totals.pending === 0 && totals.created === totals.ended && badSegments.length === 0;
  checks.push({
    id: 'soak-spans-accounted',
    description: 'every span received or counted: created == received + failed + dropped + droppedAtShutdown',
    measured:
      `${totals.created} == ${totals.received} + ${totals.failed} + ${totals.dropped} + ${totals.droppedAtShutdown}` +
      (totals.pending !== 0 ? `, ${totals.pending} still pending` : '') +
      (totals.unaccounted !== 0 ? `, ${totals.unaccounted} unaccounted` : '') +
      (totals.created !== totals.ended ? `, tracepack ended ${totals.ended}` : '') +
      (badSegments.length > 0
        ? `; segments ${badSegments.map((s) => `${s.index} (${signed(s.spans.unaccounted)})`).join(', ')}`
        : ''),
    pass: accounted,
  });

  const aliveP99 = median(alive.map((s) => s.load.p99Ms));
  const worstDead = dead.reduce<SoakSegment | undefined>(
    (w, s) => (w === undefined || s.load.p99Ms > w.load.p99Ms ? s : w),
    undefined,
  );
  checks.push({
    id: 'soak-p99',
    description: `backend dead: worst segment p99 <= ${P99_BOUND_FACTOR}x the median p99 of the alive segments`,
    measured:
      worstDead && alive.length > 0
        ? `${worstDead.load.p99Ms.toFixed(2)} ms (segment ${worstDead.index}) = ${(worstDead.load.p99Ms / aliveP99).toFixed(2)}x of ${aliveP99.toFixed(2)} ms`
        : 'needs an alive and a dead segment',
    pass: worstDead && alive.length > 0 ? worstDead.load.p99Ms <= P99_BOUND_FACTOR * aliveP99 : undefined,
  });

  const errors = segments.reduce((a, s) => a + s.load.errors, 0);
  const non2xx = segments.reduce((a, s) => a + s.load.non2xx, 0);
  checks.push({
    id: 'soak-answered',
    description: 'every request answered: no socket error or timeout, no non-2xx',
    measured: `${segments.reduce((a, s) => a + s.load.requests, 0)} requests, ${errors} socket errors, ${non2xx} non-2xx`,
    pass: errors === 0 && non2xx === 0,
  });

  const rss = samples.map((s) => s.rssMB);
  return {
    checks,
    aliveRpsMedian: median(alive.map((s) => s.load.rps)),
    deadRpsMedian: median(dead.map((s) => s.load.rps)),
    aliveP99Median: aliveP99,
    deadP99Max: worstDead?.load.p99Ms ?? NaN,
    rssFirstThirdMaxMB: firstMax,
    rssLastThirdMaxMB: lastMax,
    rssMinMB: rss.length > 0 ? Math.min(...rss) : NaN,
    rssMaxMB: rss.length > 0 ? Math.max(...rss) : NaN,
  };
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The RSS curve in one line: the soak's time cut into at most `width` equal slices of at least
 * `sampleS` each, one character per slice (the highest sample in it, scaled from the lowest
 * to the highest sample of the soak), and under it the backend's state at the slice's middle
 * (`█` alive, `·` dead).
 */
export function rssCurve(
  samples: readonly RssSample[],
  segments: readonly Pick<SoakSegment, 'index' | 'backend' | 'startS'>[],
  sampleS: number,
  width = 60,
): { curve: string; backend: string; sliceS: number; minMB: number; maxMB: number } {
  if (samples.length === 0) return { curve: '', backend: '', sliceS: 0, minMB: NaN, maxMB: NaN };
  const end = samples[samples.length - 1]!.tS;
  const sliceS = Math.max(sampleS, end / width);
  const count = Math.max(1, Math.ceil(end / sliceS - 1e-9));
  const minMB = Math.min(...samples.map((s) => s.rssMB));
  const maxMB = Math.max(...samples.map((s) => s.rssMB));
  let curve = '';
  let backend = '';
  let level = 0;
  for (let i = 0; i < count; i++) {
    const from = i * sliceS;
    const to = i === count - 1 ? Infinity : (i + 1) * sliceS;
    const inSlice = samples.filter((s) => s.tS >= from && s.tS < to).map((s) => s.rssMB);
    // A slice without a sample (a pause between segments) repeats the previous level.
    if (inSlice.length > 0)
      level =
        maxMB - minMB < 1e-9 ? 0 : Math.round(((Math.max(...inSlice) - minMB) / (maxMB - minMB)) * (BARS.length - 1));
    curve += BARS[level];
    const mid = from + sliceS / 2;
    const seg = [...segments].reverse().find((s) => s.startS <= mid);
    backend += seg?.backend === 'dead' ? '·' : '█';
  }
  return { curve, backend, sliceS, minMB, maxMB };
}

/** The table (one line per segment, then the totals), the RSS curve and the checks. */
export function renderSoakReport(result: SoakResult, header: string): string {
  const head = [
    'seg',
    'backend',
    't s',
    'req/s',
    'p99 ms',
    'CPU us/req',
    'RSS max/end MB',
    'heap MB',
    'created',
    'received',
    'failed',
    'dropped',
    'unaccounted',
    'load',
  ];
  const rows = result.segments.map((s) => [
    String(s.index),
    s.backend === 'dead'
      ? 'dead (killed)'
      : s.backendUpAfterS !== undefined
        ? `alive, up +${s.backendUpAfterS.toFixed(1)} s`
        : 'alive',
    s.startS.toFixed(0),
    s.load.rps.toFixed(0),
    s.load.p99Ms.toFixed(2),
    s.cpuUsPerRequest.toFixed(1),
    `${s.rssMaxMB.toFixed(0)} / ${s.rssEndMB.toFixed(0)}`,
    s.heapEndMB.toFixed(1),
    String(s.spans.created),
    String(s.spans.received),
    String(s.spans.failed),
    String(s.spans.dropped),
    String(s.spans.unaccounted),
    s.loadAvg1.toFixed(2),
  ]);
  const t = result.totals;
  const w = result.warmup;
  rows.push([
    'warm-up',
    '',
    '',
    '',
    '',
    '',
    `- / ${w.rssMB.toFixed(0)}`,
    '',
    String(w.spans.created),
    String(w.spans.received),
    String(w.spans.failed),
    String(w.spans.dropped),
    String(w.spans.unaccounted),
    '',
  ]);
  if (result.end) {
    const e = result.end.spans;
    rows.push([
      'end',
      `no load, up +${result.end.backendUpAfterS.toFixed(1)} s`,
      '',
      '',
      '',
      '',
      `- / ${result.end.rssMB.toFixed(0)}`,
      '',
      String(e.created),
      String(e.received),
      String(e.failed),
      String(e.dropped),
      String(e.unaccounted),
      '',
    ]);
  }
  rows.push([
    'total',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    String(t.created),
    String(t.received),
    String(t.failed),
    String(t.dropped),
    String(t.unaccounted),
    '',
  ]);
  const numeric = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (numeric.has(i) && i !== 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const out = [
    header,
    '',
    line(head),
    `|${widths.map((wd, i) => (numeric.has(i) && i !== 0 ? `${'-'.repeat(wd + 1)}:` : '-'.repeat(wd + 2))).join('|')}|`,
    ...rows.map(line),
    '',
  ];

  const s = result.summary;
  out.push(
    `req/s: alive median ${s.aliveRpsMedian.toFixed(0)}, dead median ${s.deadRpsMedian.toFixed(0)}; p99: alive median ${s.aliveP99Median.toFixed(2)} ms, dead worst ${s.deadP99Max.toFixed(2)} ms`,
    `spans at the end: ${t.created} created = ${t.received} received + ${t.failed} failed + ${t.dropped} dropped + ${t.droppedAtShutdown} dropped at shutdown` +
      ` (+ ${t.pending} pending); tracepack's own count of ended spans ${t.ended}`,
  );
  const c = rssCurve(result.rssSamples, result.segments, result.options.rssSampleS);
  if (c.curve !== '') {
    out.push(
      '',
      `RSS, sampled every ${result.options.rssSampleS} s (${result.rssSamples.length} samples); one character = ${c.sliceS.toFixed(1)} s (its highest sample), ${c.minMB.toFixed(0)} MB (▁) to ${c.maxMB.toFixed(0)} MB (█):`,
      `  RSS      ${c.curve}`,
      `  backend  ${c.backend}   (█ alive, · dead)`,
      `RSS at each segment's end, MB: ${result.segments.map((x) => x.rssEndMB.toFixed(0)).join(' ')}`,
    );
  }
  out.push('', 'Checks:');
  const width = Math.max(...s.checks.map((x) => x.description.length));
  for (const x of s.checks)
    out.push(
      `  ${x.pass === undefined ? ' n/a' : x.pass ? 'PASS' : 'FAIL'}  ${x.description.padEnd(width)}  ${x.measured}`,
    );
  return out.join('\n');
}

function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${Number.isInteger(n) ? n : n.toFixed(1)}`;
}
