// The hand-written OTLP metrics reader (src/otlp-metrics-reader.ts) against protobufjs, its
// reference: on thousands of generated bodies (seeded: FUZZ_SEED=<n> replays or explores) both
// decodes give the same fields and ingest() makes the same rows of them; malformed bodies get a
// 400 naming the problem, and nothing else is ever thrown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeProtobufjsRequest, decodeRequest, ingest } from '../src/index';
import type { Int64, OtlpExportRequest, OtlpKeyValue } from '../src/internal-types';
import { toBigInt, toNumber } from '../src/ingest';
import { RequestError } from '../src/errors';
import { requestBody } from './otlp-metrics-arbitraries';
import { lenField, stringField, tag, varint, varintField } from './protobuf-wire';

const SEED = Number(process.env.FUZZ_SEED ?? 424242) | 0;
const RUNS = 3000;
const run = (property: fc.IProperty<[Buffer]>, numRuns = RUNS): void => {
  fc.assert(property, { seed: SEED, numRuns });
};

const own = (o: object | null | undefined, key: string): boolean =>
  o !== null && o !== undefined && Object.prototype.hasOwnProperty.call(o, key);
const num = (v: Int64 | undefined | null): number | undefined =>
  v === undefined || v === null ? undefined : toNumber(v);

function attributes(list: OtlpKeyValue[] | undefined): unknown[] {
  return (list ?? []).map((kv) => {
    const v = kv.value;
    return {
      key: kv.key ?? '',
      value:
        v === null || v === undefined
          ? null
          : {
              string: own(v, 'stringValue') ? v.stringValue : undefined,
              bool: own(v, 'boolValue') ? v.boolValue : undefined,
              int: own(v, 'intValue') ? num(v.intValue) : undefined,
              double: own(v, 'doubleValue') ? v.doubleValue : undefined,
            },
    };
  });
}

/**
 * Every field ingest() reads, in one comparable shape: 64-bit values as BigInt (times) or the
 * number ingest makes of them; defaults protobufjs keeps on prototypes as their values.
 */
function view(request: OtlpExportRequest): unknown {
  return (request.resourceMetrics ?? []).map((rm) => ({
    resource: rm.resource ? attributes(rm.resource.attributes) : null,
    scopes: (rm.scopeMetrics ?? []).map((sm) =>
      (sm.metrics ?? []).map((m) => {
        const data = (d: { dataPoints?: object[]; aggregationTemporality?: number } | null | undefined): unknown =>
          d
            ? {
                temporality: d.aggregationTemporality ?? 0,
                points: (d.dataPoints ?? []).map((point) => {
                  const p = point as Record<string, unknown>;
                  return {
                    attributes: attributes(p.attributes as OtlpKeyValue[]),
                    start: toBigInt(p.startTimeUnixNano as Int64),
                    end: toBigInt(p.timeUnixNano as Int64),
                    asDouble: own(p, 'asDouble') ? p.asDouble : undefined,
                    asInt: own(p, 'asInt') ? num(p.asInt as Int64) : undefined,
                    count: num(p.count as Int64) ?? 0,
                    sum: own(p, 'sum') ? p.sum : undefined,
                    min: own(p, 'min') ? p.min : undefined,
                    max: own(p, 'max') ? p.max : undefined,
                    bounds: [...((p.explicitBounds as number[] | undefined) ?? [])],
                    counts: ((p.bucketCounts as Int64[] | undefined) ?? []).map(toNumber),
                  };
                }),
              }
            : null;
        return {
          name: m.name ?? '',
          gauge: data(m.gauge),
          sum: data(m.sum),
          monotonic: m.sum ? (m.sum.isMonotonic ?? false) : undefined,
          histogram: data(m.histogram),
        };
      }),
    ),
  }));
}

const NOT_A_REQUEST = 'malformed protobuf: not an OTLP ExportMetricsServiceRequest (';

/** decodeRequest's outcome: the request, or its 400 (any other throw fails the test). */
function decodeOrReject(body: Buffer): OtlpExportRequest | RequestError {
  try {
    return decodeRequest(body, 'protobuf');
  } catch (err) {
    assert.ok(err instanceof RequestError, `not a RequestError: ${String(err)}`);
    assert.equal(err.status, 400);
    assert.ok(err.message.startsWith(NOT_A_REQUEST) && err.message.endsWith(')'), err.message);
    return err;
  }
}

describe(`hand-written OTLP metrics reader vs protobufjs (seed ${SEED}, FUZZ_SEED=<n> to change it)`, () => {
  it(`gives the fields protobufjs gives, and the same rows, on ${RUNS} generated requests`, () => {
    let points = 0;
    let rows = 0;
    run(
      fc.property(requestBody, (body) => {
        const ours = decodeRequest(body, 'protobuf');
        const reference = decodeProtobufjsRequest(body);
        assert.deepStrictEqual(view(ours), view(reference));
        const a = ingest(ours);
        assert.deepStrictEqual(a, ingest(reference));
        points += a.accepted + a.rejected;
        rows += a.batch.endpoint_usage.length + a.batch.runtime_stats.length + a.batch.feature_usage.length;
      }),
    );
    // The generator reaches the rows, not just the rejections.
    assert.ok(points > RUNS, `only ${points} data points in ${RUNS} requests`);
    assert.ok(rows > RUNS / 4, `only ${rows} rows stored in ${RUNS} requests`);
  });

  it('truncated or corrupted bodies: a decode or a 400 naming the problem, never another throw', () => {
    run(
      fc.property(requestBody, (body) => {
        for (const cut of [1, 2, 7, body.length >> 1, body.length - 1]) {
          if (cut <= 0 || cut >= body.length) continue;
          const got = decodeOrReject(body.subarray(0, cut));
          if (!(got instanceof RequestError)) ingest(got);
        }
      }),
      1000,
    );
    run(
      fc.property(
        fc.tuple(requestBody, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([body, at, byte]) => {
          const copy = Buffer.from(body);
          copy[at % copy.length] = byte;
          return copy;
        }),
        (body) => {
          const got = decodeOrReject(body);
          if (!(got instanceof RequestError)) ingest(got);
        },
      ),
      2000,
    );
  });

  it('names the problem: bad varint, truncation, wrong wire type, huge length, group, field 0', () => {
    const cases: [string, Buffer, RegExp][] = [
      [
        'a varint of 11 bytes',
        Buffer.concat([tag(13, 0), Buffer.alloc(10, 0xff), Buffer.from([0x01])]),
        /invalid varint encoding at offset 1/,
      ],
      ['a truncated varint', Buffer.from([0x0a, 0xff]), /truncated varint at offset 1/],
      ['a truncated tag', Buffer.from([0x8a]), /truncated varint at offset 0/],
      [
        'resource_metrics as a varint',
        varintField(1, 5),
        /field 1 of ExportMetricsServiceRequest has wire type 0, expected 2/,
      ],
      [
        'a string as a fixed64',
        Buffer.concat([lenField(1, lenField(2, lenField(2, Buffer.concat([tag(1, 1), Buffer.alloc(8)]))))]),
        /field 1 of Metric has wire type 1, expected 2/,
      ],
      [
        'a huge length',
        Buffer.concat([tag(1, 2), varint(2 ** 31)]),
        /length 2147483648 at offset 1 runs past the end of its message \(0 bytes left\)/,
      ],
      [
        'a length past its parent',
        lenField(1, Buffer.concat([tag(2, 2), varint(5), Buffer.from('ab')])),
        /length 5 at offset 3 runs past the end of its message \(2 bytes left\)/,
      ],
      [
        'a fixed64 cut short',
        lenField(1, lenField(2, lenField(2, lenField(5, lenField(1, Buffer.concat([tag(3, 1), Buffer.alloc(4)])))))),
        /8-byte value at offset \d+ runs past the end of its message/,
      ],
      ['a group', Buffer.concat([tag(13, 3), tag(13, 4)]), /group \(wire type 3\) at offset 1/],
      ['wire type 6', tag(13, 6), /invalid wire type 6 at offset 1/],
      ['field number 0', Buffer.from([0x02, 0x00]), /field number 0 at offset 0/],
      ['not protobuf at all', Buffer.from('this is not protobuf'), /wire type/],
    ];
    for (const [what, body, expected] of cases) {
      const got = decodeOrReject(body);
      assert.ok(got instanceof RequestError, `${what}: decoded, not refused`);
      assert.match(got.message, expected, what);
    }
  });

  it('reads a 6-byte varint bool as the protobuf rules say (protobufjs reads 5 bytes past it)', () => {
    // AnyValue { bool_value: 2^35 } (true), then a second attribute: protobufjs' uint32() skips 5 bytes too many.
    const attr = (value: Buffer): Buffer => lenField(1, Buffer.concat([stringField(1, 'k'), lenField(2, value)]));
    const body = lenField(1, lenField(1, Buffer.concat([attr(varintField(2, 2n ** 35n)), attr(stringField(1, 'v'))])));
    const ours = decodeRequest(body, 'protobuf');
    assert.deepEqual(
      ours.resourceMetrics?.[0]?.resource?.attributes?.map((kv) => kv.value),
      [{ boolValue: true }, { stringValue: 'v' }],
    );
    assert.throws(() => decodeProtobufjsRequest(body), /index out of range/);
  });

  it('refuses a string running past the end of the body (protobufjs cuts it short silently)', () => {
    const body = lenField(1, lenField(2, lenField(2, stringField(1, 'tracepack.usage.requests'))));
    assert.doesNotThrow(() => decodeRequest(body, 'protobuf'));
    const cut = body.subarray(0, body.length - 3);
    const got = decodeOrReject(cut);
    assert.ok(got instanceof RequestError);
    assert.match(got.message, /runs past the end of its message/);
  });
});
