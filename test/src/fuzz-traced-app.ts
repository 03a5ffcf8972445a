// The traced service the fuzz suites send hostile requests to: plain node:http with no tracing
// code, run by `startTracedApp` as `node --require @tracepack/node/register` exporting over
// OTLP to the suite's receiver (see node-lifecycle.test.ts for the same set-up).
//
// It answers every request 200 with the context of the span its handler runs in, in the
// `x-fuzz-span` response header (HEAD requests too), so that a suite can tell which trace each
// request joined and find its SERVER span among the exported ones. `/__fuzz_call` also makes an
// outgoing request to `/__fuzz_down` (which answers the headers it received), to drive the
// propagator's inject side through the real http client.
import { trace } from '@opentelemetry/api';
import { spawn } from 'node:child_process';
import { createServer, get, type Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** What the handler saw: the active span's context (absent for an ignored path). */
export interface SpanSeen {
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
}

export const SPAN_HEADER = 'x-fuzz-span';
export const CALL_PATH = '/__fuzz_call';
const DOWN_PATH = '/__fuzz_down';

function serve(): void {
  const server = createServer((req, res) => {
    const sc = trace.getActiveSpan()?.spanContext();
    const seen: SpanSeen = sc ? { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags } : {};
    res.setHeader(SPAN_HEADER, JSON.stringify(seen));
    if (req.url === DOWN_PATH) {
      res.end(JSON.stringify(req.headers));
      return;
    }
    if (req.url !== CALL_PATH) {
      res.end(JSON.stringify(seen));
      return;
    }
    try {
      const port = (server.address() as AddressInfo).port;
      get({ host: '127.0.0.1', port, path: DOWN_PATH }, (down) => {
        let body = '';
        down.setEncoding('utf8');
        down.on('data', (d: string) => (body += d));
        down.on('end', () => res.end(body));
      }).on('error', (err) => {
        res.statusCode = 502;
        res.end(`outgoing request failed: ${err.name}`);
      });
    } catch (err) {
      // What a service would do with an exception from http.get: fail the request.
      res.statusCode = 500;
      res.end(
        `http.get threw ${(err as NodeJS.ErrnoException).code ?? (err as Error).name}: ${(err as Error).message}`,
      );
    }
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
}

if (require.main === module) serve();

// ---------------------------------------------------------------------------------------------
// The suite side

export interface TracedApp {
  port: number;
  /** What the app wrote on stderr so far (diag reports, crashes). */
  stderr(): string;
  /** SIGTERM (tracing flushes, then the process dies of the signal); resolves on exit. */
  stop(): Promise<void>;
}

/** Starts the app traced by `--require @tracepack/node/register`, exporting OTLP/JSON to `receiverUrl`. */
export function startTracedApp(receiverUrl: string, env: Record<string, string> = {}): Promise<TracedApp> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(TRACING_|OTEL_)/.test(k)) clean[k] = v;
  const child = spawn(process.execPath, ['--require', '@tracepack/node/register', __filename], {
    cwd: join(__dirname, '..', '..', '..'),
    env: {
      ...clean,
      TRACING_PROVIDER: 'otlp',
      TRACING_SERVICE_NAME: 'fuzz-app',
      TRACING_PROVIDERS_OTLP_SERVER_URL: receiverUrl,
      TRACING_PROVIDERS_OTLP_PROTOCOL: 'http/json',
      TRACING_PROPAGATORS: 'tracecontext,baggage,jaeger,b3multi',
      TRACING_SCHEDULE_DELAY_MS: '50',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`the traced app exited (${code}) before listening:\n${stderr}`));
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n') || line === undefined) return;
      child.removeListener('exit', onExit);
      resolve({
        port: (JSON.parse(line) as { port: number }).port,
        stderr: () => stderr,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

export interface Answer {
  status: number;
  /** From the `x-fuzz-span` header; undefined when the app did not answer (node:http did). */
  seen: SpanSeen | undefined;
  body: string;
}

/** One request with exactly these headers (node:http client; values written as latin1). */
export function send(
  port: number,
  agent: Agent,
  options: { method?: string; path: string; headers?: Record<string, string> },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, agent, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          const raw = res.headers[SPAN_HEADER];
          resolve({
            status: res.statusCode ?? 0,
            seen: typeof raw === 'string' ? (JSON.parse(raw) as SpanSeen) : undefined,
            body,
          });
        });
      },
    );
    req.on('error', reject);
  });
}

/** Runs `tasks` with at most `limit` in flight; results in order. */
export async function inPool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Polls `ready` every 20 ms until it holds or `timeoutMs` passes; returns its last answer. */
export async function waitUntil(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
