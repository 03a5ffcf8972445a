import type { Meter } from '@opentelemetry/api';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { METRIC } from './metric-names';

const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Share of each report period during which garbage collections are observed, and its cap. */
export const GC_WINDOW_SHARE = 0.1;
export const GC_WINDOW_MAX_MS = 10_000;

/**
 * Runtime stats as SDK instruments, read when a report is collected: heap used and RSS
 * (gauges), the event loop's p99 delay over the period (a gauge; the histogram starts over
 * after each report), and garbage collection as rates by kind: collections per second and
 * milliseconds of GC per second.
 *
 * GC is observed during a window at the end of each period only (GC_WINDOW_SHARE of it, at
 * most GC_WINDOW_MAX_MS): a GC observer turns every collection into an entry delivered to
 * JavaScript, which under load cost about as much per request as all the rest of usage
 * (bench/README.md). The rates of the window stand for the period. Nothing here runs per
 * request. Returns `start(periodMs)` (arms the first window) and `stop()`.
 */
export function observeRuntime(meter: Meter): { start(periodMs: number): void; stop(): void } {
  const gcCount = new Map<string, number>();
  const gcMs = new Map<string, number>();
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = GC_KINDS[entry.detail?.kind ?? -1] ?? 'other';
      gcCount.set(kind, (gcCount.get(kind) ?? 0) + 1);
      gcMs.set(kind, (gcMs.get(kind) ?? 0) + entry.duration);
    }
  });
  let windowStart: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let periodMs = 0;
  const armWindow = (): void => {
    if (periodMs === 0) return;
    const windowMs = Math.min(GC_WINDOW_MAX_MS, periodMs * GC_WINDOW_SHARE);
    clearTimeout(timer);
    timer = setTimeout(() => {
      gcCount.clear();
      gcMs.clear();
      windowStart = performance.now();
      gc.observe({ entryTypes: ['gc'] });
    }, periodMs - windowMs);
    timer.unref();
  };
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();

  meter
    .createObservableGauge(METRIC.heapUsed, { description: 'V8 heap in use when the report was made.', unit: 'By' })
    .addCallback((r) => r.observe(process.memoryUsage().heapUsed));
  meter
    .createObservableGauge(METRIC.rss, { description: 'Resident set size when the report was made.', unit: 'By' })
    .addCallback((r) => r.observe(process.memoryUsage.rss()));
  meter
    .createObservableGauge(METRIC.eventLoopDelayP99, {
      description: 'p99 of the event loop delay over the period.',
      unit: 'ms',
    })
    .addCallback((r) => {
      if (delay.count > 0) r.observe(delay.percentile(99) / 1e6);
      delay.reset();
    });
  const gcRate = meter.createObservableGauge(METRIC.gcRate, {
    description: 'Garbage collections per second, by kind, over the sampling window at the end of the period.',
    unit: '{collection}/s',
  });
  const gcTime = meter.createObservableGauge(METRIC.gcTime, {
    description:
      'Milliseconds of garbage collection per second, by kind, over the sampling window at the end of the period.',
    unit: 'ms/s',
  });
  // One batch callback: both rates come from the same window, which then closes and is armed again.
  meter.addBatchObservableCallback(
    (r) => {
      if (windowStart !== undefined) {
        gc.disconnect();
        const seconds = Math.max(0.001, (performance.now() - windowStart) / 1000);
        for (const [kind, n] of gcCount) r.observe(gcRate, n / seconds, { 'nodejs.gc.kind': kind });
        for (const [kind, ms] of gcMs) r.observe(gcTime, ms / seconds, { 'nodejs.gc.kind': kind });
        windowStart = undefined;
      }
      armWindow();
    },
    [gcRate, gcTime],
  );
  return {
    start(ms: number) {
      periodMs = ms;
      armWindow();
    },
    stop() {
      clearTimeout(timer);
      gc.disconnect();
      delay.disable();
    },
  };
}
