/**
 * Runs every scenario x variant in turn, for several rounds, on this machine: each variant's
 * server in its own process, the load generator and the receiver (Jaeger or the bench's own
 * OTLP receiver) in theirs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pickLoadTool, runLoad, type LoadRequest, type LoadResult } from './load';
import type { BenchOptions, LoadTool, ScenarioName } from './options';
import { ServerProcess } from './processes';
import { resolveReceiver, settledCount, startReceiver, type BenchReceiver, type ReceiverKind } from './receivers';
import type { ServerEnv, SpanCounts } from './protocol';
import { summarize, type BenchSummary } from './report';
import { CLIENT_SECRET } from './servers/routes';

export type VariantName =
  | 'untraced'
  | 'otel'
  | 'tracepack'
  | 'tracepack-sampled'
  | 'tracepack-unsampled'
  | 'tracepack-record'
  | 'tracepack-thread'
  | 'tracepack-dead'
  | 'floor-context'
  | 'floor-sdk'
  | 'usage-off'
  | 'usage-on';

export interface VariantSpec {
  name: VariantName;
  /** Short label of the table. */
  label: string;
  script: string;
  traced: boolean;
  samplingRatio?: number;
  /** The receiver is stopped before the server starts: every export is refused. */
  deadBackend?: boolean;
  /** The floor variants (`--floor`): what the context API or the SDK alone cost. */
  floor?: 'context' | 'sdk';
  /** The usage variants (`--usage`): @tracepack/usage opted out, or on, tracing off. */
  usage?: 'off' | 'on';
  /** (r): spans recorded and queued, handed to an exporter that answers at once; no receiver. */
  noExport?: boolean;
  /** (t): tracepack's export thread (TRACEPACK_EXPORT_THREAD=1). */
  exportThread?: boolean;
}

export const VARIANTS: Record<VariantName, VariantSpec> = {
  untraced: { name: 'untraced', label: '(a) untraced', script: 'untraced.js', traced: false },
  otel: { name: 'otel', label: '(b) OpenTelemetry', script: 'otel.js', traced: true },
  tracepack: { name: 'tracepack', label: '(c) tracepack', script: 'tracepack.js', traced: true },
  'tracepack-sampled': {
    name: 'tracepack-sampled',
    label: '(d) tracepack 0.01',
    script: 'tracepack.js',
    traced: true,
    samplingRatio: 0.01,
  },
  // The split of (c)'s CPU (report.ts): (z) - (a) the unsampled path, (r) - (z) span recording,
  // (c) - (r) export. (t) is (c) with the export thread.
  'tracepack-unsampled': {
    name: 'tracepack-unsampled',
    label: '(z) tracepack 0.0',
    script: 'tracepack.js',
    traced: true,
    samplingRatio: 0,
  },
  'tracepack-record': {
    name: 'tracepack-record',
    label: '(r) tracepack, no export',
    script: 'tracepack.js',
    traced: false,
    noExport: true,
  },
  'tracepack-thread': {
    name: 'tracepack-thread',
    label: '(t) tracepack, export thread',
    script: 'tracepack.js',
    traced: true,
    exportThread: true,
  },
  'tracepack-dead': {
    name: 'tracepack-dead',
    label: '(e) tracepack, backend dead',
    script: 'tracepack.js',
    traced: true,
    deadBackend: true,
  },
  'floor-context': {
    name: 'floor-context',
    label: '(f) floor: context only',
    script: 'floor.js',
    traced: false,
    floor: 'context',
  },
  'floor-sdk': { name: 'floor-sdk', label: '(g) floor: SDK at 0.01', script: 'floor.js', traced: false, floor: 'sdk' },
  'usage-off': { name: 'usage-off', label: '(h) usage opted out', script: 'usage.js', traced: false, usage: 'off' },
  'usage-on': { name: 'usage-on', label: '(i) usage on', script: 'usage.js', traced: false, usage: 'on' },
};

/**
 * Variants per scenario: the sampled, split and dead-backend checks are about the hello route;
 * with `--floor`, hello also runs the two floor variants (what no tracer on this API can go below).
 */
export function variantsFor(scenario: ScenarioName, floor = false, usage = false): VariantName[] {
  if (scenario !== 'hello') return ['untraced', 'otel', 'tracepack'];
  const live: VariantName[] = [
    'untraced',
    'otel',
    'tracepack',
    'tracepack-sampled',
    'tracepack-unsampled',
    'tracepack-record',
    'tracepack-thread',
  ];
  const withFloor: VariantName[] = [
    ...live,
    ...(floor ? (['floor-context', 'floor-sdk'] as const) : []),
    'tracepack-dead',
  ];
  // `--usage`: (h) and (i) right after (a), so the three untraced servers run side by side.
  return usage ? [withFloor[0]!, 'usage-off', 'usage-on', ...withFloor.slice(1)] : withFloor;
}

export interface ScenarioRequest {
  path: string;
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
}

export const SCENARIO_REQUESTS: Record<ScenarioName, ScenarioRequest> = {
  hello: { path: '/hello/123', method: 'GET' },
  db: { path: '/clients/1', method: 'GET' },
  bcrypt: {
    path: '/oauth2/token',
    method: 'POST',
    body: `grant_type=client_credentials&client_id=bench&client_secret=${CLIENT_SECRET}`,
    contentType: 'application/x-www-form-urlencoded',
  },
};

export interface SegmentResult {
  rps: number;
  p99Ms: number;
  rssMB: number;
}

export interface RunResult {
  round: number;
  scenario: ScenarioName;
  variant: VariantName;
  load: LoadResult;
  /** Requests completed during the warm-up (the span counters include them). */
  warmupRequests: number;
  /** Server CPU (user + system, all threads) during the measured phase, per request. */
  cpuUsPerRequest: number;
  /** Main-thread GC pause time during the measured phase, per request (PerformanceObserver 'gc'). */
  gcUsPerRequest: number;
  gcCount: number;
  rssAfterWarmupMB: number;
  rssEndMB: number;
  heapEndMB: number;
  /** Traced variants: spans created (and tracepack's stats), after the final flush. */
  spans?: SpanCounts;
  /** Spans the receiver decoded (0 with a dead backend). */
  received?: number;
  receiverBatches?: number;
  /** CPU the receiver process spent decoding (it shares the machine with the server and wrk). */
  receiverCpuUs?: number;
  /** Dead backend: one entry per segment of the run. */
  segments?: SegmentResult[];
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryMB: number; loadTool: string };
  /** Where the traced variants exported, and why that one. */
  receiver: { kind: ReceiverKind; why: string };
  options: Omit<BenchOptions, 'pgUrl'> & { database: 'pglite' | 'postgresql' };
  runs: RunResult[];
  summary: BenchSummary;
  /** Where the JSON was written. */
  file: string;
}

const MB = 1024 * 1024;

export async function runBench(opts: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const startedAt = new Date();
  const tool = pickLoadTool(opts.load);
  const receiver = resolveReceiver(opts.receiver);
  log(`receiver: ${receiver.why}`);
  const unknown = opts.only?.filter((n) => !(n in VARIANTS));
  if (unknown && unknown.length > 0)
    throw new Error(
      `bench: --only: unknown variant ${unknown.join(', ')} (known: ${Object.keys(VARIANTS).join(', ')})`,
    );
  const db = opts.scenarios.includes('db') ? await startDatabase(opts.pgUrl) : undefined;
  const runs: RunResult[] = [];
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const scenario of opts.scenarios) {
        for (const name of variantsFor(scenario, opts.floor, opts.usage)) {
          if (opts.only && !opts.only.includes(name)) continue;
          // The dead-backend run is a soak (60 s by default): once, in the last round.
          if (name === 'tracepack-dead' && round !== opts.rounds) continue;
          const variant = VARIANTS[name];
          log(`round ${round}/${opts.rounds}  ${scenario.padEnd(6)} ${variant.label} ...`);
          const run = await runOne(opts, tool, receiver.kind, round, scenario, variant, db?.url);
          runs.push(run);
          log(
            `  ${fmt(run.load.rps, 0)} req/s  p50 ${fmt(run.load.p50Ms, 2)} ms  p99 ${fmt(run.load.p99Ms, 2)} ms  ` +
              `${fmt(run.cpuUsPerRequest, 1)} us CPU/req (GC ${fmt(run.gcUsPerRequest, 1)})  rss ${fmt(run.rssEndMB, 0)} MB` +
              (run.spans ? `  spans ${run.spans.created} created / ${run.received} received` : '') +
              (run.load.errors || run.load.non2xx
                ? `  (${run.load.errors} socket errors, ${run.load.non2xx} non-2xx)`
                : ''),
          );
        }
      }
    }
  } finally {
    await db?.stop();
  }
  const summary = summarize(runs, opts);
  const finishedAt = new Date();
  mkdirSync(opts.outDir, { recursive: true });
  const file = join(opts.outDir, `bench-${stamp(startedAt)}.json`);
  const { pgUrl, ...publicOptions } = opts;
  const result: BenchResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMB: Math.round(totalmem() / MB),
      loadTool: describeTool(tool),
    },
    receiver,
    // The URL may carry a password: only say which kind of database it was.
    options: { ...publicOptions, database: pgUrl ? 'postgresql' : 'pglite' },
    runs,
    summary,
    file,
  };
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return result;
}

async function runOne(
  opts: BenchOptions,
  tool: LoadTool,
  receiverKind: ReceiverKind,
  round: number,
  scenario: ScenarioName,
  variant: VariantSpec,
  pgUrl: string | undefined,
): Promise<RunResult> {
  let receiver: BenchReceiver | undefined;
  let server: ServerProcess | undefined;
  try {
    const env: ServerEnv = { BENCH_SCENARIO: scenario };
    if (scenario === 'db') env.BENCH_PG_URL = pgUrl;
    if (variant.traced) {
      receiver = await startReceiver(receiverKind);
      env.BENCH_OTLP_URL = receiver.url;
      if (variant.deadBackend) {
        await receiver.stopListening();
        // Nothing can be flushed to a dead backend: do not wait the default 5 s at the end.
        env.BENCH_FLUSH_TIMEOUT_MS = '500';
      }
    }
    if (variant.samplingRatio !== undefined) env.BENCH_SAMPLING_RATIO = String(variant.samplingRatio);
    if (variant.floor !== undefined) env.BENCH_FLOOR = variant.floor;
    if (variant.usage !== undefined) env.BENCH_USAGE = variant.usage;
    if (variant.noExport) env.BENCH_NO_EXPORT = '1';
    if (variant.exportThread) env.BENCH_EXPORT_THREAD = '1';
    server = await ServerProcess.start(variant.script, env);

    const r = SCENARIO_REQUESTS[scenario];
    const request = (seconds: number): LoadRequest => ({
      url: `http://127.0.0.1:${server!.port}${r.path}`,
      method: r.method,
      body: r.body,
      contentType: r.contentType,
      seconds,
      connections: opts.connections,
    });
    const warmupRequests = opts.warmup > 0 ? (await runLoad(tool, request(opts.warmup))).requests : 0;
    const marked = await server.request({ type: 'mark' }, 'marked');

    let load: LoadResult;
    let segments: SegmentResult[] | undefined;
    if (variant.deadBackend) {
      segments = [];
      const parts: LoadResult[] = [];
      let left = opts.deadDuration;
      while (left > 0) {
        const seconds = Math.min(opts.deadSegment, left);
        left -= seconds;
        const part = await runLoad(tool, request(seconds));
        const s = await server.request({ type: 'sample' }, 'sample');
        parts.push(part);
        segments.push({ rps: part.rps, p99Ms: part.p99Ms, rssMB: s.rss / MB });
      }
      load = mergeLoads(parts);
    } else {
      load = await runLoad(tool, request(opts.duration));
    }
    const finished = await server.request({ type: 'finish' }, 'finished');
    let received: number | undefined;
    let receiverBatches: number | undefined;
    let receiverCpuUs: number | undefined;
    // (r): what its null exporter acknowledged stands for "received", so the accounting holds.
    if (variant.noExport) received = finished.spans?.exported;
    if (receiver) {
      if (variant.deadBackend) {
        received = 0;
      } else {
        const expected = finished.spans?.exported ?? finished.spans?.created ?? 0;
        const c = await settledCount(receiver, expected);
        received = c.spanCount;
        receiverBatches = c.requests;
        receiverCpuUs = c.cpuUs;
      }
    }
    return {
      round,
      scenario,
      variant: variant.name,
      load,
      warmupRequests,
      cpuUsPerRequest: load.requests > 0 ? finished.cpuUs / load.requests : NaN,
      gcUsPerRequest: load.requests > 0 ? finished.gcUs / load.requests : NaN,
      gcCount: finished.gcCount,
      rssAfterWarmupMB: marked.rss / MB,
      rssEndMB: finished.rss / MB,
      heapEndMB: finished.heapUsed / MB,
      spans: finished.spans,
      received,
      receiverBatches,
      receiverCpuUs,
      segments,
    };
  } finally {
    await server?.exit();
    await receiver?.exit();
  }
}

/** One result out of consecutive segments: totals, the median p50 and the worst p99. */
function mergeLoads(parts: LoadResult[]): LoadResult {
  const requests = parts.reduce((a, p) => a + p.requests, 0);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  const p50s = parts.map((p) => p.p50Ms).sort((a, b) => a - b);
  return {
    tool: parts[0]!.tool,
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: p50s[Math.floor(p50s.length / 2)]!,
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
  };
}

/** PGlite over the wire protocol in this process, or BENCH_PG_URL; one seeded row either way. */
async function startDatabase(pgUrl: string | undefined): Promise<{ url: string; stop(): Promise<void> }> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const pg = require('pg') as typeof import('pg');
  let url = pgUrl;
  let stop = async (): Promise<void> => {};
  if (!url) {
    const { startPglite } = require('@tracepack/testing') as typeof import('@tracepack/testing');
    const server = await startPglite({ maxConnections: 32 });
    url = server.url;
    stop = () => server.stop();
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS bench_clients (id integer PRIMARY KEY, name text NOT NULL, redirect_uri text NOT NULL)',
    );
    await client.query(
      "INSERT INTO bench_clients (id, name, redirect_uri) VALUES (1, 'bench client', 'https://bench.example/callback') ON CONFLICT (id) DO NOTHING",
    );
  } finally {
    await client.end();
  }
  return { url, stop };
}

function describeTool(tool: LoadTool): string {
  if (tool !== 'wrk') return 'autocannon (own process)';
  const v = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  const line = `${v.stdout ?? ''}${v.stderr ?? ''}`.split('\n')[0]?.trim();
  return line ? `wrk (${line})` : 'wrk';
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export function fmt(n: number | undefined, digits: number): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
}
