import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { TracepackPropagator } from '@tracepack/node';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false });

function extract(headers: Record<string, string>) {
  const p = new TracepackPropagator(['tracecontext', 'baggage']);
  return trace.getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

describe('TracepackPropagator', () => {
  for (const format of ['tracecontext', 'jaeger', 'b3', 'b3multi'] as const) {
    it(`round-trips ${format}: what one service writes, the next one reads`, () => {
      const writer = new TracepackPropagator([format]);
      const carrier: Record<string, string> = {};
      writer.inject(parent, carrier, defaultTextMapSetter);
      assert.ok(Object.keys(carrier).length > 0, `${format} wrote no header`);
      // The reader is configured to WRITE only tracecontext: it still reads every format.
      const read = extract(carrier);
      assert.equal(read?.traceId, traceId);
      assert.equal(read?.spanId, spanId);
      assert.equal(read?.isRemote, true);
      assert.equal(read?.traceFlags, TraceFlags.SAMPLED);
    });
  }

  it('writes only the configured formats', () => {
    const carrier: Record<string, string> = {};
    new TracepackPropagator(['tracecontext', 'baggage']).inject(parent, carrier, defaultTextMapSetter);
    assert.deepEqual(Object.keys(carrier), ['traceparent']);
    const all: Record<string, string> = {};
    new TracepackPropagator(['tracecontext', 'jaeger', 'b3', 'b3multi']).inject(parent, all, defaultTextMapSetter);
    for (const h of ['traceparent', 'uber-trace-id', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'])
      assert.ok(h in all, `missing ${h}`);
  });

  it('reads the incoming formats a proxy sends', () => {
    assert.equal(extract({ traceparent: `00-${traceId}-${spanId}-01` })?.traceId, traceId);
    assert.equal(extract({ 'uber-trace-id': `${traceId}:${spanId}:0:1` })?.spanId, spanId);
    assert.equal(extract({ b3: `${traceId}-${spanId}-1` })?.traceId, traceId);
    assert.equal(extract({ 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '1' })?.spanId, spanId);
    // 64-bit Jaeger and B3 ids are left-padded to 128 bits.
    assert.equal(
      extract({ 'uber-trace-id': `a3ce929d0e0e4736:${spanId}:0:1` })?.traceId,
      '0000000000000000a3ce929d0e0e4736',
    );
  });

  const malformed: Record<string, Record<string, string>> = {
    'traceparent garbage': { traceparent: 'garbage' },
    'traceparent all-zero trace id': { traceparent: `00-${'0'.repeat(32)}-${spanId}-01` },
    'traceparent bad version': { traceparent: `ff-${traceId}-${spanId}-01` },
    'traceparent too long ids': { traceparent: `00-${traceId}ab-${spanId}-01` },
    'uber-trace-id garbage': { 'uber-trace-id': 'x:y:z' },
    'uber-trace-id missing parts': { 'uber-trace-id': traceId },
    'uber-trace-id %-encoded junk': { 'uber-trace-id': '%E0%A4%A' },
    'b3 garbage': { b3: 'not-a-b3-header' },
    'b3 zero ids': { b3: `${'0'.repeat(32)}-${'0'.repeat(16)}-1` },
    'b3 multi bad trace id': { 'x-b3-traceid': 'zzzz', 'x-b3-spanid': spanId },
    'b3 multi missing span id': { 'x-b3-traceid': traceId },
  };
  for (const [name, headers] of Object.entries(malformed)) {
    it(`starts a new trace, without throwing, on ${name}`, () => {
      assert.equal(extract(headers), undefined);
    });
  }

  it('keeps a valid header when another format is broken', () => {
    const read = extract({ traceparent: `00-${traceId}-${spanId}-01`, 'uber-trace-id': 'x:y:z', b3: 'junk' });
    assert.equal(read?.traceId, traceId);
  });

  it('never throws even when the carrier getter throws', () => {
    const p = new TracepackPropagator(['tracecontext']);
    const hostile = {
      get: () => {
        throw new Error('boom');
      },
      keys: () => {
        throw new Error('boom');
      },
    };
    assert.doesNotThrow(() => p.extract(ROOT_CONTEXT, {}, hostile));
  });
});
