// Flush on every way a process ends, into real backends: a traced process ends with thousands
// of spans still queued (the schedule delay is long and no batch has filled, so none has left
// yet) by SIGTERM, SIGINT, the event loop running dry ('beforeExit'), or process.exit() from
// the app; every span must then be in Jaeger (the documented UDP agent config, and OTLP to its
// OTLP port) and in Zipkin, read back through their query APIs, the process must have ended
// within flush_timeout_ms and with the status the app expects. Then the same with the backends
// dead (Jaeger killed, Zipkin stopped): the process still ends within the bound, and the loss
// report counts every span.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { documentedJaegerTracing, cleanEnv, hexId, pollUntil, startJaegerAndZipkin } from './helpers';
import { e2eSkip, jaegerTrace, normalizeTraceId, zipkinTrace, type JaegerServer, type ZipkinServer } from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

/** test/fixtures/exit-app.js, from test/dist/e2e. */
const EXIT_APP = join(__dirname, '..', '..', 'fixtures', 'exit-app.js');
const SPANS = 3_000;
const LIVE_FLUSH_MS = 10_000;
const DEAD_FLUSH_MS = 3_000;
/** What a dead backend may add to the bound: the exit itself, a loaded machine. */
const EXIT_MARGIN_MS = 600;

type Ending = 'SIGTERM' | 'SIGINT' | 'beforeExit' | 'exit';
const ENDINGS: Ending[] = ['SIGTERM', 'SIGINT', 'beforeExit', 'exit'];

const REPORT_LINE =
  /@tracepack\/node: (\d+) of (\d+) spans were not delivered to (.+?): (\d+) in failed exports, (\d+) dropped with the queue full \(max_queue_size \d+\), (\d+) still waiting when the flush bound \((\d+) ms\) ran out; (\d+) were delivered\./;

interface Backend {
  name: string;
  /** Set when the promise is known not to hold yet: the test runs and reports, without failing the suite. */
  todo?: string;
  tracing(service: string): Record<string, unknown>;
  /** Distinct spans of the trace the backend holds (0 when it has none). */
  count(traceId: string): Promise<number>;
}

interface ExitRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the signal (or the app's ENDING line) to the exit, in ms. */
  endMs: number;
  queuedAtEnd: number;
}

/** Runs exit-app.js with `tracing`, ends it `ending`'s way, resolves once it has exited. */
function runExitApp(tracing: Record<string, unknown>, ending: Ending, traceId: string): Promise<ExitRun> {
  const child = spawn(process.execPath, [EXIT_APP], {
    env: {
      ...cleanEnv(),
      TRACING_JSON: JSON.stringify(tracing),
      APP_SPANS: String(SPANS),
      APP_END: ending.startsWith('SIG') ? 'signal' : ending,
      APP_EXIT_CODE: '7',
      APP_TRACE_ID: traceId,
      APP_PARENT_ID: hexId(8),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let startedAt: number | undefined;
  let queuedAtEnd = -1;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const lines = stdout.split('\n');
    const ready = lines.find((l) => l.startsWith('READY '));
    if (ready && queuedAtEnd < 0) {
      const { stats } = JSON.parse(ready.slice('READY '.length)) as { stats: { queued: number; exported: number } };
      queuedAtEnd = stats.exported === 0 ? stats.queued : -stats.exported;
      if (ending === 'SIGTERM' || ending === 'SIGINT') {
        startedAt = Date.now();
        child.kill(ending);
      }
    }
    const end = lines.find((l) => l.startsWith('ENDING '));
    if (end && startedAt === undefined) startedAt = (JSON.parse(end.slice('ENDING '.length)) as { at: number }).at;
  });
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const exitedAt = Date.now();
      clearTimeout(killer);
      child.on('close', () => {
        if (startedAt === undefined)
          reject(
            new Error(`exit-app ended before it was ready (${code ?? signal})\nstdout: ${stdout}\nstderr: ${stderr}`),
          );
        else resolve({ code, signal, stdout, stderr, endMs: exitedAt - startedAt, queuedAtEnd });
      });
    });
  });
}

function assertEndedAsExpected(run: ExitRun, ending: Ending): void {
  const context = `code ${run.code}, signal ${run.signal}\nstderr: ${run.stderr}`;
  if (ending === 'SIGTERM' || ending === 'SIGINT') {
    // No handler of the app's own: the signal was raised again, so the status is 128 + its number.
    assert.equal(run.signal, ending, context);
  } else {
    assert.equal(run.code, 7, context);
    assert.doesNotMatch(run.stdout, /AFTER-EXIT/, 'nothing after exit() ran');
  }
}

/** The batch settings that keep every span queued until the end. */
function queued(tracing: Record<string, unknown>, flushMs: number): Record<string, unknown> {
  return {
    ...tracing,
    flush_timeout_ms: flushMs,
    max_queue_size: 4_096,
    max_export_batch_size: 4_096,
    schedule_delay_ms: 600_000,
  };
}

describe('e2e: flush on every way a process ends', { skip }, () => {
  let jaeger: JaegerServer;
  let zipkin: ZipkinServer;
  before(async () => {
    ({ jaeger, zipkin } = await startJaegerAndZipkin());
  });
  after(async () => {
    await Promise.all([jaeger?.stop(), zipkin?.stop()]);
  });

  const backends: Backend[] = [
    {
      name: 'Jaeger, the documented UDP agent config',
      // The agent exporter paces the datagrams of one large export (provider-jaeger's
      // DATAGRAM_GAP_MS): sent back to back, they overflowed Jaeger's UDP socket buffer.
      tracing: (service) => documentedJaegerTracing(jaeger, service),
      count: async (traceId) => new Set((await jaegerTrace(jaeger.queryUrl, traceId))?.spans.map((s) => s.spanID)).size,
    },
    {
      name: 'Jaeger, OTLP to its OTLP port',
      tracing: (service) => ({
        provider: 'otlp',
        service_name: service,
        providers: { otlp: { server_url: jaeger.otlpHttpUrl.replace(/\/v1\/traces$/, ''), protocol: 'http/protobuf' } },
      }),
      count: async (traceId) => new Set((await jaegerTrace(jaeger.queryUrl, traceId))?.spans.map((s) => s.spanID)).size,
    },
    {
      name: 'Zipkin',
      tracing: (service) => ({
        provider: 'zipkin',
        service_name: service,
        providers: { zipkin: { server_url: zipkin.spansUrl } },
      }),
      count: async (traceId) => new Set((await zipkinTrace(zipkin.queryUrl, traceId))?.map((s) => s.id)).size,
    },
  ];

  for (const [b, backend] of backends.entries()) {
    for (const ending of ENDINGS) {
      test(
        `${backend.name}, ${ending}: all ${SPANS} queued spans reach it within flush_timeout_ms`,
        { todo: backend.todo },
        async (t) => {
          const traceId = hexId(16);
          const run = await runExitApp(
            queued(backend.tracing(`e2e-exit-${b}-${ending}`), LIVE_FLUSH_MS),
            ending,
            traceId,
          );
          t.diagnostic(`${ending} -> exit: ${run.endMs} ms`);
          assert.equal(run.queuedAtEnd, SPANS, 'every span was still queued when the process began to end');
          assertEndedAsExpected(run, ending);
          assert.ok(run.endMs < LIVE_FLUSH_MS, `ended ${run.endMs} ms after ${ending}`);
          assert.doesNotMatch(run.stderr, REPORT_LINE, 'nothing was lost');
          // The backends ingest asynchronously: poll their query API for the whole trace (and
          // stop early once the count has stood still for 3 s: nothing more is on its way).
          let last = 0;
          let since = Date.now();
          await pollUntil(
            () =>
              `${backend.name} holds ${last} of ${SPANS} spans of trace ${normalizeTraceId(traceId)}\nstderr: ${run.stderr}`,
            20_000,
            async () => {
              const count = await backend.count(traceId);
              if (count !== last) [last, since] = [count, Date.now()];
              return count >= SPANS || (count > 0 && Date.now() - since > 3_000) ? true : undefined;
            },
            300,
          );
          assert.equal(
            last,
            SPANS,
            `${backend.name} holds ${last} of ${SPANS} spans of trace ${normalizeTraceId(traceId)}`,
          );
        },
      );
    }
  }

  describe('with the backends dead', () => {
    before(async () => {
      await Promise.all([jaeger.kill(), zipkin.stop()]);
    });

    for (const [b, backend] of backends.entries()) {
      for (const ending of ENDINGS) {
        test(`${backend.name} dead, ${ending}: ends within flush_timeout_ms + ${EXIT_MARGIN_MS} ms, every span in the report`, async (t) => {
          const run = await runExitApp(
            queued(backend.tracing(`e2e-exit-dead-${b}-${ending}`), DEAD_FLUSH_MS),
            ending,
            hexId(16),
          );
          const m = REPORT_LINE.exec(run.stderr);
          t.diagnostic(`${ending} -> exit: ${run.endMs} ms; ${m?.[0] ?? 'no report'}`);
          assert.equal(run.queuedAtEnd, SPANS);
          assertEndedAsExpected(run, ending);
          assert.ok(
            run.endMs < DEAD_FLUSH_MS + EXIT_MARGIN_MS,
            `ended ${run.endMs} ms after ${ending} (bound ${DEAD_FLUSH_MS} ms)`,
          );
          assert.ok(m, `no loss report:\n${run.stderr}`);
          const [, lost, of, , failed, dropped, atShutdown, bound, delivered] = m.map(Number);
          assert.deepEqual(
            { lost, of, dropped, delivered, bound },
            { lost: SPANS, of: SPANS, dropped: 0, delivered: 0, bound: DEAD_FLUSH_MS },
          );
          assert.equal(failed! + atShutdown!, SPANS, m[0]);
          assert.equal(run.stderr.split('\n').filter((l) => REPORT_LINE.test(l)).length, 1, 'one report');
        });
      }
    }
  });
});
