import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from '../src/load';
import { parseOptions } from '../src/options';
import { runBench } from '../src/harness';
import { sumPrometheusCounter } from '@tracepack/testing';

test('options: defaults, --quick, flags over environment', () => {
  const d = parseOptions([], {});
  assert.equal(d.duration, 10);
  assert.equal(d.rounds, 3);
  assert.equal(d.deadDuration, 60);
  assert.deepEqual(d.scenarios, ['hello', 'db', 'bcrypt']);
  const q = parseOptions(['--quick'], {});
  assert.equal(q.duration, 2);
  assert.equal(q.rounds, 1);
  assert.ok(q.deadDuration < 60);
  const f = parseOptions(['--duration=5', '--scenario', 'db,hello', '--rounds', '2'], {
    BENCH_DURATION: '7',
    BENCH_ROUNDS: '4',
    BENCH_PG_URL: 'postgresql://x@h/db',
  });
  assert.equal(f.duration, 5);
  assert.equal(f.rounds, 2);
  assert.deepEqual(f.scenarios, ['db', 'hello']);
  assert.equal(f.pgUrl, 'postgresql://x@h/db');
  assert.throws(() => parseOptions(['--scenario', 'nope'], {}), /hello\|db\|bcrypt/);
  assert.throws(() => parseOptions(['--duration', '1.5'], {}), /whole number/);
  assert.throws(() => parseOptions(['--bogus'], {}), /unknown option/);
});

test('options: --receiver auto by default, BENCH_RECEIVER, refused values named', () => {
  assert.equal(parseOptions([], {}).receiver, 'auto');
  assert.equal(parseOptions([], {}).floor, false);
  assert.equal(parseOptions(['--floor'], {}).floor, true);
  assert.equal(parseOptions([], { BENCH_FLOOR: '1' }).floor, true);
  assert.equal(parseOptions([], { BENCH_RECEIVER: 'otlp' }).receiver, 'otlp');
  assert.equal(parseOptions(['--receiver', 'jaeger'], { BENCH_RECEIVER: 'otlp' }).receiver, 'jaeger');
  assert.throws(
    () => parseOptions(['--receiver', 'zipkin'], {}),
    /--receiver must be auto, jaeger or otlp, got "zipkin"/,
  );
});

test('Prometheus counters are summed over label sets, with or without _total', () => {
  const text = [
    '# HELP otelcol_exporter_sent_spans Number of spans successfully sent to destination.',
    '# TYPE otelcol_exporter_sent_spans counter',
    'otelcol_exporter_sent_spans_total{exporter="jaeger_storage_exporter",service_name="jaeger"} 1200',
    'otelcol_exporter_sent_spans_total{exporter="other"} 34',
    'otelcol_exporter_sent_spans_bytes_total{exporter="other"} 99999',
    'otelcol_receiver_accepted_spans{receiver="otlp",transport="http"} 7',
  ].join('\n');
  assert.equal(sumPrometheusCounter(text, 'otelcol_exporter_sent_spans'), 1234);
  assert.equal(sumPrometheusCounter(text, 'otelcol_receiver_accepted_spans'), 7);
  assert.equal(sumPrometheusCounter(text, 'otelcol_receiver_refused_spans'), 0);
});

test('wrk output is read: totals, percentiles in any unit, errors', () => {
  const text = `Running 2s test @ http://127.0.0.1:1/hello/123
  1 threads and 32 connections
  Latency Distribution
     50%  467.00us
     75%  600.00us
     90%    1.20ms
     99%    1.99ms
  117201 requests in 2.00s, 12.4MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:  58600.50
Transfer/sec:      6.20MB
`;
  const r = parseWrk(text, 2);
  assert.equal(r.requests, 117201);
  assert.equal(r.seconds, 2);
  assert.equal(r.rps, 58600.5);
  assert.equal(r.p50Ms, 0.467);
  assert.equal(r.p99Ms, 1.99);
  assert.equal(r.errors, 3);
  assert.equal(r.non2xx, 3);
});

test('options: --only names variants for A/B runs (flag over BENCH_ONLY), unknown names refused by the harness', async () => {
  assert.equal(parseOptions([], {}).only, undefined);
  assert.deepEqual(
    parseOptions(['--only', 'untraced,tracepack', '--only', 'tracepack-record'], { BENCH_ONLY: 'otel' }).only,
    ['untraced', 'tracepack', 'tracepack-record'],
  );
  assert.deepEqual(parseOptions([], { BENCH_ONLY: ' otel , untraced ' }).only, ['otel', 'untraced']);
  assert.throws(() => parseOptions(['--only', ','], {}), /--only must name at least one variant/);
  await assert.rejects(
    runBench(parseOptions(['--only', 'untraced,nope', '--quiet'], {})),
    /--only: unknown variant nope/,
  );
});
