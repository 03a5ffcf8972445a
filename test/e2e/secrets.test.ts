// Nothing secret reaches the backend. One recognizable secret is planted in the request path
// (as an id), the query string, the Authorization header and a custom one, the JSON body
// (client_secret), a SQL parameter, a SQL literal, the bcrypt password and a duplicate-key
// error; then every trace of every service is read back raw from Jaeger AND from Zipkin
// and searched byte by byte, and so is every line the services wrote to stdout and stderr.
// The database is a real PostgreSQL, or the embedded one (PGlite over the wire protocol) when
// none is installed: the check runs everywhere the e2e tier does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { newTraceParent, startStack, type Stack } from '@tracepack/example-quickstart';
import { isFixtureUnavailable, startPglite, startPostgres, type DatabaseServer } from '@tracepack/testing';
import {
  cleanEnv,
  closeRequestAgent,
  documentedJaegerTracing,
  getText,
  request,
  startJaegerAndZipkin,
  startTracedService,
  tagOf,
  tempDir,
  waitForJaegerTraceId,
  writeConfigFile,
  type ChildService,
} from './helpers';
import {
  e2eSkip,
  jaegerServiceOf,
  normalizeTraceId,
  waitForZipkinTrace,
  type JaegerServer,
  type JaegerSpan,
  type JaegerTrace,
  type ZipkinServer,
} from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

/** Valid as a client id (A-Z a-z 0-9 . _ ~ -) and as a client secret (8 to 72 bytes). */
const SECRET = `Zq7-PLANTED-${randomBytes(6).toString('hex')}`;
const BASIC = Buffer.from(`${SECRET}:${SECRET}`).toString('base64');
/** Every form the secret is sent in, and what bcrypt makes of it. */
const NEEDLES: Array<[string, (text: string) => boolean]> = [
  ['the secret', (t) => t.includes(SECRET)],
  ['the secret, lower-cased (Zipkin lower-cases names)', (t) => t.toLowerCase().includes(SECRET.toLowerCase())],
  ['the Basic credentials', (t) => t.includes(BASIC)],
  ['a bcrypt hash', (t) => /\$2[aby]\$\d\d\$/.test(t)],
];
const SQL_SERVICE = 'e2e-secrets-sql';

interface Sent {
  what: string;
  traceId: string;
  status: number;
  /** Service names whose SERVER span the trace must hold before it is complete. */
  services: string[];
}

type Backend = 'jaeger' | 'zipkin';

describe('e2e: nothing secret reaches Jaeger or Zipkin', { skip }, () => {
  let jaeger: JaegerServer | undefined;
  let zipkin: ZipkinServer | undefined;
  let db: DatabaseServer | undefined;
  /** Why the embedded PostgreSQL stands in, when it does. */
  let embedded: string | undefined;
  let removeDir: (() => Promise<void>) | undefined;
  const stacks: Stack[] = [];
  const fixtures: ChildService[] = [];
  const output: string[] = [];
  const sent: Record<Backend, Sent[]> = { jaeger: [], zipkin: [] };

  async function plant(backend: Backend, stack: Stack, sqlService: ChildService): Promise<void> {
    const secretHeaders = { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET };
    const send = async (
      what: string,
      url: string,
      init: { method?: string; headers?: Record<string, string>; body?: string },
      services: string[],
    ): Promise<void> => {
      const tp = newTraceParent();
      const res = await request(url, { ...init, headers: { ...init.headers, traceparent: tp.header } });
      sent[backend].push({ what, traceId: tp.traceId, status: res.status, services });
    };
    const both = ['gateway', 'clients-service'];
    const create = JSON.stringify({ client_id: SECRET, client_secret: SECRET });
    const json = { 'content-type': 'application/json' };
    // The first create makes the client (201 on the first stack); the second hits the unique key (409).
    await send(
      'POST /clients (query, headers, body, INSERT parameters, bcrypt.hash)',
      `${stack.gatewayUrl}/clients?api_key=${SECRET}`,
      { method: 'POST', headers: { ...json, ...secretHeaders }, body: create },
      both,
    );
    await send(
      'POST /clients again (duplicate key error)',
      `${stack.gatewayUrl}/clients?api_key=${SECRET}`,
      { method: 'POST', headers: { ...json, ...secretHeaders }, body: create },
      both,
    );
    await send(
      'GET /clients/<secret> (path id, SELECT parameter)',
      `${stack.gatewayUrl}/clients/${SECRET}?client_secret=${SECRET}`,
      { headers: secretHeaders },
      both,
    );
    await send(
      'POST /oauth2/token (Basic credentials, bcrypt.compare)',
      `${stack.gatewayUrl}/oauth2/token?token=${SECRET}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${BASIC}`,
          'x-api-key': SECRET,
        },
        body: `grant_type=client_credentials&client_secret=${SECRET}`,
      },
      both,
    );
    await send(
      'GET /clients/<secret> straight to clients-service',
      `${stack.serviceUrl}/clients/${SECRET}`,
      { headers: secretHeaders },
      ['clients-service'],
    );
    await send('GET /lookup (SQL literal)', `${sqlService.url}/lookup?q=${SECRET}`, { headers: secretHeaders }, [
      SQL_SERVICE,
    ]);
  }

  before(async () => {
    try {
      db = await startPostgres();
    } catch (err) {
      if (!isFixtureUnavailable(err)) throw err;
      embedded = err.message;
      db = await startPglite();
    }
    const tmp = await tempDir('tracepack-e2e-secrets-');
    removeDir = tmp.remove;
    ({ jaeger, zipkin } = await startJaegerAndZipkin());

    const tracingFor: Record<Backend, (service: string) => Record<string, unknown>> = {
      jaeger: (service) => documentedJaegerTracing(jaeger!, service),
      zipkin: (service) => ({
        provider: 'zipkin',
        service_name: service,
        providers: { zipkin: { server_url: zipkin!.spansUrl } },
      }),
    };
    const envFor: Record<Backend, NodeJS.ProcessEnv> = {
      jaeger: {
        TRACING_PROVIDER: 'jaeger',
        TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS: `127.0.0.1:${jaeger!.agentCompactPort}`,
        TRACING_PROVIDERS_JAEGER_SAMPLING_SERVER_URL: `${jaeger!.samplingUrl}/sampling`,
      },
      zipkin: { TRACING_PROVIDER: 'zipkin', TRACING_PROVIDERS_ZIPKIN_SERVER_URL: zipkin!.spansUrl },
    };
    for (const backend of ['jaeger', 'zipkin'] as const) {
      const stack = await startStack({
        databaseUrl: db.url,
        servicePort: 0,
        gatewayPort: 0,
        env: { ...cleanEnv(), ...envFor[backend], BCRYPT_COST: '4' },
        onLine: (service, line) => output.push(`${backend} ${service}: ${line}`),
      });
      stacks.push(stack);
      const config = await writeConfigFile(join(tmp.dir, `${backend}.yml`), tracingFor[backend](SQL_SERVICE));
      const sqlService = await startTracedService(config, { DATABASE_URL: db.url, LITERAL: SECRET });
      fixtures.push(sqlService);
      await plant(backend, stack, sqlService);
    }
  });

  after(async () => {
    await Promise.all([...stacks.map((s) => s.stop()), ...fixtures.map((f) => f.stop())]);
    closeRequestAgent();
    await Promise.all([jaeger?.stop(), zipkin?.stop(), db?.stop()]);
    await removeDir?.();
  });

  test('the planted requests were answered as expected', (t) => {
    t.diagnostic(
      embedded ? `database: PGlite, embedded (no PostgreSQL installed: ${embedded})` : 'database: PostgreSQL',
    );
    for (const backend of ['jaeger', 'zipkin'] as const) {
      const statuses = sent[backend].map((s) => s.status);
      assert.deepEqual(
        statuses,
        [backend === 'jaeger' ? 201 : 409, 409, 200, 200, 200, 200],
        `${backend}: ${JSON.stringify(sent[backend])}`,
      );
    }
  });

  function assertClean(where: string, text: string): void {
    for (const [what, found] of NEEDLES) {
      if (found(text)) {
        const at = text.toLowerCase().indexOf(SECRET.toLowerCase());
        assert.fail(`${what} is in ${where}${at >= 0 ? `: ...${text.slice(Math.max(0, at - 300), at + 60)}...` : ''}`);
      }
    }
  }

  test('Jaeger: every trace of every service, as raw JSON, holds no byte of the secret', async (t) => {
    assert.ok(jaeger);
    const traces = new Map<string, JaegerTrace>();
    for (const s of sent.jaeger) {
      const trace = await waitForJaegerTraceId(
        jaeger.queryUrl,
        s.traceId,
        (trace) =>
          s.services.every((name) =>
            trace.spans.some(
              (span) =>
                jaegerServiceOf(trace, span) === name &&
                span.tags.some((tag) => tag.key === 'span.kind' && tag.value === 'server'),
            ),
          ),
        20_000,
      ).catch((err: Error) => {
        throw new Error(`${s.what}: ${err.message}\n${output.slice(-20).join('\n')}`);
      });
      traces.set(s.what, trace);
    }
    // The places the secret went through are there, only without it.
    const spansOf = (what: string): JaegerSpan[] =>
      [...traces.entries()].find(([w]) => w.startsWith(what))?.[1].spans ?? [];
    const lookup = spansOf('GET /lookup').find((x) => x.operationName.startsWith('SELECT'));
    assert.ok(lookup, 'the SELECT with the literal is traced');
    t.diagnostic(`literal query recorded as: ${String(tagOf(lookup, 'db.query.text'))}`);
    assert.match(String(tagOf(lookup, 'db.query.text')), /relname = /);
    const duplicate = spansOf('POST /clients again').find((x) => x.operationName.startsWith('INSERT'));
    assert.ok(duplicate && tagOf(duplicate, 'error') === true, 'the failing INSERT is traced');
    assert.ok(spansOf('POST /oauth2/token').some((x) => x.operationName === 'bcrypt.compare'));
    assert.ok(spansOf('POST /clients (query').some((x) => x.operationName === 'bcrypt.hash'));
    const services = (JSON.parse(await getText(`${jaeger.queryUrl}/api/services`)) as { data: string[] }).data;
    assert.deepEqual([...services].sort(), ['clients-service', 'gateway', SQL_SERVICE].sort());
    const texts: string[] = [];
    for (const service of services) {
      const text = await getText(
        `${jaeger.queryUrl}/api/traces?${new URLSearchParams({ service, limit: '1000', lookback: '1h' })}`,
      );
      assertClean(`Jaeger's traces of ${service}`, text);
      texts.push(text);
      const ops = await getText(`${jaeger.queryUrl}/api/services/${encodeURIComponent(service)}/operations`);
      assertClean(`Jaeger's operations of ${service}`, ops);
    }
    for (const s of sent.jaeger) {
      const text = await getText(`${jaeger.queryUrl}/api/traces/${s.traceId}`);
      assertClean(`Jaeger's trace of ${s.what}`, text);
      assert.ok(
        texts.some((x) => x.includes(normalizeTraceId(s.traceId))),
        `${s.what}: not listed`,
      );
    }
  });

  test('Zipkin: every trace of every service, as raw JSON, holds no byte of the secret', async () => {
    assert.ok(zipkin);
    for (const s of sent.zipkin) {
      for (const name of s.services) {
        await waitForZipkinTrace(
          zipkin.queryUrl,
          name,
          (trace) =>
            trace.some(
              (span) =>
                span.traceId === s.traceId && span.kind === 'SERVER' && span.localEndpoint?.serviceName === name,
            ),
          20_000,
        ).catch((err: Error) => {
          throw new Error(`${s.what}: ${err.message}\n${output.slice(-20).join('\n')}`);
        });
      }
    }
    const services = JSON.parse(await getText(`${zipkin.queryUrl}/api/v2/services`)) as string[];
    assert.deepEqual([...services].sort(), ['clients-service', 'gateway', SQL_SERVICE].sort());
    const texts: string[] = [];
    for (const serviceName of services) {
      const text = await getText(
        `${zipkin.queryUrl}/api/v2/traces?${new URLSearchParams({ serviceName, limit: '1000', lookback: '3600000' })}`,
      );
      assertClean(`Zipkin's traces of ${serviceName}`, text);
      texts.push(text);
      assertClean(
        `Zipkin's span names of ${serviceName}`,
        await getText(`${zipkin.queryUrl}/api/v2/spans?serviceName=${encodeURIComponent(serviceName)}`),
      );
      assertClean(
        `Zipkin's remote services of ${serviceName}`,
        await getText(`${zipkin.queryUrl}/api/v2/remoteServices?serviceName=${encodeURIComponent(serviceName)}`),
      );
    }
    for (const s of sent.zipkin) {
      assertClean(`Zipkin's trace of ${s.what}`, await getText(`${zipkin.queryUrl}/api/v2/trace/${s.traceId}`));
      assert.ok(
        texts.some((x) => x.includes(s.traceId)),
        `${s.what}: not listed`,
      );
    }
  });

  test('every line the services wrote to stdout and stderr, up to their exit, holds no byte of the secret', async () => {
    // Stopped here (after() stops them again, harmlessly) so that their last lines are in.
    await Promise.all([...stacks.map((s) => s.stop()), ...fixtures.map((f) => f.stop())]);
    const lines = [...output, ...fixtures.flatMap((f) => f.stderr.map((line) => `${SQL_SERVICE}: ${line}`))];
    assert.ok(
      lines.some((l) => /gateway: .*listening on/.test(l)),
      "the services' output is captured",
    );
    assertClean("the services' stdout and stderr", lines.join('\n'));
  });
});
