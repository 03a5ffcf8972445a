// A child-process service for usage-tracing.test.ts: usage started first, then tracing with
// usage's span processor, then an express app and a plain node:http app. Prints the ports.
// USAGE_TRACING=off: usage alone (its own exit hooks); without-processor: both, not wired.
import type { AddressInfo } from 'node:net';
import { startUsage } from '@tracepack/usage';
import { startTracing } from '@tracepack/node';

const usage = startUsage({ argv: [], installation: ['https://usage-app.example.com'], service: { name: 'usage-app' } });
if (process.env.USAGE_TRACING !== 'off') {
  // The routes are given in code: usage does not read them, it learns them from the spans.
  startTracing({
    config: {
      provider: 'otlp',
      service_name: 'usage-app',
      providers: { otlp: { server_url: process.env.TRACE_URL! } },
      instrumentations: { http: { routes: ['/things/:id'] } },
    },
    // USAGE_TRACING=without-processor: a service that forgot to hand it over.
    spanProcessors: process.env.USAGE_TRACING === 'without-processor' ? [] : [usage.spanProcessor],
  });
}

// Loaded after tracing, as a traced service does.
/* eslint-disable @typescript-eslint/no-require-imports */
const express = require('express') as typeof import('express');
const http = require('node:http') as typeof import('node:http');
/* eslint-enable @typescript-eslint/no-require-imports */
const app = express();
app.get('/clients/:id', (_req, res) => void res.json({ ok: true }));
const a = app.listen(0, '127.0.0.1');
const b = http.createServer((_req, res) => res.end('thing')).listen(0, '127.0.0.1');
let listening = 0;
const ready = (): void => {
  if (++listening === 2)
    process.stdout.write(`ready ${(a.address() as AddressInfo).port} ${(b.address() as AddressInfo).port}\n`);
};
a.once('listening', ready);
b.once('listening', ready);
