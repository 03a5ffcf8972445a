import { diag } from '@opentelemetry/api';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import { isHttpUrl } from '@tracepack/config';
import { ProblemReporter } from '@tracepack/core';
import { basicAuthHeader, httpRequest } from './http';
import type { SamplingStrategy } from './internal-types';
import { samplerForStrategy } from './samplers';
import { describeStrategy, parseSamplingStrategy, StrategyError } from './strategy';
import type { JaegerSamplerOptions } from './types';
import {
  describeError,
  JaegerErrorCode,
  PACKAGE_NAME,
  redactUrl,
  samplingEndpoint,
  TracepackJaegerError,
} from './utils';

const DEFAULT_REFRESH_INTERVAL_MS = 60000;
const DEFAULT_SERVICE_NAME = 'unknown_service';
/** A poll that has not been answered after this long fails (and the next one is scheduled). */
const POLL_TIMEOUT_MS = 5000;
/** A strategies answer is a few hundred bytes; a per-operation one for a big service a few KB. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const OPTIONS = 'createJaegerSampler options';

/** The sampler for new traces, and how to stop its poller. */
export interface JaegerSampling {
  sampler: Sampler;
  /** Stops polling the sampling server (idempotent; nothing to do without one). */
  shutdown(): Promise<void>;
}

/** What decides right now, and how it is named in toString() and log lines. */
interface InForce {
  /** `undefined` for the fallback, before the first strategy arrived. */
  strategy: SamplingStrategy | undefined;
  /** The strategy in a comparable form: an unchanged strategy keeps its sampler (and buckets). */
  key: string;
  sampler: Sampler;
  description: string;
}

/**
 * The sampler createJaegerSampler returns when a server is configured: it delegates to the
 * sampler of the strategy in force, which the poller swaps. Its toString() names the strategy,
 * e.g. `JaegerRemoteSampler{rate limiting 5/s: RateLimitingSampler{5}}`.
 */
class JaegerRemoteSampler implements Sampler {
  private _inForce: InForce;

  constructor(fallback: Sampler) {
    this._inForce = {
      strategy: undefined,
      key: '',
      sampler: fallback,
      description: 'fallback until a strategy arrives',
    };
  }

  get description(): string {
    return this._inForce.description;
  }

  /** Applies `strategy`; returns false when it is the one already in force (nothing changes). */
  apply(strategy: SamplingStrategy): boolean {
    const key = JSON.stringify(strategy);
    if (key === this._inForce.key) return false;
    this._inForce = { strategy, key, sampler: samplerForStrategy(strategy), description: describeStrategy(strategy) };
    return true;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    return this._inForce.sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `JaegerRemoteSampler{${this._inForce.description}: ${this._inForce.sampler.toString()}}`;
  }
}

/** The one problem key of a poller's reporter. */
const POLL_PROBLEM = 'poll';

/**
 * Polls `GET <serverUrl>?service=<name>`: at once, then `refreshIntervalMs` after each poll
 * ended (so polls never overlap), on unref'd timers. A failed poll (no connection, no answer
 * within POLL_TIMEOUT_MS, a status other than 2xx, an answer that is not a strategy) leaves the
 * sampler as it is: the fallback until the first success, the last good strategy after it. One
 * diag.warn per failure streak, one diag.info when it ends (@tracepack/core's ProblemReporter).
 */
class StrategyPoller {
  private readonly _url: URL;
  private readonly _where: string;
  private readonly _headers: Record<string, string>;
  private _timer: NodeJS.Timeout | undefined;
  private _inFlight: AbortController | undefined;
  private readonly _problems: ProblemReporter;
  private _stopped = false;

  constructor(
    serverUrl: string,
    serviceName: string,
    private readonly _refreshIntervalMs: number,
    private readonly _target: JaegerRemoteSampler,
  ) {
    const endpoint = samplingEndpoint(serverUrl);
    this._url = new URL(`${endpoint}?service=${encodeURIComponent(serviceName)}`);
    this._where = redactUrl(endpoint);
    this._headers = { accept: 'application/json', ...basicAuthHeader(new URL(serverUrl)) };
    this._problems = new ProblemReporter({
      packageName: PACKAGE_NAME,
      level: 'warn',
      recoveryLevel: 'info',
      startLine: ({ detail }) =>
        `cannot fetch sampling strategies from ${this._where} (${detail}); the sampler stays ${this._target.toString()}. ` +
        `Retried every ${this._refreshIntervalMs} ms without further log lines until it works.`,
      recoveryLine: () =>
        `sampling strategies from ${this._where} are being fetched again; in force: ${this._target.description}`,
    });
  }

  start(): void {
    void this._poll();
  }

  stop(): void {
    this._stopped = true;
    clearTimeout(this._timer);
    this._inFlight?.abort(new Error('the sampler was shut down'));
  }

  private async _poll(): Promise<void> {
    const controller = new AbortController();
    this._inFlight = controller;
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${POLL_TIMEOUT_MS} ms`)),
      POLL_TIMEOUT_MS,
    );
    timer.unref();
    try {
      const strategy = await this._fetchStrategy(controller.signal);
      if (this._stopped) return;
      if (this._target.apply(strategy))
        diag.debug(`${PACKAGE_NAME}: sampling strategy from ${this._where}: ${this._target.description}`);
      this._problems.success(POLL_PROBLEM);
    } catch (err) {
      if (!this._stopped) this._failed(err);
    } finally {
      clearTimeout(timer);
      this._inFlight = undefined;
      if (!this._stopped) {
        this._timer = setTimeout(() => void this._poll(), this._refreshIntervalMs);
        this._timer.unref(); // polling must never keep the process alive
      }
    }
  }

  private async _fetchStrategy(signal: AbortSignal): Promise<SamplingStrategy> {
    const res = await httpRequest(this._url, {
      method: 'GET',
      headers: this._headers,
      signal,
      maxBodyBytes: MAX_ANSWER_BYTES,
      unrefSocket: true,
    });
    if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
    let answer: unknown;
    try {
      answer = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new StrategyError('the answer is not JSON');
    }
    return parseSamplingStrategy(answer);
  }

  private _failed(err: unknown): void {
    const reason = err instanceof StrategyError ? `unusable strategy: ${err.message}` : describeError(err);
    this._problems.failure(POLL_PROBLEM, { detail: reason });
  }
}

/** Setup-time checks, for callers other than createProvider (which checks with config paths). */
function checkOptions(options: JaegerSamplerOptions): void {
  const { serverUrl, traceIdRatio, refreshIntervalMs, serviceName } = options;
  if (serverUrl !== undefined && serverUrl !== '' && (typeof serverUrl !== 'string' || !isHttpUrl(serverUrl))) {
    throw new TracepackJaegerError(
      JaegerErrorCode.INVALID_URL,
      `${OPTIONS}.serverUrl`,
      'expects an http:// or https:// URL with a host, e.g. http://jaeger:5778/sampling',
    );
  }
  if (traceIdRatio !== undefined && (typeof traceIdRatio !== 'number' || !(traceIdRatio >= 0 && traceIdRatio <= 1))) {
    throw new TracepackJaegerError(
      JaegerErrorCode.OUT_OF_RANGE,
      `${OPTIONS}.traceIdRatio`,
      `${JSON.stringify(traceIdRatio)} is not a number from 0 to 1`,
    );
  }
  if (refreshIntervalMs !== undefined && (!Number.isInteger(refreshIntervalMs) || refreshIntervalMs < 100)) {
    throw new TracepackJaegerError(
      JaegerErrorCode.OUT_OF_RANGE,
      `${OPTIONS}.refreshIntervalMs`,
      `${JSON.stringify(refreshIntervalMs)} is not an integer of at least 100`,
    );
  }
  if (serviceName !== undefined && typeof serviceName !== 'string') {
    throw new TracepackJaegerError(
      JaegerErrorCode.WRONG_TYPE,
      `${OPTIONS}.serviceName`,
      `expects a string, instead got a '${typeof serviceName}'`,
    );
  }
}

/**
 * Without `serverUrl`: TraceIdRatioBased(traceIdRatio). With it: a sampler that follows the
 * strategy Jaeger serves for `serviceName` at `<serverUrl>?service=<name>`:
 * - PROBABILISTIC -> TraceIdRatioBased(samplingRate);
 * - RATE_LIMITING -> at most maxTracesPerSecond new traces (a token bucket, see samplers.ts);
 * - per-operation -> by span name, TraceIdRatioBased(the operation's samplingRate) with the
 *   lower bound, else TraceIdRatioBased(defaultSamplingProbability) without it (see
 *   PerOperationSampler).
 * TraceIdRatioBased(traceIdRatio) decides until the first strategy arrives; once one has
 * arrived it stays in force while the server is down (like every Jaeger client).
 *
 * Not wrapped in ParentBased: @tracepack/node does that, so only root spans reach it.
 * Setup mistakes in `options` throw a TracepackJaegerError; nothing at run time throws.
 */
export function createJaegerSampler(options: JaegerSamplerOptions = {}): JaegerSampling {
  checkOptions(options);
  const fallback = new TraceIdRatioBasedSampler(options.traceIdRatio ?? 1);
  if (!options.serverUrl) return { sampler: fallback, shutdown: async () => {} };

  const sampler = new JaegerRemoteSampler(fallback);
  const poller = new StrategyPoller(
    options.serverUrl,
    options.serviceName || DEFAULT_SERVICE_NAME,
    options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS,
    sampler,
  );
  poller.start();
  return {
    sampler,
    shutdown: async () => poller.stop(),
  };
}
