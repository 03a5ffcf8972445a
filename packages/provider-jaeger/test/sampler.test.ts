/*
 * (d) Remote sampling against a real HTTP server on loopback that serves strategies the way
 * Jaeger does (GET /sampling?service=<name> -> JSON, in the v1 and the v2 shape), the
 * trace_id_ratio fallback, and the poller's lifecycle.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { context, SpanKind } from '@opentelemetry/api';
import {
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { createJaegerSampler, JaegerErrorCode, TracepackJaegerError } from '../src/index';
import { parseSamplingStrategy } from '../src/strategy';
import { deadHttpUrl, httpServer, recordDiag, waitUntil } from './helpers';

function randomTraceId(): string {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** Decisions for `n` random root trace ids. */
function decisions(sampler: Sampler, n = 50, spanName = 'GET /'): Set<SamplingDecision> {
  const out = new Set<SamplingDecision>();
  for (let i = 0; i < n; i++)
    out.add(sampler.shouldSample(context.active(), randomTraceId(), spanName, SpanKind.SERVER, {}, []).decision);
  return out;
}

const only = (d: SamplingDecision) => new Set([d]);
const NONE = only(SamplingDecision.NOT_RECORD);
const ALL = only(SamplingDecision.RECORD_AND_SAMPLED);

/** How many of `n` new root spans a real tracer provider records, with `sampler` as @tracepack/node sets it up. */
function recordedRoots(sampler: Sampler, n: number, spanName = 'GET /'): number {
  const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root: sampler }) });
  const tracer = provider.getTracer('t');
  let recorded = 0;
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(spanName);
    if (span.isRecording()) recorded += 1;
    span.end();
  }
  void provider.shutdown();
  return recorded;
}

/** A strategies server whose answer the test changes; JSON unless `raw` is set. */
async function strategyServer(initial: unknown, port = 0) {
  const state = { answer: initial, status: 200, raw: undefined as string | undefined };
  const server = await httpServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/sampling') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.statusCode = state.status;
    res.setHeader('content-type', 'application/json');
    res.end(state.raw ?? JSON.stringify(state.answer));
  }, port);
  return { ...server, state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createJaegerSampler', () => {
  const diagLog = recordDiag();
  after(() => diagLog.stop());

  it('without a server: TraceIdRatioBased(trace_id_ratio), not wrapped', () => {
    const { sampler } = createJaegerSampler({ traceIdRatio: 0.25 });
    assert.ok(sampler instanceof TraceIdRatioBasedSampler);
    assert.match(sampler.toString(), /0\.25/);
    assert.deepEqual(decisions(createJaegerSampler({ traceIdRatio: 0 }).sampler), NONE);
    assert.deepEqual(decisions(createJaegerSampler({ traceIdRatio: 1 }).sampler), ALL);
    assert.deepEqual(decisions(createJaegerSampler({}).sampler), ALL, 'traceIdRatio defaults to 1');
  });

  it('(d) v2 shape (strategyType 0): follows samplingRate 0, then 1, fetched at once and every refresh', async (t) => {
    const strategies = await strategyServer({ strategyType: 0, probabilisticSampling: { samplingRate: 0 } });
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`,
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'clients api/ü',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    assert.match(
      sampling.sampler.toString(),
      /^JaegerRemoteSampler\{fallback until a strategy arrives: TraceIdRatioBased\{1\}\}$/,
    );

    // The first fetch goes out at once (not after a full refresh interval).
    await waitUntil(
      () => decisions(sampling.sampler).has(SamplingDecision.NOT_RECORD),
      1000,
      'samplingRate 0 to apply',
    );
    assert.deepEqual(decisions(sampling.sampler, 200), NONE);
    assert.equal(recordedRoots(sampling.sampler, 50), 0);
    assert.equal(sampling.sampler.toString(), 'JaegerRemoteSampler{probabilistic 0: TraceIdRatioBased{0}}');
    assert.equal(strategies.requests[0]!.method, 'GET');
    assert.equal(strategies.requests[0]!.url, '/sampling?service=clients%20api%2F%C3%BC');
    assert.equal(strategies.requests[0]!.headers.accept, 'application/json');

    strategies.state.answer = { strategyType: 0, probabilisticSampling: { samplingRate: 1 } };
    await waitUntil(
      () => decisions(sampling.sampler).has(SamplingDecision.RECORD_AND_SAMPLED),
      2000,
      'samplingRate 1 to apply',
    );
    assert.deepEqual(decisions(sampling.sampler, 200), ALL);
    assert.equal(recordedRoots(sampling.sampler, 50), 50);
    assert.ok(strategies.requests.length >= 2, 'polled again after refresh_interval_ms');
  });

  it('v1 shape (strategyType "PROBABILISTIC"), and a bare server URL reaches /sampling', async (t) => {
    const strategies = await strategyServer({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0 },
    });
    const sampling = createJaegerSampler({
      serverUrl: strategies.url,
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    await waitUntil(() => /probabilistic 0:/.test(sampling.sampler.toString()), 2000, 'the v1 strategy to apply');
    assert.deepEqual(decisions(sampling.sampler, 200), NONE);
    assert.equal(strategies.requests[0]!.url, '/sampling?service=svc');
  });

  it('rate limiting (v1 "RATE_LIMITING"): exactly maxTracesPerSecond per second, a bucket kept across polls', async (t) => {
    const strategies = await strategyServer({
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 2 },
    });
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`,
      traceIdRatio: 0,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    await waitUntil(
      () => /rate limiting 2\/s/.test(sampling.sampler.toString()),
      2000,
      'the rate-limiting strategy to apply',
    );
    assert.equal(sampling.sampler.toString(), 'JaegerRemoteSampler{rate limiting 2/s: RateLimitingSampler{2}}');

    // A full bucket (2 tokens) for a burst of 1000 new traces.
    const burstEnd = performance.now();
    assert.equal(recordedRoots(sampling.sampler, 1000), 2);
    // Polls that bring the same strategy keep the bucket: after 2 more polls (~200 ms, < 0.5 s
    // so less than one new token) nothing is sampled; a fresh bucket would sample 2 again.
    const polls = strategies.requests.length;
    await waitUntil(() => strategies.requests.length >= polls + 2, 2000, 'two more polls');
    const waited = performance.now() - burstEnd;
    assert.ok(waited < 500, `the machine is too slow for this check (${waited} ms between bursts)`);
    assert.equal(recordedRoots(sampling.sampler, 1000), 0);
    // A second later the bucket is full again, and holds no more than 2.
    await sleep(1100);
    assert.equal(recordedRoots(sampling.sampler, 1000), 2);
    assert.equal(diagLog.at('warn').length, 0);
  });

  it('rate limiting (v2, strategyType 1): a rate below 1/s still samples one trace, 0 samples none', async (t) => {
    const strategies = await strategyServer({ strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 0.5 } });
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`,
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    await waitUntil(() => /rate limiting 0\.5\/s/.test(sampling.sampler.toString()), 2000, 'rate 0.5 to apply');
    assert.equal(recordedRoots(sampling.sampler, 1000), 1);
    strategies.state.answer = { strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 0 } };
    await waitUntil(() => /rate limiting 0\/s/.test(sampling.sampler.toString()), 2000, 'rate 0 to apply');
    assert.equal(recordedRoots(sampling.sampler, 1000), 0);
  });

  it('per operation: by span name, else the default probability; the lower bound for listed operations only', async (t) => {
    const strategies = await strategyServer({
      strategyType: 0,
      probabilisticSampling: { samplingRate: 0 },
      operationSampling: {
        defaultSamplingProbability: 0,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [
          { operation: 'GET /always', probabilisticSampling: { samplingRate: 1 } },
          { operation: 'GET /never', probabilisticSampling: { samplingRate: 0 } },
        ],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`,
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    await waitUntil(
      () => /per operation/.test(sampling.sampler.toString()),
      2000,
      'the per-operation strategy to apply',
    );
    assert.equal(
      sampling.sampler.toString(),
      'JaegerRemoteSampler{per operation (2 operation(s), default probabilistic 0, lower bound 0/s): ' +
        'PerOperationSampler{default=TraceIdRatioBased{0}, operations=2}}',
    );
    assert.deepEqual(decisions(sampling.sampler, 100, 'GET /always'), ALL);
    assert.deepEqual(decisions(sampling.sampler, 100, 'GET /never'), NONE);
    assert.deepEqual(decisions(sampling.sampler, 100, 'GET /unlisted'), NONE, 'default probability 0');

    // A lower bound of 2/s: a listed operation with probability 0 still gets 2 traces of a
    // burst; an unlisted one gets none (the bound is left out for unlisted names).
    strategies.state.answer = {
      strategyType: 0,
      probabilisticSampling: { samplingRate: 0 },
      operationSampling: {
        defaultSamplingProbability: 0,
        defaultLowerBoundTracesPerSecond: 2,
        perOperationStrategies: [{ operation: 'GET /rare', probabilisticSampling: { samplingRate: 0 } }],
      },
    };
    await waitUntil(() => /lower bound 2\/s/.test(sampling.sampler.toString()), 2000, 'the lower bound to apply');
    assert.equal(recordedRoots(sampling.sampler, 1000, 'GET /rare'), 2);
    assert.equal(recordedRoots(sampling.sampler, 1000, 'GET /unlisted'), 0);
  });

  it('server down, then up, then down: the fallback, then the strategy, kept while down; one warning per streak', async (t) => {
    const dead = await deadHttpUrl();
    const port = Number(new URL(dead).port);
    diagLog.clear();
    const sampling = createJaegerSampler({
      serverUrl: `${dead}/sampling`,
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(() => sampling.shutdown());

    await sleep(450); // several failed polls
    assert.deepEqual(decisions(sampling.sampler, 200), ALL, 'trace_id_ratio until the first strategy');
    let warnings = diagLog.at('warn');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(
      warnings[0]!.message,
      /cannot fetch sampling strategies from http:\/\/127\.0\.0\.1:\d+\/sampling \(ECONNREFUSED\); the sampler stays JaegerRemoteSampler\{fallback/,
    );

    const server = await strategyServer({ strategyType: 0, probabilisticSampling: { samplingRate: 0 } }, port);
    await waitUntil(() => diagLog.at('info').length === 1, 2000, 'the recovery line');
    assert.match(diagLog.at('info')[0]!.message, /are being fetched again; in force: probabilistic 0/);
    assert.deepEqual(decisions(sampling.sampler, 200), NONE);

    await server.close();
    const polls = server.requests.length;
    await sleep(450);
    assert.equal(server.requests.length, polls);
    assert.deepEqual(decisions(sampling.sampler, 200), NONE, 'the last good strategy stays while the server is down');
    warnings = diagLog.at('warn');
    assert.equal(warnings.length, 2, 'one more warning for the new streak');
    assert.match(warnings[1]!.message, /the sampler stays JaegerRemoteSampler\{probabilistic 0:/);
    assert.equal(diagLog.at('info').length, 1);
  });

  it('an answer that is not a usable strategy is a failed poll: warned once, the current sampler stays', async (t) => {
    const strategies = await strategyServer(undefined);
    strategies.state.raw = '<html>not json</html>';
    diagLog.clear();
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`,
      traceIdRatio: 0,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(async () => {
      await sampling.shutdown();
      await strategies.close();
    });
    await waitUntil(() => strategies.requests.length >= 2, 2000, 'two polls');
    // More bad answers in the same streak: no more warnings.
    strategies.state.raw = JSON.stringify({ strategyType: 7 });
    await waitUntil(() => strategies.requests.length >= 4, 2000, 'two more polls');
    strategies.state.raw = JSON.stringify({ strategyType: 0, probabilisticSampling: { samplingRate: 1.5 } });
    await waitUntil(() => strategies.requests.length >= 6, 2000, 'two more polls');
    strategies.state.raw = undefined;
    strategies.state.status = 500;
    strategies.state.answer = { strategyType: 0, probabilisticSampling: { samplingRate: 1 } };
    await waitUntil(() => strategies.requests.length >= 8, 2000, 'two more polls');
    assert.deepEqual(decisions(sampling.sampler, 200), NONE, 'still the fallback');
    const warnings = diagLog.at('warn');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.message, /\(unusable strategy: the answer is not JSON\)/);
    assert.doesNotMatch(warnings[0]!.message, /html/);

    strategies.state.status = 200;
    await waitUntil(
      () => decisions(sampling.sampler).has(SamplingDecision.RECORD_AND_SAMPLED),
      2000,
      'the good strategy',
    );
    assert.equal(diagLog.at('info').length, 1);
  });

  it('shutdown() stops the polling, also a poll in flight, without a warning', async (t) => {
    const strategies = await strategyServer({ strategyType: 0, probabilisticSampling: { samplingRate: 0 } });
    const sampling = createJaegerSampler({
      serverUrl: `${strategies.url}/sampling`,
      traceIdRatio: 1,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    t.after(() => strategies.close());
    await waitUntil(() => strategies.requests.length >= 3, 2000, 'three polls');
    await sampling.shutdown();
    await sampling.shutdown(); // idempotent
    const polls = strategies.requests.length;
    await sleep(350);
    assert.ok(strategies.requests.length <= polls + 1, `${strategies.requests.length - polls} poll(s) after shutdown`);
    assert.deepEqual(decisions(sampling.sampler, 100), NONE, 'the last strategy still decides');

    const silent = await httpServer(() => {
      /* never answers */
    });
    t.after(() => silent.close());
    diagLog.clear();
    const hanging = createJaegerSampler({
      serverUrl: `${silent.url}/sampling`,
      refreshIntervalMs: 100,
      serviceName: 'svc',
    });
    await waitUntil(() => silent.requests.length === 1, 2000, 'the poll');
    await hanging.shutdown();
    await waitUntil(() => silent.connections().open === 0, 2000, 'the poll to be aborted');
    await sleep(300);
    assert.equal(silent.requests.length, 1);
    assert.equal(diagLog.at('warn').length, 0);
  });

  it('never keeps the process alive: a process with a sampler and a poll in flight exits by itself', async (t) => {
    const silent = await httpServer(() => {
      /* never answers */
    });
    t.after(() => silent.close());
    const index = join(__dirname, '../src/index.js');
    const script = `require(${JSON.stringify(index)}).createJaegerSampler({ serverUrl: process.argv[1], refreshIntervalMs: 60000, serviceName: 'x' });`;
    const child = spawn(process.execPath, ['-e', script, `${silent.url}/sampling`], { stdio: 'ignore' });
    const started = performance.now();
    const exit = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve(code);
      });
    });
    assert.equal(exit, 0, 'exited by itself, not killed');
    assert.ok(performance.now() - started < 5000);
    assert.equal(silent.requests.length, 1, 'the poll was in flight when it exited');
  });

  it('throws at setup, with the package name, a code and the allowed values', () => {
    const cases: Array<[object, string, RegExp]> = [
      [
        { serverUrl: 'jaeger:5778/sampling' },
        JaegerErrorCode.INVALID_URL,
        /options\.serverUrl: expects an http:\/\/ or https:\/\/ URL/,
      ],
      [{ traceIdRatio: 1.5 }, JaegerErrorCode.OUT_OF_RANGE, /options\.traceIdRatio: 1\.5 is not a number from 0 to 1/],
      [
        { refreshIntervalMs: 50 },
        JaegerErrorCode.OUT_OF_RANGE,
        /options\.refreshIntervalMs: 50 is not an integer of at least 100/,
      ],
      [{ serviceName: 42 }, JaegerErrorCode.WRONG_TYPE, /options\.serviceName: expects a string/],
    ];
    for (const [options, code, message] of cases) {
      assert.throws(
        () => createJaegerSampler(options),
        (err: unknown) =>
          err instanceof TracepackJaegerError &&
          err.code === code &&
          /^@tracepack\/provider-jaeger: /.test(err.message) &&
          message.test(err.message),
        JSON.stringify(options),
      );
    }
  });
});

describe('parseSamplingStrategy', () => {
  it('reads both shapes of every strategy', () => {
    assert.deepEqual(
      parseSamplingStrategy({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.25 } }),
      {
        type: 'probabilistic',
        samplingRate: 0.25,
      },
    );
    assert.deepEqual(parseSamplingStrategy({ strategyType: 0, probabilisticSampling: { samplingRate: 0.25 } }), {
      type: 'probabilistic',
      samplingRate: 0.25,
    });
    assert.deepEqual(
      parseSamplingStrategy({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 7 } }),
      {
        type: 'rateLimiting',
        maxTracesPerSecond: 7,
      },
    );
    assert.deepEqual(parseSamplingStrategy({ strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 7 } }), {
      type: 'rateLimiting',
      maxTracesPerSecond: 7,
    });
    const perOperation = {
      defaultSamplingProbability: 0.1,
      defaultLowerBoundTracesPerSecond: 0.5,
      perOperationStrategies: [{ operation: 'op', probabilisticSampling: { samplingRate: 0.9 } }],
    };
    const expected = {
      type: 'perOperation',
      defaultSamplingProbability: 0.1,
      defaultLowerBoundTracesPerSecond: 0.5,
      operations: [{ operation: 'op', samplingRate: 0.9 }],
    };
    assert.deepEqual(
      parseSamplingStrategy({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.1 },
        operationSampling: perOperation,
      }),
      expected,
    );
    assert.deepEqual(
      parseSamplingStrategy({
        strategyType: 0,
        probabilisticSampling: { samplingRate: 0.1 },
        operationSampling: perOperation,
      }),
      expected,
    );
    // An empty per-operation list: strategyType decides.
    assert.deepEqual(
      parseSamplingStrategy({
        strategyType: 1,
        rateLimitingSampling: { maxTracesPerSecond: 3 },
        operationSampling: { ...perOperation, perOperationStrategies: [] },
      }),
      { type: 'rateLimiting', maxTracesPerSecond: 3 },
    );
  });

  it('refuses what it cannot apply, saying which field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /not a JSON object/],
      [[1], /not a JSON object/],
      [{}, /strategyType is missing, not one of "PROBABILISTIC", "RATE_LIMITING" \(v1\) or 0, 1 \(v2\)/],
      [{ strategyType: 'RATELIMITING' }, /strategyType is "RATELIMITING"/],
      [{ strategyType: 0 }, /probabilisticSampling is missing/],
      [
        { strategyType: 0, probabilisticSampling: { samplingRate: '0.5' } },
        /samplingRate is "0\.5", not a number from 0 to 1/,
      ],
      [{ strategyType: 0, probabilisticSampling: { samplingRate: -0.1 } }, /samplingRate is -0\.1/],
      [
        { strategyType: 1, rateLimitingSampling: {} },
        /rateLimitingSampling\.maxTracesPerSecond is missing, not a number of at least 0/,
      ],
      [{ strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: -1 } }, /maxTracesPerSecond is -1/],
      [
        {
          strategyType: 0,
          operationSampling: {
            defaultSamplingProbability: 0.1,
            defaultLowerBoundTracesPerSecond: 0,
            perOperationStrategies: [{ operation: 'op' }],
          },
        },
        /operationSampling\.perOperationStrategies\[0\]\.probabilisticSampling is missing/,
      ],
      [
        {
          strategyType: 0,
          operationSampling: {
            defaultLowerBoundTracesPerSecond: 0,
            perOperationStrategies: [{ operation: 'op', probabilisticSampling: { samplingRate: 1 } }],
          },
        },
        /operationSampling\.defaultSamplingProbability is missing/,
      ],
    ];
    for (const [answer, message] of cases)
      assert.throws(() => parseSamplingStrategy(answer), message, JSON.stringify(answer));
  });
});
