import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttp, readBody, waitFor } from './otlp-receiver';
import type { ReceivedRequest, ReceiverMode } from './otlp-receiver';

/** A span as Zipkin v2 JSON has it (the fields the exporter sends). */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Microseconds since the epoch. */
  timestamp: number;
  /** Microseconds. */
  duration: number;
  localEndpoint: { serviceName?: string; ipv4?: string; port?: number };
  tags: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
  shared?: boolean;
  debug?: boolean;
}

export interface ZipkinReceiverOptions {
  /** @default 'ok' */
  mode?: ReceiverMode;
  /** Delay of mode 'slow'. @default 200 */
  delayMs?: number;
  /** Keep the spans; false only counts them (for benchmarks). @default true */
  keepSpans?: boolean;
}

export interface ZipkinReceiver {
  /** Full spans endpoint, e.g. http://127.0.0.1:40123/api/v2/spans. */
  readonly url: string;
  /** Spans as received, in arrival order. */
  readonly spans: ZipkinSpan[];
  readonly requests: ReceivedRequest[];
  readonly spanCount: number;
  mode: ReceiverMode;
  delayMs: number;
  /** Resolves once `count` spans have arrived; rejects after `timeoutMs` (default 5000). */
  waitForSpans(count: number, timeoutMs?: number): Promise<ZipkinSpan[]>;
  reset(): void;
  stop(): Promise<void>;
}

const SPANS_PATH = '/api/v2/spans';

/**
 * A loopback Zipkin collector for tests and benchmarks: POST /api/v2/spans with a Zipkin v2
 * JSON array, answered 202 like Zipkin does; `mode` makes it fail (503), hang or be slow.
 */
export async function startZipkinReceiver(options: ZipkinReceiverOptions = {}): Promise<ZipkinReceiver> {
  const spans: ZipkinSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const keepSpans = options.keepSpans ?? true;
  const state = { mode: options.mode ?? 'ok', delayMs: options.delayMs ?? 200 };
  let spanCount = 0;

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const path = (req.url ?? '/').split('?')[0]!;
        const contentType = req.headers['content-type']?.split(';')[0]!.trim().toLowerCase();
        const record: ReceivedRequest = { transport: 'http', path, contentType, headers: { ...req.headers }, spanCount: 0 };
        requests.push(record);
        if (req.method !== 'POST' || path !== SPANS_PATH) return void res.writeHead(404).end();
        if (contentType !== 'application/json') return void res.writeHead(415).end();
        const ok = (): void => {
          let received: ZipkinSpan[];
          try {
            received = JSON.parse(body.toString('utf8')) as ZipkinSpan[];
            if (!Array.isArray(received)) throw new Error('expected a JSON array of spans');
          } catch (err) {
            res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode: ${(err as Error).message}`);
            return;
          }
          record.spanCount = received.length;
          spanCount += received.length;
          if (keepSpans) for (const s of received) spans.push(s);
          for (const w of waiters) if (spanCount >= w.count) w.resolve();
          res.writeHead(202).end();
        };
        switch (state.mode) {
          case 'ok':
            return ok();
          case 'slow':
            return void setTimeout(ok, state.delayMs);
          case 'unavailable':
            return void res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
          case 'hang':
            return; // closed by stop()
        }
      },
      () => res.destroy(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SPANS_PATH}`;

  let stopped: Promise<void> | undefined;
  return {
    url,
    spans,
    requests,
    get spanCount() {
      return spanCount;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: ReceiverMode) {
      state.mode = m;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    waitForSpans: (count, timeoutMs = 5000) => waitFor(waiters, () => spanCount, count, timeoutMs, 'Zipkin receiver').then(() => spans),
    reset() {
      spans.length = 0;
      requests.length = 0;
      spanCount = 0;
    },
    stop() {
      stopped ??= closeHttp(server);
      return stopped;
    },
  };
}
