// Privacy: one recognizable secret planted in the path (as an id), the query string, headers
// and the body, through a gateway that forwards all of it with fetch and http.request, must
// appear in no span name, attribute, event, status or link, nor in any diagnostic message the
// instrumentations write (every level).
import { diag, DiagLogLevel, SpanKind } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dumpSpans, listen, send, setupTracing } from './helpers';
import type { Running } from './helpers';

const SECRET = 'Zq7Secret4242';

/** Every diag message, at every level, from here on. */
const diagnostics: string[] = [];
const keep = (...args: unknown[]): void =>
  void diagnostics.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
diag.setLogger(
  { error: keep, warn: keep, info: keep, debug: keep, verbose: keep },
  { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true },
);

// Instrumentations first (header capture on, for a harmless header), frameworks after.
const { capture } = setupTracing({ captureRequestHeaders: ['x-request-id'], routes: ['/accounts/:id'] });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the instrumentations, on purpose
const express = require('express') as typeof import('express');

let downstream: Running;
let gateway: Running;

before(async () => {
  downstream = await listen(
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    }),
  );
  const app = express();
  app.use(express.json());
  app.post('/accounts/:id', async (req, res) => {
    const target = `/accounts/${req.params['id']}/sync?token=${String(req.query['token'])}`;
    const headers = {
      authorization: String(req.headers['authorization']),
      'x-api-key': String(req.headers['x-api-key']),
    };
    const body = JSON.stringify(req.body);
    await fetch(`http://127.0.0.1:${downstream.port}${target}`, { method: 'POST', headers, body });
    await new Promise<void>((resolve, reject) => {
      const out = http.request(
        { host: '127.0.0.1', port: downstream.port, path: target, method: 'POST', headers },
        (r) => {
          r.resume();
          r.on('end', resolve);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
    res.status(403).json({ error: 'denied' });
  });
  gateway = await listen(http.createServer(app));
});
after(async () => {
  await Promise.all([downstream.close(), gateway.close()]);
});
beforeEach(() => capture.reset());

describe('privacy', () => {
  it(`the secret reaches the servers but no span`, async () => {
    const res = await send(gateway.port, {
      method: 'POST',
      path: `/accounts/${SECRET}?token=${SECRET}&email=ada%40example.com`,
      headers: {
        Authorization: `Bearer ${SECRET}`,
        'X-Api-Key': SECRET,
        Cookie: `session=${SECRET}`,
        'X-Request-Id': 'req-7',
      },
      body: JSON.stringify({ password: SECRET, email: 'ada@example.com' }),
    });
    assert.equal(res.status, 403);
    // gateway SERVER, 2 CLIENT, 2 downstream SERVER
    const spans = await capture.waitForSpans(5);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(spans.filter((s) => s.kind === SpanKind.CLIENT).length, 2);
    const dump = dumpSpans(capture.spans());
    assert.ok(!dump.includes(SECRET), `secret leaked: ${dump}`);
    assert.ok(!dump.includes('example.com'), 'no e-mail address');
    assert.ok(!dump.includes('token'), 'no query parameter name');
    assert.ok(dump.includes('"http.request.header.x-request-id":["req-7"]'), 'the named header is recorded');
    assert.ok(dump.includes('"POST /accounts/:id"'));
    // No route for the downstream path: its SERVER spans and the CLIENT spans are named after
    // the method alone; the scrubbed path is an attribute (url.path, url.full), not a name.
    const names = capture
      .spans()
      .map((s) => `${SpanKind[s.kind]} ${s.name}`)
      .sort();
    assert.deepEqual(names, ['CLIENT POST', 'CLIENT POST', 'SERVER POST', 'SERVER POST', 'SERVER POST /accounts/:id']);
    const downstreamSpans = capture.spans().filter((s) => s.kind === SpanKind.SERVER && s.name === 'POST');
    for (const s of downstreamSpans) assert.equal(s.attributes['url.path'], '/accounts/{id}/sync');
    // The instrumentations spoke (the check is not passing on silence), and said nothing of it.
    assert.ok(diagnostics.length > 0, 'no diag message at all');
    const said = diagnostics.join('\n');
    for (const needle of [SECRET, 'example.com', 'token='])
      assert.ok(!said.includes(needle), `${needle} in a diag message: ${said}`);
  });
});
