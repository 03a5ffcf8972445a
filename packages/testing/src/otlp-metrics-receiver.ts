import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeMetricsRequest, type DecodedMetricsReport } from './otlp-metrics-decode';
import { otlpMetricsTypes } from './otlp-metrics-codec';
import {
  closeHttp,
  readBody,
  receiverCore,
  type ReceivedRequest,
  type ReceiverCoreOptions,
  type ReceiverMode,
} from './receiver-core';

export type OtlpMetricsReceiverOptions = ReceiverCoreOptions;

export interface OtlpMetricsReceiver {
  /** Base URL, e.g. http://127.0.0.1:40123 (reports go to /v1/metrics). */
  readonly url: string;
  /** Decoded export requests, in arrival order. */
  readonly reports: DecodedMetricsReport[];
  readonly requests: ReceivedRequest[];
  /**
   * TCP connections accepted since start or the last reset, whatever was (or was not) sent on
   * them: "sends nothing" is checked here, not on decoded reports.
   */
  readonly connections: number;
  mode: ReceiverMode;
  delayMs: number;
  /** Resolves once `count` reports have arrived; rejects after `timeoutMs` (default 5000). */
  waitForReports(count: number, timeoutMs?: number): Promise<DecodedMetricsReport[]>;
  reset(): void;
  stop(): Promise<void>;
}

const METRICS_PATH = '/v1/metrics';

/**
 * A loopback OTLP/HTTP metrics collector for tests: POST /v1/metrics with
 * application/x-protobuf or application/json, decoded into `reports` (data points flattened,
 * the raw body kept). `mode` makes it fail (503), hang or be slow, like the trace receiver.
 */
export async function startOtlpMetricsReceiver(options: OtlpMetricsReceiverOptions = {}): Promise<OtlpMetricsReceiver> {
  const types = otlpMetricsTypes();
  const emptyResponse = Buffer.from(types.response.encode(types.response.create({})).finish());
  const core = receiverCore<DecodedMetricsReport>(options, 'OTLP metrics receiver (reports)');
  let connections = 0;

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  server.on('connection', () => connections++);

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const record = core.recordHttp(req);
    if (req.method !== 'POST' || record.path !== METRICS_PATH) {
      res.writeHead(404).end();
      return;
    }
    const json = record.contentType === 'application/json';
    if (!json && record.contentType !== 'application/x-protobuf') {
      res.writeHead(415).end();
      return;
    }
    core.respond(
      () => {
        let report: DecodedMetricsReport;
        try {
          const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
          record.body = raw;
          report = decodeMetricsRequest(raw, json);
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode: ${(err as Error).message}`);
          return;
        }
        core.accept(record, [report]);
        if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(emptyResponse);
      },
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable'),
      () => undefined, // closed by stop()
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  const handle = core.expose({
    url,
    waitForReports: (count: number, timeoutMs?: number) => handle.waitForSpans(count, timeoutMs),
    stop(): Promise<void> {
      stopped ??= closeHttp(server);
      return stopped;
    },
  });
  const reset = handle.reset;
  handle.reset = () => {
    reset();
    connections = 0;
  };
  // Defined here, not in expose()'s argument: Object.assign would copy a getter's value once.
  Object.defineProperty(handle, 'connections', { get: () => connections, enumerable: true });
  // The shared core calls them spans; here each one is a report.
  Object.defineProperty(handle, 'reports', { get: () => handle.spans, enumerable: true });
  return handle as unknown as OtlpMetricsReceiver;
}
