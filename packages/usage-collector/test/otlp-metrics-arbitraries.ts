// fast-check arbitraries of OTLP ExportMetricsServiceRequest bodies, written field by field
// (protobuf-wire.ts): mostly what @tracepack/usage sends (its metric and attribute names, delta
// temporality, times a minute apart, matching bucket counts), mixed with what a reader must
// also survive: unknown fields of wire types 0, 1, 2 and 5 in every message, fields out of
// order or twice, repeated scalars packed or not, both members of a oneof, invalid UTF-8,
// negative and 64-bit integers, a resource repeated (a retry batched with its first copy).
import fc from 'fast-check';
import { ATTR, METRIC as USAGE_METRICS } from '../src/metric-names';
import {
  doubleField,
  fixed32Field,
  fixed64,
  fixed64Field,
  double,
  lenField,
  stringField,
  tag,
  varintField,
  I64,
} from './protobuf-wire';

type Fields = fc.Arbitrary<Buffer[]>;

const U64 = 2n ** 64n - 1n;

/**
 * A varint of a field protobufjs reads as 32 bits (bool, enum): up to 5 bytes or 10. protobufjs'
 * uint32() takes a varint of 6 to 9 bytes for a 10-byte one and reads past it (the reader is
 * right and protobufjs wrong there: a test of its own covers it), so the comparison keeps out.
 */
const bits32 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });
const varint32ish = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), fc.bigInt({ min: 2n ** 63n, max: U64 }));

/** An unknown field: field numbers above 12 are unknown to every OTLP message the reader knows. */
const unknownField: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(fc.integer({ min: 13, max: 5000 }), fc.bigInt({ min: 0n, max: U64 })).map(([f, v]) => varintField(f, v)),
  fc.tuple(fc.integer({ min: 13, max: 5000 }), fc.bigInt({ min: 0n, max: U64 })).map(([f, v]) => fixed64Field(f, v)),
  fc.tuple(fc.integer({ min: 13, max: 5000 }), fc.uint8Array({ maxLength: 12 })).map(([f, b]) => lenField(f, b)),
  fc.tuple(fc.integer({ min: 13, max: 5000 }), fc.nat()).map(([f, v]) => fixed32Field(f, v)),
);

/** A message from its fields: sometimes shuffled, with up to two unknown fields mixed in. */
function message(fields: Fields): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fields, fc.array(unknownField, { maxLength: 2 }), fc.nat(), fc.boolean())
    .map(([known, unknown, seed, shuffle]) => {
      const all = [...known];
      for (const u of unknown) all.splice((seed + u.length) % (all.length + 1), 0, u);
      if (shuffle && all.length > 1) all.push(all.shift()!);
      return Buffer.concat(all);
    });
}

const optional = (a: fc.Arbitrary<Buffer>, weight = 3): fc.Arbitrary<Buffer[]> =>
  fc.oneof({ weight, arbitrary: a.map((b) => [b]) }, { weight: 1, arbitrary: fc.constant<Buffer[]>([]) });

const sent = (...values: string[]): fc.Arbitrary<string> => fc.constantFrom(...values);

/** Text: values @tracepack/usage sends, any UTF-16 (lone surrogates included), or bytes that are not UTF-8. */
const text = (...usual: string[]): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { weight: 6, arbitrary: usual.length > 0 ? sent(...usual) : fc.string({ maxLength: 12 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) },
  );

const sha = fc.stringMatching(/^[0-9a-f]{64}$/);

/** An AnyValue: usually one scalar member, sometimes two (the last on the wire is not the one read first) or none. */
const anyValue = (strings: fc.Arbitrary<string | Uint8Array>): fc.Arbitrary<Buffer> =>
  message(
    fc.array(
      fc.oneof(
        { weight: 5, arbitrary: strings.map((s) => stringField(1, s)) },
        // A bool of 32 bits: protobufjs reads only those (2^35 is true by the protobuf rules, false there).
        { weight: 1, arbitrary: bits32.map((v) => varintField(2, v)) },
        {
          weight: 2,
          arbitrary: fc
            .oneof(
              fc.integer({ min: -5, max: 2000 }).map(BigInt),
              fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
            )
            .map((v) => varintField(3, v)),
        },
        { weight: 1, arbitrary: fc.double().map((v) => doubleField(4, v)) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((b) => lenField(7, b)) },
        { weight: 1, arbitrary: fc.constant(lenField(5, stringField(1, stringField(1, 'x')))) },
      ),
      { minLength: 0, maxLength: 2 },
    ),
  );

function keyValue(key: fc.Arbitrary<string | Uint8Array>, value: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return message(
    fc
      .tuple(
        optional(
          key.map((k) => stringField(1, k)),
          12,
        ),
        optional(
          value.map((v) => lenField(2, v)),
          12,
        ),
      )
      .map(([k, v]) => [...k, ...v]),
  );
}

const pointAttribute = fc.oneof(
  keyValue(
    sent(ATTR.endpoint),
    anyValue(
      text('/users/{id}', '/orders/:id/items', '/health', '/a/jane@example.com/b', '/t/ghp_abcdefghijklmnopqrstuvwx'),
    ),
  ),
  keyValue(sent(ATTR.method), anyValue(text('GET', 'POST', '_OTHER', 'get'))),
  keyValue(sent(ATTR.statusCode), anyValue(text('200', '404'))),
  keyValue(sent(ATTR.overflow), anyValue(text())),
  keyValue(sent(ATTR.feature, ATTR.activity, ATTR.gcKind), anyValue(text('sampling', 'login', 'major', '10.0.0.1'))),
  keyValue(sent(ATTR.userHash, ATTR.orgHash), anyValue(sha)),
  keyValue(text(), anyValue(text('value', 'Bearer abcdefgh12345678'))),
);

const resourceAttribute = fc.oneof(
  { weight: 6, arbitrary: keyValue(sent(ATTR.instanceId), anyValue(fc.oneof(fc.uuid(), fc.uuid(), text()))) },
  { weight: 2, arbitrary: keyValue(sent(ATTR.installationId, ATTR.gitRevision), anyValue(sha)) },
  { weight: 1, arbitrary: keyValue(sent(ATTR.identified), anyValue(text())) },
  {
    weight: 3,
    arbitrary: keyValue(
      sent(ATTR.serviceName, ATTR.serviceVersion, ATTR.runtimeVersion, ATTR.cpuCount, ATTR.buildTime, ATTR.testReason),
      anyValue(text('api', '1.2.3', 'v24.1.0', '2026-01-01T00:00:00Z', 'jane@example.com')),
    ),
  },
);

const MINUTE_NS = 60_000_000_000n;
const BASE_NS = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
/** A time: minutes of 2026 (reports share them), 0 (unset), or any 64-bit value. */
const time = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }).map((m) => BASE_NS + BigInt(m) * MINUTE_NS) },
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: U64 }) },
);
const times: Fields = fc
  .tuple(
    optional(time.map((t) => fixed64Field(2, t))),
    optional(
      time.map((t) => fixed64Field(3, t)),
      10,
    ),
  )
  .map(([s, e]) => [...s, ...e]);

const numberPoint: fc.Arbitrary<Buffer> = message(
  fc
    .tuple(
      fc.array(
        pointAttribute.map((a) => lenField(7, a)),
        { maxLength: 4 },
      ),
      times,
      fc.oneof(
        fc.double().map((v) => [doubleField(4, v)]),
        fc.integer({ min: 0, max: 50 }).map((v) => [doubleField(4, v)]),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => [fixed64Field(6, v)]),
        fc.integer({ min: -3, max: 50 }).map((v) => [fixed64Field(6, BigInt(v))]),
        fc.constant([doubleField(4, 1), fixed64Field(6, 2n)]),
        fc.constant([]),
      ),
      optional(
        fc.nat().map((v) => varintField(8, v)),
        1,
      ),
    )
    .map(([attrs, t, value, flags]) => [...attrs, ...t, ...value, ...flags]),
);

/** Packed (one length-delimited field) or one field per value, possibly split over two fields. */
function repeated64(field: number, values: Buffer[], how: number): Buffer[] {
  if (how === 0) return values.map((v) => Buffer.concat([tag(field, I64), v]));
  if (how === 1 || values.length < 2) return [lenField(field, Buffer.concat(values))];
  const half = values.length >> 1;
  return [lenField(field, Buffer.concat(values.slice(0, half))), lenField(field, Buffer.concat(values.slice(half)))];
}

const histogramPoint: fc.Arbitrary<Buffer> = message(
  fc
    .tuple(
      fc.array(
        pointAttribute.map((a) => lenField(9, a)),
        { maxLength: 4 },
      ),
      times,
      fc.array(fc.oneof(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.double()), { maxLength: 6 }),
      fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 2 })),
      fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: U64 })), { maxLength: 8 }),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
      optional(
        fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: U64 })).map((c) => fixed64Field(4, c)),
      ),
      fc.array(
        fc.tuple(fc.constantFrom(5, 11, 12), fc.double()).map(([f, v]) => doubleField(f, v)),
        { maxLength: 3 },
      ),
    )
    .map(([attrs, t, bounds, extra, counts, packB, packC, count, optionals]) => {
      // Usually as many counts as bounds + 1 (a valid histogram); sometimes not.
      const bucketCounts = extra === 1 ? [...bounds.map((_, i) => counts[i] ?? 1n), counts[0] ?? 0n] : counts;
      return [
        ...attrs,
        ...t,
        ...repeated64(7, bounds.map(double), packB),
        ...repeated64(6, bucketCounts.map(fixed64), packC),
        ...count,
        ...optionals,
      ];
    }),
);

const temporality = fc.oneof(
  { weight: 8, arbitrary: fc.constant(1n) },
  { weight: 2, arbitrary: fc.constantFrom(0n, 2n) },
  { weight: 1, arbitrary: varint32ish },
);

const gauge = message(
  fc.array(
    numberPoint.map((p) => lenField(1, p)),
    { maxLength: 3 },
  ),
);
const sum = message(
  fc
    .tuple(
      fc.array(
        numberPoint.map((p) => lenField(1, p)),
        { maxLength: 3 },
      ),
      optional(
        temporality.map((t) => varintField(2, t)),
        8,
      ),
      optional(
        bits32.map((v) => varintField(3, v)),
        1,
      ),
    )
    .map(([p, t, m]) => [...p, ...t, ...m]),
);
const histogram = message(
  fc
    .tuple(
      fc.array(
        histogramPoint.map((p) => lenField(1, p)),
        { maxLength: 3 },
      ),
      optional(
        temporality.map((t) => varintField(2, t)),
        8,
      ),
    )
    .map(([p, t]) => [...p, ...t]),
);

const KINDS: Record<string, number> = {
  [USAGE_METRICS.requests]: 7,
  [USAGE_METRICS.duration]: 9,
  [USAGE_METRICS.responseSize]: 9,
  [USAGE_METRICS.serviceFeatures]: 7,
  [USAGE_METRICS.activity]: 7,
};
const NAMES = Object.values(USAGE_METRICS) as string[];

/** Exponential histograms and summaries: well-formed (protobufjs decodes them, the reader skips them unread). */
const otherData = message(
  optional(
    temporality.map((t) => varintField(2, t)),
    1,
  ),
);

const data = (field: number): fc.Arbitrary<Buffer> =>
  (field === 5 ? gauge : field === 7 ? sum : field === 9 ? histogram : otherData).map((d) => lenField(field, d));

const metric: fc.Arbitrary<Buffer> = fc
  .tuple(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: text() }), fc.nat(9))
  .chain(([name, pick]) => {
    // Usually the kind the name needs; sometimes another, a second data member, or none.
    const usual = typeof name === 'string' ? (KINDS[name] ?? 5) : 5;
    const field = pick < 7 ? usual : ([5, 7, 9, 10, 11] as const)[pick % 5]!;
    const extra = pick === 9 ? data(7).map((d) => [d]) : fc.constant([]);
    return message(
      fc
        .tuple(
          fc.constant([stringField(1, name)]),
          data(field).map((d) => [d]),
          extra,
          optional(
            text().map((t) => stringField(2, t)),
            1,
          ),
          optional(fc.constant(lenField(12, lenField(1, stringField(1, 'k')))), 1),
        )
        .map((parts) => parts.flat()),
    );
  });

const scopeMetrics = message(
  fc
    .tuple(
      optional(fc.constant(lenField(1, stringField(1, '@tracepack/usage'))), 2),
      fc.array(
        metric.map((m) => lenField(2, m)),
        { maxLength: 4 },
      ),
      optional(fc.constant(stringField(3, 'https://opentelemetry.io/schemas/1.26.0')), 1),
    )
    .map(([s, m, u]) => [...s, ...m, ...u]),
);

const resource = message(
  fc.array(
    resourceAttribute.map((a) => lenField(1, a)),
    { maxLength: 5 },
  ),
);

const resourceMetrics = message(
  fc
    .tuple(
      optional(
        resource.map((r) => lenField(1, r)),
        10,
      ),
      fc.array(
        scopeMetrics.map((s) => lenField(2, s)),
        { minLength: 1, maxLength: 2 },
      ),
    )
    .map(([r, s]) => [...r, ...s]),
);

/** A request body: 1 to 3 resources, sometimes the first twice (a retry batched with it). */
export const requestBody: fc.Arbitrary<Buffer> = fc
  .tuple(fc.array(resourceMetrics, { minLength: 1, maxLength: 3 }), fc.nat(4), optional(unknownField, 1))
  .map(([rms, repeat, unknown]) => {
    const fields = rms.map((rm) => lenField(1, rm));
    if (repeat === 0) fields.push(fields[0]!);
    return Buffer.concat([...fields, ...unknown]);
  });
