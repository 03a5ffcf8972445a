// @tracepack/usage with @tracepack/node in one real process: usage learns the route templates
// the http instrumentation resolves (http.route of SERVER spans, through the public span
// processor interface), reads express's route from the request, and its last report goes out
// on SIGTERM, whether tracing's exit hooks or its own send it, and the process still dies of
// the signal (two sets of hooks must not keep each other waiting).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startOtlpMetricsReceiver, startOtlpReceiver } from '@tracepack/testing';

const app = join(__dirname, 'usage-app.js');

async function runAndTerminate(
  env: Record<string, string>,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [app], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  const ports = await new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\d+) (\d+)/.exec(d.toString());
      if (m) resolve([m[1]!, m[2]!]);
    });
    void exited.then(() => reject(new Error(`exited before ready: ${stderr}`)));
  });
  const [expressPort, plainPort] = ports;
  for (const path of ['/clients/7', '/clients/8']) await (await fetch(`http://127.0.0.1:${expressPort}${path}`)).text();
  for (const path of ['/things/41', '/things/42', '/things/43'])
    await (await fetch(`http://127.0.0.1:${plainPort}${path}`)).text();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = await exited;
  clearTimeout(timer);
  return { code, signal, stderr };
}

describe('@tracepack/usage with @tracepack/node', () => {
  for (const tracing of ['on', 'off'] as const) {
    it(`tracing ${tracing}: route templates reported, last report sent on SIGTERM, the process dies of SIGTERM`, async (t) => {
      const usageReceiver = await startOtlpMetricsReceiver();
      const traceReceiver = await startOtlpReceiver();
      t.after(() => Promise.all([usageReceiver.stop(), traceReceiver.stop()]));
      const env = {
        SQA_ENDPOINT: usageReceiver.url,
        SQA_REPORT_INTERVAL: '1h',
        SQA_KEEPALIVE_INTERVAL: '1h',
        TRACE_URL: traceReceiver.url,
        USAGE_TRACING: tracing,
        CI: '',
        GITHUB_ACTIONS: '',
      };
      const run = await runAndTerminate(env);
      assert.equal(run.signal, 'SIGTERM', `exit code ${run.code}; stderr: ${run.stderr}`);
      assert.match(run.stderr, /@tracepack\/usage: usage statistics on \(anonymous\)/);
      const points = usageReceiver.reports
        .flatMap((r) => r.points)
        .filter((p) => p.metric === 'tracepack.usage.http.duration');
      const byEndpoint = Object.fromEntries(
        points.map((p) => [p.attributes['tracepack.usage.endpoint'], p.histogram!.count]),
      );
      assert.equal(
        byEndpoint['/clients/:id'],
        2,
        `express's route, read from the request: ${JSON.stringify(byEndpoint)}`,
      );
      if (tracing === 'on') {
        assert.equal(
          byEndpoint['/things/:id'],
          3,
          `learned from the SERVER spans, claiming the first request too: ${JSON.stringify(byEndpoint)}`,
        );
        assert.equal(Object.keys(byEndpoint).length, 2, JSON.stringify(byEndpoint));
        assert.ok(
          traceReceiver.spans.some((s) => s.name === 'GET /things/:id'),
          'tracing ran',
        );
        assert.ok(
          !traceReceiver.spans.some((s) => s.kind === 'CLIENT' && /v1\/metrics/.test(String(s.attributes['url.full']))),
          'usage exports are not traced',
        );
      } else {
        // Nothing declares /things/:id to usage then: each path is its own hashed endpoint.
        assert.equal(byEndpoint['/things/:id'], undefined);
        assert.equal(Object.keys(byEndpoint).length, 1 + 3, JSON.stringify(byEndpoint));
      }
    });
  }

  it("tracing on without usage's span processor: the process still dies of SIGTERM (no two hooks waiting on each other)", async (t) => {
    const usageReceiver = await startOtlpMetricsReceiver();
    const traceReceiver = await startOtlpReceiver();
    t.after(() => Promise.all([usageReceiver.stop(), traceReceiver.stop()]));
    const run = await runAndTerminate({
      SQA_ENDPOINT: usageReceiver.url,
      SQA_REPORT_INTERVAL: '1h',
      TRACE_URL: traceReceiver.url,
      USAGE_TRACING: 'without-processor',
    });
    assert.equal(run.signal, 'SIGTERM', `exit code ${run.code}; stderr: ${run.stderr}`);
  });
});
