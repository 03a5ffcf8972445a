// Jaeger dies mid-run (SIGKILL): the service keeps answering at the same latency with
// bounded memory, reports the lost spans ONCE, and delivers again after Jaeger restarts.
// With the documented UDP agent config, and with OTLP/HTTP.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CANNOT_EXPORT,
  closeRequestAgent,
  documentedJaegerTracing,
  median,
  newIds,
  pollUntil,
  request,
  startTracedService,
  tempDir,
  traceparent,
  waitForJaegerTraceId,
  writeConfigFile,
  type ChildService,
} from './helpers';
import { e2eSkip, jaegerTraces, startJaeger, type JaegerServer } from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

const BATCH = 300;
const DEAD_REQUESTS = 2000;

async function batchMs(url: string, n: number): Promise<{ median: number; statuses: Set<number> }> {
  const ms: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < n; i++) {
    const res = await request(`${url}/hello`);
    ms.push(res.ms);
    statuses.add(res.status);
  }
  return { median: median(ms), statuses };
}

async function rss(url: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  return (JSON.parse(res.body) as { rss: number }).rss;
}

const variants: Array<{ name: string; tracing: (jaeger: JaegerServer, service: string) => Record<string, unknown> }> = [
  { name: 'the documented UDP agent config', tracing: (j, s) => documentedJaegerTracing(j, s) },
  {
    name: 'OTLP/HTTP',
    tracing: (j, s) => ({
      provider: 'otlp',
      service_name: s,
      providers: { otlp: { server_url: j.otlpHttpUrl.replace(/\/v1\/traces$/, ''), protocol: 'http/protobuf' } },
    }),
  },
];

describe('e2e: Jaeger killed mid-run', { skip }, () => {
  after(() => closeRequestAgent());

  for (const [i, variant] of variants.entries()) {
    test(`${variant.name}: same latency, bounded memory, one report, delivery after restart`, async (t) => {
      const name = `e2e-down-${i}`;
      const tmp = await tempDir('tracepack-e2e-down-');
      t.after(tmp.remove);
      const jaeger = await startJaeger();
      t.after(() => jaeger.stop());
      const service: ChildService = await startTracedService(
        await writeConfigFile(join(tmp.dir, 'config.yml'), variant.tracing(jaeger, name)),
      );
      t.after(() => service.stop());
      const context = (): string => `\nservice stderr:\n${service.stderr.join('\n')}`;

      // Alive: spans arrive; a baseline of latency and memory.
      const first = newIds();
      assert.equal(
        (await request(`${service.url}/hello`, { headers: { traceparent: traceparent(first) } })).status,
        200,
      );
      await waitForJaegerTraceId(jaeger.queryUrl, first.traceId);
      // Warm-up: as much traffic as the dead phase starts with, so that the memory compared
      // below is after the same amount of work (the allocator's high-water mark grows with it).
      await batchMs(service.url, DEAD_REQUESTS);
      const alive = await batchMs(service.url, BATCH);
      assert.deepEqual([...alive.statuses], [200]);
      const rssAlive = await rss(service.url);

      await jaeger.kill();
      const deadStarted = Date.now();
      const dead = await batchMs(service.url, DEAD_REQUESTS);
      assert.deepEqual([...dead.statuses], [200], 'every request answered while Jaeger is dead');
      // At least one export ran (and failed) since the kill: the batch processor exports every second.
      await pollUntil(
        () => `no "${CANNOT_EXPORT}" line after the kill${context()}`,
        15_000,
        async () => (service.stderr.some((l) => l.includes(CANNOT_EXPORT)) ? true : undefined),
      );
      // More requests and exports while still dead: the report must not repeat.
      while (Date.now() - deadStarted < 3500) await batchMs(service.url, 100);
      const deadAgain = await batchMs(service.url, BATCH);
      const rssDead = await rss(service.url);
      t.diagnostic(
        `median ${alive.median.toFixed(2)} ms alive, ${dead.median.toFixed(2)} / ${deadAgain.median.toFixed(2)} ms dead; ` +
          `rss ${(rssAlive / 2 ** 20).toFixed(1)} MiB alive, ${(rssDead / 2 ** 20).toFixed(1)} MiB dead`,
      );
      for (const m of [dead.median, deadAgain.median]) {
        assert.ok(
          m < 3 * alive.median + 5,
          `median ${m.toFixed(2)} ms while dead vs ${alive.median.toFixed(2)} ms alive`,
        );
      }
      assert.ok(rssDead < rssAlive + 64 * 2 ** 20, `rss grew from ${rssAlive} to ${rssDead} bytes`);
      const reports = service.stderr.filter((l) => l.includes(CANNOT_EXPORT));
      assert.equal(reports.length, 1, `expected one report:${context()}`);
      assert.match(reports[0]!, /@tracepack\/node: cannot export spans to /);

      // Back: new spans arrive again (poll with fresh requests, the first may race the restart).
      await jaeger.restart();
      const restarted = Date.now();
      // Jaeger keeps nothing across restart(): any trace of the service is a new one.
      await pollUntil(
        () => `no span in Jaeger after restart()${context()}`,
        20_000,
        async () => {
          if ((await jaegerTraces(jaeger.queryUrl, name)).length > 0) return true;
          const res = await request(`${service.url}/hello`);
          assert.equal(res.status, 200);
          return undefined;
        },
        300,
      );
      t.diagnostic(
        `first span after restart() in Jaeger within ${Date.now() - restarted} ms; dead for ${restarted - deadStarted} ms`,
      );
      assert.equal(service.stderr.filter((l) => l.includes(CANNOT_EXPORT)).length, 1, `still one report:${context()}`);
      // ...and one line saying it is back, with the count of what was lost.
      await pollUntil(
        () => `no "works again" line after restart()${context()}`,
        10_000,
        async () =>
          service.stderr.some((l) =>
            /@tracepack\/node: exporting to .* works again; \d+ spans were dropped while it failed\./.test(l),
          )
            ? true
            : undefined,
      );
    });
  }
});
