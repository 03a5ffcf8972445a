import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleWaterfallExporter, renderWaterfall } from '../src/console';
import type { ConsoleWaterfallExporterOptions } from '../src/console';
import { detectCharset, shouldUseColor } from '../src/console/terminal';

const INSERT_SQL = 'INSERT INTO clients (client_id, secret_hash) VALUES ($1, $2)';
// Matches every ANSI escape sequence the renderer could write.
const ESC = /\u001b\[[0-9;]*m/g;
const T0 = 1_760_000_000_000; // ms since the epoch: fixed, so durations are exact

const memory = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer('console-waterfall-test');

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
after(async () => {
  await provider.shutdown();
  context.disable();
});
beforeEach(() => memory.reset());

/**
 * The failing sign-up of the README: `POST /clients` answers 409 because the INSERT hits a
 * unique violation (23505) after an 8.6 ms bcrypt hash. Real spans from a real provider; the
 * children run inside the root's context (AsyncLocalStorage), with fixed timestamps.
 */
function signUpTrace(parent: Context = ROOT_CONTEXT): ReadableSpan[] {
  const before = memory.getFinishedSpans().length;
  const root = tracer.startSpan(
    'POST /clients',
    { kind: SpanKind.SERVER, startTime: T0, attributes: { 'http.request.method': 'POST', 'http.route': '/clients' } },
    parent,
  );
  context.with(trace.setSpan(parent, root), () => {
    const hash = tracer.startSpan('bcrypt.hash', { startTime: T0 + 0.4, attributes: { 'bcrypt.work_factor': 10 } });
    hash.end(T0 + 9.0);
    const insert = tracer.startSpan('INSERT clients', {
      kind: SpanKind.CLIENT,
      startTime: T0 + 9.3,
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': INSERT_SQL },
    });
    insert.setAttributes({ 'db.response.status_code': '23505', 'error.type': '23505' });
    insert.setStatus({ code: SpanStatusCode.ERROR });
    insert.end(T0 + 11.1);
  });
  root.setAttribute('http.response.status_code', 409);
  root.setStatus({ code: SpanStatusCode.ERROR });
  root.end(T0 + 12.3);
  return memory.getFinishedSpans().slice(before);
}

/** A context whose span lives in another process (as after extracting `traceparent`). */
function remoteParent(traceId = '4bf92f3577b34da6a3ce929d0e0e4736'): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

function plain(text: string): string {
  return text.replace(ESC, '');
}

function lines(text: string): string[] {
  return plain(text)
    .split('\n')
    .filter((l) => l !== '');
}

function assertFits(text: string, width: number): void {
  for (const line of plain(text).split('\n')) {
    assert.ok([...line].length <= width, `line wider than ${width}: ${JSON.stringify(line)} (${[...line].length})`);
  }
}

/** Indexes of the lines containing each needle, asserting they exist and come in that order. */
function assertInOrder(text: string, needles: string[]): void {
  const all = lines(text);
  let from = 0;
  for (const needle of needles) {
    const at = all.findIndex((l, i) => i >= from && l.includes(needle));
    assert.ok(at >= 0, `no line with ${JSON.stringify(needle)} after line ${from} in:\n${plain(text)}`);
    from = at + 1;
  }
}

function capture(options: ConsoleWaterfallExporterOptions = {}): { exporter: ConsoleWaterfallExporter; out: string[] } {
  const out: string[] = [];
  const exporter = new ConsoleWaterfallExporter({ color: 'never', width: 80, ...options, write: (t) => out.push(t) });
  return { exporter, out };
}

function exportSync(exporter: ConsoleWaterfallExporter, spans: ReadableSpan[]): ExportResult {
  let result: ExportResult | undefined;
  exporter.export(spans, (r) => (result = r));
  assert.ok(result, 'export calls back synchronously');
  return result;
}

describe('renderWaterfall', () => {
  it('shows the failed request, its status, the bcrypt cost and the SQL at a glance', () => {
    const spans = signUpTrace();
    const traceId = spans[0]!.spanContext().traceId;
    const text = renderWaterfall(spans, { width: 80 });
    const all = lines(text);

    // Header: error marker, name, HTTP status, duration, trace id.
    assert.match(all[0]!, /^✗ POST \/clients {2}409 {2}12\.3 ms {2}trace [0-9a-f]{32}$/);
    assert.ok(all[0]!.endsWith(traceId));
    // Span tree in start order, each span's tags under it.
    assertInOrder(text, [
      'POST /clients',
      'POST /clients',
      'http.response.status_code=409',
      '├─ bcrypt.hash',
      'bcrypt.work_factor=10',
      '└─ INSERT clients',
      'db.response.status_code=23505  error.type=23505',
      INSERT_SQL,
    ]);
    const row = (name: string): string => all.find((l) => l.includes(name) && /ms/.test(l) && !l.startsWith('✗'))!;
    assert.match(row('POST /clients'), /✗ +12\.3 ms/);
    assert.match(row('bcrypt.hash'), /bcrypt\.hash +8\.60 ms|bcrypt\.hash +8\.6 ms/);
    assert.match(row('INSERT clients'), /✗ +1\.80 ms|✗ +1\.8 ms/);
    assert.doesNotMatch(row('bcrypt.hash'), /✗/, 'bcrypt succeeded');
    // The route is already in the name: not repeated.
    assert.ok(!text.includes('http.route='));
    assertFits(text, 80);
    assert.doesNotMatch(text, ESC);
  });

  it('draws the bars on one time axis', () => {
    const text = renderWaterfall(signUpTrace(), { width: 80 });
    const bar = (name: string): { from: number; to: number } => {
      const line = lines(text).find((l) => l.startsWith('  ') && l.includes(name) && l.includes(' ms  '))!;
      const from = line.indexOf('█');
      return { from, to: line.lastIndexOf('█') + 1 };
    };
    const root = bar('POST /clients');
    const hash = bar('bcrypt.hash');
    const insert = bar('INSERT clients');
    assert.equal(root.to - root.from, 80 - root.from, 'the root spans the whole axis');
    assert.ok(hash.from <= root.from + 2 && hash.to > hash.from + (root.to - root.from) / 2, 'bcrypt: the first ~70%');
    assert.ok(insert.from >= hash.to, 'the INSERT starts after the hash ended');
    assert.ok(insert.to - insert.from >= 1 && insert.to < root.to, 'the INSERT ends before the response');
  });

  it('never draws a line wider than the width (but the Jaeger link), cutting names and tags with an ellipsis', () => {
    const spans = signUpTrace();
    const long = tracer.startSpan(`GET /${'very-long-path-segment/'.repeat(8)}`, {
      startTime: T0,
      attributes: { 'db.query.text': `SELECT ${'column_name, '.repeat(30)}x FROM t` },
    });
    long.end(T0 + 3);
    spans.push(...memory.getFinishedSpans().slice(-1));
    for (const width of [40, 60, 80, 132]) {
      for (const charset of ['unicode', 'ascii'] as const) {
        const text = renderWaterfall(spans, { width, charset, color: true, jaegerUiUrl: 'http://localhost:16686' });
        const links = lines(text).filter((l) => l.startsWith('  view: '));
        assert.equal(links.length, 2);
        for (const link of links)
          assert.match(link, /^ {2}view: http:\/\/localhost:16686\/trace\/[0-9a-f]{32}$/, 'never cut');
        assertFits(
          lines(text)
            .filter((l) => !l.startsWith('  view: '))
            .join('\n'),
          width,
        );
        assert.ok(plain(text).includes(charset === 'ascii' ? '...' : '…'), 'an ellipsis marks the cut');
      }
    }
    assertFits(renderWaterfall(spans, { width: 10 }), 40);
  });

  it('writes colour codes only when asked: red errors, dim tags', () => {
    const spans = signUpTrace();
    assert.doesNotMatch(renderWaterfall(spans), ESC);
    assert.doesNotMatch(renderWaterfall(spans, { color: false }), ESC);
    const text = renderWaterfall(spans, { color: true });
    assert.match(text, /\u001b\[31m✗\u001b\[39m/, 'red error marker');
    assert.match(text, /\u001b\[2mbcrypt\.work_factor=10\u001b\[22m/, 'dim tags');
    assert.equal(plain(text), renderWaterfall(spans, { color: false }), 'same text without the codes');
  });

  it('draws plain ASCII when asked', () => {
    const text = renderWaterfall(signUpTrace(), { charset: 'ascii' });
    assert.match(text, /^[\x20-\x7e\n]*$/);
    assert.match(lines(text)[0]!, /^ERR POST \/clients {2}409 {2}12\.3 ms/);
    assertInOrder(text, ['POST /clients', '|- bcrypt.hash', '`- INSERT clients', INSERT_SQL]);
    assert.match(text, /INSERT clients +X +1\.8 ms +\.+#+\.+/);
  });

  it('ends each trace with its Jaeger link when jaegerUiUrl is set', () => {
    const spans = signUpTrace();
    const traceId = spans[0]!.spanContext().traceId;
    const text = renderWaterfall(spans, { jaegerUiUrl: 'http://localhost:16686/' });
    assert.equal(lines(text).at(-1), `  view: http://localhost:16686/trace/${traceId}`);
    assert.ok(!renderWaterfall(spans).includes('view:'));
  });

  it('treats a span with a remote parent as the root; marks pieces without a root as partial', () => {
    const spans = signUpTrace(remoteParent());
    const whole = renderWaterfall(spans);
    assert.match(lines(whole)[0]!, /^✗ POST \/clients {2}409 .* trace 4bf92f3577b34da6a3ce929d0e0e4736$/);
    assert.ok(!whole.includes('partial'));

    const piece = renderWaterfall(spans.filter((s) => s.name !== 'POST /clients'));
    assert.match(lines(piece)[0]!, /^✓ bcrypt\.hash {2}10\.7 ms {2}1 failed span {2}partial {2}trace 4bf92f35/);
    assertInOrder(piece, ['bcrypt.hash', 'bcrypt.hash', 'INSERT clients', INSERT_SQL]);
  });

  it('cleans control characters out of names and tags', () => {
    const span = tracer.startSpan('evil\u001b[31mname\nx', {
      startTime: T0,
      attributes: { 'db.query.text': 'SELECT 1\n  FROM\tdual' },
    });
    span.end(T0 + 1);
    const text = renderWaterfall(memory.getFinishedSpans());
    assert.doesNotMatch(text, /\u001b/);
    assert.ok(text.includes('evil [31mname x'));
    assert.ok(text.includes('SELECT 1 FROM dual'));
  });

  it('marks a 4xx answer as failed even when the server span status is unset', () => {
    const span = tracer.startSpan('GET /clients/:id', {
      kind: SpanKind.SERVER,
      startTime: T0,
      attributes: { 'http.response.status_code': 404 },
    });
    span.end(T0 + 2);
    const text = renderWaterfall(memory.getFinishedSpans(), { color: true });
    assert.match(plain(text), /^✗ GET \/clients\/:id {2}404 {2}2\.0 ms/);
    assert.match(text, /\u001b\[31m404\u001b\[39m/, 'red status');
    assert.doesNotMatch(lines(text)[1]!, /✗/, 'the span itself did not fail');
  });

  it('survives a parent cycle from a broken producer', () => {
    const [a, b] = signUpTrace().filter((s) => s.name !== 'POST /clients');
    // Re-parent each onto the other (prototype views of the real spans).
    const child = (span: ReadableSpan, parent: ReadableSpan): ReadableSpan =>
      Object.create(span, { parentSpanContext: { value: parent.spanContext() } }) as ReadableSpan;
    const text = renderWaterfall([child(a!, b!), child(b!, a!)]);
    assert.equal(
      lines(text).filter((l) => l.includes('bcrypt.hash') && l.includes(' ms  ')).length,
      2,
      'header + one row',
    );
    assert.equal(lines(text).filter((l) => l.includes('INSERT clients') && l.includes(' ms  ')).length, 1);
  });

  it('renders nothing for no spans', () => {
    assert.equal(renderWaterfall([]), '');
  });

  it('renders several traces as separate blocks, earliest first', () => {
    const first = signUpTrace();
    const second = tracer.startSpan('GET /health', {
      kind: SpanKind.SERVER,
      startTime: T0 + 50,
      attributes: { 'http.response.status_code': 200 },
    });
    second.end(T0 + 50.2);
    const text = renderWaterfall([...memory.getFinishedSpans().slice(-1), ...first]);
    const heads = lines(text).filter((l) => /trace [0-9a-f]{32}$/.test(l));
    assert.equal(heads.length, 2);
    assert.match(heads[0]!, /^✗ POST \/clients/);
    assert.match(heads[1]!, /^✓ GET \/health {2}200 {2}0\.20 ms/);
  });
});

describe('ConsoleWaterfallExporter', () => {
  it('prints a trace once, when its root arrives, whatever the order and batching', () => {
    const spans = signUpTrace();
    const root = spans.find((s) => s.name === 'POST /clients')!;
    const insert = spans.find((s) => s.name === 'INSERT clients')!;
    const hash = spans.find((s) => s.name === 'bcrypt.hash')!;
    const { exporter, out } = capture();

    assert.equal(exportSync(exporter, [insert]).code, ExportResultCode.SUCCESS);
    assert.equal(out.length, 0, 'children alone wait for their root');
    assert.equal(exporter.stats.bufferedTraces, 1);
    assert.equal(exportSync(exporter, [root, hash]).code, ExportResultCode.SUCCESS);
    assert.equal(out.length, 1);
    assert.equal(exporter.stats.bufferedTraces, 0);
    assertInOrder(out[0]!, [
      '✗ POST /clients  409  12.3 ms',
      '├─ bcrypt.hash',
      'bcrypt.work_factor=10',
      '└─ INSERT clients',
      INSERT_SQL,
    ]);
    assert.ok(out[0]!.endsWith('\n\n'), 'a blank line after each trace');

    // The same trace again, root first within one batch: one more print, not two.
    exportSync(exporter, [root, insert, hash]);
    assert.equal(out.length, 2);
    assert.equal(out[1], out[0]);
  });

  it('prints as spans end when wired to a real provider', async () => {
    const { exporter, out } = capture({ jaegerUiUrl: 'http://localhost:16686' });
    const live = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const t = live.getTracer('live');
    await t.startActiveSpan('POST /clients', { kind: SpanKind.SERVER }, async (root) => {
      await t.startActiveSpan('bcrypt.hash', { attributes: { 'bcrypt.work_factor': 10 } }, async (s) => {
        await sleep(5);
        s.end();
      });
      assert.equal(out.length, 0);
      root.setAttribute('http.response.status_code', 201);
      root.end();
    });
    await live.forceFlush();
    assert.equal(out.length, 1);
    const traceId = /trace ([0-9a-f]{32})/.exec(out[0]!)?.[1];
    assert.match(out[0]!, /^✓ POST \/clients {2}201 {2}\d+\.\d+ ms/);
    assert.ok(out[0]!.includes(`  view: http://localhost:16686/trace/${traceId}\n`));
    await live.shutdown();
    assert.equal(out.length, 1);
  });

  it('prints orphaned pieces after the timeout, with one timer for all of them', async () => {
    const spans = signUpTrace();
    const children = spans.filter((s) => s.name !== 'POST /clients');
    const { exporter, out } = capture({ orphanTimeoutMillis: 200 });
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const others = Array.from({ length: 20 }, () => signUpTrace().filter((s) => s.name === 'bcrypt.hash'));
    await sleep(5); // InMemorySpanExporter's own setTimeout(0) per span
    const before = timers();
    exportSync(exporter, children.slice(0, 1));
    for (const piece of others) exportSync(exporter, piece);
    assert.ok(timers() - before <= 1, `one timer, not ${timers() - before}`);
    await sleep(20);
    exportSync(exporter, children.slice(1)); // the same trace: waits on, with the new span
    assert.equal(out.length, 0);
    await sleep(500);
    assert.equal(out.length, 21, 'every orphaned trace printed once');
    const piece = out.find((t) => t.includes('INSERT clients'))!;
    assert.match(piece, /^✓ bcrypt\.hash {2}10\.7 ms {2}1 failed span {2}partial/);
    assertInOrder(piece, ['bcrypt.hash', 'INSERT clients', INSERT_SQL]);
    assert.equal(exporter.stats.bufferedTraces, 0);
    assert.equal(timers(), before, 'the timer is gone once the buffer is empty');
  });

  it('buffers at most maxBufferedTraces, dropping and counting the oldest', async () => {
    const { exporter, out } = capture({ maxBufferedTraces: 2 });
    const pieces = [signUpTrace(), signUpTrace(), signUpTrace()].map((t) =>
      t.filter((s) => s.name === 'INSERT clients'),
    );
    for (const p of pieces) exportSync(exporter, p);
    assert.deepEqual(exporter.stats, { bufferedTraces: 2, droppedTraces: 1, droppedSpans: 0, failedWrites: 0 });
    await exporter.forceFlush();
    assert.equal(out.length, 2);
    const ids = pieces.map((p) => p[0]!.spanContext().traceId);
    assert.ok(!out.some((t) => t.includes(ids[0]!)), 'the oldest was dropped');
    assert.ok(out[0]!.includes(ids[1]!) && out[1]!.includes(ids[2]!));
  });

  it('forceFlush prints the buffer; shutdown flushes once, then export fails without throwing', async () => {
    const { exporter, out } = capture();
    exportSync(
      exporter,
      signUpTrace().filter((s) => s.name === 'bcrypt.hash'),
    );
    await exporter.forceFlush();
    assert.equal(out.length, 1);
    await exporter.forceFlush();
    assert.equal(out.length, 1, 'nothing left to print');

    exportSync(
      exporter,
      signUpTrace().filter((s) => s.name === 'bcrypt.hash'),
    );
    await Promise.all([exporter.shutdown(), exporter.shutdown()]);
    await exporter.shutdown();
    assert.equal(out.length, 2, 'shutdown printed the buffered trace once');
    const result = exportSync(exporter, signUpTrace());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /shut down/);
    await exporter.forceFlush();
    assert.equal(out.length, 2);
  });

  it('swallows and counts write errors', () => {
    let calls = 0;
    const exporter = new ConsoleWaterfallExporter({
      write: () => {
        calls++;
        throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      },
    });
    assert.equal(exportSync(exporter, signUpTrace()).code, ExportResultCode.SUCCESS);
    assert.equal(exportSync(exporter, signUpTrace()).code, ExportResultCode.SUCCESS);
    assert.equal(calls, 2);
    assert.equal(exporter.stats.failedWrites, 2);
  });

  it('colours only with color always; auto with a custom write is not a TTY', () => {
    for (const [color, coloured] of [
      ['always', true],
      ['never', false],
      ['auto', false],
    ] as const) {
      const { exporter, out } = capture({ color });
      exportSync(exporter, signUpTrace());
      assert.equal(ESC.test(out[0]!), coloured, `color: ${color}`);
      ESC.lastIndex = 0;
      assertFits(out[0]!, 80);
    }
  });

  it('uses 80 columns for width 0 when not writing to a TTY', () => {
    const { exporter, out } = capture({ width: 0 });
    exportSync(exporter, signUpTrace());
    const widths = plain(out[0]!)
      .split('\n')
      .map((l) => [...l].length);
    assert.equal(Math.max(...widths), 80);
  });

  it('rejects bad options with the package name, a code and the allowed values', () => {
    const bad: [ConsoleWaterfallExporterOptions, RegExp][] = [
      [{ color: 'sometimes' as never }, /options\.color expects one of auto, always, never, instead got 'sometimes'/],
      [{ width: -1 }, /options\.width expects an integer from 0/],
      [{ write: 'stdout' as never }, /options\.write expects a function, instead got a 'string'/],
      [{ jaegerUiUrl: 'localhost:16686' }, /options\.jaegerUiUrl expects an http\(s\) URL/],
      [{ maxBufferedTraces: 0 }, /options\.maxBufferedTraces expects an integer of at least 1/],
      [{ colour: 'always' } as never, /options\.colour is not an option; allowed: write, color, width/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => new ConsoleWaterfallExporter(options),
        (err: Error & { code?: string }) => {
          assert.ok(err instanceof TypeError);
          assert.match(err.message, /^@tracepack\/node: /);
          assert.match(err.message, message);
          assert.equal(err.code, 'TRACEPACK_CONSOLE_INVALID_OPTION');
          return true;
        },
      );
    }
  });

  it('keeps the app alive when stdout is a pipe whose reader went away (EPIPE)', async () => {
    // A child process prints traces to its stdout, which we close at once.
    const script = `
      const { ConsoleWaterfallExporter } = require(${JSON.stringify(require.resolve('../src/console'))});
      const { TracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
      const p = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new ConsoleWaterfallExporter() })] });
      const t = p.getTracer('x');
      let n = 0;
      const tick = () => {
        for (let i = 0; i < 50; i++) t.startSpan('GET /' + 'x'.repeat(60)).end();
        if (++n < 40) setTimeout(tick, 5); else { process.stderr.write('alive'); }
      };
      tick();
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: __dirname });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, 'alive');
    assert.equal(code, 0);
  });
});

describe('terminal detection', () => {
  it('colours in auto mode only on a TTY, never with NO_COLOR or TERM=dumb', () => {
    assert.equal(shouldUseColor('auto', false, {}), false);
    assert.equal(shouldUseColor('auto', true, {}), true);
    assert.equal(shouldUseColor('auto', true, { NO_COLOR: '1' }), false);
    assert.equal(shouldUseColor('auto', true, { TERM: 'dumb' }), false);
    assert.equal(shouldUseColor('always', false, { NO_COLOR: '1' }), true);
    assert.equal(shouldUseColor('never', true, {}), false);
  });

  it('falls back to ASCII where unicode is doubtful', () => {
    assert.equal(detectCharset({ LANG: 'en_US.UTF-8' }, 'linux'), 'unicode');
    assert.equal(detectCharset({}, 'darwin'), 'unicode');
    assert.equal(detectCharset({ LANG: 'C' }, 'linux'), 'ascii');
    assert.equal(detectCharset({ LC_ALL: 'C.UTF-8', LANG: 'C' }, 'linux'), 'unicode');
    assert.equal(detectCharset({ TERM: 'linux' }, 'linux'), 'ascii');
    assert.equal(detectCharset({}, 'win32'), 'ascii');
    assert.equal(detectCharset({ WT_SESSION: 'x' }, 'win32'), 'unicode');
  });
});

describe('long statements', () => {
  it('wrap at spaces onto at most three lines within the width, the rest cut', () => {
    const provider = new TracerProvider();
    const tracer = provider.getTracer('t');
    const root = tracer.startSpan('GET /report', { kind: SpanKind.SERVER, startTime: [1, 0] });
    const columns = Array.from({ length: 40 }, (_, i) => `column_${i}`).join(', ');
    const child = tracer.startSpan(
      'SELECT reports',
      { attributes: { 'db.query.text': `SELECT ${columns} FROM reports WHERE id = $1` }, startTime: [1, 1000] },
      trace.setSpan(ROOT_CONTEXT, root),
    );
    child.end([1, 2000]);
    root.end([1, 3000]);
    const text = renderWaterfall([root as unknown as ReadableSpan, child as unknown as ReadableSpan], {
      width: 60,
      color: false,
    });
    const statementLines = text.split('\n').filter((l) => l.includes('column_') || l.includes('SELECT column'));
    assert.equal(statementLines.length, 3, text);
    assert.ok(statementLines[0]!.includes('SELECT column_0, column_1'), text);
    assert.ok(statementLines[2]!.endsWith('…'), text);
    for (const line of text.split('\n')) assert.ok([...line].length <= 60, `too wide: ${line}`);
  });
});
