import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { ConfigErrorCode } from '@tracepack/config';
import { isIPv6 } from 'node:net';

export const PACKAGE_NAME = '@tracepack/provider-jaeger';

/** Stable codes of the setup-time errors this package throws (those of @tracepack/config). */
export const JaegerErrorCode = {
  INVALID_ADDRESS: ConfigErrorCode.INVALID_ADDRESS,
  INVALID_URL: ConfigErrorCode.INVALID_URL,
  OUT_OF_RANGE: ConfigErrorCode.OUT_OF_RANGE,
  WRONG_TYPE: ConfigErrorCode.WRONG_TYPE,
} as const;
export type JaegerErrorCode = (typeof JaegerErrorCode)[keyof typeof JaegerErrorCode];

/** A setup-time mistake: names the package, the config path, the code and what is allowed. */
export class TracepackJaegerError extends TypeError {
  readonly code: JaegerErrorCode;
  readonly path: string;

  constructor(code: JaegerErrorCode, path: string, message: string) {
    super(`${PACKAGE_NAME}: ${path}: ${message} [${code}]`);
    this.name = 'TracepackJaegerError';
    this.code = code;
    this.path = path;
  }
}

/** `host:port` or `[v6]:port` -> parts; undefined when malformed. */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && !isIPv6(host)) return undefined;
  return { host, port };
}

/** A URL fit for a log line: no user, password, query or fragment. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/**
 * The URL the strategies are fetched from (without `?service=`): the configured one, with
 * `/sampling` appended unless its path already ends with it, so that the documented
 * `http://jaeger:5778/sampling` and a bare `http://jaeger:5778` both reach `/sampling`, and the
 * collector's `http://jaeger:14268/api/sampling` stays as it is. User, password, query and
 * fragment are dropped (credentials travel as a header, see the sampler).
 */
export function samplingEndpoint(serverUrl: string): string {
  const u = new URL(serverUrl);
  let path = u.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/sampling')) path = `${path}/sampling`;
  return `${u.protocol}//${u.host}${path}`;
}

/** A short, secret-free reason for a log line. */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}

/**
 * Counts spans lost to export failures and reports them through `diag` once per failure
 * streak: one error when the first export of a streak fails (with the spans it dropped), then
 * silence while the failures go on, then one info line with the streak's total when an export
 * works again.
 */
export class FailureReporter {
  private failing = false;
  private streakDropped = 0;
  private total = 0;

  constructor(
    private readonly target: string,
    private readonly report = true,
  ) {}

  /** Spans dropped by export failures since the exporter was created. */
  get droppedSpans(): number {
    return this.total;
  }

  failure(reason: string, spans: number): void {
    this.total += spans;
    if (this.failing) {
      this.streakDropped += spans;
      return;
    }
    this.failing = true;
    this.streakDropped = spans;
    if (this.report)
      diag.error(
      `${PACKAGE_NAME}: cannot export spans to ${this.target} (${reason}); ${spans} span(s) dropped. ` +
        'Further failures are counted without being logged until an export succeeds.',
    );
  }

  success(): void {
    if (!this.failing) return;
    this.failing = false;
    if (this.report) diag.info(`${PACKAGE_NAME}: exporting to ${this.target} works again; ${this.streakDropped} span(s) were dropped while it failed.`);
    this.streakDropped = 0;
  }
}

/**
 * The start every export shares: a result callback that never throws into the exporter, and
 * the answers that need no work (FAILED after shutdown, SUCCESS for an empty batch). Returns
 * the safe callback, or undefined when the export was already answered.
 */
export function beginExport(
  shutDown: boolean,
  spanCount: number,
  resultCallback: (result: ExportResult) => void,
): ((result: ExportResult) => void) | undefined {
  const finish = (result: ExportResult): void => {
    try {
      resultCallback(result);
    } catch (err) {
      diag.error(`${PACKAGE_NAME}: the export result callback threw`, err);
    }
  };
  if (shutDown) {
    finish({ code: ExportResultCode.FAILED, error: new Error(`${PACKAGE_NAME}: the exporter is shut down`) });
    return undefined;
  }
  if (spanCount === 0) {
    finish({ code: ExportResultCode.SUCCESS });
    return undefined;
  }
  return finish;
}

/** `promise`, or nothing after `ms` (an unref'd timer: it never keeps the process alive). */
export async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([promise, timeout]);
  clearTimeout(timer);
}
