import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeHttp,
  readBody,
  receiverCore,
  type ReceivedRequest,
  type ReceiverCoreOptions,
  type ReceiverMode,
} from './receiver-core';

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

export type ZipkinReceiverOptions = ReceiverCoreOptions;

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
  const core = receiverCore<ZipkinSpan>(options, 'Zipkin receiver');

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const record = core.recordHttp(req);
        if (req.method !== 'POST' || record.path !== SPANS_PATH) return void res.writeHead(404).end();
        if (record.contentType !== 'application/json') return void res.writeHead(415).end();
        core.respond(
          () => {
            let received: ZipkinSpan[];
            try {
              received = JSON.parse(body.toString('utf8')) as ZipkinSpan[];
              if (!Array.isArray(received)) throw new Error('expected a JSON array of spans');
            } catch (err) {
              res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode: ${(err as Error).message}`);
              return;
            }
            core.accept(record, received);
            res.writeHead(202).end();
          },
          () => res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable'),
          () => undefined, // closed by stop()
        );
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
  return core.expose({
    url,
    stop(): Promise<void> {
      stopped ??= closeHttp(server);
      return stopped;
    },
  });
}
