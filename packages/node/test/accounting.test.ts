import { startOtlpReceiver, startZipkinReceiver, type OtlpReceiver, type ZipkinReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TracingStats } from '../src/types';

// Nothing lost silently, counted exactly: a real start-up (in a child process) ends thousands
// of spans against a loopback receiver that accepts some export requests, refuses others
// (HTTP 503) and never answers one. Afterwards every span the app created is either in the
// receiver (acknowledged) or in exactly one of the loss counters, and the shutdown report says
// the same numbers. Both export paths, two exporters: OTLP (which gives up on a silent backend
// by its own timeout) and Zipkin (which has none: the processor gives up on it).

const APP = join(__dirname, '..', '..', 'test', 'fixtures', 'accounting-app.cjs');
const SPANS = 6_000;

/** Request 3 and 4 refused, 6 never answered, every other one accepted. */
const script = (n: number): 'unavailable' | 'hang' | undefined =>
  n === 3 || n === 4 ? 'unavailable' : n === 6 ? 'hang' : undefined;

const REPORT_LINE =
  /^@tracepack\/node: (\d+) of (\d+) spans were not delivered to (.+?): (\d+) in failed exports, (\d+) dropped with the queue full \(max_queue_size \d+\), (\d+) still waiting when the flush bound \(\d+ ms\) ran out; (\d+) were delivered\.$/;

interface AppReport {
  created: number;
  seen: number;
  beforeShutdown: TracingStats;
  stats: TracingStats;
}

interface Run {
  code: number | null;
  report: AppReport;
  stderr: string;
}

/**
 * Runs the fixture; once it has printed its report, `stop` is called (the receiver closes the
 * request it never answered, which an exporter without a timeout would hold open forever).
 */
function runApp(tracing: Record<string, unknown>, exportThread: boolean, stop: () => Promise<void>): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TRACING_|OTEL_|TRACEPACK_|NODE_OPTIONS$)/.test(k)),
  );
  const child = spawn(process.execPath, [APP], {
    env: {
      ...inherited,
      TRACING_JSON: JSON.stringify(tracing),
      APP_SPANS: String(SPANS),
      APP_BURST: '100',
      APP_PAUSE_MS: '10',
      ...(exportThread ? { TRACEPACK_EXPORT_THREAD: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let report: AppReport | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
    if (line && !report) {
      report = JSON.parse(line.slice('REPORT '.length)) as AppReport;
      void stop();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (!report) reject(new Error(`no report (exit ${code})\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve({ code, report, stderr });
    });
  });
}

const batching = {
  max_queue_size: 1_000,
  max_export_batch_size: 200,
  schedule_delay_ms: 50,
  export_timeout_ms: 1_500,
  flush_timeout_ms: 10_000,
};

const exporters: Array<{
  name: string;
  start: () => Promise<OtlpReceiver | ZipkinReceiver>;
  tracing: (url: string) => Record<string, unknown>;
}> = [
  {
    name: 'OTLP',
    start: () => startOtlpReceiver({ script }),
    // The exporter's own timeout (1 s) is below export_timeout_ms: it answers the silent request itself.
    tracing: (url) => ({
      provider: 'otlp',
      providers: { otlp: { server_url: url, protocol: 'http/protobuf', timeout_ms: 1_000 } },
    }),
  },
  {
    name: 'Zipkin',
    start: () => startZipkinReceiver({ script }),
    tracing: (url) => ({ provider: 'zipkin', providers: { zipkin: { server_url: url } } }),
  },
];

describe('loss accounting: created == received + failed + dropped, exactly', () => {
  for (const exporter of exporters) {
    for (const exportThread of [false, true]) {
      const path = exportThread ? 'the export thread' : 'in-thread';
      it(`${exporter.name}, ${path}: ${SPANS} spans against a receiver that accepts, refuses (503) and hangs`, async (t) => {
        const receiver = await exporter.start();
        t.after(() => receiver.stop());
        const run = await runApp(
          { service_name: 'accounting', ...batching, ...exporter.tracing(receiver.url) },
          exportThread,
          () => receiver.stop(),
        );
        assert.equal(run.code, 0, run.stderr);
        const { created, seen, stats } = run.report;
        const received = receiver.spanCount;
        // How the receiver answered each export request, by the script (its `answered` counts them).
        const answered = (receiver as unknown as { answered: number }).answered;
        const answers = Array.from({ length: answered }, (_, i) => script(i + 1) ?? 'ok');
        t.diagnostic(
          `created ${created} = received ${received} + failed ${stats.failed} + dropped ${stats.dropped} + dropped at shutdown ${stats.droppedAtShutdown}; ` +
            `requests: ${answers.map((a, i) => `${a}:${receiver.requests[i]?.spanCount}`).join(' ')}`,
        );

        // What the app made, what it saw end, and what tracepack counted as ended agree.
        assert.equal(created, SPANS);
        assert.equal(seen, SPANS);
        assert.equal(stats.ended, SPANS);
        // Every span is in the receiver or in exactly one loss counter.
        assert.equal(stats.exported, received, 'exported is what the receiver acknowledged');
        assert.equal(created, received + stats.failed + stats.dropped + stats.droppedAtShutdown);
        assert.equal(stats.queued + stats.exporting, 0);
        // The receiver did accept, refuse and hang; and the queue did overflow meanwhile.
        assert.equal(answered, receiver.requests.length);
        assert.ok(answers.includes('unavailable'), JSON.stringify(answers));
        assert.equal(answers.filter((a) => a === 'hang').length, 1, JSON.stringify(answers));
        assert.ok(received > 0 && stats.failed > 0 && stats.dropped > 0, JSON.stringify(stats));

        // The shutdown report prints the same numbers, once.
        const lines = run.stderr.split('\n').filter((l) => l.includes('spans were not delivered'));
        assert.equal(lines.length, 1, run.stderr);
        const m = REPORT_LINE.exec(lines[0]!);
        assert.ok(m, lines[0]);
        const [, lost, of, target, failed, dropped, atShutdown, delivered] = m;
        assert.equal(target, receiver.url);
        assert.deepEqual(
          {
            lost: Number(lost),
            of: Number(of),
            failed: Number(failed),
            dropped: Number(dropped),
            atShutdown: Number(atShutdown),
            delivered: Number(delivered),
          },
          {
            lost: created - received,
            of: created,
            failed: stats.failed,
            dropped: stats.dropped,
            atShutdown: stats.droppedAtShutdown,
            delivered: received,
          },
        );
        // Drops are reported per streak, never per span.
        const queueLines = run.stderr.split('\n').filter((l) => l.includes('span export queue is full'));
        assert.ok(queueLines.length >= 1 && queueLines.length <= 5, run.stderr);
      });
    }
  }
});
