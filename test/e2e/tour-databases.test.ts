// The example tour (gateway in front of clients-service, both child processes) against a
// real PostgreSQL and a real MariaDB, exporting with the documented Jaeger config (UDP
// agent, remote sampling). The failing `POST /clients` (409) is read back from Jaeger.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  runStep,
  startStack,
  tourSteps,
  TOUR_CLIENT_SECRET,
  type Stack,
  type StepResult,
} from '@tracepack/example-quickstart';
import { isCI, isFixtureUnavailable, startMariadb, startPostgres, type DatabaseServer } from '@tracepack/testing';
import { cleanEnv, parentOf, tagOf, waitForJaegerTraceId } from './helpers';
import {
  e2eSkip,
  jaegerServiceOf,
  normalizeTraceId,
  startJaeger,
  type JaegerServer,
  type JaegerSpan,
  type JaegerTrace,
} from './servers';

const skip = e2eSkip(); // throws under CI=true when the servers are not installed

const BCRYPT_COST = 5;

/** TRACING_* variables spelling README's jaeger block for both services. */
function jaegerEnv(jaeger: JaegerServer): NodeJS.ProcessEnv {
  return {
    ...cleanEnv(),
    TRACING_PROVIDER: 'jaeger',
    TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS: `127.0.0.1:${jaeger.agentCompactPort}`,
    TRACING_PROVIDERS_JAEGER_SAMPLING_SERVER_URL: `${jaeger.samplingUrl}/sampling`,
    BCRYPT_COST: String(BCRYPT_COST),
  };
}

interface Engine {
  name: 'PostgreSQL' | 'MariaDB';
  start: () => Promise<DatabaseServer>;
  serviceEnv: (db: DatabaseServer) => NodeJS.ProcessEnv;
  /** The duplicate-key error as the INSERT span records it. */
  duplicate: (span: JaegerSpan) => void;
}

const engines: Engine[] = [
  {
    name: 'PostgreSQL',
    start: () => startPostgres(),
    serviceEnv: (db) => ({ DATABASE_URL: db.url, MYSQL_URL: '' }),
    duplicate: (span) => {
      assert.equal(String(tagOf(span, 'db.response.status_code')), '23505');
    },
  },
  {
    name: 'MariaDB',
    start: () => startMariadb(),
    serviceEnv: (db) => ({ MYSQL_URL: db.url, DATABASE_URL: '' }),
    duplicate: (span) => {
      const codes = [tagOf(span, 'db.response.status_code'), tagOf(span, 'error.type')].map(String);
      assert.ok(codes.includes('1062') || codes.includes('ER_DUP_ENTRY'), JSON.stringify(span.tags));
    },
  },
];

for (const engine of engines) {
  describe(`e2e: the example tour on ${engine.name}, traced to Jaeger`, { skip }, () => {
    let jaeger: JaegerServer | undefined;
    let db: DatabaseServer | undefined;
    let stack: Stack | undefined;
    let unavailable: string | undefined;
    const output: string[] = [];
    const results: StepResult[] = [];
    const clientId = `e2e-${engine.name.toLowerCase()}-${Date.now().toString(36)}`;

    before(async () => {
      try {
        db = await engine.start();
      } catch (err) {
        if (isFixtureUnavailable(err) && !isCI()) {
          unavailable = (err as Error).message;
          return;
        }
        throw err;
      }
      jaeger = await startJaeger();
      stack = await startStack({
        databaseUrl: '',
        servicePort: 0,
        gatewayPort: 0,
        env: jaegerEnv(jaeger),
        serviceEnv: { 'clients-service': engine.serviceEnv(db) },
        onLine: (service, line) => output.push(`${service}: ${line}`),
      });
      for (const step of tourSteps(clientId).slice(0, 2)) results.push(await runStep(stack.gatewayUrl, step));
    });

    after(async () => {
      await stack?.stop();
      await Promise.all([db?.stop(), jaeger?.stop()]);
    });

    /** The trace of `result` once it holds both SERVER spans, the gateway's CLIENT span and `children` under clients-service. */
    async function traceOf(result: StepResult, children: string[]): Promise<JaegerTrace> {
      assert.ok(jaeger);
      return waitForJaegerTraceId(
        jaeger.queryUrl,
        result.traceId,
        (t) => {
          const names = t.spans.map((s) => `${jaegerServiceOf(t, s)}:${s.operationName}`);
          return (
            names.filter((n) => n === 'gateway:POST /clients' || n === 'clients-service:POST /clients').length >= 2 &&
            t.spans.some((s) => jaegerServiceOf(t, s) === 'gateway' && tagOf(s, 'span.kind') === 'client') &&
            children.every((c) => names.some((n) => n.startsWith(`clients-service:${c}`)))
          );
        },
        20_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${output.slice(-30).join('\n')}`);
      });
    }

    test('answers 201, then 409 for the same client', (t) => {
      if (unavailable) return t.skip(unavailable);
      assert.deepEqual(
        results.map((r) => r.status),
        [201, 409],
        results.map((r) => `${r.step.title}: ${r.status} ${r.body}`).join('\n'),
      );
    });

    test('the 409 trace: gateway above clients-service, bcrypt.hash, the failing INSERT without values', async (t) => {
      if (unavailable) return t.skip(unavailable);
      const conflict = results[1];
      assert.ok(conflict && conflict.status === 409);
      const trace = await traceOf(conflict, ['bcrypt.hash', 'INSERT']);
      assert.equal(
        normalizeTraceId(trace.traceID),
        normalizeTraceId(conflict.traceId),
        'the trace id sent in traceparent',
      );
      const by = (service: string, pred: (s: JaegerSpan) => boolean): JaegerSpan => {
        const span = trace.spans.find((s) => jaegerServiceOf(trace, s) === service && pred(s));
        assert.ok(
          span,
          `${service} span in ${JSON.stringify(trace.spans.map((s) => `${jaegerServiceOf(trace, s)}:${s.operationName}`))}`,
        );
        return span;
      };
      const gatewayServer = by('gateway', (s) => tagOf(s, 'span.kind') === 'server');
      const gatewayClient = by('gateway', (s) => tagOf(s, 'span.kind') === 'client');
      const root = by('clients-service', (s) => tagOf(s, 'span.kind') === 'server');
      const hash = by('clients-service', (s) => s.operationName === 'bcrypt.hash');
      const insert = by('clients-service', (s) => s.operationName.startsWith('INSERT'));

      // The chain: caller -> gateway SERVER -> gateway CLIENT -> clients-service SERVER -> children.
      assert.equal(parentOf(gatewayServer), conflict.parentSpanId);
      assert.equal(parentOf(gatewayClient), gatewayServer.spanID);
      assert.equal(parentOf(root), gatewayClient.spanID);
      assert.equal(parentOf(hash), root.spanID);
      assert.equal(parentOf(insert), root.spanID);

      assert.equal(root.operationName, 'POST /clients');
      assert.equal(Number(tagOf(root, 'http.response.status_code')), 409);
      assert.equal(tagOf(root, 'error'), true);
      assert.equal(gatewayServer.operationName, 'POST /clients');
      assert.equal(tagOf(gatewayServer, 'error'), true);

      assert.equal(Number(tagOf(hash, 'bcrypt.work_factor')), BCRYPT_COST);

      assert.equal(tagOf(insert, 'error'), true);
      engine.duplicate(insert);
      const text = String(tagOf(insert, 'db.query.text'));
      assert.match(text, /^INSERT INTO clients/i);
      assert.ok(!text.includes(clientId), `db.query.text holds the client id: ${text}`);
      const all = JSON.stringify(trace);
      assert.ok(!all.includes(clientId), 'the client id (a SQL value) is somewhere in the trace');
      assert.ok(!all.includes(TOUR_CLIENT_SECRET), 'the client secret is in the trace');
      assert.ok(!/\$2[aby]\$/.test(all), 'a bcrypt hash is in the trace');
    });
  });
}
