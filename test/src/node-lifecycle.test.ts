import { freePort, startOtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const fixtures = join(__dirname, '..', '..', 'fixtures');

/**
 * Runs node in a child process without blocking this one: the receiver the child exports
 * to lives in this process and must keep answering.
 */
function runNode(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('@tracepack/node lifecycle', () => {
  it('flushes the last spans on SIGTERM, then dies of SIGTERM as it would have without us', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const child = spawn(process.execPath, [join(fixtures, 'sigterm-app.js')], { env: { ...process.env, RECEIVER_URL: receiver.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let lastTick = '';
    child.stdout.on('data', (d: Buffer) => {
      const ticks = d.toString().match(/tick \d+/g);
      if (ticks) lastTick = ticks[ticks.length - 1]!;
    });
    // Let a few ticks happen (some exported already, the last ones still queued).
    const deadline = Date.now() + 15_000;
    while (!/tick ([5-9]|\d\d)/.test(lastTick) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const sentBefore = lastTick;
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    assert.equal(signal, 'SIGTERM', `exit code ${code}, stderr: ${stderr}`);
    const names = receiver.spans.map((s) => s.name);
    // The span ended last before the signal was still in the batch queue: the flush delivered it.
    assert.ok(sentBefore !== '' && names.includes(sentBefore), `${sentBefore} missing from ${JSON.stringify(names)}`);
    assert.ok(names.includes('tick 1'), JSON.stringify(names));
    assert.ok(receiver.spans.every((s) => s.serviceName === 'sigterm-app'));
  });

  it('a dead backend costs the service nothing visible: every request answered, one report, memory bounded', async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, [join(fixtures, 'dead-backend-app.js')], {
      env: { ...process.env, RECEIVER_URL: `http://127.0.0.1:${port}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; count: number; stats: { exported: number; failed: number; dropped: number }; rss: number };
    assert.equal(result.ok, true);
    assert.equal(result.count, 1000);
    assert.equal(result.stats.exported, 0);
    assert.ok(result.stats.failed + result.stats.dropped >= 1, JSON.stringify(result.stats));
    const reports = r.stderr.split('\n').filter((l) => l.includes('cannot export spans'));
    assert.equal(reports.length, 1, `expected one report, got:\n${r.stderr}`);
    // ...and one count of what was lost, at shutdown.
    assert.match(r.stderr, /@tracepack\/node: \d+ spans were not delivered to http:\/\/127\.0\.0\.1:\d+ \(\d+ dropped with the queue full, \d+ in failed exports\); 0 were\./);
    assert.doesNotMatch(r.stderr, /BatchSpanProcessor: span export failed/);
    assert.ok(result.rss < 300 * 1024 * 1024, `rss ${result.rss}`);
  });

  it('node --require @tracepack/node/register traces a CommonJS service with no code change', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const r = await runNode(['--require', '@tracepack/node/register', join(fixtures, 'register-app.cjs')], {
      TRACING_PROVIDER: 'otlp',
      TRACING_SERVICE_NAME: 'register-cjs',
      TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
      TRACING_PROVIDERS_OTLP_PROTOCOL: 'http/json',
    });
    assert.equal(r.status, 0, r.stderr);
    const spans = await receiver.waitForSpans(1);
    const server = spans.find((s) => s.kind === 'SERVER');
    assert.ok(server, JSON.stringify(spans.map((s) => s.name)));
    assert.equal(server.serviceName, 'register-cjs');
    assert.doesNotMatch(server.name, /42/);
  });

  it('node --import @tracepack/node/register traces an ESM service, bcrypt included', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const r = await runNode(['--import', '@tracepack/node/register', join(fixtures, 'register-app.mjs')], {
      TRACING_PROVIDER: 'otlp',
      TRACING_SERVICE_NAME: 'register-esm',
      TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
    });
    assert.equal(r.status, 0, r.stderr);
    // Synchronous module hooks where the runtime has them: no DEP0205 (module.register) on 26.
    assert.doesNotMatch(r.stderr, /DEP0\d+|DeprecationWarning|ExperimentalWarning/);
    const spans = await receiver.waitForSpans(2);
    const names = spans.map((s) => s.name);
    assert.ok(names.includes('bcrypt.hash'), JSON.stringify(names));
    const hash = spans.find((s) => s.name === 'bcrypt.hash')!;
    assert.equal(hash.attributes['bcrypt.work_factor'], 4);
    const root = spans.find((s) => s.spanId === hash.parentSpanId);
    assert.ok(root, 'bcrypt.hash is a child of the request span');
  });

  it('startTracing takes a tracing block directly, told from options by the schema\'s top-level keys', () => {
    const script = [
      "const { startTracing } = require('@tracepack/node');",
      "const h = startTracing({ provider: 'console', service_name: 'bare-block', flush_timeout_ms: 1234 });",
      'console.log(JSON.stringify({ enabled: h.enabled, provider: h.config.provider, name: h.config.service_name, flush: h.config.flush_timeout_ms }));',
      'h.shutdown();',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TRACING_PROVIDER: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { enabled: true, provider: 'console', name: 'bare-block', flush: 1234 });
  });

  it('refuses a bad config before the service starts, naming the variable', () => {
    const r = spawnSync(process.execPath, ['--require', '@tracepack/node/register', '-e', 'console.log("service started")'], {
      env: { ...process.env, TRACING_PROVIDER: 'jeager' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 78);
    assert.doesNotMatch(r.stdout, /service started/);
    assert.match(r.stderr, /TRACING_PROVIDER \(tracing\.provider\): "jeager" is not one of jaeger, zipkin, otlp, console/);
  });
});
