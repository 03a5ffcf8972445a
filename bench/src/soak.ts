/**
 * The soak (`--soak`): the tracepack variant on the hello route under load for a long time
 * (600 s by default), cut into segments (30 s), with the backend flapping: it is killed
 * (SIGKILL) at the start of every other segment and started again, on the same URL, at the
 * start of the next one (alive, dead, alive, dead, ...). Per segment: throughput, p99, RSS
 * (sampled every few seconds: the curve), and what became of the spans, counted exactly. The
 * checks and the table are in ./soak-report.
 *
 * Exact counting across a SIGKILL: the backend's own count dies with it (Jaeger's metrics are
 * in its memory; so is the bench receiver's), so it is read just before the kill, when
 * nothing is on the wire: an alive segment ends with wrk's run, then the service finishes its
 * in-flight requests and flushes (`finish`, again until nothing is queued or exporting), then
 * the backend's count is read once it has settled; only then does the next segment kill it.
 * A dead segment ends with the counters as they are (`stats`, no flush). The restart happens
 * under load: wrk starts with the backend still down, and the service exports into a dead
 * endpoint until it is up again (reported per segment). When the last segment is a dead one,
 * the backend is started once more at the end, without load, and the service drained into it
 * ("end" in the table), so that every span ends up received or in a loss counter.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { jaegerSpanCounts, startJaeger, type JaegerServer } from '@tracepack/testing';
import { SCENARIO_REQUESTS } from './harness';
import { pickLoadTool, runLoad, type LoadRequest, type LoadResult } from './load';
import type { BenchOptions } from './options';
import { childEnv, ReceiverProcess, ServerProcess } from './processes';
import type { ServerToParent, SpanCounts } from './protocol';
import { resolveReceiver, settledCount, type BenchReceiver, type ReceiverCount, type ReceiverKind } from './receivers';
import { summarizeSoak, type SoakSummary } from './soak-report';

export type SoakOptions = Pick<
  BenchOptions,
  'soakDuration' | 'flapInterval' | 'warmup' | 'connections' | 'receiver' | 'outDir' | 'load'
>;

/** The service's counters (tracepack's `stats()` and the bench's own count of ended spans). */
export interface SoakSpanStats {
  /** Spans the bench's counting processor saw end (sampled). */
  created: number;
  ended: number;
  exported: number;
  failed: number;
  dropped: number;
  droppedAtShutdown: number;
  /** queued + exporting when read (0 once drained). */
  pending: number;
}

/** What became of the spans of one segment (differences of the counters), and where they went. */
export interface SoakSegmentSpans extends SoakSpanStats {
  /** Spans the backend has (Jaeger: written to its store; the bench receiver: decoded). 0 when dead. */
  received: number;
  /** created - received - failed - dropped - droppedAtShutdown - (change of pending). */
  unaccounted: number;
}

export interface SoakSegment {
  /** 1-based. */
  index: number;
  backend: 'alive' | 'dead';
  /** Seconds since the soak's first segment started. */
  startS: number;
  load: LoadResult;
  /** Server CPU (all threads) per request in this segment, microseconds. */
  cpuUsPerRequest: number;
  /** Highest RSS sampled during the segment, and RSS after its drain. */
  rssMaxMB: number;
  rssEndMB: number;
  heapEndMB: number;
  spans: SoakSegmentSpans;
  /** Alive segments after the first: seconds from the segment's start until the backend listened again. */
  backendUpAfterS?: number;
  /** Dead segments: milliseconds the SIGKILL took until the backend was reaped. */
  killMs?: number;
  /** Seconds between the end of the load and the next segment: drain, flush, settling the backend's count. */
  pauseS: number;
  /** Jaeger only: spans its receivers accepted and refused in this segment. */
  backendAccepted?: number;
  backendRefused?: number;
  /** 1-minute load average of the machine at the segment's end. */
  loadAvg1: number;
}

export interface RssSample {
  /** Seconds since the soak's first segment started. */
  tS: number;
  rssMB: number;
  segment: number;
}

export interface SoakResult {
  kind: 'soak';
  startedAt: string;
  finishedAt: string;
  machine: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memoryMB: number;
    loadTool: string;
    loadAvgStart: number[];
    loadAvgEnd: number[];
  };
  receiver: { kind: ReceiverKind; why: string };
  options: SoakOptions & { scenario: 'hello'; variant: 'tracepack'; rssSampleS: number };
  /** The warm-up before the first segment (unmeasured load; its spans are in the totals). */
  warmup: { requests: number; rssMB: number; spans: SoakSegmentSpans };
  segments: SoakSegment[];
  /** When the last segment was dead: the backend started again, without load, and the service drained into it. */
  end?: { backendUpAfterS: number; seconds: number; rssMB: number; spans: SoakSegmentSpans };
  rssSamples: RssSample[];
  /** The service's counters at the end (after the last drain) and the backend's total. */
  totals: SoakSegmentSpans;
  summary: SoakSummary;
  file: string;
}

const MB = 1024 * 1024;

/** A backend's count; Jaeger's also says what its receivers accepted and refused. */
type SoakCount = ReceiverCount & { accepted?: number; refused?: number };

/** The backend the service exports to, killable and restartable on the same URL. */
interface SoakBackend extends BenchReceiver {
  count(): Promise<SoakCount>;
  /** SIGKILL, reaped. */
  kill(): Promise<void>;
  /** Starts again on the same URL; resolves once it accepts exports. */
  restart(): Promise<void>;
}

/** How often the server's RSS is read during the load: every 5 s, more often in short segments. */
export function rssSampleSeconds(flapIntervalS: number): number {
  return Math.min(5, Math.max(0.5, flapIntervalS / 4));
}

export async function runSoak(opts: SoakOptions, log: (line: string) => void = () => {}): Promise<SoakResult> {
  if (opts.flapInterval > opts.soakDuration)
    throw new Error(
      `bench: --flap-interval (${opts.flapInterval}) must be at most --soak-duration (${opts.soakDuration})`,
    );
  const startedAt = new Date();
  const loadAvgStart = loadavg();
  const tool = pickLoadTool(opts.load);
  const receiver = resolveReceiver(opts.receiver);
  const rssSampleS = rssSampleSeconds(opts.flapInterval);
  log(
    `soak: ${opts.soakDuration} s in ${opts.flapInterval} s segments, backend ${receiver.why}, killed every other segment; load average ${loadAvgStart.map((x) => x.toFixed(2)).join(' ')}`,
  );

  const backend = await startBackend(receiver.kind);
  let server: ServerProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    server = await ServerProcess.start('tracepack.js', { BENCH_SCENARIO: 'hello', BENCH_OTLP_URL: backend.url });
    const srv = server;
    const r = SCENARIO_REQUESTS.hello;
    const request = (seconds: number): LoadRequest => ({
      url: `http://127.0.0.1:${srv.port}${r.path}`,
      method: r.method,
      seconds,
      connections: opts.connections,
    });

    // Warm-up, drained and counted like a segment, so that every segment's counts are its own.
    const warmupRequests = opts.warmup > 0 ? (await runLoad(tool, request(opts.warmup))).requests : 0;
    await srv.request({ type: 'mark' }, 'marked');
    const warmFinish = await drain(srv);
    let prev = spanStats(warmFinish.spans);
    let prevCpuUs = warmFinish.cpuUs;
    const warmCount: SoakCount = await settledCount(backend, prev.exported);
    const warmup = {
      requests: warmupRequests,
      rssMB: warmFinish.rss / MB,
      spans: segmentSpans(ZERO_STATS, prev, warmCount.spanCount),
    };
    let received = warmCount.spanCount;
    /** The backend's count when this alive period started (the warm-up's for the first one, 0 after a restart). */
    let countBase = warmCount.spanCount;
    let acceptedBase = warmCount.accepted ?? 0;
    let refusedBase = warmCount.refused ?? 0;

    // RSS from /proc (no message to the server, which is busy): the curve.
    const t0 = Date.now();
    const rssSamples: RssSample[] = [];
    let segmentIndex = 1;
    let segmentMaxRss = 0;
    const sampleRss = (): void => {
      const rss = procRssBytes(srv.child.pid);
      if (rss === undefined) return;
      rssSamples.push({ tS: (Date.now() - t0) / 1000, rssMB: rss / MB, segment: segmentIndex });
      segmentMaxRss = Math.max(segmentMaxRss, rss);
    };
    sampler = setInterval(sampleRss, rssSampleS * 1000);

    const segments: SoakSegment[] = [];
    const count = Math.ceil(opts.soakDuration / opts.flapInterval);
    for (let i = 1; i <= count; i++) {
      segmentIndex = i;
      segmentMaxRss = 0;
      const alive = i % 2 === 1;
      const seconds = Math.min(opts.flapInterval, opts.soakDuration - (i - 1) * opts.flapInterval);
      const segStart = Date.now();
      let killMs: number | undefined;
      let restarting: Promise<number | Error> | undefined;
      if (!alive) {
        // Drained and counted at the end of the previous segment: nothing on the wire now.
        await backend.kill();
        killMs = Date.now() - segStart;
      } else if (i > 1) {
        // Under load: the service exports into a dead endpoint until the backend is up again.
        // A failure is kept until the load is over (not left as an unhandled rejection meanwhile).
        restarting = backend.restart().then(
          () => (Date.now() - segStart) / 1000,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        );
      }
      sampleRss();
      const load = await runLoad(tool, request(seconds));
      const loadEnd = Date.now();
      const up = restarting ? await restarting : undefined;
      if (up instanceof Error)
        throw new Error(`bench: the soak backend did not start again in segment ${i}: ${up.message}`);
      const backendUpAfterS = up;
      if (restarting) {
        countBase = 0;
        acceptedBase = 0;
        refusedBase = 0;
      }
      sampleRss();
      // Alive: drain (in-flight requests, then a flush), so that the count read next is the
      // backend's last before the next segment kills it. Dead: the counters as they are, no
      // flush (a flush would wait out its bound on the export retrying into the dead backend,
      // with no load meanwhile); what is queued then carries over, as "pending".
      const fin = alive ? await drain(srv) : await srv.request({ type: 'stats' }, 'stats');
      const now = spanStats(fin.spans);
      let segReceived = 0;
      let accepted: number | undefined;
      let refused: number | undefined;
      if (alive) {
        const c: SoakCount = await settledCount(backend, countBase + (now.exported - prev.exported));
        segReceived = c.spanCount - countBase;
        if (c.accepted !== undefined) accepted = c.accepted - acceptedBase;
        if (c.refused !== undefined) refused = c.refused - refusedBase;
        countBase = c.spanCount;
        acceptedBase = c.accepted ?? 0;
        refusedBase = c.refused ?? 0;
      }
      received += segReceived;
      const segment: SoakSegment = {
        index: i,
        backend: alive ? 'alive' : 'dead',
        startS: (segStart - t0) / 1000,
        load,
        cpuUsPerRequest: load.requests > 0 ? (fin.cpuUs - prevCpuUs) / load.requests : NaN,
        rssMaxMB: Math.max(segmentMaxRss, fin.rss) / MB,
        rssEndMB: fin.rss / MB,
        heapEndMB: fin.heapUsed / MB,
        spans: segmentSpans(prev, now, segReceived),
        backendUpAfterS,
        killMs,
        pauseS: (Date.now() - loadEnd) / 1000,
        backendAccepted: accepted,
        backendRefused: refused,
        loadAvg1: loadavg()[0]!,
      };
      segments.push(segment);
      prev = now;
      prevCpuUs = fin.cpuUs;
      log(
        `segment ${i}/${count} backend ${segment.backend.padEnd(5)} ${load.rps.toFixed(0)} req/s  p99 ${load.p99Ms.toFixed(2)} ms  ` +
          `RSS ${segment.rssMaxMB.toFixed(0)}/${segment.rssEndMB.toFixed(0)} MB  spans ${segment.spans.created} created / ${segment.spans.received} received / ` +
          `${segment.spans.failed} failed / ${segment.spans.dropped} dropped` +
          (backendUpAfterS !== undefined ? `  (backend up after ${backendUpAfterS.toFixed(1)} s)` : '') +
          `  load ${segment.loadAvg1.toFixed(2)}`,
      );
    }
    clearInterval(sampler);
    sampler = undefined;

    let end: SoakResult['end'];
    if (segments.at(-1)?.backend === 'dead') {
      const t = Date.now();
      await backend.restart();
      const backendUpAfterS = (Date.now() - t) / 1000;
      const fin = await drain(srv);
      const now = spanStats(fin.spans);
      const c: SoakCount = await settledCount(backend, now.exported - prev.exported);
      received += c.spanCount;
      end = {
        backendUpAfterS,
        rssMB: fin.rss / MB,
        spans: segmentSpans(prev, now, c.spanCount),
        seconds: (Date.now() - t) / 1000,
      };
      prev = now;
      log(
        `end: backend started again after ${backendUpAfterS.toFixed(1)} s, service drained: ${end.spans.received} received, ${end.spans.failed} failed`,
      );
    }

    const totals = segmentSpans(ZERO_STATS, prev, received);
    const summary = summarizeSoak(segments, rssSamples, totals);
    const finishedAt = new Date();
    mkdirSync(opts.outDir, { recursive: true });
    const file = join(opts.outDir, `soak-${stamp(startedAt)}.json`);
    const result: SoakResult = {
      kind: 'soak',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryMB: Math.round(totalmem() / MB),
        loadTool: tool,
        loadAvgStart,
        loadAvgEnd: loadavg(),
      },
      receiver,
      options: { ...opts, scenario: 'hello', variant: 'tracepack', rssSampleS },
      warmup,
      segments,
      end,
      rssSamples,
      totals,
      summary,
      file,
    };
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    if (sampler) clearInterval(sampler);
    await server?.exit();
    await backend.exit();
  }
}

/** `finish` (in-flight requests, then a flush bounded by flush_timeout_ms) until nothing is queued or exporting, within `boundMs`. */
async function drain(srv: ServerProcess, boundMs = 30_000): Promise<Extract<ServerToParent, { type: 'finished' }>> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const fin = await srv.request({ type: 'finish' }, 'finished');
    if (spanStats(fin.spans).pending === 0 || Date.now() > deadline) return fin;
  }
}

const ZERO_STATS: SoakSpanStats = {
  created: 0,
  ended: 0,
  exported: 0,
  failed: 0,
  dropped: 0,
  droppedAtShutdown: 0,
  pending: 0,
};

/** The counters of the server's `finished` reply (tracepack's stats() are spread into it). */
export function spanStats(spans: SpanCounts | undefined): SoakSpanStats {
  if (!spans) throw new Error('bench: the soak server reported no span counts');
  const s = spans as SpanCounts &
    Partial<{ ended: number; droppedAtShutdown: number; queued: number; exporting: number }>;
  return {
    created: s.created,
    ended: s.ended ?? s.created,
    exported: s.exported ?? 0,
    failed: s.failed ?? 0,
    dropped: s.dropped ?? 0,
    droppedAtShutdown: s.droppedAtShutdown ?? 0,
    pending: (s.queued ?? 0) + (s.exporting ?? 0),
  };
}

/** The change of the counters from `before` to `after`, with what the backend received meanwhile. */
export function segmentSpans(before: SoakSpanStats, after: SoakSpanStats, received: number): SoakSegmentSpans {
  const d = (k: keyof SoakSpanStats): number => after[k] - before[k];
  const spans = {
    created: d('created'),
    ended: d('ended'),
    exported: d('exported'),
    failed: d('failed'),
    dropped: d('dropped'),
    droppedAtShutdown: d('droppedAtShutdown'),
    pending: d('pending'),
    received,
  };
  return {
    ...spans,
    unaccounted: spans.created - received - spans.failed - spans.dropped - spans.droppedAtShutdown - spans.pending,
  };
}

async function startBackend(kind: ReceiverKind): Promise<SoakBackend> {
  return kind === 'jaeger' ? JaegerSoakBackend.start() : OtlpSoakBackend.start();
}

/** Jaeger v2 in memory, counted from its collector's own metrics; kill() and restart() keep its ports. */
class JaegerSoakBackend implements SoakBackend {
  readonly kind = 'jaeger';

  private constructor(private readonly _jaeger: JaegerServer) {}

  static async start(): Promise<JaegerSoakBackend> {
    return new JaegerSoakBackend(await startJaeger({ metrics: true, maxTraces: 10_000 }));
  }

  get url(): string {
    return `http://127.0.0.1:${this._jaeger.ports.otlpHttp}`;
  }

  async count(): Promise<ReceiverCount & { accepted: number; refused: number }> {
    const c = await jaegerSpanCounts(this._jaeger.metricsUrl!);
    return { spanCount: c.stored, accepted: c.accepted, refused: c.refused, cpuUs: 0 };
  }

  kill(): Promise<void> {
    return this._jaeger.kill();
  }

  restart(): Promise<void> {
    return this._jaeger.restart();
  }

  stopListening(): Promise<void> {
    return this.kill();
  }

  exit(): Promise<void> {
    return this._jaeger.stop();
  }
}

/** ./soak-receiver in a child process, started again on the same port after each kill. */
class OtlpSoakBackend implements SoakBackend {
  readonly kind = 'otlp';

  private constructor(
    private _process: ReceiverProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpSoakBackend> {
    const p = await OtlpSoakBackend._fork(0);
    return new OtlpSoakBackend(p, p.url);
  }

  private static async _fork(port: number): Promise<ReceiverProcess> {
    const child = fork(join(__dirname, 'soak-receiver.js'), [], {
      env: childEnv({ BENCH_SOAK_RECEIVER_PORT: String(port) }),
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const receiver = new ReceiverProcess(child, 'soak OTLP receiver');
    const ready = await receiver.request(undefined, 'ready', 30_000).catch(async (err: unknown) => {
      await receiver.close(undefined, 1000);
      throw err;
    });
    receiver.url = ready.url;
    return receiver;
  }

  count(): Promise<ReceiverCount> {
    return this._process.count();
  }

  async kill(): Promise<void> {
    const { child } = this._process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Same port; tried again for up to 5 s if it is taken (a connection's source port, briefly). */
  async restart(): Promise<void> {
    await this.kill();
    const port = Number(new URL(this.url).port);
    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        this._process = await OtlpSoakBackend._fork(port);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  stopListening(): Promise<void> {
    return this.kill();
  }

  exit(): Promise<void> {
    return this._process.exit();
  }
}

/** VmRSS of a process from /proc (Linux), in bytes; undefined when it cannot be read. */
function procRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
