// A trace started by the caller is joined, in every format the service reads: in Jaeger the
// trace id is the one sent and the SERVER span is a CHILD_OF the span id sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  closeRequestAgent,
  documentedJaegerTracing,
  hexId,
  newIds,
  request,
  startTracedService,
  tempDir,
  waitForJaegerTraceId,
  writeConfigFile,
  type ChildService,
} from './helpers';
import { e2eSkip, jaegerServiceOf, normalizeTraceId, startJaeger, type JaegerServer } from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

const SERVICE = 'e2e-propagation';

const formats: Array<{
  name: string;
  ids: () => { traceId: string; spanId: string };
  headers: (ids: { traceId: string; spanId: string }) => Record<string, string>;
}> = [
  { name: 'W3C traceparent', ids: newIds, headers: (i) => ({ traceparent: `00-${i.traceId}-${i.spanId}-01` }) },
  { name: 'Jaeger uber-trace-id', ids: newIds, headers: (i) => ({ 'uber-trace-id': `${i.traceId}:${i.spanId}:0:1` }) },
  { name: 'B3 single header', ids: newIds, headers: (i) => ({ b3: `${i.traceId}-${i.spanId}-1` }) },
  {
    name: 'B3 multiple headers',
    ids: newIds,
    headers: (i) => ({ 'x-b3-traceid': i.traceId, 'x-b3-spanid': i.spanId, 'x-b3-sampled': '1' }),
  },
  {
    name: 'B3 multiple headers with a 64-bit trace id',
    ids: () => ({ traceId: hexId(8), spanId: hexId(8) }),
    headers: (i) => ({ 'x-b3-traceid': i.traceId, 'x-b3-spanid': i.spanId, 'x-b3-sampled': '1' }),
  },
];

describe("e2e: the service joins the caller's trace (Jaeger)", { skip }, () => {
  let jaeger: JaegerServer;
  let service: ChildService;
  let removeDir: () => Promise<void>;

  before(async () => {
    const tmp = await tempDir('tracepack-e2e-propagation-');
    removeDir = tmp.remove;
    jaeger = await startJaeger();
    service = await startTracedService(
      await writeConfigFile(join(tmp.dir, 'config.yml'), documentedJaegerTracing(jaeger, SERVICE)),
    );
  });

  after(async () => {
    await service?.stop();
    closeRequestAgent();
    await jaeger?.stop();
    await removeDir?.();
  });

  for (const format of formats) {
    test(format.name, async () => {
      const ids = format.ids();
      const res = await request(`${service.url}/items/9`, { headers: format.headers(ids) });
      assert.equal(res.status, 200);
      // The service itself reports the trace it is in.
      assert.equal(
        normalizeTraceId((JSON.parse(res.body) as { traceId: string }).traceId),
        normalizeTraceId(ids.traceId),
      );
      const trace = await waitForJaegerTraceId(jaeger.queryUrl, ids.traceId.padStart(32, '0'));
      assert.equal(normalizeTraceId(trace.traceID), normalizeTraceId(ids.traceId));
      const server = trace.spans.find((s) => s.operationName === 'GET /items/:id');
      assert.ok(server, JSON.stringify(trace.spans.map((s) => s.operationName)));
      assert.equal(jaegerServiceOf(trace, server), SERVICE);
      assert.deepEqual(
        server.references.map((r) => ({ refType: r.refType, spanID: r.spanID, traceID: normalizeTraceId(r.traceID) })),
        [{ refType: 'CHILD_OF', spanID: ids.spanId, traceID: normalizeTraceId(ids.traceId) }],
      );
    });
  }
});
