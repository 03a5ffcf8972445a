/**
 * When an OTLP/HTTP export is tried again: the statuses, network errors and backoff of
 * @opentelemetry/otlp-exporter-base 0.301.0, so that switching to the lean exporter changes
 * nothing a collector or an operator sees. Retries always stay within the export's time budget.
 */

/** Attempts after the first. */
export const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

/** 429 Too Many Requests, 502, 503 and 504: the collector is busy or briefly away. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

const RETRYABLE_NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** A refused, reset or unreachable connection, or a name that did not resolve (yet). */
export function isRetryableNetworkError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && RETRYABLE_NETWORK_ERRORS.has(code);
}

/**
 * Milliseconds a `Retry-After` header asks to wait (seconds, or an HTTP date), as upstream
 * reads it: undefined without the header, then the backoff applies.
 */
export function retryAfterMillis(header: string | undefined): number | undefined {
  if (header == null) return undefined;
  const seconds = Number.parseInt(header, 10);
  if (Number.isInteger(seconds)) return seconds > 0 ? seconds * 1000 : -1;
  const delay = new Date(header).getTime() - Date.now();
  return delay >= 0 ? delay : 0;
}

/** The wait before retry number `retry` (0-based): exponential, capped, with ±20% jitter. */
export function backoffMillis(retry: number): number {
  const base = INITIAL_BACKOFF_MS * BACKOFF_MULTIPLIER ** retry;
  return Math.max(Math.min(base * (1 + (Math.random() * 2 * JITTER - JITTER)), MAX_BACKOFF_MS), 0);
}
