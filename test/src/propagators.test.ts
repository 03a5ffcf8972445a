// The `propagators` key, end to end: a service started by startTracing (a child process, as a
// user runs it) joins the trace a caller sends in any format, and its outgoing requests (node:http
// and fetch) carry exactly the headers of the formats the key names, no more, no fewer, with the
// trace id it joined and the span id of its CLIENT span. Each value alone, combinations, the
// default, an empty list, and the key spelled in a variable and in a config file. The headers
// are read by an untraced server in this process; the spans from an OTLP receiver.
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const fixture = join(__dirname, '..', '..', 'fixtures', 'propagators-app.js');

type Format = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger';

/** Headers node:http and fetch send on their own; every other header was injected. */
const TRANSPORT = new Set([
  'host',
  'connection',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-mode',
  'user-agent',
]);

interface Incoming {
  name: string;
  /** The ids the caller sends; undefined: no trace context, the service starts a trace. */
  ids?: { traceId: string; spanId: string };
  sampled: boolean;
  headers: (ids: { traceId: string; spanId: string }) => Record<string, string>;
  /** The caller sent baggage `tenant=blue` (W3C `baggage` or Jaeger `uberctx-tenant`). */
  baggage: boolean;
  /** The caller sent W3C `tracestate: vendor=opaque`. */
  tracestate: boolean;
}

function hex(bytes: number): string {
  const buf = randomBytes(bytes);
  buf[0] = buf[0]! | 0x10; // no leading zero: the formats that strip them cannot blur the check
  return buf.toString('hex');
}

const newIds = (): { traceId: string; spanId: string } => ({ traceId: hex(16), spanId: hex(8) });

/** What a caller (a proxy, another service) may send. Fresh ids per request. */
function incomingCases(): Incoming[] {
  return [
    {
      name: 'W3C traceparent + tracestate + baggage',
      ids: newIds(),
      sampled: true,
      headers: (i) => ({
        traceparent: `00-${i.traceId}-${i.spanId}-01`,
        tracestate: 'vendor=opaque',
        baggage: 'tenant=blue',
      }),
      baggage: true,
      tracestate: true,
    },
    {
      name: 'W3C traceparent, not sampled',
      ids: newIds(),
      sampled: false,
      headers: (i) => ({ traceparent: `00-${i.traceId}-${i.spanId}-00` }),
      baggage: false,
      tracestate: false,
    },
    {
      name: 'Jaeger uber-trace-id + uberctx- baggage',
      ids: newIds(),
      sampled: true,
      headers: (i) => ({ 'uber-trace-id': `${i.traceId}:${i.spanId}:0:1`, 'uberctx-tenant': 'blue' }),
      baggage: true,
      tracestate: false,
    },
    {
      name: 'B3 single',
      ids: newIds(),
      sampled: true,
      headers: (i) => ({ b3: `${i.traceId}-${i.spanId}-1` }),
      baggage: false,
      tracestate: false,
    },
    {
      name: 'B3 multi',
      ids: newIds(),
      sampled: true,
      headers: (i) => ({ 'x-b3-traceid': i.traceId, 'x-b3-spanid': i.spanId, 'x-b3-sampled': '1' }),
      baggage: false,
      tracestate: false,
    },
    {
      name: 'every format at once, different traces: W3C wins',
      ids: newIds(),
      sampled: true,
      headers: (i) => {
        const other = newIds();
        return {
          traceparent: `00-${i.traceId}-${i.spanId}-01`,
          'uber-trace-id': `${other.traceId}:${other.spanId}:0:1`,
          b3: `${newIds().traceId}-${other.spanId}-1`,
          'x-b3-traceid': newIds().traceId,
          'x-b3-spanid': other.spanId,
          'x-b3-sampled': '1',
        };
      },
      baggage: false,
      tracestate: false,
    },
    { name: 'no trace context: a new trace', sampled: true, headers: () => ({}), baggage: false, tracestate: false },
  ];
}

/** Exactly the headers the formats in `write` put on a request made under `client`. */
function expectedHeaders(
  write: readonly Format[],
  incoming: Incoming,
  traceId: string,
  client: string,
): Record<string, string> {
  const s = incoming.sampled;
  const out: Record<string, string> = {};
  for (const format of write) {
    switch (format) {
      case 'tracecontext':
        out['traceparent'] = `00-${traceId}-${client}-${s ? '01' : '00'}`;
        if (incoming.tracestate) out['tracestate'] = 'vendor=opaque';
        break;
      case 'baggage':
        if (incoming.baggage) out['baggage'] = 'tenant=blue';
        break;
      case 'b3':
        out['b3'] = `${traceId}-${client}-${s ? '1' : '0'}`;
        break;
      case 'b3multi':
        Object.assign(out, { 'x-b3-traceid': traceId, 'x-b3-spanid': client, 'x-b3-sampled': s ? '1' : '0' });
        break;
      case 'jaeger':
        out['uber-trace-id'] = `${traceId}:${client}:0:${s ? '1' : '0'}`;
        if (incoming.baggage) out['uberctx-tenant'] = 'blue';
        break;
    }
  }
  return out;
}

function injected(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([k]) => !TRANSPORT.has(k))
      .map(([k, v]) => [k, String(v)]),
  );
}

/** How the case spells the key: code (startTracing's config), a variable, or a config file. */
interface KeyCase {
  label: string;
  /** The formats start-up must end up writing. */
  write: Format[];
  propagators?: Format[];
  env?: Record<string, string>;
  file?: string;
}

const KEY_CASES: KeyCase[] = [
  { label: 'the key left out (default: tracecontext, baggage)', write: ['tracecontext', 'baggage'] },
  ...(['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'] as const).map((f) => ({
    label: `[${f}]`,
    write: [f],
    propagators: [f],
  })),
  {
    label: '[tracecontext, baggage, jaeger, b3multi]',
    write: ['tracecontext', 'baggage', 'jaeger', 'b3multi'],
    propagators: ['tracecontext', 'baggage', 'jaeger', 'b3multi'],
  },
  { label: '[b3, b3multi]: single and multi together', write: ['b3', 'b3multi'], propagators: ['b3', 'b3multi'] },
  {
    label: '[jaeger, baggage]: both baggage headers',
    write: ['jaeger', 'baggage'],
    propagators: ['jaeger', 'baggage'],
  },
  { label: '[]: nothing written, every format still read', write: [], propagators: [] },
  { label: 'TRACING_PROPAGATORS=b3,jaeger', write: ['b3', 'jaeger'], env: { TRACING_PROPAGATORS: 'b3,jaeger' } },
  {
    label: 'OTEL_PROPAGATORS=b3multi,tracecontext',
    write: ['b3multi', 'tracecontext'],
    env: { OTEL_PROPAGATORS: 'b3multi,tracecontext' },
  },
  { label: 'OTEL_PROPAGATORS=none', write: [], env: { OTEL_PROPAGATORS: 'none' } },
  {
    label: 'a config file: propagators: [jaeger, tracecontext]',
    write: ['jaeger', 'tracecontext'],
    file: 'tracing:\n  propagators: [jaeger, tracecontext]\n',
  },
];

/** process.env without the tracing variables of the developer's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TRACING_|OTEL_)/.test(k)));
}

interface Hop {
  incoming: Incoming;
  client: 'http' | 'fetch';
  /** The ids of the service's SERVER span. */
  traceId: string;
  spanId: string;
  seen: Record<string, string>;
}

let downstream: Server;
let downstreamUrl: string;
let tmp: string;

before(async () => {
  downstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
  downstream.listen(0, '127.0.0.1');
  await once(downstream, 'listening');
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
  tmp = await mkdtemp(join(tmpdir(), 'tracepack-propagators-'));
});

after(async () => {
  downstream.closeAllConnections();
  downstream.close();
  await rm(tmp, { recursive: true, force: true });
});

for (const [index, key] of KEY_CASES.entries()) {
  describe(`propagators ${key.label}, through startTracing`, () => {
    let receiver: OtlpReceiver;
    let child: ChildProcess;
    const output: string[] = [];
    const hops: Hop[] = [];
    let spans: DecodedSpan[] = [];

    before(async () => {
      receiver = await startOtlpReceiver();
      const env: NodeJS.ProcessEnv = {
        ...cleanEnv(),
        ...key.env,
        DOWNSTREAM_URL: downstreamUrl,
        TRACING_JSON: JSON.stringify({
          provider: 'otlp',
          service_name: 'propagators-app',
          providers: { otlp: { server_url: receiver.url } },
          ...(key.propagators ? { propagators: key.propagators } : {}),
        }),
      };
      if (key.file) {
        env['TRACING_CONFIG_FILE'] = join(tmp, `config-${index}.yml`);
        await writeFile(env['TRACING_CONFIG_FILE'], key.file);
      }
      child = spawn(process.execPath, [fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        child.once('exit', (code) =>
          reject(new Error(`the app exited (${code}) before it listened:\n${output.join('')}`)),
        );
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /\{"port":(\d+)\}/.exec(out);
          if (m) resolve(Number(m[1]));
        });
      });
      child.removeAllListeners('exit');

      for (const incoming of incomingCases()) {
        for (const client of ['http', 'fetch'] as const) {
          const headers = incoming.headers(incoming.ids ?? newIds());
          const res = await fetch(`http://127.0.0.1:${port}/hop/${hops.length}?client=${client}`, { headers });
          const text = await res.text();
          assert.equal(res.status, 200, `${incoming.name} via ${client}: ${text}\n${output.join('')}`);
          const body = JSON.parse(text) as { traceId: string; spanId: string; seen: IncomingHttpHeaders };
          hops.push({ incoming, client, traceId: body.traceId, spanId: body.spanId, seen: injected(body.seen) });
        }
      }
      child.kill('SIGTERM');
      await once(child, 'exit');
      spans = receiver.spans;
    });

    after(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await receiver.stop();
    });

    it('joins the trace of every incoming format, whatever the key writes', () => {
      for (const hop of hops) {
        const what = `${hop.incoming.name} via ${hop.client}`;
        const ids = hop.incoming.ids;
        if (ids) assert.equal(hop.traceId, ids.traceId, `${what}: the trace id sent`);
        if (!hop.incoming.sampled) {
          assert.ok(
            !spans.some((s) => s.traceId === hop.traceId),
            `${what}: the caller's "not sampled" is followed, nothing exported`,
          );
          continue;
        }
        const server = spans.find((s) => s.kind === 'SERVER' && s.spanId === hop.spanId);
        assert.ok(server, `${what}: the SERVER span was exported`);
        assert.equal(server.traceId, hop.traceId, what);
        assert.equal(server.parentSpanId, ids?.spanId, `${what}: the SERVER span is a child of the span id sent`);
      }
    });

    it(`outgoing requests carry exactly ${key.write.length ? key.write.join(' + ') : 'no trace header'}`, () => {
      for (const hop of hops) {
        const what = `${hop.incoming.name} via ${hop.client}`;
        let client: string;
        if (hop.incoming.sampled) {
          const span = spans.find((s) => s.kind === 'CLIENT' && s.parentSpanId === hop.spanId);
          assert.ok(span, `${what}: a CLIENT span under the SERVER span`);
          client = span.spanId;
        } else {
          // Not sampled, so not exported: every format must still agree on one new span id.
          client =
            /^[0-9a-f]{16}$/.exec(
              hop.seen['x-b3-spanid'] ??
                hop.seen['traceparent']?.split('-')[2] ??
                hop.seen['b3']?.split('-')[1] ??
                hop.seen['uber-trace-id']?.split(':')[1] ??
                '',
            )?.[0] ?? 'none';
          if (key.write.some((f) => f !== 'baggage'))
            assert.notEqual(client, hop.incoming.ids?.spanId, `${what}: a span of its own, not the caller's`);
        }
        assert.deepEqual(hop.seen, expectedHeaders(key.write, hop.incoming, hop.traceId, client), what);
      }
    });

    it('starts without a word on stderr', () => {
      assert.equal(output.join(''), '');
    });
  });
}
