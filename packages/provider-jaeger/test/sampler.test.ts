/*
 * (d) Remote sampling against a real HTTP server that serves per-service strategies the way
 * the Jaeger agent/collector does (GET /sampling?service=<name> -> JSON), and the
 * trace_id_ratio fallback.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { context, SpanKind } from '@opentelemetry/api';
import { TracerProvider, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { createJaegerSampler } from '../src/index';
import { deadHttpUrl, httpServer, recordDiag, waitUntil } from './helpers';

/** Decisions for `n` random root trace ids. */
function decisions(sampler: Sampler, n = 50): Set<SamplingDecision> {
  const out = new Set<SamplingDecision>();
  for (let i = 0; i < n; i++) {
    const traceId = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    out.add(sampler.shouldSample(context.active(), traceId, 'GET /', SpanKind.SERVER, {}, []).decision);
  }
  return out;
}

/** Whether a real tracer provider with this sampler records a new root span. */
function records(sampler: Sampler): boolean {
  const provider = new TracerProvider({ sampler });
  const span = provider.getTracer('t').startSpan('root');
  const recording = span.isRecording();
  span.end();
  void provider.shutdown();
  return recording;
}

const only = (d: SamplingDecision) => new Set([d]);

describe('createJaegerSampler', () => {
  const diagLog = recordDiag();
  after(() => diagLog.stop());

  it('without a server: TraceIdRatioBased(trace_id_ratio), not wrapped', () => {
    const { sampler } = createJaegerSampler({ traceIdRatio: 0.25 });
    assert.ok(sampler instanceof TraceIdRatioBasedSampler);
    assert.match(sampler.toString(), /0\.25/);
    assert.deepEqual(decisions(createJaegerSampler({ traceIdRatio: 0 }).sampler), only(SamplingDecision.NOT_RECORD));
    assert.deepEqual(decisions(createJaegerSampler({ traceIdRatio: 1 }).sampler), only(SamplingDecision.RECORD_AND_SAMPLED));
  });

  it('(d) follows the per-service probabilistic strategy served at server_url: samplingRate 0, then 1', async (t) => {
    let rate = 0;
    const strategies = await httpServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.pathname !== '/sampling' || url.searchParams.get('service') !== 'clients api') {
        res.statusCode = 400;
        res.end('unknown service');
        return;
      }
      res.setHeader('content-type', 'application/json');
      // Jaeger v2 sends the proto enum as a number (0: probabilistic), as a real server does.
      res.end(JSON.stringify({ strategyType: 0, probabilisticSampling: { samplingRate: rate } }));
    });
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`, // the documented form; the library appends /sampling itself
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'clients api',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });

    // First fetch at once (not after a full refresh interval); until then trace_id_ratio 1 rules.
    await waitUntil(() => decisions(sampling.sampler).has(SamplingDecision.NOT_RECORD), 2000, 'samplingRate 0 to apply');
    assert.deepEqual(decisions(sampling.sampler, 200), only(SamplingDecision.NOT_RECORD));
    assert.equal(records(sampling.sampler), false);
    assert.equal(strategies.requests[0]!.method, 'GET');
    assert.equal(strategies.requests[0]!.url, '/sampling?service=clients%20api');

    rate = 1;
    await waitUntil(() => decisions(sampling.sampler).has(SamplingDecision.RECORD_AND_SAMPLED), 2000, 'samplingRate 1 to apply');
    assert.deepEqual(decisions(sampling.sampler, 200), only(SamplingDecision.RECORD_AND_SAMPLED));
    assert.equal(records(sampling.sampler), true);
    assert.ok(strategies.requests.length >= 2, 'polled again after refresh_interval_ms');

    await sampling.shutdown();
    const polls = strategies.requests.length;
    await new Promise((r) => setTimeout(r, 350));
    assert.ok(strategies.requests.length <= polls + 1, 'shutdown() stops the polling');
  });

  it('reports a strategy it cannot apply (rate limiting) once, and keeps the current sampler', async (t) => {
    const strategies = await httpServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 5 } }));
    });
    diagLog.clear();
    const sampling = createJaegerSampler({ serverUrl: `${strategies.url}/sampling`, traceIdRatio: 0, refreshIntervalMs: 100, serviceName: 'svc' });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    await waitUntil(() => strategies.requests.length >= 4, 2000, 'several polls');
    assert.deepEqual(decisions(sampling.sampler, 200), only(SamplingDecision.NOT_RECORD));
    const warnings = diagLog.at('warn');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.message, /RATELIMITING strategy is not supported/);
  });

  it('falls back to trace_id_ratio while the sampling server cannot be reached, with one warning', async (t) => {
    const dead = await deadHttpUrl();
    diagLog.clear();
    const none = createJaegerSampler({ serverUrl: `${dead}/sampling`, traceIdRatio: 0, refreshIntervalMs: 100, serviceName: 'svc' });
    const all = createJaegerSampler({ serverUrl: `${dead}/sampling`, traceIdRatio: 1, refreshIntervalMs: 100, serviceName: 'svc' });
    t.after(async () => {
      await none.shutdown();
      await all.shutdown();
    });
    await new Promise((r) => setTimeout(r, 450)); // several failed polls
    assert.deepEqual(decisions(none.sampler, 200), only(SamplingDecision.NOT_RECORD));
    assert.deepEqual(decisions(all.sampler, 200), only(SamplingDecision.RECORD_AND_SAMPLED));
    assert.equal(records(none.sampler), false);
    assert.equal(records(all.sampler), true);
    const warnings = diagLog.at('warn');
    assert.equal(warnings.length, 2, 'one per sampler, not one per poll');
    assert.match(warnings[0]!.message, /cannot fetch sampling strategies from http:\/\/127\.0\.0\.1:\d+\/sampling \(ECONNREFUSED\)/);
  });
});
