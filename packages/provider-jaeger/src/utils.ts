import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { ConfigErrorCode } from '@tracepack/config';
import { formatErrorMessage, ProblemReporter, TracepackTypeError } from '@tracepack/core';
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

/**
 * A setup-time mistake in options given in code: the one TypeError shape of @tracepack/core
 * (`code`, `path`, the package name first, the code last), with config's codes since these
 * are the checks config makes, repeated for configs built in code that skipped it. A TypeError,
 * as every bad option given in code is; a subclass so that code catching it by class works.
 */
export class TracepackJaegerError extends TracepackTypeError {
  declare readonly code: JaegerErrorCode;
  declare readonly path: string;

  constructor(code: JaegerErrorCode, path: string, detail: string) {
    super(code, formatErrorMessage(code, { path, detail }, { packageName: PACKAGE_NAME }), { path });
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

/** The one problem key of an exporter's reporter: exporting. */
export const EXPORT_PROBLEM = 'export';

/**
 * Counts spans lost to export failures and reports them through `diag` once per failure streak
 * (@tracepack/core's ProblemReporter): one error when the first export of a streak fails (with
 * the spans it dropped), then silence while the failures go on, then one info line with the
 * streak's total when an export works again. `total` is the spans dropped since creation.
 */
export function exportFailureReporter(target: string, report = true): ProblemReporter {
  return new ProblemReporter({
    packageName: PACKAGE_NAME,
    level: 'error',
    recoveryLevel: 'info',
    log: report,
    startLine: ({ detail, count }) =>
      `cannot export spans to ${target} (${detail}); ${count} span(s) dropped. ` +
      'Further failures are counted without being logged until an export succeeds.',
    recoveryLine: ({ count }) => `exporting to ${target} works again; ${count} span(s) were dropped while it failed.`,
  });
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
