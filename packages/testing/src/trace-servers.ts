// Real trace backends for the end-to-end tier: Jaeger v2 all-in-one and Zipkin server,
// started on free loopback ports, with helpers to read traces back through their query
// APIs. Installed by `bash test/e2e/install-servers.sh` into the cache outside the repo.
// Used by the e2e tier (test/e2e) and by the bench (Jaeger as its receiver). Imports only
// node builtins.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Jaeger release the cached binary is built from (module tag v1.76.0 is the same tree). */
export const JAEGER_VERSION = 'v2.13.0';
/** The Go module tag that `install-servers.sh` builds; it names the cached binary. */
export const JAEGER_MODULE_VERSION = 'v1.76.0';
/** The Zipkin server release whose executable jar is cached. */
export const ZIPKIN_VERSION = '3.6.1';

/** The one line printed when the servers are missing outside CI. */
export const INSTALL_HINT = 'run bash test/e2e/install-servers.sh, then npm test';

const LOOPBACK = '127.0.0.1';
const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
const ZIPKIN_STARTUP_TIMEOUT_MS = 90_000; // a JVM on 2 busy cores can take a while
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 40;
const START_ATTEMPTS = 3; // a free port can be taken by a parallel test between probe and bind

// --- Where the servers are --------------------------------------------------------------

/** `${TRACEPACK_CACHE:-$HOME/.cache/tracepack}/bin`, the same rule as install-servers.sh. */
export function cacheBinDir(): string {
  return join(process.env.TRACEPACK_CACHE || join(homedir(), '.cache', 'tracepack'), 'bin');
}

/** Path of the Jaeger binary: `TRACEPACK_JAEGER_BIN`, else the cached build. */
export function jaegerBinaryPath(): string {
  return process.env.TRACEPACK_JAEGER_BIN || join(cacheBinDir(), `jaeger-${JAEGER_MODULE_VERSION}`);
}

/** Path of the Zipkin exec jar: `TRACEPACK_ZIPKIN_JAR`, else the cached copy. */
export function zipkinJarPath(): string {
  return process.env.TRACEPACK_ZIPKIN_JAR || join(cacheBinDir(), `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export interface E2eAvailability {
  /** True when Jaeger, Zipkin and a `java` to run it are all present. */
  available: boolean;
  /** What was found, or what is missing followed by {@link INSTALL_HINT}. */
  reason: string;
}

/** Whether the e2e servers are installed. Only looks at files: starts nothing. */
export function e2eAvailability(): E2eAvailability {
  const missing: string[] = [];
  const jaeger = jaegerBinaryPath();
  const zipkin = zipkinJarPath();
  try {
    accessSync(jaeger, constants.X_OK);
  } catch {
    missing.push(`jaeger (${jaeger})`);
  }
  if (!existsSync(zipkin)) missing.push(`zipkin (${zipkin})`);
  if (!onPath('java')) missing.push('java (for zipkin)');
  if (missing.length > 0) {
    return {
      available: false,
      reason: `e2e servers missing: ${missing.join(', ')}: ${INSTALL_HINT}`,
    };
  }
  return {
    available: true,
    reason: `jaeger ${JAEGER_VERSION} at ${jaeger}, zipkin ${ZIPKIN_VERSION} at ${zipkin}`,
  };
}

/**
 * The tier's rule, for `describe(name, { skip: e2eSkip() }, ...)`: `false` when the servers
 * are installed; otherwise, under `CI=true` it throws (missing servers fail CI), and
 * elsewhere it returns the one-line reason to skip with.
 */
export function e2eSkip(): false | string {
  const { available, reason } = e2eAvailability();
  if (available) return false;
  if (process.env.CI === 'true') {
    throw new Error(`tracepack e2e: CI=true but ${reason}`);
  }
  return reason;
}

// --- Free ports -------------------------------------------------------------------------

function holdTcpPort(): Promise<{
  port: number;
  release: () => Promise<void>;
}> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('tracepack e2e: could not read a TCP port'));
        return;
      }
      resolve({
        port: address.port,
        release: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function holdUdpPort(): Promise<{
  port: number;
  release: () => Promise<void>;
}> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, LOOPBACK, () => {
      resolve({
        port: socket.address().port,
        release: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}

/**
 * Finds `tcp` free TCP ports and `udp` free UDP ports on 127.0.0.1, all distinct: every port
 * is held until all are found, then released for the server to bind.
 */
export async function freePorts(tcp: number, udp = 0): Promise<{ tcp: number[]; udp: number[] }> {
  const held: Array<{ port: number; release: () => Promise<void> }> = [];
  try {
    for (let i = 0; i < tcp; i++) held.push(await holdTcpPort());
    for (let i = 0; i < udp; i++) held.push(await holdUdpPort());
    return {
      tcp: held.slice(0, tcp).map((h) => h.port),
      udp: held.slice(tcp).map((h) => h.port),
    };
  } finally {
    await Promise.all(held.map((h) => h.release()));
  }
}

// --- Processes --------------------------------------------------------------------------

/** Children still running, killed if the test process exits or is interrupted first. */
const liveChildren = new Set<ChildProcess>();
/** Temp dirs of servers not stopped yet, removed if the test process exits first. */
const liveDirs = new Set<string>();
let exitHooksInstalled = false;

function killAllNow(): void {
  for (const child of liveChildren) killGroup(child, 'SIGKILL');
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  liveDirs.add(dir);
  return dir;
}

async function removeTempDir(dir: string): Promise<void> {
  liveDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached: the child leads its own process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(command: string, args: string[], logPath: string, env?: NodeJS.ProcessEnv): Running {
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: env ?? process.env,
    });
  } finally {
    closeSync(logFd); // the child has its own copy
  }
  installExitHooks();
  liveChildren.add(child);
  // A server a test forgot to stop must not keep the test process alive forever: the exit
  // hook kills it when the process ends. Readiness polling and terminate() keep the loop
  // alive (terminate re-refs the child) while they wait.
  child.unref();
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      liveChildren.delete(child);
      writeLogLine(logPath, `spawn error: ${err.message}`);
      resolve({ code: null, signal: null });
    });
  });
  return { child, exited };
}

function writeLogLine(logPath: string, line: string): void {
  try {
    const fd = openSync(logPath, 'a');
    try {
      writeSync(fd, `${line}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the log is best effort
  }
}

/** The last lines of a server's log, for error messages. */
export function logTail(logPath: string, lines = LOG_TAIL_LINES): string {
  try {
    const text = readFileSync(logPath, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Stops a process group: `signal`, then SIGKILL after the timeout; resolves once it exited. */
async function terminate(running: Running, signal: NodeJS.Signals, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    await running.exited;
    return;
  }
  child.ref(); // keep the loop alive until the exit event arrives
  killGroup(child, signal);
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      resolve();
    }, timeoutMs);
  });
  await Promise.race([running.exited, forced]);
  clearTimeout(timer);
  await running.exited;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

class StartupError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

/**
 * Polls `ready` every 100 ms until it returns true, the process exits, or the deadline
 * passes. On failure kills the process group and throws with the log's tail.
 */
async function waitUntilReady(
  name: string,
  running: Running,
  logPath: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void running.exited.then((e) => {
    exit = e;
  });
  while (Date.now() < deadline) {
    if (exit !== undefined) break;
    if (await ready()) return;
    if (exit !== undefined) break;
    await sleep(100);
  }
  const why =
    exit !== undefined
      ? `exited (code ${exit.code}, signal ${exit.signal}) before it was ready`
      : `was not ready within ${timeoutMs} ms`;
  await terminate(running, 'SIGKILL');
  const tail = logTail(logPath);
  throw new StartupError(
    `tracepack e2e: ${name} ${why}; log ${logPath}, last lines:\n${tail}`,
    /address already in use/i.test(tail),
  );
}

// --- Jaeger -----------------------------------------------------------------------------

/** A Jaeger remote-sampling strategies document (the file source's JSON). */
export interface SamplingStrategies {
  default_strategy?: Record<string, unknown>;
  service_strategies?: Array<Record<string, unknown>>;
}

export interface JaegerOptions {
  /**
   * Strategies file for the remote_sampling extension (reloaded every second, so a test can
   * rewrite it). Default: a file written to the temp dir from `samplingStrategies`.
   */
  samplingStrategiesFile?: string;
  /**
   * Strategies written to the temp dir when no file is given.
   * @default { default_strategy: { type: 'probabilistic', param: 1.0 } }
   */
  samplingStrategies?: SamplingStrategies;
  /** @default 30000 */
  startupTimeoutMs?: number;
  /**
   * Serve the collector's own metrics (Prometheus text) on a free port, for
   * {@link jaegerSpanCounts}. Off by default: the e2e tier reads traces, not counts.
   */
  metrics?: boolean;
  /** Traces the in-memory store keeps before it drops the oldest. @default 100000 */
  maxTraces?: number;
}

/** The ports a Jaeger instance listens on, all on 127.0.0.1. */
export interface JaegerPorts {
  query: number;
  queryGrpc: number;
  otlpGrpc: number;
  otlpHttp: number;
  collectorHttp: number;
  collectorGrpc: number;
  zipkin: number;
  sampling: number;
  agentCompact: number;
  agentBinary: number;
  /** Only with `metrics: true`; 0 otherwise. */
  metrics: number;
}

export interface JaegerServer {
  /** UDP port of the agent's thrift compact endpoint (6831 by default in Jaeger). */
  agentCompactPort: number;
  /** UDP port of the agent's thrift binary endpoint (6832 by default). */
  agentBinaryPort: number;
  /** Collector thrift-over-HTTP endpoint, with its path: `http://127.0.0.1:P/api/traces`. */
  collectorHttpUrl: string;
  /** OTLP/HTTP traces endpoint, with its path: `http://127.0.0.1:P/v1/traces`. */
  otlpHttpUrl: string;
  /** OTLP/gRPC endpoint: `http://127.0.0.1:P`. */
  otlpGrpcUrl: string;
  /** Zipkin-compatible receiver, with its path: `http://127.0.0.1:P/api/v2/spans`. */
  zipkinSpansUrl: string;
  /** Remote sampling base URL: GET `${samplingUrl}/sampling?service=NAME`. */
  samplingUrl: string;
  /** Query base URL (HTTP API `/api/...`): `http://127.0.0.1:P`. */
  queryUrl: string;
  /** The collector's own metrics, `http://127.0.0.1:P/metrics`; only with `metrics: true`. */
  metricsUrl?: string;
  /** Process id of the running Jaeger (undefined while it is stopped). */
  readonly pid: number | undefined;
  /** Every port, for tests that need one not listed above. */
  ports: JaegerPorts;
  /** The temp dir holding config.yaml, the strategies file and jaeger.log. */
  dir: string;
  /** The log file (stdout and stderr of every run, appended). */
  logPath: string;
  /** Graceful stop (SIGTERM, SIGKILL after 10 s), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, to simulate a crash; keeps the temp dir so that `restart()` can follow. */
  kill(): Promise<void>;
  /** Starts again on the same ports (stopping first if running); data is not kept. */
  restart(): Promise<void>;
}

/** The config file Jaeger runs with: every endpoint on 127.0.0.1, in-memory storage. */
export function jaegerConfigYaml(ports: JaegerPorts, strategiesFile: string, maxTraces = 100_000): string {
  const at = (port: number): string => `${LOOPBACK}:${port}`;
  const metrics =
    ports.metrics > 0
      ? `level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: ${LOOPBACK}
                port: ${ports.metrics}`
      : 'level: none';
  return `# Written by @tracepack/testing (trace-servers.ts)
service:
  extensions: [jaeger_storage, jaeger_query, remote_sampling]
  pipelines:
    traces:
      receivers: [otlp, jaeger, zipkin]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      ${metrics}
    logs:
      level: info

extensions:
  jaeger_storage:
    backends:
      e2e_memory:
        memory:
          max_traces: ${maxTraces}
  jaeger_query:
    # on by default: it would export Jaeger's own spans to localhost:4317 (whatever listens
    # there) and stall shutdown while that export retries
    enable_tracing: false
    storage:
      traces: e2e_memory
    http:
      endpoint: ${at(ports.query)}
    grpc:
      endpoint: ${at(ports.queryGrpc)}
  remote_sampling:
    file:
      path: ${JSON.stringify(strategiesFile)}
      reload_interval: 1s
    http:
      endpoint: ${at(ports.sampling)}

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${at(ports.otlpGrpc)}
      http:
        endpoint: ${at(ports.otlpHttp)}
  jaeger:
    protocols:
      grpc:
        endpoint: ${at(ports.collectorGrpc)}
      thrift_http:
        endpoint: ${at(ports.collectorHttp)}
      thrift_binary:
        endpoint: ${at(ports.agentBinary)}
      thrift_compact:
        endpoint: ${at(ports.agentCompact)}
  zipkin:
    endpoint: ${at(ports.zipkin)}

processors:
  batch:
    timeout: 100ms

exporters:
  jaeger_storage_exporter:
    trace_storage: e2e_memory
`;
}

async function freeJaegerPorts(withMetrics: boolean): Promise<JaegerPorts> {
  const { tcp, udp } = await freePorts(withMetrics ? 9 : 8, 2);
  const [query, queryGrpc, otlpGrpc, otlpHttp, collectorHttp, collectorGrpc, zipkin, sampling] = tcp as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [agentCompact, agentBinary] = udp as [number, number];
  return {
    query,
    queryGrpc,
    otlpGrpc,
    otlpHttp,
    collectorHttp,
    collectorGrpc,
    zipkin,
    sampling,
    agentCompact,
    agentBinary,
    metrics: tcp[8] ?? 0,
  };
}

async function runJaeger(
  binary: string,
  configPath: string,
  ports: JaegerPorts,
  logPath: string,
  timeoutMs: number,
): Promise<Running> {
  writeLogLine(logPath, `--- ${new Date().toISOString()} starting ${binary} --config ${configPath}`);
  const running = launch(binary, ['--config', configPath], logPath);
  // Extensions (query, sampling) start before the pipelines, so the query API answering is
  // not enough: also wait for every TCP receiver. The jaeger receiver binds its UDP agent
  // ports before its TCP collector ports, so those are covered too.
  const tcpReceivers = [
    ports.otlpGrpc,
    ports.otlpHttp,
    ports.collectorHttp,
    ports.collectorGrpc,
    ports.zipkin,
    ports.sampling,
    ...(ports.metrics > 0 ? [ports.metrics] : []),
  ];
  await waitUntilReady('jaeger', running, logPath, timeoutMs, async () => {
    if (!(await httpOk(`http://${LOOPBACK}:${ports.query}/api/services`))) return false;
    const open = await Promise.all(tcpReceivers.map(tcpOpen));
    return open.every(Boolean);
  });
  return running;
}

/** Starts Jaeger v2 all-in-one (in-memory) on free loopback ports and waits until it is ready. */
export async function startJaeger(opts: JaegerOptions = {}): Promise<JaegerServer> {
  const binary = jaegerBinaryPath();
  const timeoutMs = opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const dir = await makeTempDir('tracepack-jaeger-');
  const logPath = join(dir, 'jaeger.log');
  const configPath = join(dir, 'config.yaml');
  let strategiesFile = opts.samplingStrategiesFile;
  if (strategiesFile === undefined) {
    strategiesFile = join(dir, 'sampling-strategies.json');
    const strategies = opts.samplingStrategies ?? {
      default_strategy: { type: 'probabilistic', param: 1.0 },
    };
    await writeFile(strategiesFile, JSON.stringify(strategies, null, 2));
  }

  let ports: JaegerPorts | undefined;
  let running: Running | undefined;
  for (let attempt = 1; running === undefined; attempt++) {
    ports = await freeJaegerPorts(opts.metrics === true);
    await writeFile(configPath, jaegerConfigYaml(ports, strategiesFile, opts.maxTraces));
    try {
      running = await runJaeger(binary, configPath, ports, logPath, timeoutMs);
    } catch (err) {
      if (err instanceof StartupError && err.portInUse && attempt < START_ATTEMPTS) continue;
      await removeTempDir(dir).catch(() => undefined);
      throw err;
    }
  }
  const p = ports as JaegerPorts;
  let removed = false;
  const base = (port: number): string => `http://${LOOPBACK}:${port}`;

  return {
    agentCompactPort: p.agentCompact,
    agentBinaryPort: p.agentBinary,
    collectorHttpUrl: `${base(p.collectorHttp)}/api/traces`,
    otlpHttpUrl: `${base(p.otlpHttp)}/v1/traces`,
    otlpGrpcUrl: base(p.otlpGrpc),
    zipkinSpansUrl: `${base(p.zipkin)}/api/v2/spans`,
    samplingUrl: base(p.sampling),
    queryUrl: base(p.query),
    metricsUrl: p.metrics > 0 ? `${base(p.metrics)}/metrics` : undefined,
    get pid() {
      const child = running?.child;
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    ports: p,
    dir,
    logPath,
    async stop() {
      if (running !== undefined) await terminate(running, 'SIGTERM');
      if (!removed) {
        removed = true;
        await removeTempDir(dir);
      }
    },
    async kill() {
      if (running !== undefined) await terminate(running, 'SIGKILL');
    },
    async restart() {
      if (removed) throw new Error('tracepack e2e: jaeger was stopped; start a new one instead of restart()');
      if (running !== undefined) await terminate(running, 'SIGTERM');
      running = undefined;
      running = await runJaeger(binary, configPath, p, logPath, timeoutMs);
    },
  };
}

/** What a Jaeger started with `metrics: true` says it did with the spans it was sent. */
export interface JaegerSpanCounts {
  /** Spans its receivers accepted (every protocol). */
  accepted: number;
  /** Spans its receivers refused. */
  refused: number;
  /** Spans its storage exporter wrote to the in-memory store. */
  stored: number;
}

/** Sums one counter over every label set in Prometheus text (with or without `_total`). */
export function sumPrometheusCounter(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const labelled = rest.startsWith('_total') ? rest.slice('_total'.length) : rest;
    if (!(labelled.startsWith('{') || labelled.startsWith(' '))) continue; // another metric's prefix
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Reads the span counters of a Jaeger started with `metrics: true` (its collector's own metrics). */
export async function jaegerSpanCounts(metricsUrl: string): Promise<JaegerSpanCounts> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`tracepack: GET ${metricsUrl} answered ${res.status}`);
  return {
    accepted: sumPrometheusCounter(text, 'otelcol_receiver_accepted_spans'),
    refused: sumPrometheusCounter(text, 'otelcol_receiver_refused_spans'),
    stored: sumPrometheusCounter(text, 'otelcol_exporter_sent_spans'),
  };
}

// --- Zipkin -----------------------------------------------------------------------------

export interface ZipkinOptions {
  /** @default 90000 */
  startupTimeoutMs?: number;
}

export interface ZipkinServer {
  /** Span intake, with its path: `http://127.0.0.1:P/api/v2/spans`. */
  spansUrl: string;
  /** Base URL of the API and UI: `http://127.0.0.1:P` (`/api/v2/...`). */
  queryUrl: string;
  port: number;
  dir: string;
  logPath: string;
  /** Graceful stop (SIGTERM, SIGKILL after 10 s), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

async function zipkinHealthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health`, {
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) {
      await res.arrayBuffer();
      return false;
    }
    const body = (await res.json()) as { status?: string };
    return body.status === 'UP';
  } catch {
    return false;
  }
}

/** Starts Zipkin server (in-memory storage, no self-tracing) on a free loopback port. */
export async function startZipkin(opts: ZipkinOptions = {}): Promise<ZipkinServer> {
  const jar = zipkinJarPath();
  const timeoutMs = opts.startupTimeoutMs ?? ZIPKIN_STARTUP_TIMEOUT_MS;
  const dir = await makeTempDir('tracepack-zipkin-');
  const logPath = join(dir, 'zipkin.log');

  for (let attempt = 1; ; attempt++) {
    const {
      tcp: [port],
    } = await freePorts(1);
    const base = `http://${LOOPBACK}:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      QUERY_PORT: String(port),
      STORAGE_TYPE: 'mem',
      SELF_TRACING_ENABLED: 'false',
      JAVA_OPTS: '-Xms32m -Xmx256m', // read by zipkin's own start scripts; the flags below for java
    };
    const args = [
      '-Xms32m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1', // faster start-up; the tests send few spans
      `-Djava.io.tmpdir=${dir}`,
      '-jar',
      jar,
      `--armeria.ports[0].ip=${LOOPBACK}`,
      `--armeria.ports[0].port=${port}`,
    ];
    writeLogLine(logPath, `--- ${new Date().toISOString()} starting java ${args.join(' ')}`);
    const running = launch('java', args, logPath, env);
    try {
      await waitUntilReady('zipkin', running, logPath, timeoutMs, () => zipkinHealthy(base));
    } catch (err) {
      if (err instanceof StartupError && err.portInUse && attempt < START_ATTEMPTS) continue;
      await removeTempDir(dir).catch(() => undefined);
      throw err;
    }
    let removed = false;
    return {
      spansUrl: `${base}/api/v2/spans`,
      queryUrl: base,
      port,
      dir,
      logPath,
      async stop() {
        await terminate(running, 'SIGTERM');
        if (!removed) {
          removed = true;
          await removeTempDir(dir);
        }
      },
    };
  }
}

// --- Query helpers ----------------------------------------------------------------------

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: Array<{ timestamp: number; fields: JaegerTag[] }>;
  processID: string;
  warnings: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

/** Jaeger prints trace ids without leading zeros; compare ids through this. */
export function normalizeTraceId(id: string): string {
  return id.toLowerCase().replace(/^0+/, '');
}

async function getJson<T>(url: string): Promise<{ status: number; body: T | undefined }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) {
    await res.arrayBuffer();
    return { status: 404, body: undefined };
  }
  if (!res.ok) {
    const text = await res.text();
    throw new Error(`tracepack e2e: GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body: (await res.json()) as T };
}

/** Traces of `service` from Jaeger's query API (the last hour, newest first, up to `limit`). */
export async function jaegerTraces(queryUrl: string, service: string, limit = 100): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({
    service,
    limit: String(limit),
    lookback: '1h',
  });
  const { body } = await getJson<{ data: JaegerTrace[] | null }>(`${queryUrl}/api/traces?${params}`);
  return body?.data ?? [];
}

/** One trace by id, or undefined when Jaeger does not have it (yet). */
export async function jaegerTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const { body } = await getJson<{ data: JaegerTrace[] | null }>(
    `${queryUrl}/api/traces/${encodeURIComponent(traceId)}`,
  );
  return body?.data?.[0];
}

/** Service names Jaeger has seen. */
export async function jaegerServices(queryUrl: string): Promise<string[]> {
  const { body } = await getJson<{ data: string[] | null }>(`${queryUrl}/api/services`);
  return body?.data ?? [];
}

/** The service name of a span in a Jaeger trace. */
export function jaegerServiceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}

async function pollFor<T>(
  what: string,
  deadlineMs: number,
  fetchAll: () => Promise<T[]>,
  predicate: (item: T) => boolean,
  describe: (items: T[]) => string,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: T[] = [];
  let lastError: unknown;
  for (;;) {
    try {
      last = await fetchAll();
      lastError = undefined;
      const found = last.find(predicate);
      if (found !== undefined) return found;
    } catch (err) {
      lastError = err; // e.g. the server is restarting: keep polling until the deadline
    }
    if (Date.now() >= deadline) break;
    await sleep(150);
  }
  const seen = lastError !== undefined ? `last error: ${(lastError as Error).message}` : describe(last);
  throw new Error(`tracepack e2e: no ${what} within ${deadlineMs} ms; ${seen}`);
}

/**
 * Polls Jaeger until a trace of `service` matches `predicate` (Jaeger ingests
 * asynchronously), for at most `deadlineMs` milliseconds.
 */
export function waitForJaegerTrace(
  queryUrl: string,
  service: string,
  predicate: (trace: JaegerTrace) => boolean = () => true,
  deadlineMs = 10_000,
): Promise<JaegerTrace> {
  return pollFor(
    `matching Jaeger trace for service "${service}"`,
    deadlineMs,
    () => jaegerTraces(queryUrl, service),
    predicate,
    (traces) =>
      `saw ${traces.length} trace(s): ${traces
        .slice(0, 5)
        .map((t) => `${t.traceID}[${t.spans.map((s) => s.operationName).join(',')}]`)
        .join(' ')}`,
  );
}

export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** A span in Zipkin's v2 model. */
export interface ZipkinApiSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  timestamp?: number;
  duration?: number;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  tags?: Record<string, string>;
  annotations?: Array<{ timestamp: number; value: string }>;
  shared?: boolean;
  debug?: boolean;
}

/** Traces (each an array of spans) of `serviceName` from Zipkin's API, the last hour. */
export async function zipkinTraces(queryUrl: string, serviceName: string, limit = 100): Promise<ZipkinApiSpan[][]> {
  const params = new URLSearchParams({
    serviceName,
    limit: String(limit),
    lookback: String(3_600_000),
  });
  const { body } = await getJson<ZipkinApiSpan[][]>(`${queryUrl}/api/v2/traces?${params}`);
  return body ?? [];
}

/** One trace by id from Zipkin, or undefined when it does not have it (yet). */
export async function zipkinTrace(queryUrl: string, traceId: string): Promise<ZipkinApiSpan[] | undefined> {
  const { body } = await getJson<ZipkinApiSpan[]>(`${queryUrl}/api/v2/trace/${encodeURIComponent(traceId)}`);
  return body;
}

/** Polls Zipkin until a trace of `serviceName` matches `predicate`, for at most `deadlineMs`. */
export function waitForZipkinTrace(
  queryUrl: string,
  serviceName: string,
  predicate: (trace: ZipkinApiSpan[]) => boolean = () => true,
  deadlineMs = 10_000,
): Promise<ZipkinApiSpan[]> {
  return pollFor(
    `matching Zipkin trace for service "${serviceName}"`,
    deadlineMs,
    () => zipkinTraces(queryUrl, serviceName),
    predicate,
    (traces) =>
      `saw ${traces.length} trace(s): ${traces
        .slice(0, 5)
        .map((t) => `${t[0]?.traceId}[${t.map((s) => s.name ?? '').join(',')}]`)
        .join(' ')}`,
  );
}
