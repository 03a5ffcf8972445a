// The example services under random input, as a new user's curl or a scanner sends it:
// clients-service and the gateway in front of it (started as the tour starts them, tracing on,
// exporting OTLP to a receiver in this process), then the usage collector. Every request is
// drawn from the suite seed (see fuzz-arbitraries.ts), so a failure replays with its FUZZ_SEED.
//
// What must hold: no 5xx (the gateway's 502/504 only when the upstream is down, which it is not
// here); both services still answer /health/alive; the 4xx of the services carry the status and
// the error status on their SERVER span; and a canary planted in ids, secrets, bodies, query
// strings and headers is in no response of an error, no span and no line either service writes.
// FUZZ_EXAMPLE_REQUESTS=<n> changes the number of requests (3000 by default).
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@tracepack/example-clients-service';
import { startStack, type Stack } from '@tracepack/example-quickstart';
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '@tracepack/testing';
import { startUsageCollector, type UsageCollector } from '@tracepack/usage-collector';
import {
  FORMAT_HEADERS,
  anyText,
  garbageValue,
  headerValueText,
  oversize,
  sampleCases,
  scratchDir,
  stringOf,
  suiteName,
  traceHeaderCase,
  traceIdArb,
  spanIdArb,
  wellFormed,
  DIGITS,
  LOWER,
} from './fuzz-arbitraries';

const REQUESTS = Number(process.env.FUZZ_EXAMPLE_REQUESTS ?? 3000);
const CONCURRENCY = 48;
const OTLP_STATUS_ERROR = 2;
/**
 * Planted in what clients send; must come back in no error answer, span or log line. It is
 * id-like by instrumentation-http's rules (two digits), as most ids and secrets are: a word-like
 * value in a path would be kept in `url.path` / `url.full` by design of scrubPath (paths no
 * route matches, and the gateway's outgoing CLIENT span, which is not route-aware).
 */
const CANARY = process.env.FUZZ_EXAMPLE_CANARY || 'zq7canary7x';

/** process.env without tracing variables of the developer's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(TRACING_|OTEL_|QUICKSTART_|SQA_)/.test(k) && k !== 'DATABASE_URL' && k !== 'MYSQL_URL') env[k] = v;
  return env;
}

// ---------------------------------------------------------------------------------------------
// Requests

interface FuzzRequest {
  target: 'service' | 'gateway';
  method: string;
  /** Sent as is: printable ASCII only (what node:http lets a client write on the request line). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The trace id of a traceparent of ours, when the request carries one (its spans are checked). */
  traceId?: string;
}

const withCanary = (s: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(s, s).map(([a, b]) => `${a}${CANARY}${b}`);
const token = stringOf(`${LOWER}${DIGITS}-._~`, 1, 20);
/** Percent-encodes what may not stand in a request target, and keeps broken escapes as they are. */
const pct = (s: string): string => encodeURIComponent(wellFormed(s));

/**
 * Path segments: well-formed, NUL, controls, lone surrogates, broken escapes, oversize; with
 * `planted`, some carry the canary. It is planted only where a route takes a value (`:id`) and
 * in query strings: the `url.path` of a path no route matches keeps its word-like segments
 * (instrumentation-http's scrubPath replaces the id-like ones only).
 */
const segment = (planted: boolean): fc.Arbitrary<string> => {
  const mark = planted ? CANARY : 'x';
  const maybe = (s: fc.Arbitrary<string>): fc.Arbitrary<string> => (planted ? withCanary(s) : s);
  return fc.oneof(
    token,
    maybe(token),
    anyText(30).map(pct),
    maybe(anyText(10)).map(pct),
    fc.constantFrom(
      '%00',
      `${mark}%00`,
      '%00%00',
      '%01',
      '%1F',
      '%7F',
      '%0A',
      '%C2%85',
      '%ED%A0%80',
      '%ED%B0%80x',
      '%E0%A4%A',
      '%E0%A4',
      '%FF',
      '%C0%AF',
      '%',
      '%G1',
      '%2F',
      '%2e%2e',
      '..',
      '.',
      '%20',
      '+',
    ),
    fc
      .array(fc.constantFrom('%00', '%E0%A4%A', '%ED%A0%80', 'a', mark, '%', '-', '%F0%9F%98%80'), {
        minLength: 1,
        maxLength: 6,
      })
      .map((p) => p.join('')),
    oversize(token, 256, 4000),
  );
};
const pathId = segment(true);
const otherSegment = segment(false);

const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.array(fc.tuple(fc.oneof(token, pathId), fc.oneof(pathId, withCanary(token))), { maxLength: 5 }),
        fc.constantFrom('&', ';'),
      )
      .map(([pairs, sep]) => `?${pairs.map(([k, v]) => `${k}=${v}`).join(sep)}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?',
      '??',
      '?%',
      '?a=%E0%A4%A',
      `?client_id=${CANARY}%00`,
      '?&&=&',
      '?a[b]=1&a[c]=2',
      '?__proto__=x',
    ),
  },
);

const path: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: pathId.map((id) => `/clients/${id}`) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/clients',
          '/clients/',
          '/oauth2/token',
          '/oauth2/token/',
          '/oauth2/',
          '/health/alive',
          '/health/ready',
        ),
      },
      { weight: 1, arbitrary: fc.tuple(otherSegment, otherSegment).map(([a, b]) => `/clients/${a}/${b}`) },
      { weight: 1, arbitrary: fc.array(otherSegment, { maxLength: 4 }).map((segs) => `/${segs.join('/')}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '//127.0.0.1:1/clients',
          '//example.invalid/clients/x',
          '/clients/../health/alive',
          '/clients/%2e%2e/admin',
          '/clients/..%2f..%2fetc',
          '/oauth2/../clients',
          '*',
          '/%',
          '/clients%00',
          'http://example.invalid/clients',
        ),
      },
    ),
    queryString,
  )
  .map(([p, q]) => `${p}${q}`);

/** `Basic` credentials: well-formed or not, planted in the id and the secret. */
const authorization: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.oneof(token, withCanary(token), withCanary(anyText(8))),
      fc.oneof(withCanary(token), withCanary(anyText(20)), anyText(80)),
    )
    .map(([id, secret]) => `Basic ${Buffer.from(`${pct(id)}:${pct(secret)}`).toString('base64')}`),
  fc
    .tuple(withCanary(anyText(10)), withCanary(anyText(10)))
    .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
  withCanary(token).map((t) => `Basic ${Buffer.from(`${t}%00:secret%E0%A4%A`).toString('base64')}`),
  withCanary(token).map((t) => `Basic ${Buffer.from(`${t}`).toString('base64')}`),
  fc.uint8Array({ maxLength: 80 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
  withCanary(token).map((t) => `Basic ${t}`),
  withCanary(token).map((t) => `Bearer ${t}`),
  fc.constantFrom('Basic', 'Basic ', 'Basic ====', 'Basic Og==', 'basic YTpi', 'Basic YTpi YTpi', 'Digest x'),
  headerValueText(80),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded; charset=koi8-r',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  ';;;',
  'application/',
  '*/*',
);

const jsonBody: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.oneof(token, withCanary(token), withCanary(anyText(10))),
      fc.oneof(withCanary(stringOf(LOWER, 8, 20)), withCanary(anyText(30)), anyText(100)),
    )
    .map(([id, secret]) => JSON.stringify({ client_id: id, client_secret: secret })),
  fc
    .record(
      { client_id: fc.jsonValue({ maxDepth: 2 }), client_secret: fc.jsonValue({ maxDepth: 2 }) },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  withCanary(anyText(20)).map((s) => `{"client_id": "${s}`),
  fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '"x"',
    '{"__proto__":{"client_id":"x"}}',
    `{"client_id":"${CANARY}\\u0000","client_secret":"${CANARY}-secret"}`,
    `{"client_id":"${CANARY}","client_secret":"\\ud800${CANARY}"}`,
  ),
  oversize(
    withCanary(token).map((t) => `"${t}",`),
    17_000,
    40_000,
  ).map((s) => `[${s}0]`),
);

const formBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'grant_type=client_credentials',
    'grant_type=client_credentials&grant_type=client_credentials',
    'grant_type=',
    'grant_type',
    '',
    '&&&',
    'grant_type=password',
    'grant_type=%E0%A4%A',
    'grant_type=client_credentials%00',
    'grant_type[]=client_credentials',
  ),
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constant('grant_type'),
          fc.constant('client_id'),
          fc.constant('client_secret'),
          fc.constant('scope'),
          pathId,
        ),
        fc.oneof(fc.constant('client_credentials'), pathId, withCanary(token)),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  oversize(
    withCanary(token).map((t) => `x=${t}&`),
    17_000,
    40_000,
  ),
);

const body: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 16, arbitrary: jsonBody.map((s) => Buffer.from(s)) },
  { weight: 12, arbitrary: formBody.map((s) => Buffer.from(s)) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  // Over the gateway's limit (1 MiB): rare, each costs a few milliseconds.
  { weight: 1, arbitrary: fc.integer({ min: 1_100_000, max: 1_300_000 }).map((n) => Buffer.alloc(n, `${CANARY},`)) },
);

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    target: fc.constantFrom<FuzzRequest['target']>('service', 'gateway'),
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'POST', 'DELETE') },
      { weight: 1, arbitrary: fc.constantFrom('HEAD', 'PUT', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND') },
    ),
    path,
    trace: traceHeaderCase({ headerSafe: true }),
    ours: fc.option(fc.tuple(traceIdArb, spanIdArb), { nil: undefined }),
    authorization: fc.option(authorization, { nil: undefined }),
    contentType: fc.option(contentType, { nil: undefined }),
    contentEncoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'), {
      nil: undefined,
      freq: 8,
    }),
    gzipped: fc.boolean(),
    planted: fc.option(
      withCanary(garbageValue({ headerSafe: true, big: false })).filter(
        (v) => /^[\t\x20-\x7e]*$/.test(v) && v.trim() === v,
      ),
      { nil: undefined },
    ),
    body: fc.option(body, { nil: undefined, freq: 4 }),
  })
  .map((r) => {
    const headers: Record<string, string> = { ...r.trace.headers };
    let traceId: string | undefined;
    if (r.ours) {
      for (const name of Object.values(FORMAT_HEADERS).flat()) delete headers[name];
      headers.traceparent = `00-${r.ours[0]}-${r.ours[1]}-01`;
      traceId = r.ours[0];
    }
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    if (r.contentEncoding !== undefined) headers['content-encoding'] = r.contentEncoding;
    if (r.planted !== undefined) headers['x-planted'] = r.planted;
    const sendsBody = r.method !== 'GET' && r.method !== 'HEAD' && r.body !== undefined;
    const payload = sendsBody ? (r.contentEncoding === 'gzip' && r.gzipped ? gzipSync(r.body!) : r.body!) : undefined;
    return { target: r.target, method: r.method, path: r.path, headers, body: payload, traceId };
  });

interface Answer {
  /** -1: the server closed the connection while the body was still being written (after a refusal). */
  status: number;
  body: string;
  ms: number;
}

/** Longer than this for one request is a stall (a connection left waiting), not load. */
const STALL_MS = 3000;

function send(agent: Agent, base: URL, r: FuzzRequest): Promise<Answer> {
  const started = performance.now();
  return new Promise<Omit<Answer, 'ms'>>((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        headers: r.body ? { ...r.headers, 'content-length': String(r.body.length) } : r.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
    // A server may answer (413) and close before the whole body is written: the answer counts.
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET'
        ? resolve({ status: -1, body: '' })
        : reject(err),
    );
    req.end(r.body);
  }).then((a) => ({ ...a, ms: performance.now() - started }));
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

function describeRequest(r: FuzzRequest): string {
  const body = r.body
    ? ` body ${r.body.length} bytes: ${JSON.stringify(r.body.subarray(0, 160).toString('latin1'))}`
    : '';
  return `${r.target} ${r.method} ${r.path.slice(0, 200)} headers ${JSON.stringify(r.headers).slice(0, 400)}${body}`;
}

// ---------------------------------------------------------------------------------------------

describe(suiteName('examples: clients-service and the gateway take random requests'), () => {
  let receiver: OtlpReceiver;
  let db: EmbeddedPostgres;
  let stack: Stack;
  const lines: string[] = [];
  const exits: string[] = [];
  const cases = sampleCases(fuzzRequest, REQUESTS);
  const answers: Answer[] = [];
  let elapsedMs = 0;

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
        BCRYPT_COST: '4',
      },
      onLine: (service, line) => lines.push(`${service}: ${line}`),
    });
    stack.onUnexpectedExit((service, code, tail) => exits.push(`${service} exited (${code}):\n${tail}`));
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const bases = { service: new URL(stack.serviceUrl), gateway: new URL(stack.gatewayUrl) };
    const started = performance.now();
    await pool(cases, CONCURRENCY, async (r, i) => {
      answers[i] = await send(agent, bases[r.target], r);
    });
    elapsedMs = performance.now() - started;
    agent.destroy();
  });

  after(async () => {
    await stack?.stop();
    await db?.stop();
    await receiver?.stop();
  });

  it(`answers ${REQUESTS} random requests with no 5xx, errors as short JSON without the planted value`, () => {
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    const summary = [...statuses]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    console.log(`examples fuzz: ${REQUESTS} requests in ${Math.round(elapsedMs)} ms (${summary})`);
    const bad = cases.flatMap((r, i) => {
      const a = answers[i]!;
      const problems: string[] = [];
      if (a.status >= 500 || a.status === 0) problems.push(`status ${a.status}`);
      if (a.ms > STALL_MS) problems.push(`answered after ${Math.round(a.ms)} ms`);
      if (a.status >= 400 && a.body.includes(CANARY)) problems.push('the answer holds the planted value');
      if (a.status >= 400 && r.method !== 'HEAD' && a.body !== '' && !/^\{"error":"[a-z_]+"/.test(a.body))
        problems.push('the answer is not a JSON error');
      return problems.length ? [`${problems.join(', ')}: ${describeRequest(r)} -> ${a.body.slice(0, 200)}`] : [];
    });
    assert.deepEqual(
      bad.slice(0, 10),
      [],
      `${bad.length} of ${REQUESTS} requests failed (first 10 shown)\n${lines.slice(-20).join('\n')}`,
    );
    assert.deepEqual(exits, []);
  });

  it('answers the known bad inputs with the status and the field they deserve, on both services', async () => {
    const json = { 'content-type': 'application/json' };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const basic = (raw: string): Record<string, string> => ({
      ...form,
      authorization: `Basic ${Buffer.from(raw).toString('base64')}`,
    });
    type Known = [
      method: string,
      path: string,
      headers: Record<string, string>,
      body: string | undefined,
      status: number,
      field: string | undefined,
    ];
    const known: Known[] = [
      ['GET', `/clients/${CANARY}%00`, {}, undefined, 400, 'id'],
      ['DELETE', `/clients/%01${CANARY}`, {}, undefined, 400, 'id'],
      ['GET', '/clients/%E0%A4%A', {}, undefined, 400, 'path'],
      ['GET', '/clients/%ED%A0%80', {}, undefined, 400, 'path'],
      ['GET', `/clients/${'a'.repeat(256)}`, {}, undefined, 400, 'id'],
      ['GET', '/clients/no%20such', {}, undefined, 404, undefined],
      ['PUT', '/clients/x', {}, undefined, 405, 'method'],
      ['POST', '/clients', json, '{"client_id":', 400, 'body'],
      [
        'POST',
        '/clients',
        json,
        JSON.stringify({ client_id: 42, client_secret: `${CANARY}-secret` }),
        400,
        'client_id',
      ],
      [
        'POST',
        '/clients',
        json,
        JSON.stringify({ client_id: 'ok-id', client_secret: `${CANARY}\u0000secret` }),
        400,
        'client_secret',
      ],
      [
        'POST',
        '/clients',
        json,
        JSON.stringify({ client_id: 'ok-id', client_secret: `\ud800${CANARY}secret` }),
        400,
        'client_secret',
      ],
      ['POST', '/clients', { 'content-type': 'text/plain' }, CANARY, 415, 'content-type'],
      ['POST', '/oauth2/token', form, 'grant_type=client_credentials&grant_type=client_credentials', 400, 'grant_type'],
      ['POST', '/oauth2/token', form, `scope=${CANARY}`, 400, 'grant_type'],
      ['POST', '/oauth2/token', json, '{"grant_type":"client_credentials"}', 415, 'content-type'],
      [
        'POST',
        '/oauth2/token',
        { ...form, authorization: `Basic ${CANARY}!` },
        'grant_type=client_credentials',
        400,
        'authorization',
      ],
      ['POST', '/oauth2/token', basic(`${CANARY}%00:secret`), 'grant_type=client_credentials', 400, 'authorization'],
      ['POST', '/oauth2/token', basic(`${CANARY}:%E0%A4%A`), 'grant_type=client_credentials', 400, 'authorization'],
      ['POST', '/oauth2/token', basic(CANARY), 'grant_type=client_credentials', 400, 'authorization'],
      ['POST', '/oauth2/token', basic(`${CANARY}:${'s'.repeat(80)}`), 'grant_type=client_credentials', 401, undefined],
    ];
    const failures: string[] = [];
    for (const base of [stack.serviceUrl, stack.gatewayUrl]) {
      for (const [method, p, headers, body, status, field] of known) {
        const a = await send(new Agent(), new URL(base), {
          target: 'service',
          method,
          path: p,
          headers,
          body: body === undefined ? undefined : Buffer.from(body),
        });
        const got = a.body ? (JSON.parse(a.body) as { field?: string }).field : undefined;
        // The gateway refuses control characters in any path segment: for it, the path is wrong.
        const expected = base === stack.gatewayUrl && field === 'id' && /%0|%7F/i.test(p) ? 'path' : field;
        if (a.status !== status || got !== expected || a.body.includes(CANARY))
          failures.push(
            `${base} ${method} ${p.slice(0, 60)} ${body?.slice(0, 60) ?? ''}: ${a.status} ${a.body} (expected ${status} ${expected ?? ''})`,
          );
      }
    }
    assert.deepEqual(failures, []);
  });

  it('still answers /health/alive on both services', async () => {
    for (const url of [stack.serviceUrl, stack.gatewayUrl]) {
      const res = await fetch(`${url}/health/alive`);
      assert.equal(res.status, 200, url);
      assert.deepEqual(await res.json(), { status: 'ok' });
    }
  });

  it('tags the SERVER span of each refused request with its status and as an error', async () => {
    const expected = cases.flatMap((r, i) => {
      const status = answers[i]!.status;
      // Spans of the routes only (health checks are not traced), reached as written.
      // 431 and 414 come from node:http itself, before any handler (and any span).
      if (
        !r.traceId ||
        status < 400 ||
        status === 431 ||
        status === 414 ||
        !/^\/(clients|oauth2)(\/|\?|$)/.test(r.path) ||
        /\.\.|%2e/i.test(r.path)
      )
        return [];
      return [{ r, status, service: r.target === 'service' ? 'clients-service' : 'gateway' }];
    });
    assert.ok(expected.length > 100, `only ${expected.length} refused requests carry a traceparent of ours`);
    const find = (traceId: string, service: string): DecodedSpan | undefined =>
      receiver.spans.find((s) => s.traceId === traceId && s.serviceName === service && s.kind === 'SERVER');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && expected.some((e) => !find(e.r.traceId!, e.service)))
      await new Promise((r) => setTimeout(r, 100));
    const bad = expected.flatMap(({ r, status, service }) => {
      const span = find(r.traceId!, service);
      if (!span) return [`no ${service} SERVER span: ${describeRequest(r)}`];
      if (span.attributes['http.response.status_code'] !== status || span.status.code !== OTLP_STATUS_ERROR) {
        return [
          `${service} span ${span.name} has status ${String(span.attributes['http.response.status_code'])} / ${JSON.stringify(span.status)} for a ${status}: ${describeRequest(r)}`,
        ];
      }
      return [];
    });
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} of ${expected.length} spans are wrong (first 10 shown)`);
  });

  it('writes the planted value in no span and no log line', async () => {
    // Spans still on their way would arrive within a second of the last request.
    let count = -1;
    while (count !== receiver.spans.length) {
      count = receiver.spans.length;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(receiver.spans.length > REQUESTS / 2, `only ${receiver.spans.length} spans arrived`);
    const text = (v: unknown): string =>
      JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) ?? '';
    // Where it is: the span's name and each attribute or event holding it.
    const leaks = receiver.spans.flatMap((s) => {
      if (!text(s).includes(CANARY)) return [];
      const where = [
        s.name.includes(CANARY) ? `name ${JSON.stringify(s.name)}` : '',
        ...Object.entries(s.attributes)
          .filter(([, v]) => text(v).includes(CANARY))
          .map(([k, v]) => `${k}=${text(v).slice(0, 200)}`),
      ];
      if (text(s.events).includes(CANARY)) where.push(`events ${text(s.events).slice(0, 300)}`);
      return [`${s.serviceName} ${s.kind} ${s.name}: ${where.filter(Boolean).join('; ') || text(s).slice(0, 300)}`];
    });
    assert.deepEqual(leaks.slice(0, 8), [], `${leaks.length} spans hold the planted value (first 8 shown)`);
    assert.deepEqual(lines.filter((l) => l.includes(CANARY)).slice(0, 5), []);
    // A 5xx, when there was one, is logged: the lines say what broke without the value.
    assert.deepEqual(lines.filter((l) => /request failed/.test(l)).slice(0, 5), []);
  });
});

// ---------------------------------------------------------------------------------------------
// The usage collector

const METRICS_REQUESTS = 600;
const BODY_LIMIT = 64 * 1024;

interface MetricsRequest {
  method: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: Buffer;
}

const randomJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .record({ resourceMetrics: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 3 }) })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      name: withCanary(token),
      attr: withCanary(anyText(10)),
      value: fc.oneof(fc.double(), fc.string(), fc.constant(null)),
    })
    .map(({ name, attr, value }) =>
      JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: attr } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name,
                    sum: { dataPoints: [{ asInt: value, attributes: [{ key: attr, value: { stringValue: attr } }] }] },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ),
  withCanary(anyText(30)),
);

const metricsRequest: fc.Arbitrary<MetricsRequest> = fc
  .record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') },
    ),
    contentType: fc.option(
      fc.constantFrom(
        'application/x-protobuf',
        'application/x-protobuf',
        'application/json',
        'application/json',
        'application/protobuf',
        'text/plain',
        'application/json; charset=utf-16',
        'multipart/form-data',
        ';',
        '',
      ),
      { nil: undefined, freq: 10 },
    ),
    contentEncoding: fc.option(fc.constantFrom('gzip', 'deflate', 'zstd', 'br', 'x-unknown'), {
      nil: undefined,
      freq: 4,
    }),
    compress: fc.boolean(),
    body: fc.oneof(
      { weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => Buffer.from(b)) },
      { weight: 3, arbitrary: randomJson.map((s) => Buffer.from(s)) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }).map((n) => Buffer.alloc(n, 0x0a)),
      },
    ),
  })
  .map(({ method, contentType, contentEncoding, compress, body: b }) => ({
    method,
    contentType,
    contentEncoding,
    body: contentEncoding === 'gzip' && compress ? gzipSync(b) : b,
  }));

describe(suiteName('usage collector: random bodies on /v1/metrics'), () => {
  let collector: UsageCollector;
  const logLines: string[] = [];

  before(async () => {
    collector = await startUsageCollector({
      port: 0,
      host: '127.0.0.1',
      dataDir: scratchDir('tracepack-fuzz-usage-'),
      bodyLimit: BODY_LIMIT,
      env: {},
      logger: (line) => logLines.push(line),
    });
  });
  after(() => collector?.close());

  /** Rows per table (the migrations' own bookkeeping left out). */
  async function rowCounts(): Promise<Record<string, number>> {
    const tables = await collector.database.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    const counts: Record<string, number> = {};
    for (const { table_name: table } of tables.rows) {
      if (/migration/i.test(table)) continue;
      const { rows } = await collector.database.query<{ n: number | string }>(
        `SELECT count(*)::int AS n FROM "${table.replace(/"/g, '""')}"`,
      );
      counts[table] = Number(rows[0]!.n);
    }
    return counts;
  }

  it(`answers ${METRICS_REQUESTS} garbage reports with a 4xx (or an empty 200), never a 5xx, and stores nothing`, async () => {
    const before = await rowCounts();
    assert.ok(Object.keys(before).length > 3, `no tables found: ${JSON.stringify(before)}`);
    const cases = sampleCases(metricsRequest, METRICS_REQUESTS);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const base = new URL(collector.url);
    const answers: Answer[] = [];
    await pool(cases, 8, async (c, i) => {
      const headers: Record<string, string> = {};
      if (c.contentType !== undefined) headers['content-type'] = c.contentType;
      if (c.contentEncoding !== undefined) headers['content-encoding'] = c.contentEncoding;
      answers[i] = await send(agent, base, {
        target: 'service',
        method: c.method,
        path: '/v1/metrics',
        headers,
        body: c.method === 'GET' ? undefined : c.body,
      });
    });
    agent.destroy();
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    console.log(
      `usage collector fuzz: ${METRICS_REQUESTS} requests (${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')})`,
    );
    const bad = cases.flatMap((c, i) => {
      const status = answers[i]!.status;
      // 200 is OTLP's answer to a report without data (an empty message decodes from a few random bytes).
      return status >= 500 || status === 0
        ? [
            `${status}: ${c.method} ${c.contentType} ${c.contentEncoding} ${c.body.length} bytes ${c.body.subarray(0, 80).toString('hex')} -> ${answers[i]!.body.slice(0, 200)}`,
          ]
        : [];
    });
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} requests got a 5xx (first 10 shown)`);
    assert.ok(
      [...statuses.keys()].filter((s) => s >= 400 && s < 500).length >= 3,
      'the garbage should be refused in several ways',
    );

    // The migrations may seed bookkeeping rows: what counts is that no request added any.
    assert.deepEqual(await rowCounts(), before, 'garbage was stored');
  });
});
