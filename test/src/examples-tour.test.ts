// The quickstart examples end to end: clients-service and the gateway as child processes
// exporting OTLP to a receiver in this process, the embedded PostgreSQL, the tour's requests;
// then the tour itself (`npm run quickstart` with QUICKSTART_EXIT=1), its printed waterfalls and
// the usage report it ends with (clients-service reporting to the collector the tour starts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@tracepack/example-clients-service';
import {
  runStep,
  startStack,
  tourSteps,
  TOUR_CLIENT_ID,
  TOUR_CLIENT_SECRET,
  newTraceParent,
  type Stack,
  type StepResult,
} from '@tracepack/example-quickstart';
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '@tracepack/testing';

const ROOT = join(__dirname, '..', '..', '..');
const TOUR = join(ROOT, 'examples', 'quickstart', 'dist', 'tour.js');
const BCRYPT_COST = 8;
const OTLP_STATUS_ERROR = 2;

/** process.env without tracing and usage variables (or usage opt-outs) of the developer's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const dropped = new Set([
    'DATABASE_URL',
    'MYSQL_URL',
    'DO_NOT_TRACK',
    'DISABLE_TELEMETRY',
    'TRACEPACK_ENABLE_TELEMETRY',
  ]);
  for (const [k, v] of Object.entries(process.env))
    if (!/^(TRACING_|OTEL_|QUICKSTART_|SQA_|TRACEPACK_USAGE_)/.test(k) && !dropped.has(k)) env[k] = v;
  return env;
}

async function waitUntil<T>(get: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('examples: clients-service behind the gateway, traced over OTLP', () => {
  let receiver: OtlpReceiver;
  let db: EmbeddedPostgres;
  let stack: Stack;
  const output: string[] = [];
  const results: StepResult[] = [];
  let healthTraceId: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    db = await startEmbeddedPostgres();
    stack = await startStack({
      databaseUrl: db.url,
      servicePort: 0,
      gatewayPort: 0,
      env: {
        ...cleanEnv(),
        TRACING_PROVIDER: 'otlp',
        TRACING_PROVIDERS_OTLP_SERVER_URL: receiver.url,
        TRACING_PROVIDERS_OTLP_PROTOCOL: 'http/protobuf',
        BCRYPT_COST: String(BCRYPT_COST),
      },
      onLine: (service, line) => output.push(`${service}: ${line}`),
    });
    // Not traced (default ignore list); sent first, so its spans would have arrived by the end.
    const tp = newTraceParent();
    healthTraceId = tp.traceId;
    const health = await fetch(`${stack.serviceUrl}/health/alive`, { headers: { traceparent: tp.header } });
    assert.equal(health.status, 200);
    await health.arrayBuffer();
    for (const step of tourSteps()) results.push(await runStep(stack.gatewayUrl, step));
  });

  after(async () => {
    await stack?.stop();
    await db?.stop();
    await receiver?.stop();
  });

  const stepFor = (status: number): StepResult => {
    const r = results.find((x) => x.step.expectedStatus === status);
    assert.ok(r, `no step expecting ${status}`);
    return r;
  };
  const spansOf = (traceId: string): DecodedSpan[] => receiver.spans.filter((s) => s.traceId === traceId);

  /** Waits until the trace holds the spans `names` of clients-service (besides both SERVER spans and the gateway's CLIENT span). */
  async function trace(result: StepResult, serviceChildren: string[]) {
    return waitUntil(
      () => {
        const spans = spansOf(result.traceId);
        const gatewayServer = spans.find((s) => s.serviceName === 'gateway' && s.kind === 'SERVER');
        const gatewayClient = spans.find((s) => s.serviceName === 'gateway' && s.kind === 'CLIENT');
        const server = spans.find((s) => s.serviceName === 'clients-service' && s.kind === 'SERVER');
        if (!gatewayServer || !gatewayClient || !server) return undefined;
        const children = spans.filter((s) => s.serviceName === 'clients-service' && s.parentSpanId === server.spanId);
        if (!serviceChildren.every((prefix) => children.some((c) => c.name.startsWith(prefix)))) return undefined;
        return { spans, gatewayServer, gatewayClient, server, children };
      },
      15_000,
      () =>
        `trace ${result.traceId} (${result.step.title}); got ${JSON.stringify(spansOf(result.traceId).map((s) => `${s.serviceName}:${s.name}`))}\n${output.join('\n')}`,
    );
  }

  it('answers every tour step as expected', () => {
    assert.deepEqual(
      results.map((r) => r.status),
      results.map((r) => r.step.expectedStatus),
      results.map((r) => `${r.step.title}: ${r.status} ${r.body}`).join('\n'),
    );
    const created = JSON.parse(stepFor(201).body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(created).sort(), ['client_id', 'created_at']);
    assert.deepEqual(JSON.parse(stepFor(409).body), { error: 'conflict' });
    const token = JSON.parse(stepFor(200).body) as Record<string, unknown>;
    assert.equal(token.token_type, 'bearer');
    assert.equal(typeof token.access_token, 'string');
    assert.equal(typeof token.expires_in, 'number');
    assert.deepEqual(JSON.parse(stepFor(401).body), { error: 'invalid_client' });
    assert.deepEqual(JSON.parse(stepFor(404).body), { error: 'not_found' });
  });

  it("makes ONE trace per request across the gateway and clients-service, under the caller's traceparent", async () => {
    for (const result of results) {
      const children =
        result.step.path === '/clients'
          ? ['bcrypt.hash', 'INSERT']
          : result.step.path === '/oauth2/token'
            ? ['SELECT', 'bcrypt.compare']
            : ['SELECT'];
      const t = await trace(result, children);
      assert.equal(t.gatewayServer.parentSpanId, result.parentSpanId, "the gateway joins the caller's span");
      assert.equal(t.gatewayClient.parentSpanId, t.gatewayServer.spanId, "fetch runs under the gateway's SERVER span");
      assert.equal(
        t.server.parentSpanId,
        t.gatewayClient.spanId,
        "clients-service continues the gateway's CLIENT span",
      );
      assert.deepEqual(new Set(t.spans.map((s) => s.serviceName)), new Set(['gateway', 'clients-service']));
    }
  });

  it('names the root spans after the route and tags them with the status; errors only from 400 up', async () => {
    const expectedNames: Record<number, string> = {
      201: 'POST /clients',
      409: 'POST /clients',
      200: 'POST /oauth2/token',
      401: 'POST /oauth2/token',
      404: 'GET /clients/:id',
    };
    for (const result of results) {
      const t = await trace(result, []);
      for (const root of [t.gatewayServer, t.server]) {
        assert.equal(root.name, expectedNames[result.status], `${root.serviceName} root of ${result.step.title}`);
        assert.equal(root.attributes['http.response.status_code'], result.status);
        assert.equal(
          root.status.code === OTLP_STATUS_ERROR,
          result.status >= 400,
          `${root.serviceName} ${root.name} ${result.status}: status ${JSON.stringify(root.status)}`,
        );
      }
    }
  });

  it('records bcrypt with its work factor, and the SQL statements without values', async () => {
    const created = await trace(stepFor(201), ['bcrypt.hash', 'INSERT']);
    const hash = created.children.find((s) => s.name === 'bcrypt.hash')!;
    assert.equal(hash.attributes['bcrypt.work_factor'], BCRYPT_COST);
    const insert = created.children.find((s) => s.name.startsWith('INSERT'))!;
    const text = String(insert.attributes['db.query.text']);
    assert.match(text, /^INSERT INTO clients \(client_id, client_secret_hash\) VALUES \(\$1, \$2\)/);
    assert.notEqual(insert.status.code, OTLP_STATUS_ERROR);

    const token = await trace(stepFor(200), ['SELECT', 'bcrypt.compare']);
    assert.equal(
      token.children.find((s) => s.name === 'bcrypt.compare')!.attributes['bcrypt.work_factor'],
      BCRYPT_COST,
    );

    // Nothing anywhere holds the secret, its hash or the client id, in any form: the id is in
    // the tour's paths (GET /clients/demo-app), bodies and SQL parameters.
    const all = JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    assert.ok(!all.includes(TOUR_CLIENT_SECRET), 'the client secret is in a span');
    assert.ok(!/\$2[aby]\$/.test(all), 'a bcrypt hash is in a span');
    assert.ok(!all.includes(TOUR_CLIENT_ID), `the client id "${TOUR_CLIENT_ID}" is in a span`);
  });

  it('marks the duplicate INSERT (409) as an error with SQLSTATE 23505, and its root span too', async () => {
    const t = await trace(stepFor(409), ['bcrypt.hash', 'INSERT']);
    const insert = t.children.find((s) => s.name.startsWith('INSERT'))!;
    assert.equal(insert.status.code, OTLP_STATUS_ERROR);
    assert.equal(String(insert.attributes['db.response.status_code']), '23505');
    assert.doesNotMatch(String(insert.attributes['db.query.text']), /demo-app/);
    assert.equal(t.server.status.code, OTLP_STATUS_ERROR);
    assert.equal(t.gatewayServer.status.code, OTLP_STATUS_ERROR);
  });

  it('does not trace the health check (default ignore list)', async () => {
    // Every tour trace has arrived by now (checked above), and the health request came first.
    await trace(results.at(-1)!, ['SELECT']);
    assert.deepEqual(spansOf(healthTraceId), []);
  });
});

describe('examples: npm run quickstart (QUICKSTART_EXIT=1, provider console)', () => {
  it('prints each step, then the waterfalls of both services with the same trace ids, without colour codes', async () => {
    const child = spawn(process.execPath, [TOUR], {
      cwd: ROOT,
      env: { ...cleanEnv(), QUICKSTART_EXIT: '1', QUICKSTART_SERVICE_PORT: '0', QUICKSTART_GATEWAY_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, `${stdout}\n${stderr}`);

    assert.ok(!stdout.includes('\u001b'), 'ESC in the output of a pipe');
    const steps = stdout.split('\n').filter((l) => /^\[\d\/5\] /.test(l));
    assert.equal(steps.length, 5, stdout);
    for (const [i, status] of ['201', '409', '200', '401', '404'].entries())
      assert.match(steps[i]!, new RegExp(` … ${status} `));

    // Each step's trace id, printed by the tour, heads a waterfall of each service.
    const ids = [...stdout.matchAll(/^ {6}trace ([0-9a-f]{32})$/gm)].map((m) => m[1]!);
    assert.equal(ids.length, 5, stdout);
    for (const id of ids) {
      for (const service of ['gateway', 'clients-service']) {
        const header = stdout
          .split('\n')
          .find((l) => l.trimStart().startsWith(`${service} │`) && l.includes(`trace ${id.slice(0, 8)}`));
        assert.ok(header, `no ${service} waterfall for trace ${id}:\n${stdout}`);
      }
    }
    assert.match(stdout, /clients-service │ .*POST \/clients +409/);
    assert.match(stdout, /bcrypt\.hash/);
    assert.match(stdout, /bcrypt\.work_factor=10/);
    // The statement may wrap onto the next line of the same service (80 columns, prefix included).
    assert.match(stdout, /INSERT INTO clients \(client_id, client_secret_hash\)(?: |\n[^\n]*│\s+)VALUES \(\$1, \$2\)/);
    for (const line of stdout.split('\n')) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`);
    assert.match(stdout, /db\.response\.status_code=23505/);
    assert.match(stdout, /Tour done: 5 requests answered as expected/);

    // Then the usage statistics of the tour: the tour's requests as stored by the collector,
    // and the markdown report; route templates only, never the client id of the paths.
    const start = stdout.indexOf('Usage statistics: what clients-service reported about the tour');
    assert.ok(start > stdout.indexOf('Tour done'), `no usage section after the tour:\n${stdout}`);
    const usage = stdout.slice(start);
    assert.doesNotMatch(usage, /not every request of the tour is in a stored report yet/);
    for (const [endpoint, status] of [
      ['POST /clients', 201],
      ['POST /clients', 409],
      ['POST /oauth2/token', 200],
      ['POST /oauth2/token', 401],
      ['GET /clients/:id', 404],
    ] as const) {
      assert.match(
        usage,
        new RegExp(`^\\| ${endpoint.replace(/[/]/g, '\\/')} +\\| +${status} \\| +1 \\|$`, 'm'),
        `${endpoint} ${status} not in the usage section:\n${usage}`,
      );
    }
    assert.ok(!usage.includes(TOUR_CLIENT_ID), `the client id "${TOUR_CLIENT_ID}" is in the usage section:\n${usage}`);
    assert.match(usage, /^\$ tracepack usage report --since 1d --format md/m);
    assert.match(usage, /^# Usage report$/m);
    assert.match(usage, /\b1 test instances\b/); // local (or CI, where CI is set)
    assert.match(usage, /^## Privacy filter$/m);
  });
});
