// Jaeger v2 all-in-one (in memory) on free loopback ports, and its collector's span counts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jaegerBinaryPath } from './install';
import { freePorts } from './ports';
import {
  DEFAULT_STARTUP_TIMEOUT_MS,
  LOOPBACK,
  START_ATTEMPTS,
  StartupError,
  httpOk,
  launch,
  makeTempDir,
  removeTempDir,
  tcpOpen,
  terminate,
  waitUntilReady,
  writeLogLine,
  type Running,
} from './process';

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
  return `# Written by @tracepack/testing (backends/jaeger.ts)
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
