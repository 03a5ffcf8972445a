import { loadSqaConfig, loadTracingConfig, formatDuration, maskUrlSecrets } from '@tracepack/config';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRIC } from './metric-names';
import { withCommandLine } from './start';
import { HOW_TO_TURN_OFF } from './start-line';
import type { StartUsageOptions } from './types';
import { metricsUrl } from './utils';

/** One request as the exporter would send it. */
export interface CapturedRequest {
  method: string;
  /** Where it would go (sqa.endpoint's metrics URL), its password or token masked. */
  url: string;
  /** As sent, the api key shown as `****`. */
  headers: Record<string, string>;
  contentType: string;
  /** Size of the body in the configured protocol. */
  bytes: number;
  /** The body exactly as the exporter wrote it (protobuf or JSON). */
  body: Buffer;
  /** The same report as OTLP/JSON: the decoded payload, readable. */
  payload: OtlpJson;
}

export interface UsagePreview {
  enabled: boolean;
  /** `on`, or `off: <why>` naming the switch. */
  status: string;
  /** Every opt-out switch that is on. */
  optOut: string[];
  endpoint: string | undefined;
  protocol: 'http/protobuf' | 'http/json';
  reportIntervalMs: number;
  keepaliveIntervalMs: number;
  /** The next report; absent when opted out (nothing is built then). */
  report?: CapturedRequest;
  /** A keep-alive; absent when opted out. */
  keepAlive?: CapturedRequest;
}

/**
 * What the reporter would send, produced by the reporter itself: the same config, the same
 * OpenTelemetry exporter and serializer, sent to a capture server on loopback instead of
 * sqa.endpoint (nothing leaves the machine). The report is the one a service started now
 * would send first (after one report_interval: identified if identify_after allows it), with
 * what this process can know: no requests yet, its own runtime stats, tracepack's features
 * from the config. Values only the service's code knows (installation, service name) come
 * from `options`, as in `startUsage`. Opted out: the status only, nothing is built.
 */
export async function previewUsage(input: StartUsageOptions = {}): Promise<UsagePreview> {
  const options = withCommandLine(input);
  const sqa = loadSqaConfig(options);
  const preview: UsagePreview = {
    enabled: sqa.enabled,
    status: sqa.enabled ? 'on' : `off: ${sqa.offReason}`,
    optOut: sqa.optOut.map((s) => s.label),
    endpoint: sqa.config.endpoint === undefined ? undefined : maskUrlSecrets(sqa.config.endpoint),
    protocol: sqa.config.protocol,
    reportIntervalMs: sqa.durations.reportIntervalMs,
    keepaliveIntervalMs: sqa.durations.keepaliveIntervalMs,
  };
  if (sqa.optOut.length > 0) return preview;

  /* eslint-disable @typescript-eslint/no-require-imports */
  const { UsageReporter } = require('./reporter') as typeof import('./reporter');
  const { buildIdentity } = require('./identity') as typeof import('./identity');
  const { createSend } = require('./transport') as typeof import('./transport');
  /* eslint-enable @typescript-eslint/no-require-imports */
  let tracing;
  try {
    tracing = loadTracingConfig({
      configFile: options.configFile,
      argv: options.argv,
      env: options.env,
      cwd: options.cwd,
    });
  } catch {
    tracing = undefined;
  }
  const capture = await startCapture();
  try {
    const path = new URL(metricsUrl(sqa.config.endpoint ?? 'http://localhost')).pathname;
    const headers: Record<string, string> = sqa.config.api_key
      ? { [sqa.config.api_key_header]: sqa.config.api_key }
      : {};
    const wire = createSend({ endpoint: capture.url + path, protocol: sqa.config.protocol, headers, timeoutMs: 5000 });
    const readable = createSend({ endpoint: capture.url + path, protocol: 'http/json', headers, timeoutMs: 5000 });
    const identity = buildIdentity({
      service: {
        name: tracing?.config.service_name,
        version: tracing?.config.service_version,
        deploymentEnvironment: tracing?.config.deployment_environment,
        ...options.service,
      },
      installation: options.installation,
      local: options.local,
      installationSalt: sqa.config.installation_salt,
      env: options.env ?? process.env,
      cwd: options.cwd ?? process.cwd(),
    });
    const reporter = new UsageReporter({
      sqa,
      tracing: tracing && { config: tracing.config, enabled: tracing.enabled },
      identity,
      routes: [...(options.routes ?? []), ...(tracing?.config.instrumentations.http.routes ?? [])],
      flushTimeoutMs: 5000,
      log: () => undefined,
      send: wire.send,
    });
    try {
      const target = sqa.config.endpoint
        ? maskUrlSecrets(metricsUrl(sqa.config.endpoint))
        : '(no sqa.endpoint: nothing is sent)';
      const captured = async (report: Parameters<typeof wire.send>[0]): Promise<CapturedRequest> => {
        const sent = await wire.send(report);
        if (!sent.ok) throw new Error(`preview: the exporter failed on loopback (${sent.reason})`);
        const onWire = capture.requests.pop()!;
        await readable.send(report);
        const asJson = capture.requests.pop()!;
        const shownHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(onWire.headers)) {
          if (k === 'host' || k === 'connection' || k === 'transfer-encoding') continue;
          shownHeaders[k] = k === sqa.config.api_key_header.toLowerCase() ? '****' : String(v);
        }
        return {
          method: onWire.method,
          url: target,
          headers: shownHeaders,
          contentType: String(onWire.headers['content-type'] ?? ''),
          bytes: onWire.body.length,
          body: onWire.body,
          payload: JSON.parse(asJson.body.toString('utf8')) as OtlpJson,
        };
      };
      preview.report = await captured(await reporter.collect(identity.startedAt + sqa.durations.reportIntervalMs));
      preview.keepAlive = await captured(reporter.keepAlive());
    } finally {
      await reporter.dispose();
      await Promise.all([wire.shutdown(), readable.shutdown()]);
    }
  } finally {
    await capture.stop();
  }
  return preview;
}

interface Captured {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback HTTP server that answers 200 to anything and keeps what it got. */
async function startCapture(): Promise<{ url: string; requests: Captured[]; stop: () => Promise<void> }> {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------- rendering

/** OTLP/JSON as the exporter writes it (the parts rendered). */
export interface OtlpJson {
  resourceMetrics?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeMetrics?: { scope?: { name?: string; version?: string }; metrics?: JsonMetric[] }[];
  }[];
}
interface JsonKeyValue {
  key: string;
  value?: Record<string, unknown>;
}
interface JsonMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: JsonPoint[] };
  sum?: { dataPoints?: JsonPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: JsonPoint[]; aggregationTemporality?: number };
}
interface JsonPoint {
  attributes?: JsonKeyValue[];
  asInt?: number | string;
  asDouble?: number | string;
  count?: number | string;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: (number | string)[];
  explicitBounds?: number[];
}

/**
 * The preview as a person reads it: on or off (and which switch), where reports go, how
 * often, the request line and headers, then every resource attribute, metric and data point
 * of the report and of a keep-alive. `json`: the OTLP/JSON payloads as they are.
 */
export function renderUsagePreview(preview: UsagePreview, options: { json?: boolean } = {}): string {
  if (options.json)
    return `${JSON.stringify({ status: preview.status, report: preview.report?.payload, keepAlive: preview.keepAlive?.payload }, null, 2)}\n`;
  const lines: string[] = [];
  if (preview.enabled) {
    lines.push(
      `usage statistics: ON, reports every ${formatDuration(preview.reportIntervalMs)} to ${maskUrlSecrets(metricsUrl(preview.endpoint!))} (OTLP ${preview.protocol}), a keep-alive every ${formatDuration(preview.keepaliveIntervalMs)}`,
    );
  } else {
    lines.push(`usage statistics: OFF (${preview.status.slice('off: '.length)}): nothing is sent`);
    for (const s of preview.optOut.slice(1)) lines.push(`  also opted out by ${s}`);
  }
  lines.push(`turn off with any of: ${HOW_TO_TURN_OFF}`);
  if (!preview.report || !preview.keepAlive) return `${lines.join('\n')}\n`;
  if (!preview.enabled) lines.push('', 'with an endpoint set, the next report would carry:');
  lines.push('', ...renderRequest('next report', preview.report));
  const present = new Set(metricNames(preview.report.payload));
  const absent = Object.values(METRIC).filter((m) => m !== METRIC.keepalive && !present.has(m));
  if (absent.length > 0) lines.push(`  not in this report (nothing counted in the period): ${absent.join(', ')}`);
  lines.push('', ...renderRequest('keep-alive', preview.keepAlive));
  return `${lines.join('\n')}\n`;
}

function renderRequest(title: string, r: CapturedRequest): string[] {
  const lines = [`${title}: ${r.method} ${r.url}, ${r.bytes} bytes of ${r.contentType}`];
  lines.push(
    `  headers: ${Object.entries(r.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
  );
  for (const rm of r.payload.resourceMetrics ?? []) {
    lines.push('  resource:');
    for (const kv of rm.resource?.attributes ?? []) lines.push(`    ${kv.key} = ${valueText(kv.value)}`);
    for (const sm of rm.scopeMetrics ?? []) {
      lines.push(`  scope ${sm.scope?.name ?? ''} ${sm.scope?.version ?? ''}`.trimEnd() + ':');
      for (const m of sm.metrics ?? []) {
        const [kind, data] = m.gauge
          ? ['gauge', m.gauge]
          : m.sum
            ? [`sum, ${temporality(m.sum.aggregationTemporality)}`, m.sum]
            : m.histogram
              ? [`histogram, ${temporality(m.histogram.aggregationTemporality)}`, m.histogram]
              : ['?', undefined];
        lines.push(`    ${m.name} (${kind}${m.unit ? `, ${m.unit}` : ''})`);
        for (const p of data?.dataPoints ?? []) lines.push(`      ${attributesText(p.attributes)}${pointText(p)}`);
      }
    }
  }
  return lines;
}

function metricNames(payload: OtlpJson): string[] {
  return (payload.resourceMetrics ?? []).flatMap((rm) =>
    (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name)),
  );
}

function temporality(t: number | undefined): string {
  return t === 1 ? 'delta' : t === 2 ? 'cumulative' : 'unspecified';
}

function valueText(v: Record<string, unknown> | undefined): string {
  if (!v) return '(empty)';
  if ('stringValue' in v) return JSON.stringify(v.stringValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  return JSON.stringify(v);
}

function attributesText(list: JsonKeyValue[] | undefined): string {
  if (!list || list.length === 0) return '';
  return `{${list.map((kv) => `${kv.key}=${valueText(kv.value)}`).join(', ')}} `;
}

function pointText(p: JsonPoint): string {
  if (p.asInt !== undefined) return String(p.asInt);
  if (p.asDouble !== undefined) return String(Number(p.asDouble));
  const bounds = p.explicitBounds ?? [];
  const buckets = (p.bucketCounts ?? [])
    .map((c, i) => [Number(c), i < bounds.length ? `<=${bounds[i]}` : `>${bounds[bounds.length - 1]}`] as const)
    .filter(([c]) => c > 0)
    .map(([c, b]) => `${b}: ${c}`);
  return `count ${p.count}, sum ${round(p.sum)}, min ${round(p.min)}, max ${round(p.max)}; buckets ${buckets.join(', ') || 'none'}`;
}

function round(n: number | undefined): string {
  return n === undefined ? '-' : String(Math.round(n * 1000) / 1000);
}
