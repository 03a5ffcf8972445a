/**
 * The soak's OTLP receiver (`--soak` without Jaeger): like ./receiver, a child process that
 * decodes every OTLP/HTTP protobuf batch and counts its spans, but on the port it is given
 * (BENCH_SOAK_RECEIVER_PORT, 0: any), so that the bench can SIGKILL it and start a new one
 * on the same URL: the service under load keeps exporting to one endpoint that comes and goes,
 * as a flapping backend does. It speaks the IPC protocol of ./receiver (`ready`, `count`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { otlpTraceTypes } from '@tracepack/testing';
import type { ParentToReceiver, ReceiverToParent } from './protocol';

interface LooseRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

function main(): void {
  if (!process.send) {
    console.error('bench soak receiver: start me with child_process.fork (an IPC channel is needed)');
    process.exit(2);
  }
  const send = (msg: ReceiverToParent): void => {
    process.send?.(msg);
  };
  const types = otlpTraceTypes();
  const ok = Buffer.from(types.response.encode(types.response.create({})).finish());
  const cpuStart = process.cpuUsage();
  let spanCount = 0;
  let requests = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      let spans = 0;
      try {
        const body = Buffer.concat(chunks);
        const encoding = req.headers['content-encoding'];
        const raw = encoding === 'gzip' ? gunzipSync(body) : encoding === 'deflate' ? inflateSync(body) : body;
        const decoded = types.request.decode(raw) as unknown as LooseRequest;
        for (const rs of decoded.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode: ${(err as Error).message}`);
        return;
      }
      // Counted before the answer is written: a span the exporter was told "received" is
      // always in the count the bench reads.
      spanCount += spans;
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(ok);
    });
  });

  process.on('message', (msg: ParentToReceiver) => {
    if (msg.type === 'count') {
      const cpu = process.cpuUsage(cpuStart);
      send({ type: 'count', spanCount, requests, cpuUs: cpu.user + cpu.system });
    } else if (msg.type === 'stop') {
      server.close(() => send({ type: 'stopped' }));
      server.closeAllConnections();
    }
  });
  process.on('disconnect', () => process.exit(0));

  const port = Number(process.env.BENCH_SOAK_RECEIVER_PORT ?? '0');
  server.once('error', (err) => {
    console.error('bench soak receiver:', err.message);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
}

main();
