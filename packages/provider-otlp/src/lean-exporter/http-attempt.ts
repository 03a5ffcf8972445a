/**
 * One POST of an encoded request to the collector, bounded by a timer: it settles once, as
 * success, a retryable failure or a final one, and never rejects.
 */
import type { Agent, ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { isRetryableNetworkError, isRetryableStatus, retryAfterMillis } from './retry-policy';

/** A response body larger than this (4 MB, as upstream) is not read: the export fails. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export type AttemptResult =
  | { status: 'success'; body: Buffer }
  | { status: 'retryable'; error: Error; retryInMillis?: number }
  | { status: 'failure'; error: Error };

/** A collector's non-2xx answer; `code` is the HTTP status (as upstream's OTLPExporterError). */
export class OtlpHttpExportError extends Error {
  override readonly name = 'OTLPExporterError';
  constructor(
    message: string,
    readonly code: number,
    readonly data: string,
  ) {
    super(message);
  }
}

/** Where and how to POST: the request function of node:http or node:https and its options. */
export interface HttpTarget {
  request: (options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;
  options: RequestOptions;
  agent: Agent;
}

export function postOnce(
  target: HttpTarget,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  timeoutMs: number,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    let req: ClientRequest;
    const done = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    // A timer for the whole attempt (not the socket's idle timeout): a collector that answers
    // byte by byte cannot stretch an export past its budget.
    const timer = setTimeout(() => {
      done({ status: 'retryable', error: new Error('Request timed out') });
      req?.destroy();
    }, timeoutMs);
    try {
      req = target.request({ ...target.options, method: 'POST', headers, agent: target.agent }, (res) =>
        readResponse(res, done),
      );
    } catch (err) {
      // An invalid header value, say: not worth retrying.
      done({ status: 'failure', error: err as Error });
      return;
    }
    req.on('error', (error) =>
      done(isRetryableNetworkError(error) ? { status: 'retryable', error } : { status: 'failure', error }),
    );
    req.end(body);
  });
}

function readResponse(res: IncomingMessage, done: (result: AttemptResult) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const status = res.statusCode ?? 0;
  const classify = (error: Error | undefined): AttemptResult => {
    if (status >= 200 && status <= 299) return { status: 'success', body: Buffer.concat(chunks) };
    const err =
      error ??
      new OtlpHttpExportError(
        res.statusMessage || `HTTP ${status}`,
        status,
        Buffer.concat(chunks).toString('utf8', 0, 1024),
      );
    if (isRetryableStatus(status)) {
      const retryInMillis = retryAfterMillis(res.headers['retry-after']);
      return retryInMillis === undefined
        ? { status: 'retryable', error: err }
        : { status: 'retryable', error: err, retryInMillis };
    }
    return { status: 'failure', error: err };
  };
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      done({
        status: 'failure',
        error: new Error(`OTLP export response body exceeded size limit of ${MAX_RESPONSE_BYTES} bytes`),
      });
      res.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => done(classify(undefined)));
  res.on('error', (error) => done(classify(error)));
}
