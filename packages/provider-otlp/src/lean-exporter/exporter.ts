/**
 * The `http/protobuf` exporter built on the lean encoder: spans are encoded into the encoder's
 * reused buffer (no message objects, the resource's bytes cached), copied or gzipped once per
 * batch, and POSTed over a keep-alive connection. Retries, timeouts and results follow
 * @opentelemetry/exporter-trace-otlp-proto 0.301.0 (retry-policy.ts); nothing is thrown into
 * the application: every outcome is an ExportResult given to the callback.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import * as http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { OtlpTraceEncoder } from '../encoder/index';
import type { OtlpHttpProtobufExporterOptions } from '../types';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version';
import { postOnce, type AttemptResult, type HttpTarget } from './http-attempt';
import { readPartialSuccess } from './response';
import { backoffMillis, MAX_RETRIES } from './retry-policy';
import { tlsFilesFromEnv } from './tls-env';

const gzip = promisify(gzipCallback);

/** Exports in flight at once; the next one fails at once (upstream's default too). */
const DEFAULT_CONCURRENCY_LIMIT = 30;
const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION}`;

export class OtlpHttpProtobufExporter implements SpanExporter {
  private readonly _encoder = new OtlpTraceEncoder();
  private readonly _target: HttpTarget;
  private readonly _headers: Readonly<Record<string, string>>;
  private readonly _gzip: boolean;
  private readonly _timeoutMillis: number;
  private readonly _concurrencyLimit: number;
  private readonly _pending = new Set<Promise<void>>();
  private _shutDown = false;

  constructor(options: OtlpHttpProtobufExporterOptions) {
    const url = new URL(options.url);
    const secure = url.protocol === 'https:';
    const agent = secure
      ? new https.Agent({ keepAlive: true, ...tlsFilesFromEnv() })
      : new http.Agent({ keepAlive: true });
    this._target = { request: secure ? https.request : http.request, options: urlToHttpOptions(url), agent };
    // Lowercase names, so that a configured `Content-Type` cannot be sent twice.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    this._headers = { ...headers, 'content-type': 'application/x-protobuf', 'user-agent': USER_AGENT };
    this._gzip = options.compression === 'gzip';
    this._timeoutMillis = options.timeoutMillis ?? 10_000;
    this._concurrencyLimit = options.concurrencyLimit ?? DEFAULT_CONCURRENCY_LIMIT;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this._shutDown) return deliver(resultCallback, failed(new Error(`${PACKAGE_NAME}: the exporter is shut down`)));
    if (this._pending.size >= this._concurrencyLimit)
      return deliver(resultCallback, failed(new Error('Concurrent export limit reached')));
    let body: Buffer;
    try {
      // A copy: the encoder's buffer is reused by the next batch while this one is in flight.
      body = Buffer.from(this._encoder.encode(spans));
    } catch (err) {
      return deliver(resultCallback, failed(err as Error));
    }
    const sending = this._send(body).then((result) => deliver(resultCallback, result));
    this._pending.add(sending);
    void sending.then(() => this._pending.delete(sending));
  }

  /** Resolves once every export in flight has settled (retries included). */
  async forceFlush(): Promise<void> {
    await Promise.all(this._pending);
  }

  /** Refuses new exports, waits for those in flight, then closes the idle connections. */
  async shutdown(): Promise<void> {
    this._shutDown = true;
    await this.forceFlush();
    this._target.agent.destroy();
  }

  /** Sends `body`, retrying what is retryable while the time budget allows; never rejects. */
  private async _send(body: Buffer): Promise<ExportResult> {
    const deadline = Date.now() + this._timeoutMillis;
    const headers: OutgoingHttpHeaders = { ...this._headers };
    try {
      if (this._gzip) {
        body = await gzip(body);
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = body.length;
      let result: AttemptResult = await postOnce(this._target, headers, body, Math.max(1, deadline - Date.now()));
      for (let retry = 0; result.status === 'retryable' && retry < MAX_RETRIES; retry++) {
        const wait = result.retryInMillis ?? backoffMillis(retry);
        const remaining = deadline - Date.now();
        if (wait > remaining) {
          diag.debug(
            `${PACKAGE_NAME}: not retrying the export: ${Math.round(wait)} ms to wait, ${Math.round(remaining)} ms of budget left`,
          );
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
        const left = deadline - Date.now();
        if (left <= 0) break;
        result = await postOnce(this._target, headers, body, left);
      }
      if (result.status !== 'success') return failed(result.error);
      const partial = result.body.length > 0 ? readPartialSuccess(result.body) : undefined;
      if (partial)
        diag.warn(`${PACKAGE_NAME}: the collector rejected ${partial.rejectedSpans} spans: ${partial.errorMessage}`);
      return { code: ExportResultCode.SUCCESS };
    } catch (err) {
      // Not expected (postOnce never rejects); a failed export rather than an unhandled rejection.
      return failed(err as Error);
    }
  }
}

function failed(error: Error): ExportResult {
  return { code: ExportResultCode.FAILED, error };
}

/** Hands the result over; a callback that throws is reported, not let through to the app. */
function deliver(resultCallback: (result: ExportResult) => void, result: ExportResult): void {
  try {
    resultCallback(result);
  } catch (err) {
    diag.error(`${PACKAGE_NAME}: the export result callback threw`, err);
  }
}
