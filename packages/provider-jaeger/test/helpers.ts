/* Test fixtures: real SDK spans, a real UDP receiver, a real HTTP server, a diag recorder. */
import { context, diag, DiagLogLevel, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DiagLogger, Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';

export { ExportResultCode };

/** A real tracer whose finished spans land in memory, with the given resource. */
export function makeTracer(resource: Record<string, string | number | boolean>): {
  tracer: Tracer;
  spans: () => ReadableSpan[];
  shutdown: () => Promise<void>;
} {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  return {
    tracer: provider.getTracer('tracepack-test', '1.2.3'),
    spans: () => memory.getFinishedSpans(),
    shutdown: () => provider.shutdown(),
  };
}

export const SAMPLE_RESOURCE = {
  'service.name': 'clients-api',
  'service.version': '4.5.6',
  'deployment.environment.name': 'staging',
  'process.pid': 4242,
};

/**
 * A SERVER span that fails (status ERROR, an exception event), a CLIENT child, and an
 * INTERNAL span linked to the server span: every mapping rule is exercised once.
 */
export function sampleSpans(tracer: Tracer, spans: () => ReadableSpan[]): ReadableSpan[] {
  const server = tracer.startSpan('GET /clients/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/clients/:id',
      'http.response.status_code': 500,
      'tp.cached': false,
    },
  });
  server.addEvent('exception', { 'exception.type': 'TypeError', 'exception.message': 'boom' });
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'handler failed' });
  const child = tracer.startSpan(
    'SELECT clients',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } },
    trace.setSpan(context.active(), server),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end();
  server.end();
  const linked = tracer.startSpan('recompute', {
    links: [{ context: server.spanContext() }],
    attributes: { 'tp.tags': ['a', 'b'] },
  });
  linked.end();
  return spans();
}

/**
 * For a describe block: the sample spans (filled in `before`, same array throughout) and a diag
 * recorder; `after` stops the recorder and shuts the tracer down.
 */
export function useSampleSpans(): { spans: ReadableSpan[]; diagLog: ReturnType<typeof recordDiag> } {
  const fixture = makeTracer(SAMPLE_RESOURCE);
  const spans: ReadableSpan[] = [];
  const diagLog = recordDiag();
  before(() => {
    spans.push(...sampleSpans(fixture.tracer, fixture.spans));
  });
  after(async () => {
    diagLog.stop();
    await fixture.shutdown();
  });
  return { spans, diagLog };
}

/** The export callback as a promise (also proves the callback is called exactly once). */
export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve, reject) => {
    let calls = 0;
    exporter.export(spans, (result) => {
      calls += 1;
      if (calls > 1) reject(new Error('export callback called twice'));
      else setTimeout(() => resolve(result), 5); // a second call would land first
    });
  });
}

/** A real UDP socket on 127.0.0.1, port 0, collecting datagrams. */
export async function udpReceiver(): Promise<{
  port: number;
  datagrams: Buffer[];
  waitFor(count: number, timeoutMs?: number): Promise<Buffer[]>;
  close(): Promise<void>;
}> {
  const socket = dgram.createSocket('udp4');
  const datagrams: Buffer[] = [];
  socket.on('message', (msg) => datagrams.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    datagrams,
    waitFor: (count, timeoutMs = 3000) =>
      waitUntil(() => datagrams.length >= count, timeoutMs, `${count} datagram(s)`).then(() => datagrams),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A UDP port with nobody listening (bound, then closed). */
export async function deadUdpPort(): Promise<number> {
  const r = await udpReceiver();
  await r.close();
  return r.port;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP server on 127.0.0.1 (port 0 unless given) recording requests; `respond` decides the answer. */
export async function httpServer(
  respond: (req: RecordedRequest, res: http.ServerResponse) => void,
  port = 0,
): Promise<{
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted so far, and how many of them are still open. */
  connections(): { accepted: number; open: number };
  close(): Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  let accepted = 0;
  let open = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      respond(recorded, res);
    });
  });
  server.on('connection', (socket) => {
    accepted += 1;
    open += 1;
    socket.on('close', () => (open -= 1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    connections: () => ({ accepted, open }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port with nobody listening. */
export async function deadHttpUrl(): Promise<string> {
  const s = await httpServer((_req, res) => res.end());
  await s.close();
  return s.url;
}

export interface DiagEntry {
  level: 'error' | 'warn' | 'info' | 'debug' | 'verbose';
  message: string;
}

/** Records every diag line (the global diag logger) until `stop()`. */
export function recordDiag(): {
  entries: DiagEntry[];
  at(level: DiagEntry['level']): DiagEntry[];
  clear(): void;
  stop(): void;
} {
  const entries: DiagEntry[] = [];
  const log = (level: DiagEntry['level']) => (message: string) => {
    entries.push({ level, message });
  };
  const logger: DiagLogger = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('verbose'),
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return {
    entries,
    at: (level) => entries.filter((e) => e.level === level && e.message.includes('@tracepack/provider-jaeger')),
    clear: () => entries.splice(0),
    stop: () => diag.disable(),
  };
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The signed i64 Jaeger carries for a hex id, computed independently of src/. */
export function i64(hex: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${hex.padStart(16, '0')}`));
}
