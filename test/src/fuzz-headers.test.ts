// Fuzzed trace headers: whatever a client sends, extracting never throws, joins either nothing
// or a valid context (the right one when a well-formed header is there), and what is written
// on the next hop is well-formed. First through the propagator start-up installs, then through
// a real traced HTTP server.
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { TracepackPropagator } from '@tracepack/node';
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '@tracepack/testing';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { Agent, validateHeaderName, validateHeaderValue } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  anyText,
  check,
  FORMAT_HEADERS,
  garbageValue,
  hexString,
  sampleCases,
  suiteName,
  traceHeaderCase,
  traceHeaderProblems,
  validB3Multi,
  validTraceparent,
  type TraceHeaderCase,
} from './fuzz-arbitraries';
import { CALL_PATH, inPool, send, startTracedApp, waitUntil, type Answer, type TracedApp } from './fuzz-traced-app';

/** The propagator start-up installs for `propagators: [tracecontext, baggage, jaeger, b3multi]`. */
const propagator = new TracepackPropagator(['tracecontext', 'baggage', 'jaeger', 'b3multi']);

function extract(headers: Record<string, string | string[]>): { ctx: Context; sc: SpanContext | undefined } {
  const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return { ctx, sc: trace.getSpanContext(ctx) };
}

function injectFrom(ctx: Context): Record<string, string> {
  const written: Record<string, string> = {};
  propagator.inject(ctx, written, defaultTextMapSetter);
  return written;
}

/** Header names a client may send, the traced ones first. */
const ALL_TRACE_HEADERS = [
  ...Object.values(FORMAT_HEADERS).flat(),
  'tracestate',
  'baggage',
  'uberctx-user',
  'uberctx-',
];

/** Any header set at all: names from the trace formats or not, values of any kind, arrays too. */
const anyHeaders: fc.Arbitrary<Record<string, string | string[]>> = fc.oneof(
  traceHeaderCase().map((c) => c.headers),
  fc.dictionary(
    fc.oneof(fc.constantFrom(...ALL_TRACE_HEADERS), anyText(12)),
    fc.oneof(
      { weight: 4, arbitrary: garbageValue({ headerSafe: false }) },
      { weight: 1, arbitrary: fc.array(garbageValue({ headerSafe: false }), { maxLength: 3 }) },
    ),
    { maxKeys: 10 },
  ),
);

const RUNS = {
  anything: 5000,
  joins: 5000,
  inject: 3000,
  flags: 1000,
  http: 2000,
  upper: 500,
  server: 300,
  oversize: 10,
  outgoing: 100,
};

describe(suiteName('trace headers'), () => {
  it(`traceparent, tracestate, baggage, uber-trace-id, b3 single and multi: ${RUNS.anything} random header sets never throw and join nothing or a valid context`, () => {
    check(
      fc.property(anyHeaders, (headers) => {
        const { ctx, sc } = extract(headers);
        assert.ok(sc === undefined || isSpanContextValid(sc), `invalid context joined: ${JSON.stringify(sc)}`);
        injectFrom(ctx); // throws nothing either
      }),
      RUNS.anything,
    );
  });

  it(`${RUNS.joins} mixes of well-formed, near-miss and garbage headers join exactly the ids of the well-formed header read first (traceparent, then b3, then uber-trace-id)`, () => {
    check(
      fc.property(traceHeaderCase(), (c) => {
        const { sc } = extract(c.headers);
        assertJoined(sc, c);
      }),
      RUNS.joins,
    );
  });

  it(`inject after extract: ${RUNS.inject} header sets write well-formed traceparent, tracestate, uber-trace-id and x-b3-* carrying the joined ids`, () => {
    check(
      fc.property(traceHeaderCase({ headerSafe: true, flags: 'low' }), (c) => {
        const { ctx, sc } = extract(c.headers);
        const written = injectFrom(ctx);
        assert.deepEqual(traceHeaderProblems(written, sc), [], JSON.stringify(written));
        if (sc)
          for (const h of ['traceparent', 'uber-trace-id', 'x-b3-traceid']) assert.ok(h in written, `${h} not written`);
      }),
      RUNS.inject,
    );
  });

  it(`inject after extract: ${RUNS.flags} traceparent headers with any trace-flags byte write a traceparent with two flag digits`, () => {
    check(
      fc.property(validTraceparent({ flags: 'any' }), (c) => {
        const { ctx, sc } = extract(c.headers);
        assert.deepEqual(traceHeaderProblems(injectFrom(ctx), sc), []);
      }),
      RUNS.flags,
    );
  });

  it(`inject after extract: ${RUNS.http} header sets node:http could deliver write only header names and values node:http accepts`, () => {
    check(
      fc.property(traceHeaderCase({ headerSafe: true, flags: 'low' }), (c) => {
        const written = injectFrom(extract(c.headers).ctx);
        for (const [name, value] of Object.entries(written)) {
          assert.doesNotThrow(() => validateHeaderName(name), `header name ${JSON.stringify(name)}`);
          assert.doesNotThrow(() => validateHeaderValue(name, value), `value of ${name}: ${JSON.stringify(value)}`);
        }
      }),
      RUNS.http,
    );
  });

  it(`${RUNS.upper} B3 headers with upper-case hex ids are either refused or joined with lower-case ids (traceparent must be lower-case)`, () => {
    check(
      fc.property(validB3Multi, (c) => {
        const upper = Object.fromEntries(
          Object.entries(c.headers).map(([k, v]) => [
            k,
            k === 'x-b3-traceid' || k === 'x-b3-spanid' ? v.toUpperCase() : v,
          ]),
        );
        const { sc } = extract(upper);
        if (sc) assert.match(`${sc.traceId}-${sc.spanId}`, /^[0-9a-f]{32}-[0-9a-f]{16}$/);
      }),
      RUNS.upper,
    );
  });

  describe('through a traced HTTP server (node --require @tracepack/node/register, OTLP to a loopback receiver)', () => {
    // Under node:http's 16 KiB header limit with room to spare; the oversize ones well over it.
    const cases = sampleCases(
      traceHeaderCase({ headerSafe: true }).filter((c) => headerBytes(c.headers) < 12_000),
      RUNS.server,
    );
    const huge = sampleCases(
      fc.tuple(traceHeaderCase({ headerSafe: true, extras: false }), hexString(1, 8)),
      RUNS.oversize,
    ).map(([c, pad]) => ({
      ...c,
      headers: { ...c.headers, 'x-fuzz-huge': pad.repeat(Math.ceil(24_000 / pad.length)) },
    }));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    // The propagators of the brief (jaeger among them), and the same reader writing without
    // jaeger: every format is read by both.
    let withJaeger: Served;
    let withoutJaeger: Served;
    before(async () => {
      [withJaeger, withoutJaeger] = await Promise.all([
        serve({}),
        serve({ TRACING_PROPAGATORS: 'tracecontext,baggage,b3multi' }),
      ]);
    });
    after(async () => {
      agent.destroy();
      await Promise.all(
        [withJaeger, withoutJaeger].map(async (s) => {
          await s?.app.stop();
          await s?.receiver.stop();
        }),
      );
    });

    async function sendAll(app: TracedApp, path: string, all: readonly TraceHeaderCase[]): Promise<Answer[]> {
      return inPool(
        all.map((c) => () => send(app.port, agent, { path, headers: c.headers })),
        4,
      );
    }

    let answers: Answer[] = [];
    it(`${RUNS.server} random header sets and ${RUNS.oversize} oversize ones over loopback: every request answered, no 5xx, the well-formed header joined, a broken one starts a new trace`, async () => {
      answers = await sendAll(withJaeger.app, '/fuzz', [...cases, ...huge]);
      const oversize = answers
        .slice(cases.length)
        .flatMap((a, i) => (a.status === 431 ? [] : [`oversize request ${i} answered ${a.status}, expected 431`]));
      assert.deepEqual([...checkAnswers(cases, answers).problems, ...oversize], []);
      assert.doesNotMatch(withJaeger.app.stderr(), /\n\s+at /, 'the app printed a stack trace');
    });

    it(`${RUNS.server} random header sets: every sampled SERVER span exported, a child of the joined span or a root (propagators tracecontext, baggage, b3multi)`, async () => {
      const sent = await sendAll(withoutJaeger.app, '/fuzz', cases);
      const { problems, sampled } = checkAnswers(cases, sent);
      assert.deepEqual(problems, []);
      assert.deepEqual(await exportProblems(withoutJaeger, sampled), []);
      assert.deepEqual(clientHeadersSentToBackend(withoutJaeger), []);
    });

    it(`${RUNS.server} random header sets: every sampled SERVER span exported, no client header on the export requests, with jaeger among the propagators`, async () => {
      assert.equal(
        answers.length,
        cases.length + huge.length,
        'the requests of the previous test were not all answered',
      );
      const { sampled } = checkAnswers(cases, answers.slice(0, cases.length));
      const problems = await exportProblems(withJaeger, sampled);
      // The same, made certain: each of these alone starts a batch (the queue is empty by now).
      for (const baggage of ['user=alice', '(=-']) {
        const single = { headers: { baggage }, joined: undefined, states: cases[0]!.states, traceIds: [] };
        const sent = await sendAll(withJaeger.app, '/fuzz', [single]);
        problems.push(...(await exportProblems(withJaeger, checkAnswers([single], sent).sampled)));
      }
      assert.deepEqual([...problems, ...clientHeadersSentToBackend(withJaeger)], []);
    });

    it(`${RUNS.outgoing} random header sets, then an outgoing request from the handler: never an exception in the application`, async () => {
      const some = cases.slice(0, RUNS.outgoing);
      const sent = await sendAll(withJaeger.app, CALL_PATH, some);
      const failed = sent.flatMap((a, i) =>
        a.status === 200
          ? []
          : [`${a.status} ${a.body.slice(0, 200)} <- ${JSON.stringify(some[i]!.headers).slice(0, 300)}`],
      );
      assert.deepEqual(failed, []);
    });
  });
});

interface Served {
  app: TracedApp;
  receiver: OtlpReceiver;
}

async function serve(env: Record<string, string>): Promise<Served> {
  const receiver = await startOtlpReceiver();
  return { receiver, app: await startTracedApp(receiver.url, env) };
}

interface SampledRequest {
  answer: Answer;
  c: TraceHeaderCase;
}

/** What the handlers saw, request by request, against what each header set must join. */
function checkAnswers(
  cases: readonly TraceHeaderCase[],
  answers: readonly Answer[],
): { problems: string[]; sampled: SampledRequest[] } {
  const problems: string[] = [];
  const sampled: SampledRequest[] = [];
  cases.forEach((c, i) => {
    const answer = answers[i]!;
    const where = `request ${i} ${JSON.stringify(c.headers).slice(0, 600)}`;
    const seen = answer.seen;
    if (answer.status !== 200 || seen?.traceId === undefined) {
      problems.push(`${where}: answered ${answer.status} ${answer.body.slice(0, 200)}`);
      return;
    }
    const isSampled = ((seen.traceFlags ?? 0) & 1) === 1;
    if (c.joined) {
      if (seen.traceId !== c.joined.traceId)
        problems.push(`${where}: joined ${seen.traceId}, expected ${c.joined.traceId}`);
      if (isSampled !== c.joined.sampled)
        problems.push(`${where}: sampled ${isSampled}, the caller said ${c.joined.sampled}`);
    } else {
      if (c.traceIds.includes(seen.traceId))
        problems.push(`${where}: no well-formed header, yet trace ${seen.traceId} was joined`);
      if (!isSampled) problems.push(`${where}: a new trace was not sampled (ratio 1)`);
    }
    if (isSampled) sampled.push({ answer, c });
  });
  return { problems, sampled };
}

/** Trace-context and baggage headers on the export requests the receiver got (tracing is suppressed there: there should be none). */
function clientHeadersSentToBackend(served: Served): string[] {
  return served.receiver.requests.flatMap((r) =>
    Object.entries(r.headers)
      .filter(([name]) => /^(traceparent|tracestate|baggage|uber-trace-id|uberctx-.*|b3|x-b3-.*)$/.test(name))
      .map(([name, value]) => `export request with ${name}: ${JSON.stringify(value)}`),
  );
}

/** Waits for the SERVER span of every sampled request; [] when each is there, in the right trace, under the right parent. */
async function exportProblems(served: Served, sampled: readonly SampledRequest[]): Promise<string[]> {
  const servers = (): Map<string, DecodedSpan> =>
    new Map(served.receiver.spans.filter((s) => s.kind === 'SERVER').map((s) => [s.spanId, s]));
  // Stop waiting early when the app says it is dropping spans.
  await waitUntil(
    () =>
      /cannot export spans/.test(served.app.stderr()) || sampled.every((r) => servers().has(r.answer.seen!.spanId!)),
    15_000,
  );
  await new Promise((r) => setTimeout(r, 300));
  const exported = servers();
  const problems: string[] = [];
  for (const { answer, c } of sampled) {
    const span = exported.get(answer.seen!.spanId!);
    const where = `SERVER span ${answer.seen!.spanId} of ${JSON.stringify(c.headers).slice(0, 300)}`;
    if (!span) problems.push(`${where} never exported`);
    else if (span.traceId !== answer.seen!.traceId)
      problems.push(`${where}: trace ${span.traceId}, the handler saw ${answer.seen!.traceId}`);
    else if (span.parentSpanId !== c.joined?.spanId)
      problems.push(`${where}: parent ${span.parentSpanId}, expected ${c.joined?.spanId ?? 'none (a root)'}`);
  }
  if (problems.length > 0) problems.push(`app stderr: ${served.app.stderr()}`);
  return problems;
}

function assertJoined(sc: SpanContext | undefined, c: TraceHeaderCase): void {
  const what = `states ${JSON.stringify(c.states)}`;
  if (!c.joined) {
    assert.equal(sc, undefined, `${what}: nothing well-formed, yet joined ${JSON.stringify(sc)}`);
    return;
  }
  assert.ok(sc, `${what}: ${JSON.stringify(c.joined)} not joined`);
  assert.deepEqual(
    { traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & 1) === 1, isRemote: sc.isRemote },
    { ...c.joined, isRemote: true },
    what,
  );
}

/** Bytes of the header section node:http would count for these headers (plus what the client adds). */
function headerBytes(headers: Record<string, string>): number {
  let n = 200;
  for (const [k, v] of Object.entries(headers)) n += k.length + v.length + 4;
  return n;
}
