// The lean encoder against upstream's serializer over generated batches: every AnyValue kind
// (nested arrays and kvlists, bytes, NaN, ±Infinity, -0, integers beyond 2^53 and 2^63,
// negative ones), text with any UTF-16 content (lone surrogates included), malformed ids,
// trace state, events, links, odd dropped counts, several resources and scopes per batch.
// One encoder serves every case, so that state left in its reused buffer would show.
import { TraceState } from '@opentelemetry/core';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { OtlpTraceEncoder } from '../src/index';
import { assertSameBytes, FUZZ_SEED, makeSpan } from './encoder-helpers';

const CASES = 3000;

const anyUtf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: anyUtf16 },
  { weight: 1, arbitrary: fc.string({ minLength: 130, maxLength: 400 }) },
);
const key = fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('0', '1', '42', 'http.route', 'é', '🙂'));

const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    2 ** 31,
    2 ** 32,
    -(2 ** 32),
    2 ** 53,
    -(2 ** 53),
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    -(2 ** 64) - 4096,
    1e300,
    NaN,
    Infinity,
    -Infinity,
    0.1,
  ),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
);

const { value: anyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.boolean(),
    number,
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(null, undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const attributes = fc.dictionary(key, anyValue, { maxKeys: 12 });

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const id = (n: number) =>
  fc.oneof(
    { weight: 10, arbitrary: hex(n) },
    { weight: 1, arbitrary: hex(n).map((s) => s.toUpperCase()) },
    { weight: 1, arbitrary: fc.string({ maxLength: n + 3 }) },
  );
const hrTime = fc.tuple(
  fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 5 }), fc.constant(1_764_600_000)),
  fc.integer({ min: 0, max: 999_999_999 }),
);
const count = fc.oneof(fc.constant(0), fc.nat(300), fc.constant(2 ** 32 - 1));
const traceState = fc.option(
  fc
    .array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/)), {
      minLength: 1,
      maxLength: 3,
    })
    .map((kv) => new TraceState(kv.map(([k, v]) => `${k}=${v}`).join(','))),
  { nil: undefined },
);
const context = fc.record({
  traceId: id(32),
  spanId: id(16),
  traceFlags: fc.integer({ min: 0, max: 0x1ff }),
  isRemote: fc.option(fc.boolean(), { nil: undefined }),
  traceState,
});
const event = fc.record(
  {
    time: hrTime,
    name: text,
    attributes: fc.option(attributes, { nil: undefined }),
    droppedAttributesCount: fc.option(count, { nil: undefined }),
  },
  { requiredKeys: ['time', 'name'] },
);
const link = fc.record(
  {
    context,
    attributes: fc.option(attributes, { nil: undefined }),
    droppedAttributesCount: fc.option(count, { nil: undefined }),
  },
  { requiredKeys: ['context'] },
);

const spanShape = fc.record({
  traceId: id(32),
  spanId: id(16),
  traceFlags: fc.integer({ min: 0, max: 0x1ff }),
  traceState,
  parent: fc.option(context, { nil: undefined }),
  name: text,
  kind: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  startTime: hrTime,
  endTime: hrTime,
  status: fc.record(
    { code: fc.integer({ min: 0, max: 2 }), message: fc.option(text, { nil: undefined }) },
    { requiredKeys: ['code'] },
  ),
  attributes,
  events: fc.array(event, { maxLength: 3 }),
  links: fc.array(link, { maxLength: 3 }),
  droppedAttributesCount: count,
  droppedEventsCount: count,
  droppedLinksCount: count,
  resource: fc.nat(2),
  scope: fc.nat(3),
});

const scopeShape = fc.record(
  {
    name: text,
    version: fc.option(text, { nil: undefined }),
    schemaUrl: fc.option(fc.webUrl(), { nil: undefined }),
    attributes: fc.option(attributes, { nil: undefined }),
    droppedAttributesCount: fc.option(count, { nil: undefined }),
  },
  { requiredKeys: ['name'] },
);
const resourceShape = fc.record({ attributes, schemaUrl: fc.option(fc.webUrl(), { nil: undefined }) });

const batch = fc.record({
  resources: fc.array(resourceShape, { minLength: 3, maxLength: 3 }),
  scopes: fc.array(scopeShape, { minLength: 4, maxLength: 4 }),
  spans: fc.array(spanShape, { maxLength: 12 }),
});

describe(`fuzz: lean OTLP encoder vs @opentelemetry/otlp-transformer (seed ${FUZZ_SEED}, FUZZ_SEED=<n> to change it)`, () => {
  it(`${CASES} generated batches encode to upstream's bytes`, () => {
    const encoder = new OtlpTraceEncoder();
    fc.assert(
      fc.property(batch, (b) => {
        const resources = b.resources.map((r) =>
          resourceFromAttributes(r.attributes as never, r.schemaUrl ? { schemaUrl: r.schemaUrl } : {}),
        );
        const scopes = b.scopes as InstrumentationScope[];
        const spans = b.spans.map((s) =>
          makeSpan({
            ...s,
            resource: resources[s.resource]!,
            scope: scopes[s.scope]!,
            links: s.links as never,
            events: s.events as never,
          }),
        );
        assertSameBytes(encoder, spans);
      }),
      { seed: FUZZ_SEED, numRuns: CASES },
    );
  });
});
