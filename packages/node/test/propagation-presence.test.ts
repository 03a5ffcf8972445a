import { defaultTextMapGetter, propagation, ROOT_CONTEXT, trace, type TextMapGetter } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TracepackPropagator } from '../src/propagation';

// TracepackPropagator parses a format only when its key header is there (issue 16: most
// requests carry none). These check that skipping a reader never changes what is read: each
// format alone, Jaeger baggage without a trace header, empty values, and a request without
// any trace header, which must come back as the very context it was given.

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

/** A getter over a plain object that counts its calls. */
function countingGetter(): TextMapGetter<Record<string, string>> & { gets: string[]; keysCalls: number } {
  const g = {
    gets: [] as string[],
    keysCalls: 0,
    get(carrier: Record<string, string>, key: string) {
      g.gets.push(key);
      return carrier[key];
    },
    keys(carrier: Record<string, string>) {
      g.keysCalls++;
      return Object.keys(carrier);
    },
  };
  return g;
}

describe('TracepackPropagator reads only the formats whose headers are present', () => {
  const p = new TracepackPropagator(['tracecontext']);

  it('returns the same context for a request without any trace header, after a few lookups and one key scan', () => {
    const getter = countingGetter();
    const headers = { host: 'example.test', accept: '*/*', 'user-agent': 'wrk' };
    assert.equal(p.extract(ROOT_CONTEXT, headers, getter), ROOT_CONTEXT);
    assert.deepEqual(getter.gets.sort(), ['b3', 'baggage', 'traceparent', 'uber-trace-id', 'x-b3-traceid']);
    assert.equal(getter.keysCalls, 1, 'one scan for uberctx- keys');
  });

  it('with the default getter, walks the object for uberctx- keys and ignores inherited ones', () => {
    const inherited = Object.create({ 'uberctx-tenant': 'blue' }) as Record<string, string>;
    inherited.host = 'example.test';
    assert.equal(p.extract(ROOT_CONTEXT, inherited, defaultTextMapGetter), ROOT_CONTEXT);
  });

  it('reads Jaeger uberctx- baggage without uber-trace-id', () => {
    const ctx = p.extract(ROOT_CONTEXT, { 'uberctx-tenant': 'blue' }, defaultTextMapGetter);
    assert.equal(propagation.getBaggage(ctx)?.getEntry('tenant')?.value, 'blue');
    assert.equal(trace.getSpanContext(ctx), undefined);
  });

  const formats: Record<string, Record<string, string>> = {
    'W3C traceparent': { traceparent: `00-${traceId}-${spanId}-01` },
    'Jaeger uber-trace-id': { 'uber-trace-id': `${traceId}:${spanId}:0:1` },
    'B3 single': { b3: `${traceId}-${spanId}-1` },
    'B3 multi': { 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '1' },
  };
  for (const [name, headers] of Object.entries(formats)) {
    it(`reads ${name} alone`, () => {
      const sc = trace.getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
      assert.equal(sc?.traceId, traceId);
      assert.equal(sc?.spanId, spanId);
      assert.equal(sc?.traceFlags, 1);
    });
  }

  it('reads B3 multi when an empty b3 header comes with it', () => {
    const sc = trace.getSpanContext(
      p.extract(
        ROOT_CONTEXT,
        { b3: '', 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '1' },
        defaultTextMapGetter,
      ),
    );
    assert.equal(sc?.traceId, traceId);
  });

  it('treats empty values as absent: a new trace', () => {
    const ctx = p.extract(
      ROOT_CONTEXT,
      { traceparent: '', 'uber-trace-id': '', b3: '', baggage: '' },
      defaultTextMapGetter,
    );
    assert.equal(ctx, ROOT_CONTEXT);
  });

  it('reads W3C baggage alone', () => {
    const ctx = p.extract(ROOT_CONTEXT, { baggage: 'tenant=blue' }, defaultTextMapGetter);
    assert.equal(propagation.getBaggage(ctx)?.getEntry('tenant')?.value, 'blue');
  });
});
