// Shared by the privacy tests of the default suite (privacy.test.ts, on the OTLP wire) and the
// end-to-end tier (e2e/secrets.test.ts, e2e/mysql2-privacy.test.ts, read back from Jaeger): a
// recognisable secret, every spelling of it worth searching for, a traced app in a child process
// whose stdout and stderr are kept whole, and the request that plants the secret everywhere.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** test/fixtures, from test/dist/src. */
export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

/** A fresh secret: letters around random hex, valid in a path, an e-mail address and SQL. */
export function plantedSecret(): string {
  return `Zq${randomBytes(9).toString('hex')}Xv`;
}

/** Every spelling of `secret` that could carry it out of the process. */
export function secretNeedles(secret: string): Array<[what: string, needle: string]> {
  return [
    ['the secret', secret],
    ['the secret, lower-cased', secret.toLowerCase()],
    ['the secret, upper-cased', secret.toUpperCase()],
    ['the secret, base64', Buffer.from(secret).toString('base64')],
    ['the secret, hex', Buffer.from(secret).toString('hex')],
    ['the e-mail address, percent-encoded', encodeURIComponent(`${secret}@example.com`)],
  ];
}

/** Fails with the spelling found and where, with some context around it. */
export function assertNoSecret(where: string, haystack: string | Buffer, secret: string): void {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  for (const [what, needle] of secretNeedles(secret)) {
    const at = text.indexOf(needle);
    if (at >= 0)
      assert.fail(
        `${what} ("${needle}") is in ${where}: ...${text.slice(Math.max(0, at - 200), at + needle.length + 60)}...`,
      );
  }
  assert.equal(/\$2[aby]\$\d\d\$/.test(text), false, `a bcrypt hash is in ${where}`);
}

/** process.env without the tracing and database variables of the developer's shell. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(TRACING_|OTEL_)/.test(k) && k !== 'DATABASE_URL' && k !== 'MYSQL_URL',
    ),
  );
}

export interface TracedApp {
  port: number;
  child: ChildProcess;
  /** Everything the app wrote so far, stdout and stderr interleaved as they arrived. */
  output(): string;
  /** SIGTERM (the fixtures flush), SIGKILL after `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Runs `test/fixtures/<script>` with `env` on top of a clean environment; resolves once it prints {"port":N}. */
export async function startApp(script: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<TracedApp> {
  const child = spawn(process.execPath, [join(FIXTURES, script)], {
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = (): string => chunks.join('');
  const stop = async (stopTimeoutMs = 10_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const port = await new Promise<number>((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | undefined, value?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => {
      void stop(100);
      settle(new Error(`${script} did not listen within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    void exited.then((code) => settle(new Error(`${script} exited (${code}) before it listened:\n${output()}`)));
    const poll = (): void => {
      if (settled) return;
      const m = /\{"port":(\d+)\}/.exec(output());
      if (m) settle(undefined, Number(m[1]));
      else setTimeout(poll, 20);
    };
    poll();
  });
  return { port, child, output, stop };
}

/**
 * One POST that carries `secret` in the path (`<prefix>/<secret>`), the query string, the
 * Authorization, X-Api-Key and Cookie headers, and the JSON body (e-mail address, password);
 * `headers` are added (a `traceparent`, to find the trace in a backend).
 */
export function plant(
  port: number,
  prefix: string,
  secret: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${prefix}/${secret}?email=${secret}%40example.com&q=${secret}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${secret}`,
      'x-api-key': secret,
      cookie: `sid=${secret}`,
      ...headers,
    },
    body: JSON.stringify({ email: `${secret}@example.com`, password: secret }),
  });
}
