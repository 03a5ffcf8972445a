// Shared helpers of the end-to-end tests: traced child services (the fixture under
// test/e2e/fixtures or the examples), their config files, HTTP requests, trace ids and
// Jaeger tag look-ups. The servers themselves (Jaeger, Zipkin) are in ./servers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { stopChild } from '@tracepack/example-quickstart';
import {
  jaegerTrace,
  normalizeTraceId,
  startJaeger,
  startZipkin,
  type JaegerServer,
  type JaegerSpan,
  type JaegerTrace,
  type ZipkinServer,
} from './servers';

/** test/e2e/fixtures, from test/dist/e2e. */
export const FIXTURES = join(__dirname, '..', '..', 'e2e', 'fixtures');

/** The line @tracepack/node writes (once) when the backend refuses spans. */
export const CANNOT_EXPORT = 'cannot export spans';

/** process.env without the tracing/database variables of the developer's shell. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TRACING_|OTEL_|QUICKSTART_)/.test(k) || k === 'DATABASE_URL' || k === 'MYSQL_URL' || k === 'CONFIG_FILE')
      continue;
    env[k] = v;
  }
  return env;
}

/** A temp dir removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `{ tracing: <tracing>, ...rest }` as YAML, the shape of README's config file. */
export async function writeConfigFile(
  path: string,
  tracing: Record<string, unknown>,
  rest: Record<string, unknown> = {},
): Promise<string> {
  await writeFile(path, stringify({ ...rest, tracing }));
  return path;
}

/**
 * README's documented Jaeger block: the agent's compact-Thrift UDP port and the remote
 * sampling endpoint of `jaeger`, with a short refresh for the tests.
 */
export function documentedJaegerTracing(
  jaeger: JaegerServer,
  serviceName: string,
  sampling: { trace_id_ratio?: number; refresh_interval_ms?: number } = {},
): Record<string, unknown> {
  return {
    provider: 'jaeger',
    service_name: serviceName,
    providers: {
      jaeger: {
        local_agent_address: `127.0.0.1:${jaeger.agentCompactPort}`,
        sampling: { server_url: `${jaeger.samplingUrl}/sampling`, refresh_interval_ms: 200, ...sampling },
      },
    },
    instrumentations: { http: { routes: ['/items/:id'] } },
  };
}

// --- Child services -----------------------------------------------------------------------

export interface ChildService {
  url: string;
  child: ChildProcess;
  /** Every stderr line so far. */
  stderr: string[];
  /** SIGTERM (the fixture flushes), SIGKILL after `timeoutMs`; idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Runs test/e2e/fixtures/traced-service.js with CONFIG_FILE=`configFile`; resolves once it listens. */
export async function startTracedService(
  configFile: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<ChildService> {
  const child = spawn(process.execPath, [join(FIXTURES, 'traced-service.js')], {
    env: { ...cleanEnv(), ...env, CONFIG_FILE: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  let rest = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    stderr.push(...lines);
  });
  const stop = (stopTimeoutMs = 8000): Promise<void> => stopChild(child, stopTimeoutMs);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`traced-service did not start within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      void stop(100);
      reject(new Error(`${err.message}\nstderr:\n${stderr.join('\n')}${rest}`));
    };
    child.once('exit', (code, signal) =>
      fail(new Error(`traced-service exited (${code ?? signal}) before it listened`)),
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(Number(m[1]));
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, child, stderr, stop };
}

// --- Requests -----------------------------------------------------------------------------

const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });

export interface SimpleResponse {
  status: number;
  body: string;
  /** Wall time of the request, in milliseconds. */
  ms: number;
}

/** One HTTP request over a keep-alive agent (cheap enough to time). */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: keepAlive, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Closes the idle keep-alive sockets (call in `after`, so that the test process can exit). */
export function closeRequestAgent(): void {
  keepAlive.destroy();
}

/** The JSON a traced-service route answers. */
export interface SpanInfo {
  traceId: string | null;
  sampled: boolean | null;
}

export async function getSpanInfo(url: string, headers?: Record<string, string>): Promise<SpanInfo> {
  const res = await request(url, { headers });
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body) as SpanInfo;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Calls `get` until it returns a value, at most `deadlineMs`; throws `what()` after. */
export async function pollUntil<T>(
  what: () => string,
  deadlineMs: number,
  get: () => Promise<T | undefined>,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await get();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(everyMs);
  }
  throw new Error(
    `tracepack e2e: ${what()} within ${deadlineMs} ms${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
  );
}

// --- Trace context ------------------------------------------------------------------------

/** Random lower-case hex id whose first digit is not 0 (Jaeger drops leading zeros). */
export function hexId(bytes: number): string {
  const buf = randomBytes(bytes);
  buf[0] = (buf[0] ?? 0) | 0x10;
  return buf.toString('hex');
}

export function newIds(): { traceId: string; spanId: string } {
  return { traceId: hexId(16), spanId: hexId(8) };
}

export function traceparent(ids: { traceId: string; spanId: string }): string {
  return `00-${ids.traceId}-${ids.spanId}-01`;
}

// --- Jaeger look-ups ----------------------------------------------------------------------

export function tagOf(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}

/** The span id `span` is a CHILD_OF, if any. */
export function parentOf(span: JaegerSpan): string | undefined {
  return span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
}

/** Polls `/api/traces/<id>` until the trace satisfies `predicate`. */
export function waitForJaegerTraceId(
  queryUrl: string,
  traceId: string,
  predicate: (trace: JaegerTrace) => boolean = () => true,
  deadlineMs = 15_000,
): Promise<JaegerTrace> {
  let last: JaegerTrace | undefined;
  return pollUntil(
    () =>
      `no Jaeger trace ${traceId} matching; last: ${last ? JSON.stringify(last.spans.map((s) => `${last!.processes[s.processID]?.serviceName}:${s.operationName}`)) : 'none'}`,
    deadlineMs,
    async () => {
      last = await jaegerTrace(queryUrl, traceId);
      return last && normalizeTraceId(last.traceID) === normalizeTraceId(traceId) && predicate(last) ? last : undefined;
    },
    150,
  );
}

/** The raw text of a GET (for byte-level checks). */
export async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  assert.ok(res.ok, `GET ${url}: ${res.status} ${text.slice(0, 200)}`);
  return text;
}

/** Jaeger and Zipkin, started side by side; if either fails, the other is stopped and the error thrown. */
export async function startJaegerAndZipkin(): Promise<{ jaeger: JaegerServer; zipkin: ZipkinServer }> {
  const [j, z] = await Promise.allSettled([startJaeger(), startZipkin()]);
  if (j.status === 'fulfilled' && z.status === 'fulfilled') return { jaeger: j.value, zipkin: z.value };
  await Promise.all([
    j.status === 'fulfilled' ? j.value.stop() : undefined,
    z.status === 'fulfilled' ? z.value.stop() : undefined,
  ]);
  throw j.status === 'rejected' ? j.reason : (z as PromiseRejectedResult).reason;
}
