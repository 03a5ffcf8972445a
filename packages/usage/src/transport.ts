import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Agent, AgentOptions } from 'node:http';
import type { Socket } from 'node:net';
import { metricsUrl, reasonOf } from './utils';

export interface TransportOptions {
  /** `sqa.endpoint`: a base URL (`/v1/metrics` appended when it has no path) or the full URL. */
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  /** Time budget of one export, retries included. */
  timeoutMs: number;
}

/** The one send of a report: resolves true when the endpoint took it, never rejects. */
export type Send = (report: ResourceMetrics) => Promise<{ ok: true } | { ok: false; reason: string }>;

/**
 * A send function over the OpenTelemetry OTLP/HTTP metric exporter (protobuf or JSON, as
 * configured), which encodes and retries with back-off within `timeoutMs`.
 *
 * Three things keep the service's own setup out of the reports:
 * - the exporter reads `OTEL_EXPORTER_OTLP_*` variables for what it is not given, and would
 *   add the service's own collector headers (its authorization, say) to every request sent to
 *   the usage endpoint: those variables are hidden while it is built (it reads them only then);
 * - its HTTP agent is ours: no client certificate from those variables, no keep-alive (one
 *   report every few minutes), and sockets that hold the process open only for the last report;
 * - exports run with tracing suppressed, so the service's traces show no usage requests and
 *   no trace context is sent along.
 */
export function createSend(options: TransportOptions): {
  send: Send;
  shutdown: () => Promise<void>;
  holdProcess: () => void;
} {
  // While running, a report in flight never keeps the process alive; the last one, sent at
  // shutdown, does (within the flush bound), or an exit would cut it off.
  const sockets = { hold: false };
  const exporter = withoutOtlpVariables(() => buildExporter(options, sockets));
  const send: Send = (report) =>
    new Promise((resolve) => {
      try {
        context.with(suppressTracing(context.active()), () => {
          exporter.export(report, (result) => {
            resolve(
              result.code === ExportResultCode.SUCCESS
                ? { ok: true }
                : { ok: false, reason: reasonOf(result.error ?? 'export failed') },
            );
          });
        });
      } catch (err) {
        resolve({ ok: false, reason: reasonOf(err) });
      }
    });
  return {
    send,
    shutdown: () => exporter.shutdown().catch(() => undefined),
    holdProcess: () => {
      sockets.hold = true;
    },
  };
}

function buildExporter(options: TransportOptions, sockets: { hold: boolean }): PushMetricExporter {
  /* eslint-disable @typescript-eslint/no-require-imports -- only the chosen protocol's exporter is loaded */
  const { AggregationTemporalityPreference } =
    require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
  const config = {
    url: metricsUrl(options.endpoint),
    headers: { ...options.headers },
    timeoutMillis: options.timeoutMs,
    concurrencyLimit: 4,
    temporalityPreference: AggregationTemporalityPreference.DELTA,
    httpAgentOptions: (protocol: string) => agentFor(protocol, sockets),
  };
  if (options.protocol === 'http/json') {
    const { OTLPMetricExporter } =
      require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
    return new OTLPMetricExporter(config);
  }
  const { OTLPMetricExporter } =
    require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto');
  return new OTLPMetricExporter(config);
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** An agent without keep-alive whose sockets keep the process alive only when asked. */
function agentFor(protocol: string, sockets: { hold: boolean }): Agent {
  /* eslint-disable @typescript-eslint/no-require-imports -- after any http instrumentation, as the exporter asks */
  const mod = (protocol === 'https:' ? require('node:https') : require('node:http')) as typeof import('node:http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const agent = new mod.Agent({ keepAlive: false, maxSockets: 4 } satisfies AgentOptions);
  const createConnection = agent.createConnection.bind(agent) as (...args: unknown[]) => Socket;
  (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection = (
    ...args: unknown[]
  ) => {
    const socket = createConnection(...args);
    if (!sockets.hold) socket.unref();
    return socket;
  };
  return agent;
}

/** Runs `build` with every OTEL_EXPORTER_OTLP_* variable hidden, then puts them back. */
function withoutOtlpVariables<T>(build: () => T): T {
  const hidden: [string, string | undefined][] = [];
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_EXPORTER_OTLP_')) {
      hidden.push([key, process.env[key]]);
      delete process.env[key];
    }
  }
  try {
    return build();
  } finally {
    for (const [key, value] of hidden) process.env[key] = value;
  }
}
