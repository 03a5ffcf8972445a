// Reading traces back through the backends' own query APIs, polling with a deadline (both
// ingest asynchronously).
import { sleep } from './process';

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: Array<{ timestamp: number; fields: JaegerTag[] }>;
  processID: string;
  warnings: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

/** Jaeger prints trace ids without leading zeros; compare ids through this. */
export function normalizeTraceId(id: string): string {
  return id.toLowerCase().replace(/^0+/, '');
}

async function getJson<T>(url: string): Promise<{ status: number; body: T | undefined }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) {
    await res.arrayBuffer();
    return { status: 404, body: undefined };
  }
  if (!res.ok) {
    const text = await res.text();
    throw new Error(`tracepack e2e: GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body: (await res.json()) as T };
}

/** Traces of `service` from Jaeger's query API (the last hour, newest first, up to `limit`). */
export async function jaegerTraces(queryUrl: string, service: string, limit = 100): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({
    service,
    limit: String(limit),
    lookback: '1h',
  });
  const { body } = await getJson<{ data: JaegerTrace[] | null }>(`${queryUrl}/api/traces?${params}`);
  return body?.data ?? [];
}

/** One trace by id, or undefined when Jaeger does not have it (yet). */
export async function jaegerTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const { body } = await getJson<{ data: JaegerTrace[] | null }>(
    `${queryUrl}/api/traces/${encodeURIComponent(traceId)}`,
  );
  return body?.data?.[0];
}

/** Service names Jaeger has seen. */
export async function jaegerServices(queryUrl: string): Promise<string[]> {
  const { body } = await getJson<{ data: string[] | null }>(`${queryUrl}/api/services`);
  return body?.data ?? [];
}

/** The service name of a span in a Jaeger trace. */
export function jaegerServiceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}

async function pollFor<T>(
  what: string,
  deadlineMs: number,
  fetchAll: () => Promise<T[]>,
  predicate: (item: T) => boolean,
  describe: (items: T[]) => string,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: T[] = [];
  let lastError: unknown;
  for (;;) {
    try {
      last = await fetchAll();
      lastError = undefined;
      const found = last.find(predicate);
      if (found !== undefined) return found;
    } catch (err) {
      lastError = err; // e.g. the server is restarting: keep polling until the deadline
    }
    if (Date.now() >= deadline) break;
    await sleep(150);
  }
  const seen = lastError !== undefined ? `last error: ${(lastError as Error).message}` : describe(last);
  throw new Error(`tracepack e2e: no ${what} within ${deadlineMs} ms; ${seen}`);
}

/**
 * Polls Jaeger until a trace of `service` matches `predicate` (Jaeger ingests
 * asynchronously), for at most `deadlineMs` milliseconds.
 */
export function waitForJaegerTrace(
  queryUrl: string,
  service: string,
  predicate: (trace: JaegerTrace) => boolean = () => true,
  deadlineMs = 10_000,
): Promise<JaegerTrace> {
  return pollFor(
    `matching Jaeger trace for service "${service}"`,
    deadlineMs,
    () => jaegerTraces(queryUrl, service),
    predicate,
    (traces) =>
      `saw ${traces.length} trace(s): ${traces
        .slice(0, 5)
        .map((t) => `${t.traceID}[${t.spans.map((s) => s.operationName).join(',')}]`)
        .join(' ')}`,
  );
}

export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** A span in Zipkin's v2 model. */
export interface ZipkinApiSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  timestamp?: number;
  duration?: number;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  tags?: Record<string, string>;
  annotations?: Array<{ timestamp: number; value: string }>;
  shared?: boolean;
  debug?: boolean;
}

/** Traces (each an array of spans) of `serviceName` from Zipkin's API, the last hour. */
export async function zipkinTraces(queryUrl: string, serviceName: string, limit = 100): Promise<ZipkinApiSpan[][]> {
  const params = new URLSearchParams({
    serviceName,
    limit: String(limit),
    lookback: String(3_600_000),
  });
  const { body } = await getJson<ZipkinApiSpan[][]>(`${queryUrl}/api/v2/traces?${params}`);
  return body ?? [];
}

/** One trace by id from Zipkin, or undefined when it does not have it (yet). */
export async function zipkinTrace(queryUrl: string, traceId: string): Promise<ZipkinApiSpan[] | undefined> {
  const { body } = await getJson<ZipkinApiSpan[]>(`${queryUrl}/api/v2/trace/${encodeURIComponent(traceId)}`);
  return body;
}

/** Polls Zipkin until a trace of `serviceName` matches `predicate`, for at most `deadlineMs`. */
export function waitForZipkinTrace(
  queryUrl: string,
  serviceName: string,
  predicate: (trace: ZipkinApiSpan[]) => boolean = () => true,
  deadlineMs = 10_000,
): Promise<ZipkinApiSpan[]> {
  return pollFor(
    `matching Zipkin trace for service "${serviceName}"`,
    deadlineMs,
    () => zipkinTraces(queryUrl, serviceName),
    predicate,
    (traces) =>
      `saw ${traces.length} trace(s): ${traces
        .slice(0, 5)
        .map((t) => `${t[0]?.traceId}[${t.map((s) => s.name ?? '').join(',')}]`)
        .join(' ')}`,
  );
}
