import { freePort, startOtlpReceiver, type OtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const fixtures = join(__dirname, '..', '..', 'fixtures');

/** @tracepack/node's report line at the end, with its numbers. */
const REPORT_LINE =
  /@tracepack\/node: (\d+) of (\d+) spans were not delivered to (.+?): (\d+) in failed exports, (\d+) dropped with the queue full \(max_queue_size \d+\), (\d+) still waiting when the flush bound \((\d+) ms\) ran out; (\d+) were delivered\./;

interface LossReport {
  lost: number;
  of: number;
  failed: number;
  dropped: number;
  atShutdown: number;
  boundMs: number;
  delivered: number;
}

function lossReports(stderr: string): LossReport[] {
  return stderr
    .split('\n')
    .map((l) => REPORT_LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      lost: +m[1]!,
      of: +m[2]!,
      failed: +m[4]!,
      dropped: +m[5]!,
      atShutdown: +m[6]!,
      boundMs: +m[7]!,
      delivered: +m[8]!,
    }));
}

/** How test/fixtures/exit-app.js ends: a signal from the test (with or without a handler of its own), the loop running dry, exit(), a crash. */
type Ending = 'SIGTERM' | 'SIGINT' | 'own-handler' | 'beforeExit' | 'exit' | 'crash';

interface ExitRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the signal (or the app's ENDING line) to the exit, in ms. */
  endMs: number;
  /** The app's stats when it was ready to end: what was still queued. */
  ready: { ended: number; exported: number; queued: number };
}

/** Runs exit-app.js and ends it `ending`'s way; resolves when it has exited. */
function runExitApp(opts: {
  tracing: Record<string, unknown>;
  ending: Ending;
  spans: number;
  traceId: string;
  exportThread?: boolean;
  env?: Record<string, string>;
}): Promise<ExitRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TRACING_|OTEL_|TRACEPACK_|NODE_OPTIONS$)/.test(k)),
  );
  const child = spawn(process.execPath, [join(fixtures, 'exit-app.js')], {
    env: {
      ...inherited,
      TRACING_JSON: JSON.stringify(opts.tracing),
      APP_SPANS: String(opts.spans),
      APP_END: opts.ending.startsWith('SIG') ? 'signal' : opts.ending,
      APP_EXIT_CODE: '7',
      APP_TRACE_ID: opts.traceId,
      APP_PARENT_ID: randomBytes(8).toString('hex'),
      ...(opts.exportThread ? { TRACEPACK_EXPORT_THREAD: '1' } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let startedAt: number | undefined;
  let ready: ExitRun['ready'] | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!ready) {
      const line = stdout.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        ready = (JSON.parse(line.slice('READY '.length)) as { stats: ExitRun['ready'] }).stats;
        if (opts.ending === 'SIGTERM' || opts.ending === 'SIGINT' || opts.ending === 'own-handler') {
          startedAt = Date.now();
          child.kill(opts.ending === 'own-handler' ? 'SIGTERM' : opts.ending);
        }
      }
    }
    const ending = stdout.split('\n').find((l) => l.startsWith('ENDING '));
    if (ending && startedAt === undefined)
      startedAt = (JSON.parse(ending.slice('ENDING '.length)) as { at: number }).at;
  });
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const exitedAt = Date.now();
      clearTimeout(killer);
      child.on('close', () => {
        if (!ready || startedAt === undefined)
          reject(
            new Error(`exit-app ended before it was ready (${code ?? signal})\nstdout: ${stdout}\nstderr: ${stderr}`),
          );
        else resolve({ code, signal, stdout, stderr, endMs: exitedAt - startedAt, ready });
      });
    });
  });
}

/** What each way of ending leaves as the process's status. */
function assertEndedAsExpected(run: ExitRun, ending: Ending): void {
  const context = `code ${run.code}, signal ${run.signal}\nstderr: ${run.stderr}`;
  switch (ending) {
    case 'SIGTERM':
    case 'SIGINT':
      // Our handler was the only one: the signal is raised again, the status is 128 + its number.
      assert.equal(run.signal, ending, context);
      break;
    case 'crash':
      assert.equal(run.code, 1, context);
      assert.match(run.stderr, /exit-app crashes on purpose/);
      break;
    default:
      // The app's own handler, its exitCode, its exit(7): the app decides, and nothing after exit() ran.
      assert.equal(run.code, 7, context);
      assert.doesNotMatch(run.stdout, /AFTER-EXIT/);
  }
}

const ENDINGS: Ending[] = ['SIGTERM', 'SIGINT', 'own-handler', 'beforeExit', 'exit', 'crash'];
const QUEUED = 3_000;

/** Tracing to `url` with every span of the run still queued when it ends. */
function queuedTracing(url: string, flushTimeoutMs: number): Record<string, unknown> {
  return {
    provider: 'otlp',
    service_name: 'exit-app',
    flush_timeout_ms: flushTimeoutMs,
    // Nothing leaves before the end: no batch fills, and the schedule delay is long.
    max_queue_size: 4_096,
    max_export_batch_size: 4_096,
    schedule_delay_ms: 600_000,
    providers: { otlp: { server_url: url, protocol: 'http/protobuf' } },
  };
}

function spansOfTrace(receiver: OtlpReceiver, traceId: string): number {
  return new Set(receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId)).size;
}

/**
 * Runs node in a child process without blocking this one: the receiver the child exports
 * to lives in this process and must keep answering.
 */
function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
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
    const child = spawn(process.execPath, [join(fixtures, 'sigterm-app.js')], {
      env: { ...process.env, RECEIVER_URL: receiver.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    assert.equal(signal, 'SIGTERM', `exit code ${code}, stderr: ${stderr}`);
    const names = receiver.spans.map((s) => s.name);
    // The span ended last before the signal was still in the batch queue: the flush delivered it.
    assert.ok(sentBefore !== '' && names.includes(sentBefore), `${sentBefore} missing from ${JSON.stringify(names)}`);
    assert.ok(names.includes('tick 1'), JSON.stringify(names));
    assert.ok(receiver.spans.every((s) => s.serviceName === 'sigterm-app'));
  });

  it('a dead backend costs the service nothing visible: every request answered, one report, memory bounded, every span counted', async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, [join(fixtures, 'dead-backend-app.js')], {
      env: { ...process.env, RECEIVER_URL: `http://127.0.0.1:${port}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    type Stats = {
      ended: number;
      exported: number;
      failed: number;
      dropped: number;
      droppedAtShutdown: number;
      queued: number;
      exporting: number;
    };
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      ok: boolean;
      count: number;
      created: number;
      beforeShutdown: Stats;
      stats: Stats;
      rss: number;
    };
    assert.equal(result.ok, true);
    assert.equal(result.count, 1000);
    // Every request made a SERVER and a CLIENT span; each of them is in exactly one counter.
    assert.equal(result.created, 2000);
    const { stats } = result;
    assert.equal(stats.ended, result.created);
    assert.equal(stats.exported, 0);
    assert.equal(stats.failed + stats.dropped + stats.droppedAtShutdown, result.created, JSON.stringify(stats));
    assert.equal(stats.queued + stats.exporting, 0);
    assert.ok(stats.dropped > 0 && stats.failed > 0, JSON.stringify(stats));
    const reports = r.stderr.split('\n').filter((l) => l.includes('cannot export spans'));
    assert.equal(reports.length, 1, `expected one report, got:\n${r.stderr}`);
    // ...and one count of what was lost, at shutdown, with the same numbers.
    assert.deepEqual(lossReports(r.stderr), [
      {
        lost: 2000,
        of: 2000,
        failed: stats.failed,
        dropped: stats.dropped,
        atShutdown: stats.droppedAtShutdown,
        boundMs: 1000,
        delivered: 0,
      },
    ]);
    assert.match(r.stderr, new RegExp(`spans were not delivered to http://127\\.0\\.0\\.1:${port}: `));
    assert.doesNotMatch(r.stderr, /BatchSpanProcessor: span export failed/);
    assert.ok(result.rss < 300 * 1024 * 1024, `rss ${result.rss}`);
  });

  // Child processes of their own, each with its own receiver: three at a time.
  describe('every way a process ends flushes what is still queued', { concurrency: 3 }, () => {
    for (const exportThread of [false, true]) {
      const path = exportThread ? 'export thread' : 'in-thread';
      for (const ending of ENDINGS) {
        it(`${path}, ${ending}: the ${QUEUED} spans still queued all reach the receiver within flush_timeout_ms, and the process ends as the app expects`, async (t) => {
          const receiver = await startOtlpReceiver({ keepSpans: true });
          t.after(() => receiver.stop());
          const traceId = randomBytes(16).toString('hex');
          const flushTimeoutMs = 8_000;
          const run = await runExitApp({
            tracing: queuedTracing(receiver.url, flushTimeoutMs),
            ending,
            spans: QUEUED,
            traceId,
            exportThread,
          });
          t.diagnostic(`${ending}: ${run.endMs} ms from the end to the exit`);
          assert.deepEqual(
            [run.ready.ended, run.ready.exported, run.ready.queued],
            [QUEUED, 0, QUEUED],
            'nothing had left before the end',
          );
          assertEndedAsExpected(run, ending);
          // The app's own SIGTERM handler ends one more span before it exits: it goes out too.
          const expected = ending === 'own-handler' ? QUEUED + 1 : QUEUED;
          assert.equal(spansOfTrace(receiver, traceId), expected, run.stderr);
          assert.equal(receiver.spanCount, expected, 'each span once');
          assert.ok(run.endMs < flushTimeoutMs, `${run.endMs} ms`);
          assert.deepEqual(lossReports(run.stderr), [], run.stderr);
        });
      }
    }
  });

  for (const ending of ENDINGS) {
    it(`dead backend, ${ending}: the process still ends within flush_timeout_ms (+ a small margin), and the report counts every span`, async (t) => {
      const port = await freePort();
      const flushTimeoutMs = 1_500;
      const traceId = randomBytes(16).toString('hex');
      const run = await runExitApp({
        tracing: queuedTracing(`http://127.0.0.1:${port}`, flushTimeoutMs),
        ending,
        spans: QUEUED,
        traceId,
      });
      t.diagnostic(`${ending}: ${run.endMs} ms from the end to the exit`);
      assertEndedAsExpected(run, ending);
      assert.ok(run.endMs < flushTimeoutMs + 500, `${run.endMs} ms`);
      const reports = lossReports(run.stderr);
      assert.equal(reports.length, 1, run.stderr);
      const r = reports[0]!;
      const expected = ending === 'own-handler' ? QUEUED + 1 : QUEUED; // see above
      assert.equal(r.of, expected);
      assert.equal(r.lost, expected);
      assert.equal(r.delivered, 0);
      assert.equal(r.dropped, 0);
      assert.equal(r.failed + r.atShutdown, expected, run.stderr);
      assert.equal(r.boundMs, flushTimeoutMs);
    });
  }

  it('a shutdown that uses its whole bound still writes the report before SIGTERM is raised again', async (t) => {
    // A backend that never answers holds the export for the whole bound, and a span processor
    // of the app's own never finishes its shutdown: the report must still come, once, before
    // the process dies of the signal, within the bound and the hook's margin.
    const receiver = await startOtlpReceiver({ mode: 'hang' });
    t.after(() => receiver.stop());
    const flushTimeoutMs = 1_000;
    const tracing = { ...queuedTracing(receiver.url, flushTimeoutMs), export_timeout_ms: 60_000 };
    const run = await runExitApp({
      tracing,
      ending: 'SIGTERM',
      spans: QUEUED,
      traceId: randomBytes(16).toString('hex'),
      env: { APP_STUCK_PROCESSOR: '1' },
    });
    t.diagnostic(`${run.endMs} ms from SIGTERM to the exit`);
    assert.deepEqual(
      lossReports(run.stderr),
      [{ lost: QUEUED, of: QUEUED, failed: QUEUED, dropped: 0, atShutdown: 0, boundMs: flushTimeoutMs, delivered: 0 }],
      run.stderr,
    );
    assert.equal(run.signal, 'SIGTERM', run.stderr);
    assert.ok(run.endMs >= flushTimeoutMs && run.endMs < flushTimeoutMs + 750, `${run.endMs} ms`);
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

  it("startTracing takes a tracing block directly, told from options by the schema's top-level keys", () => {
    const script = [
      "const { startTracing } = require('@tracepack/node');",
      "const h = startTracing({ provider: 'console', service_name: 'bare-block', flush_timeout_ms: 1234 });",
      'console.log(JSON.stringify({ enabled: h.enabled, provider: h.config.provider, name: h.config.service_name, flush: h.config.flush_timeout_ms }));',
      'h.shutdown();',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, TRACING_PROVIDER: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), {
      enabled: true,
      provider: 'console',
      name: 'bare-block',
      flush: 1234,
    });
  });

  it('refuses a bad config before the service starts, naming the variable', () => {
    const r = spawnSync(
      process.execPath,
      ['--require', '@tracepack/node/register', '-e', 'console.log("service started")'],
      {
        env: { ...process.env, TRACING_PROVIDER: 'jeager' },
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 78);
    assert.doesNotMatch(r.stdout, /service started/);
    assert.match(
      r.stderr,
      /TRACING_PROVIDER \(tracing\.provider\): "jeager" is not one of jaeger, zipkin, otlp, console/,
    );
  });
});
