import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The anonymized form of a value that must not leave the process: SHA-256 of `value|salt`.
 * The salt never leaves the process either, so the hash cannot be reversed by trying values.
 */
export function saltedHash(value: string, salt: string): string {
  return sha256Hex(`${value}|${salt}`);
}

/**
 * Names the service gives its features and activities are sent as they are: only short
 * identifiers (`client.created`, `login`), so a name can never carry a user's data.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
export function isSafeName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/** Resolves with `promise`, or after `ms` with nothing: bounded waits at shutdown. */
export function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    bound,
  ]).finally(() => clearTimeout(timer));
}

/** The message of anything thrown, without a stack: for the one log line of a failure streak. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message || err.name;
  }
  return String(err);
}

/** The URL reports are POSTed to: `sqa.endpoint`, with `/v1/metrics` when it has no path. */
export function metricsUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/metrics';
  return u.toString();
}
