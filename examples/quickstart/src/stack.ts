import { DEFAULT_PORT } from '@tracepack/example-clients-service';
import { DEFAULT_GATEWAY_PORT } from '@tracepack/example-gateway';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export type ServiceName = 'clients-service' | 'gateway';

export interface StartStackOptions {
  /** PostgreSQL URL given to clients-service as DATABASE_URL (e.g. the embedded one's). */
  databaseUrl: string;
  /** Port of clients-service; 0: a free one. @default DEFAULT_PORT of clients-service (4445) when free, else a free one */
  servicePort?: number;
  /** Port of the gateway; 0: a free one. @default DEFAULT_GATEWAY_PORT (4455) when free, else a free one */
  gatewayPort?: number;
  /** Environment of both services (TRACING_* variables go here). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Variables for one service only, over `env`. */
  serviceEnv?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /** Each line either service writes (stdout and stderr). @default kept for error messages only */
  onLine?: (service: ServiceName, line: string) => void;
  /** How long both may take to answer their health check. @default 60000 */
  startTimeoutMs?: number;
}

export interface Stack {
  serviceUrl: string;
  gatewayUrl: string;
  /** Called when a service exits before stop() (with its code and last lines). */
  onUnexpectedExit(listener: (service: ServiceName, code: number | null, tail: string) => void): void;
  /** SIGTERM to both, SIGKILL after `timeoutMs`; resolves once both have exited. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Path of a service's compiled entry point, found through its workspace package. */
export function serviceMain(service: ServiceName): string {
  const pkg =
    service === 'gateway'
      ? '@tracepack/example-gateway/package.json'
      : '@tracepack/example-clients-service/package.json';
  return join(dirname(require.resolve(pkg)), 'dist', 'src', 'main.js');
}

/** `preferred` when it is free on 127.0.0.1, else a free port the OS picks. */
export async function portOr(preferred: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const got = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(got));
      });
    });
  return (preferred > 0 ? await tryListen(preferred) : undefined) ?? (await tryListen(0)) ?? 0;
}

/** Starts clients-service, then the gateway in front of it, as child processes. */
export async function startStack(options: StartStackOptions): Promise<Stack> {
  const env = options.env ?? process.env;
  const servicePort =
    options.servicePort === undefined ? await portOr(DEFAULT_PORT) : options.servicePort || (await portOr(0));
  const gatewayPort =
    options.gatewayPort === undefined ? await portOr(DEFAULT_GATEWAY_PORT) : options.gatewayPort || (await portOr(0));
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  const children = new Map<ServiceName, ChildProcess>();
  const tails = new Map<ServiceName, string[]>();
  const exitListeners: ((service: ServiceName, code: number | null, tail: string) => void)[] = [];
  let stopping = false;

  const launch = (service: ServiceName, extra: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(process.execPath, [serviceMain(service)], {
      env: { ...env, ...extra, ...options.serviceEnv?.[service] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(service, child);
    const tail: string[] = [];
    tails.set(service, tail);
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.onLine?.(service, line);
    };
    splitLines(child.stdout!, onLine);
    splitLines(child.stderr!, onLine);
    child.once('exit', (code) => {
      if (!stopping) for (const l of exitListeners) l(service, code, tail.join('\n'));
    });
    return child;
  };

  const stop = async (stopTimeoutMs = 8000): Promise<void> => {
    stopping = true;
    await Promise.all([...children.values()].map((c) => stopChild(c, stopTimeoutMs)));
  };

  try {
    const service = launch('clients-service', {
      PORT: String(servicePort),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      MYSQL_URL: '',
    });
    await waitForHealth(serviceUrl, service, 'clients-service', tails, timeoutMs);
    const gateway = launch('gateway', {
      GATEWAY_PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      UPSTREAM_URL: serviceUrl,
    });
    await waitForHealth(gatewayUrl, gateway, 'gateway', tails, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { serviceUrl, gatewayUrl, stop, onUnexpectedExit: (l) => void exitListeners.push(l) };
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  name: ServiceName,
  tails: Map<ServiceName, string[]>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${(tails.get(name) ?? []).join('\n')}`,
      );
    }
    try {
      const res = await fetch(`${url}/health/alive`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `${name} did not answer ${url}/health/alive within ${timeoutMs} ms:\n${(tails.get(name) ?? []).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Calls `onLine` for each line of a stream (the last one too, when it has no newline). */
export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) !== -1) {
      onLine(rest.slice(0, nl).replace(/\r$/, ''));
      rest = rest.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (rest !== '') onLine(rest);
    rest = '';
  });
}
