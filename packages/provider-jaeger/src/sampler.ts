import { diag } from '@opentelemetry/api';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { JaegerSamplerOptions } from './types';
import { describeError, PACKAGE_NAME, redactUrl, samplingEndpoint } from './utils';

const DEFAULT_REFRESH_INTERVAL_MS = 60000;

/** The sampler for new traces, and how to stop its poller. */
export interface JaegerSampling {
  sampler: Sampler;
  /** Stops polling the sampling server (idempotent; nothing to do without one). */
  shutdown(): Promise<void>;
}

/** What we use of JaegerRemoteSampler beyond its public API (see createJaegerSampler). */
interface RemoteSamplerInternals {
  getAndUpdateSampler?: () => Promise<void>;
  getSamplerConfig?: (serviceName?: string) => Promise<SamplingResponse>;
}

interface SamplingResponse {
  strategyType?: string | number;
  operationSampling?: { perOperationStrategies?: unknown[] };
  [key: string]: unknown;
}

/** Jaeger's proto enum, as v2 servers send it in JSON (numbers), named as the library expects. */
const STRATEGY_NAMES: Record<number, string> = { 0: 'PROBABILISTIC', 1: 'RATELIMITING' };

/**
 * Jaeger v2 answers `{"strategyType":0,...}` (the proto enum as a number) where the library
 * only knows `"PROBABILISTIC"`; without this it would keep the fallback forever and warn on
 * every poll. A strategy the library cannot apply (rate limiting) is turned into a failed poll,
 * which our poller reports once per streak while the current sampler stays in force.
 */
export function normalizeSamplingResponse(response: SamplingResponse): SamplingResponse {
  const type = typeof response.strategyType === 'number' ? STRATEGY_NAMES[response.strategyType] : response.strategyType;
  const perOperation = (response.operationSampling?.perOperationStrategies?.length ?? 0) > 0;
  if (!perOperation && type !== 'PROBABILISTIC') {
    throw new Error(`the server's ${String(type ?? response.strategyType)} strategy is not supported (probabilistic and per-operation are)`);
  }
  return { ...response, strategyType: type };
}

/**
 * Without `serverUrl`: TraceIdRatioBased(traceIdRatio). With it: @opentelemetry/sampler-jaeger-
 * remote, which fetches `<server>/sampling?service=<name>` and builds the strategy's sampler;
 * TraceIdRatioBased(traceIdRatio) decides until the first strategy arrives, so also for as long
 * as the server has never been reachable. Once a strategy has arrived it stays in force while
 * the server is down (the library keeps the last good one, like every Jaeger client).
 *
 * Not wrapped in ParentBased: @tracepack/node does that. (The library itself wraps each
 * fetched strategy in ParentBased; nested in ours it decides exactly as one would.)
 *
 * Two workarounds, both because JaegerRemoteSampler (0.222.0) starts a `setInterval` in its
 * constructor that is neither unref'ed nor ever cleared, and first fetches only after a full
 * interval (a minute of the fallback ratio by default), warning through diag on every failed
 * poll:
 * - `setInterval` is swapped for the duration of the (synchronous) constructor call so that the
 *   timer's handle is known; it is cleared right away;
 * - this module runs the poller instead: unref'ed, first fetch at once, one warning per
 *   failure streak, stopped by `shutdown()`. It calls the library's `getAndUpdateSampler`, so the
 *   fetch URL, the response format and the strategy->sampler mapping stay the library's. Should
 *   a later version drop that method, the library's own timer is kept (unref'ed) instead.
 */
export function createJaegerSampler(options: JaegerSamplerOptions = {}): JaegerSampling {
  const ratio = new TraceIdRatioBasedSampler(options.traceIdRatio ?? 1);
  if (!options.serverUrl) return { sampler: ratio, shutdown: async () => {} };

  const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
  const where = redactUrl(options.serverUrl);
  let libraryTimer: NodeJS.Timeout | undefined;
  const realSetInterval = globalThis.setInterval;
  let remote: JaegerRemoteSampler;
  try {
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      libraryTimer = realSetInterval(...args);
      return libraryTimer;
    }) as typeof setInterval;
    remote = new JaegerRemoteSampler({
      endpoint: samplingEndpoint(options.serverUrl),
      // The library puts the name into the query string as is.
      serviceName: encodeURIComponent(options.serviceName ?? 'unknown_service'),
      poolingInterval: refreshIntervalMs,
      // sdk-trace-base 2.12 and the library's sdk-trace 2.11 declare the same Sampler with
      // distinct (but equal-valued) SamplingDecision enums, hence the casts here and below.
      initialSampler: ratio as unknown as ConstructorParameters<typeof JaegerRemoteSampler>[0]['initialSampler'],
    });
  } finally {
    globalThis.setInterval = realSetInterval;
  }

  const internals = remote as unknown as RemoteSamplerInternals;
  const fetchConfig = internals.getSamplerConfig?.bind(remote);
  if (fetchConfig) internals.getSamplerConfig = async (name) => normalizeSamplingResponse(await fetchConfig(name));
  const update = internals.getAndUpdateSampler?.bind(remote);
  let ownTimer: NodeJS.Timeout | undefined;
  if (update) {
    clearInterval(libraryTimer);
    let syncing = false;
    let failing = false;
    const poll = async (): Promise<void> => {
      if (syncing) return;
      syncing = true;
      try {
        await update();
        if (failing) diag.info(`${PACKAGE_NAME}: sampling strategies from ${where} are being fetched again`);
        failing = false;
      } catch (err) {
        if (!failing) {
          diag.warn(
            `${PACKAGE_NAME}: cannot fetch sampling strategies from ${where} (${describeError(err)}); ` +
              `keeping the current sampler (until the first success: trace_id_ratio ${options.traceIdRatio ?? 1}). ` +
              'Retried every refresh_interval_ms without further log lines until it works.',
          );
        }
        failing = true;
      } finally {
        syncing = false;
      }
    };
    ownTimer = setInterval(() => void poll(), refreshIntervalMs);
    ownTimer.unref();
    void poll();
  } else {
    libraryTimer?.unref();
  }

  return {
    sampler: remote as unknown as Sampler,
    shutdown: async () => {
      clearInterval(ownTimer);
      clearInterval(libraryTimer);
    },
  };
}
