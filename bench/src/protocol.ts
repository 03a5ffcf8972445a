/**
 * Messages between the bench process and its children over the IPC channel of `fork()`.
 * Server children are told when the measured phase starts (`mark`) and ends (`finish`), and
 * answer with their own CPU time, memory and span counts, so nothing is guessed from outside.
 */

/** Environment of a server child. */
export interface ServerEnv {
  BENCH_SCENARIO: string;
  /** OTLP base URL (http://127.0.0.1:port); traced variants only. */
  BENCH_OTLP_URL?: string;
  /** PostgreSQL URL; db scenario only. */
  BENCH_PG_URL?: string;
  /** tracepack's sampling ratio; default 1. */
  BENCH_SAMPLING_RATIO?: string;
  /** tracepack's flush_timeout_ms; default tracepack's. */
  BENCH_FLUSH_TIMEOUT_MS?: string;
  /** The floor variants (`--floor`): `context` or `sdk`. */
  BENCH_FLOOR?: string;
  /** The usage variants (`--usage`): `off` (opted out) or `on`. */
  BENCH_USAGE?: string;
  /** (r): `1` replaces the provider's exporter by one that answers at once (spans recorded and queued, never serialized or sent). */
  BENCH_NO_EXPORT?: string;
  /** JSON of top-level tracing settings merged over the tracepack variants' config (experiments: profile.ts `--config`). */
  BENCH_TRACEPACK_CONFIG?: string;
  /** (t): `1` exports from tracepack's worker thread (TRACEPACK_EXPORT_THREAD). */
  BENCH_EXPORT_THREAD?: string;
}

/** `stats`: the span counts now, without waiting or flushing (the soak, between segments). */
export type ParentToServer =
  { type: 'mark' } | { type: 'sample' } | { type: 'stats' } | { type: 'finish' } | { type: 'exit' };

export interface SpanCounts {
  /** Spans ended and sampled (counted in a span processor's onEnd). */
  created: number;
  /** tracepack only (handle.stats()): exported, failed at the backend, dropped because the queue was full. */
  exported?: number;
  failed?: number;
  dropped?: number;
}

export interface ServerSample {
  /** Microseconds of CPU (user + system, every thread) since `mark`. */
  cpuUs: number;
  rss: number;
  heapUsed: number;
  /** Microseconds the main thread spent in GC pauses since `mark` (PerformanceObserver 'gc' entries). */
  gcUs: number;
  /** GC pauses since `mark`. */
  gcCount: number;
}

export type ServerToParent =
  | { type: 'ready'; port: number }
  | { type: 'marked'; rss: number; heapUsed: number }
  | ({ type: 'sample' } & ServerSample)
  | ({ type: 'finished'; spans: SpanCounts | undefined } & ServerSample)
  | ({ type: 'stats'; spans: SpanCounts | undefined } & ServerSample)
  | { type: 'error'; message: string };

export type ParentToReceiver = { type: 'count' } | { type: 'stop' };
export type ReceiverToParent =
  | { type: 'ready'; url: string }
  | { type: 'count'; spanCount: number; requests: number; cpuUs: number }
  | { type: 'stopped' };
