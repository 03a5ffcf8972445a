/**
 * Where tracepack's CPU per request goes on hello, from variants of the same run (issue 16):
 *
 * - the unsampled path: (z) tracepack at ratio 0.0 minus (a) untraced: patches, propagation,
 *   the sampler's decision, the non-recording span and its context, for every request;
 * - span recording: (r) tracepack at 100% with an exporter that answers at once, minus (z):
 *   attributes, route, the span's end, the processor's queue;
 * - export: (c) minus (r): serialization, the request to the receiver, and what holding the
 *   spans until their batch goes costs the GC;
 * - GC: the main thread's GC pauses per request of each variant, above (a)'s, split the same way.
 *
 * Each figure is a difference of medians over rounds, so a layer can come out slightly negative
 * when it costs less than the noise between runs.
 */
import type { SummaryRow } from './report';

export interface CpuLayer {
  layer: 'unsampled path' | 'span recording' | 'export' | 'total added';
  /** How it is computed, in variant letters. */
  from: string;
  cpuUs: number;
  gcUs: number;
}

export interface CpuSplit {
  layers: CpuLayer[];
  /** (b) - (a): plain OpenTelemetry's added CPU per request, for the 1/3 target. */
  otelAddedUs: number | undefined;
  otelAddedGcUs: number | undefined;
}

export function cpuSplit(rows: readonly SummaryRow[]): CpuSplit | undefined {
  const hello = (v: SummaryRow['variant']): SummaryRow | undefined =>
    rows.find((r) => r.scenario === 'hello' && r.variant === v);
  const a = hello('untraced');
  const z = hello('tracepack-unsampled');
  const r = hello('tracepack-record');
  const c = hello('tracepack');
  if (!a || !z || !r || !c) return undefined;
  const layer = (name: CpuLayer['layer'], from: string, hi: SummaryRow, lo: SummaryRow): CpuLayer => ({
    layer: name,
    from,
    cpuUs: hi.cpuUsPerRequest - lo.cpuUsPerRequest,
    gcUs: hi.gcUsPerRequest - lo.gcUsPerRequest,
  });
  const b = hello('otel');
  return {
    layers: [
      layer('unsampled path', '(z) - (a)', z, a),
      layer('span recording', '(r) - (z)', r, z),
      layer('export', '(c) - (r)', c, r),
      layer('total added', '(c) - (a)', c, a),
    ],
    otelAddedUs: b ? b.cpuUsPerRequest - a.cpuUsPerRequest : undefined,
    otelAddedGcUs: b ? b.gcUsPerRequest - a.gcUsPerRequest : undefined,
  };
}

export function renderCpuSplit(split: CpuSplit): string[] {
  const out = [
    '',
    "CPU us/request that tracepack (c) adds on hello, by layer (differences of the variants' medians; GC = main-thread GC pauses, included in CPU):",
    '',
  ];
  const head = ['layer', 'from', 'CPU us/req', 'of which GC'];
  const body = split.layers.map((l) => [l.layer, l.from, signed(l.cpuUs), signed(l.gcUs)]);
  if (split.otelAddedUs !== undefined)
    body.push(['OpenTelemetry (b), added', '(b) - (a)', signed(split.otelAddedUs), signed(split.otelAddedGcUs!)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((x, i) => (i >= 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join(' | ')} |`;
  out.push(
    line(head),
    `|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  );
  return out;
}

function signed(n: number): string {
  return Number.isNaN(n) ? '-' : `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}
