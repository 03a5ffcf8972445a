// A dead or slow endpoint costs the service nothing visible: its requests never wait for an
// export, memory stays bounded (at most 4 reports queued), one log line per failure streak,
// no exception reaches the service, and shutdown waits no longer than the flush bound.
// Latency is bounded against the export timeout (a request that waited on an export would
// take at least that long), not in absolute terms: the test machines are shared and noisy;
// the cost per request is measured by the bench (bench/README.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOtlpMetricsReceiver, type OtlpMetricsReceiver } from '@tracepack/testing';
import { startUsage } from '../src';
import { delay, helloApp, lines, startApp } from './helpers';

let app: Awaited<ReturnType<typeof startApp>>;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);
before(async () => {
  app = await startApp(helloApp);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
after(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await app.close();
});

/** Requests for `ms`, one after the other; the slowest answer, in ms. */
async function load(ms: number): Promise<{ count: number; slowestMs: number }> {
  const end = Date.now() + ms;
  let count = 0;
  let slowestMs = 0;
  while (Date.now() < end) {
    const t = performance.now();
    const res = await fetch(`${app.url}/clients/${count}`);
    await res.text();
    assert.equal(res.status, 200);
    slowestMs = Math.max(slowestMs, performance.now() - t);
    count++;
  }
  return { count, slowestMs };
}

function failureLines(all: string[]): string[] {
  return all.filter((l) => /^usage report to .* failed/.test(l));
}

describe('delivery when the endpoint fails', () => {
  let receiver: OtlpMetricsReceiver;
  before(async () => {
    receiver = await startOtlpMetricsReceiver({ mode: 'unavailable' });
  });
  after(() => receiver.stop());

  it('503s: requests unaffected, at most 4 reports kept, one line per streak, delivered once it recovers', async () => {
    const logs = lines();
    const usage = startUsage({
      handleSignals: false,
      logger: logs.log,
      argv: [],
      flushTimeoutMs: 1000, // the export timeout: each report is retried by the exporter for 1 s
      env: {
        SQA_ENDPOINT: receiver.url,
        SQA_REPORT_INTERVAL: '1s',
        SQA_KEEPALIVE_INTERVAL: '1h',
        SQA_IGNORE_PATHS: '/v1/metrics',
      },
    });
    try {
      const during = await load(6500);
      assert.ok(during.slowestMs < 1000, `a request took ${during.slowestMs.toFixed(1)} ms while reports failed`);
      const failing = usage.stats();
      assert.ok(failing.failedAttempts >= 2, JSON.stringify(failing));
      assert.ok(failing.pending >= 1 && failing.pending <= 4, JSON.stringify(failing));
      assert.ok(failing.dropped >= 1, `six periods, four kept: ${JSON.stringify(failing)}`);
      assert.equal(failing.sent, 0);
      assert.deepEqual(failureLines(logs.lines).length, 1, logs.lines.join('\n'));
      assert.match(
        failureLines(logs.lines)[0]!,
        /^usage report to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics failed \(.*\); retrying with back-off, keeping at most 4 reports; nothing more is logged until one gets through$/,
      );

      receiver.mode = 'ok';
      const deadline = Date.now() + 8000;
      while (usage.stats().pending > 0 && Date.now() < deadline) await delay(100);
      assert.equal(usage.stats().pending, 0, JSON.stringify(usage.stats()));
      assert.ok(receiver.reports.length >= 4, `queued reports delivered: ${receiver.reports.length}`);
      const counted = receiver.reports
        .flatMap((r) => r.points)
        .filter((p) => p.metric === 'tracepack.usage.http.duration')
        .reduce((n, p) => n + p.histogram!.count, 0);
      assert.ok(counted > 0 && counted <= during.count);

      // A second streak gets its own line.
      receiver.mode = 'unavailable';
      await usage.flush();
      assert.equal(failureLines(logs.lines).length, 2, logs.lines.join('\n'));
    } finally {
      receiver.mode = 'ok';
      await usage.shutdown();
    }
    assert.deepEqual(uncaught, []);
  });

  it('dead (nothing listens) or hanging: shutdown stays within the flush bound, nothing thrown', async () => {
    const hanging = await startOtlpMetricsReceiver({ mode: 'hang' });
    const dead = await startOtlpMetricsReceiver();
    const deadUrl = dead.url;
    await dead.stop();
    try {
      for (const endpoint of [deadUrl, hanging.url]) {
        const logs = lines();
        const usage = startUsage({
          handleSignals: false,
          logger: logs.log,
          argv: [],
          flushTimeoutMs: 2000,
          env: { SQA_ENDPOINT: endpoint, SQA_REPORT_INTERVAL: '1s' },
        });
        const during = await load(2500);
        assert.ok(
          during.slowestMs < 1000,
          `${endpoint}: a request took ${during.slowestMs.toFixed(1)} ms (an export waits up to 2000)`,
        );
        const t = performance.now();
        await usage.shutdown();
        const took = performance.now() - t;
        assert.ok(took < 2000 + 500, `${endpoint}: shutdown took ${took.toFixed(0)} ms with a flush bound of 2000 ms`);
        assert.ok(failureLines(logs.lines).length <= 1, logs.lines.join('\n'));
      }
      assert.ok(hanging.requests.length >= 1, 'the hanging endpoint was tried');
    } finally {
      await hanging.stop();
    }
    assert.deepEqual(uncaught, []);
  });
});
