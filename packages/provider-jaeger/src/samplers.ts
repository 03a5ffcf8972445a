/*
 * The samplers a Jaeger strategy turns into. Probabilistic is the SDK's TraceIdRatioBasedSampler
 * (the same trace id decides the same way in every service); the rest is written here because
 * the OpenTelemetry JS SDK has no rate-limiting sampler, and the package that had one for Jaeger
 * (sampler-jaeger-remote) is gone with the 2.x line and never did rate limiting anyway.
 */
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import { performance } from 'node:perf_hooks';
import type { SamplingStrategy } from './internal-types';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/**
 * A token bucket: `perSecond` tokens flow in, one per sampled trace. It holds at most
 * max(perSecond, 1) tokens, so that a rate below one per second (0.1: a trace every 10 s) can
 * still fill a whole token, and so that a burst after a quiet spell takes at most a second's
 * worth; it starts full, like the Jaeger clients' limiter. A rate of 0 never samples.
 *
 * Refilled from performance.now(), a monotonic clock: a wall-clock step (NTP, a VM resumed)
 * must neither mint a burst of tokens nor stall sampling.
 */
export class RateLimiter {
  private readonly _capacity: number;
  private _balance: number;
  private _last: number;

  constructor(readonly perSecond: number) {
    this._capacity = perSecond > 0 ? Math.max(perSecond, 1) : 0;
    this._balance = this._capacity;
    this._last = performance.now();
  }

  /** Takes a token when there is one. */
  take(): boolean {
    const now = performance.now();
    this._balance = Math.min(this._capacity, this._balance + ((now - this._last) / 1000) * this.perSecond);
    this._last = now;
    if (this._balance < 1) return false;
    this._balance -= 1;
    return true;
  }
}

/** Jaeger's RATE_LIMITING strategy: at most `maxTracesPerSecond` new traces (see RateLimiter). */
export class RateLimitingSampler implements Sampler {
  private readonly _limiter: RateLimiter;

  constructor(readonly maxTracesPerSecond: number) {
    this._limiter = new RateLimiter(maxTracesPerSecond);
  }

  shouldSample(): SamplingResult {
    return this._limiter.take() ? SAMPLED : NOT_SAMPLED;
  }

  toString(): string {
    return `RateLimitingSampler{${this.maxTracesPerSecond}}`;
  }
}

/**
 * One operation of a per-operation strategy with a lower bound (Jaeger's "guaranteed
 * throughput" sampler): its probability decides, and when it says no, a trace is still sampled
 * while the lower-bound bucket has a token. Traces the probability samples take a token too, as
 * in the Jaeger clients, so the bound tops up rare operations instead of adding to busy ones.
 */
export class LowerBoundedSampler implements Sampler {
  private readonly _probabilistic: TraceIdRatioBasedSampler;
  private readonly _lowerBound: RateLimiter;

  constructor(
    readonly samplingRate: number,
    readonly lowerBoundPerSecond: number,
  ) {
    this._probabilistic = new TraceIdRatioBasedSampler(samplingRate);
    this._lowerBound = new RateLimiter(lowerBoundPerSecond);
  }

  shouldSample(context: Context, traceId: string): SamplingResult {
    const sampled = this._probabilistic.shouldSample(context, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
    const token = this._lowerBound.take();
    return sampled || token ? SAMPLED : NOT_SAMPLED;
  }

  toString(): string {
    return `LowerBoundedSampler{${this.samplingRate}, lowerBound=${this.lowerBoundPerSecond}/s}`;
  }
}

/**
 * Jaeger's per-operation strategy, by span name. Listed operations get their probability and,
 * when `defaultLowerBoundTracesPerSecond` > 0, that lower bound (a bucket each, exactly as in
 * Jaeger). Every other span name gets `defaultSamplingProbability` only: the lower bound is
 * left out for them, where the Jaeger clients would create a bucket per new name (up to 2000),
 * because span names are not bounded in general and a sampler must not grow with them.
 */
export class PerOperationSampler implements Sampler {
  private readonly _byOperation = new Map<string, Sampler>();
  private readonly _fallback: TraceIdRatioBasedSampler;

  constructor(strategy: Extract<SamplingStrategy, { type: 'perOperation' }>) {
    this._fallback = new TraceIdRatioBasedSampler(strategy.defaultSamplingProbability);
    const lowerBound = strategy.defaultLowerBoundTracesPerSecond;
    for (const { operation, samplingRate } of strategy.operations) {
      this._byOperation.set(
        operation,
        lowerBound > 0 ? new LowerBoundedSampler(samplingRate, lowerBound) : new TraceIdRatioBasedSampler(samplingRate),
      );
    }
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    return (this._byOperation.get(spanName) ?? this._fallback).shouldSample(
      context,
      traceId,
      spanName,
      spanKind,
      attributes,
      links,
    );
  }

  toString(): string {
    return `PerOperationSampler{default=${this._fallback.toString()}, operations=${this._byOperation.size}}`;
  }
}

/** The sampler that applies `strategy`. */
export function samplerForStrategy(strategy: SamplingStrategy): Sampler {
  switch (strategy.type) {
    case 'probabilistic':
      return new TraceIdRatioBasedSampler(strategy.samplingRate);
    case 'rateLimiting':
      return new RateLimitingSampler(strategy.maxTracesPerSecond);
    case 'perOperation':
      return new PerOperationSampler(strategy);
  }
}
