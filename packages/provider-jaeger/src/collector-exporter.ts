import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { isHttpUrl } from '@tracepack/config';
import type { ProblemReporter } from '@tracepack/core';
import http from 'node:http';
import https from 'node:https';
import { encodeBatch, encodeProcess, encodeSpan } from './encode';
import { basicAuthHeader, httpRequest, requestUrl } from './http';
import { resourceToProcess, spanToJaeger } from './transform';
import type { JaegerCollectorExporterOptions } from './types';
import {
  beginExport,
  describeError,
  EXPORT_PROBLEM,
  exportFailureReporter,
  JaegerErrorCode,
  PACKAGE_NAME,
  redactUrl,
  TracepackJaegerError,
  withTimeout,
} from './utils';

type Resource = ReadableSpan['resource'];

const DEFAULT_TIMEOUT_MS = 10000;
const DEFAULT_FLUSH_TIMEOUT_MS = 5000;
/**
 * An idle kept-alive connection is closed after this long, before a server would close it
 * (Go's net/http and nginx idle out after about a minute; Node's server says its own, shorter
 * limit in its Keep-Alive header, which the agent honours). A request that still meets a
 * closed socket is retried once (see httpRequest).
 */
const IDLE_SOCKET_TIMEOUT_MS = 30000;
/** What the Jaeger collector reads as binary Thrift (it also takes application/vnd.apache.thrift.binary). */
const CONTENT_TYPE = 'application/x-thrift';

/**
 * Binary Thrift `Batch` (jaeger.thrift) POSTed to a Jaeger collector (`/api/traces`, the
 * `thrift_http` protocol of Jaeger v2's jaeger receiver), with this package's own encoder:
 * - one Batch per resource among the spans (a Batch has one Process), resource attributes as
 *   process tags, exactly as the agent path sends them;
 * - exports run one at a time, each in one deadline: an export that never answers fails after
 *   `timeoutMs`;
 * - any status outside 2xx fails the export (`HTTP 503`);
 * - after shutdown, export calls back FAILED;
 * - failures are reported through diag once per streak, with the count of dropped spans;
 * - user:password in the endpoint URL becomes basic auth and never reaches a log line or an
 *   error (nor does the query string, which is sent);
 * - one keep-alive agent, destroyed by shutdown; its idle sockets never keep the process alive.
 */
export class JaegerCollectorExporter implements SpanExporter {
  /** The endpoint without user, password, query or fragment. */
  readonly endpoint: string;
  private readonly _url: URL;
  private readonly _headers: Record<string, string>;
  private readonly _agent: http.Agent;
  private readonly _serviceName: string | undefined;
  private readonly _timeoutMs: number;
  private readonly _flushTimeoutMs: number;
  private readonly _reporter: ProblemReporter;
  /** Per resource: its encoded Process (binary). */
  private readonly _processes = new WeakMap<Resource, Buffer>();
  private _queue: Promise<void> = Promise.resolve();
  private _pending = 0;
  private _shutdownPromise: Promise<void> | undefined;
  /** Set once the agent is destroyed: an export still queued then must not open a new socket. */
  private _closed = false;

  constructor(options: JaegerCollectorExporterOptions) {
    const url = parseEndpoint(options?.endpoint);
    this._url = requestUrl(url);
    this.endpoint = redactUrl(url.href);
    this._headers = { 'content-type': CONTENT_TYPE, ...basicAuthHeader(url) };
    const agentOptions = { keepAlive: true, maxSockets: 1, timeout: IDLE_SOCKET_TIMEOUT_MS };
    this._agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this._serviceName = options.serviceName;
    this._timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this._flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    this._reporter = exportFailureReporter(`the Jaeger collector at ${this.endpoint}`, options.reportFailures ?? true);
  }

  /** Spans lost to failed exports so far. */
  get droppedSpans(): number {
    return this._reporter.total;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const finish = beginExport(this._shutdownPromise !== undefined, spans.length, resultCallback);
    if (!finish) return;
    this._pending += 1;
    this._queue = this._queue
      .then(() => this._exportOne(spans))
      .then(finish)
      .finally(() => {
        this._pending -= 1;
      });
  }

  forceFlush(): Promise<void> {
    return this._drain();
  }

  /**
   * Waits for queued exports (up to flushTimeoutMs), then destroys the HTTP agent: its idle
   * sockets, and the socket of an export still waiting, which then fails. Idempotent.
   */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= this._drain().then(() => {
      this._closed = true;
      this._agent.destroy();
    });
    return this._shutdownPromise;
  }

  private async _drain(): Promise<void> {
    if (this._pending === 0) return;
    await withTimeout(this._queue, this._flushTimeoutMs);
  }

  /** Never rejects: every failure is a FAILED result, reported once per streak. */
  private async _exportOne(spans: ReadableSpan[]): Promise<ExportResult> {
    if (this._closed) {
      this._reporter.failure(EXPORT_PROBLEM, {
        detail: 'the exporter was shut down before this export could start',
        count: spans.length,
      });
      return { code: ExportResultCode.FAILED, error: new Error(`${PACKAGE_NAME}: the exporter is shut down`) };
    }
    let bodies: Array<{ body: Buffer; spans: number }>;
    try {
      bodies = this._encode(spans);
    } catch (err) {
      this._reporter.failure(EXPORT_PROBLEM, {
        detail: `spans could not be encoded: ${describeError(err)}`,
        count: spans.length,
      });
      return { code: ExportResultCode.FAILED, error: err as Error };
    }
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`no answer within ${this._timeoutMs} ms`)),
      this._timeoutMs,
    );
    let sent = 0;
    try {
      for (const { body, spans: count } of bodies) {
        const res = await httpRequest(this._url, {
          method: 'POST',
          headers: this._headers,
          body,
          agent: this._agent,
          signal: deadline.signal,
          maxBodyBytes: 0,
        });
        if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
        sent += count;
      }
    } catch (err) {
      // Spans of the batches not sent yet are lost with the one that failed.
      this._reporter.failure(EXPORT_PROBLEM, { detail: describeError(err), count: spans.length - sent });
      return { code: ExportResultCode.FAILED, error: err as Error };
    } finally {
      clearTimeout(timer);
    }
    diag.debug(`${PACKAGE_NAME}: sent ${spans.length} span(s) to the collector in ${bodies.length} request(s)`);
    this._reporter.success(EXPORT_PROBLEM);
    return { code: ExportResultCode.SUCCESS };
  }

  /** One binary `Batch` per resource (usually one). */
  private _encode(spans: readonly ReadableSpan[]): Array<{ body: Buffer; spans: number }> {
    const byResource = new Map<Resource, Buffer[]>();
    for (const span of spans) {
      const bytes = encodeSpan('binary', spanToJaeger(span));
      const group = byResource.get(span.resource);
      if (group) group.push(bytes);
      else byResource.set(span.resource, [bytes]);
    }
    return [...byResource].map(([resource, group]) => ({
      body: encodeBatch('binary', this._process(resource), group),
      spans: group.length,
    }));
  }

  private _process(resource: Resource): Buffer {
    let bytes = this._processes.get(resource);
    if (!bytes) {
      bytes = encodeProcess('binary', resourceToProcess(resource, this._serviceName));
      this._processes.set(resource, bytes);
    }
    return bytes;
  }
}

/** Setup-time check of `endpoint`; the message never repeats the value (it may hold a password). */
function parseEndpoint(endpoint: unknown): URL {
  if (typeof endpoint !== 'string' || !isHttpUrl(endpoint)) {
    throw new TracepackJaegerError(
      JaegerErrorCode.INVALID_URL,
      'JaegerCollectorExporter endpoint',
      'expects an http:// or https:// URL with a host, e.g. http://jaeger:14268/api/traces',
    );
  }
  return new URL(endpoint);
}
