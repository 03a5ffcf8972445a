// The privacy promise, checked where bytes leave the process. One recognisable secret is planted
// in the path, the query string, headers, the body, SQL parameters and literals (pg, and mysql2
// on MariaDB) and the bcrypt password: no byte the exporter sends may hold it, in any spelling;
// and neither may anything the app writes to stdout or stderr (tracepack's and OpenTelemetry's
// diagnostics at the most verbose level, the exporter's failure and loss reports, start-up
// errors), nor what `tracepack config print` / `validate` write for a config that holds the
// secret in its secret values (the Authorization header, export headers).
import {
  isCI,
  isFixtureUnavailable,
  startMariadb,
  startOtlpReceiver,
  startPglite,
  type DatabaseServer,
  type OtlpReceiver,
} from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { assertNoSecret, cleanEnv, plant, plantedSecret, startApp } from './privacy-helpers';

const repoRoot = join(__dirname, '..', '..', '..');
const testRoot = join(repoRoot, 'test');
const cli = join(repoRoot, 'packages', 'tracepack', 'bin', 'tracepack.js');

/** The request bodies the receiver got, as one buffer (the check must not pass on an empty export). */
function wireOf(receiver: OtlpReceiver): Buffer {
  const bodies = receiver.requests.filter((r) => r.body !== undefined).map((r) => r.body!);
  assert.ok(bodies.length > 0, 'the exporter sent nothing');
  return Buffer.concat(bodies);
}

function otlpTracing(
  receiverUrl: string,
  secret: string,
  extra: Record<string, unknown> = {},
  otlp: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    provider: 'otlp',
    service_name: 'privacy-app',
    // Secret values of the config: sent to the backend as headers (their purpose), never printed.
    providers: {
      otlp: {
        server_url: receiverUrl,
        authorization_header: `Bearer ${secret}`,
        headers: { 'x-api-key': secret },
        ...otlp,
      },
    },
    ...extra,
  });
}

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  describe(`privacy on the wire and in the logs: pg (OTLP ${protocol})`, () => {
    it('no byte the exporter sends, nor any line the app writes at log level "all", holds the planted secret', async (t) => {
      const secret = plantedSecret();
      const receiver = await startOtlpReceiver();
      const db = await startPglite();
      t.after(async () => {
        await receiver.stop();
        await db.stop();
      });
      const app = await startApp('privacy-app.js', {
        TRACING_JSON: otlpTracing(receiver.url, secret, { log_level: 'all' }, { protocol }),
        DATABASE_URL: db.url,
      });
      t.after(() => app.stop());
      const res = await plant(app.port, '/users', secret);
      assert.equal(res.status, 201);
      assert.equal(await app.stop(), 0, app.output());

      // The spans are there (the check is not passing on an empty export)...
      const names = receiver.spans.map((s) => s.name);
      for (const name of [
        'POST /users/:id',
        'INSERT people',
        'SELECT people',
        'bcrypt.hash',
        'bcrypt.compare',
        'GET',
      ]) {
        assert.ok(names.includes(name), `missing ${name} in ${JSON.stringify(names)}`);
      }
      const select = receiver.spans.find((s) => s.name === 'SELECT people')!;
      assert.equal(select.attributes['db.query.text'], 'SELECT name FROM people WHERE name = ? AND email <> ?');
      // ...and no byte of any request body holds the secret, in any spelling we can think of.
      assertNoSecret(`the OTLP ${protocol} request bodies`, wireOf(receiver), secret);
      // The diagnostics were on (the check is not passing on a silent app), and hold nothing.
      assert.match(app.output(), /@tracepack\/node: tracing started/);
      assertNoSecret("the app's stdout and stderr", app.output(), secret);
    });
  });
}

/** A real MariaDB for one test, or a skip (never under CI) when its binaries are not installed. */
async function mariadbOrSkip(t: TestContext): Promise<DatabaseServer | undefined> {
  try {
    return await startMariadb();
  } catch (err) {
    if (isFixtureUnavailable(err) && !isCI()) {
      t.skip(err.message);
      return undefined;
    }
    throw err;
  }
}

describe('privacy on the wire and in the logs: mysql2 on MariaDB (OTLP http/protobuf)', () => {
  it('no byte the exporter sends, nor any line the app writes, holds a value, a literal or an error message', async (t) => {
    const db = await mariadbOrSkip(t);
    if (!db) return;
    const secret = plantedSecret();
    const receiver = await startOtlpReceiver();
    t.after(async () => {
      await receiver.stop();
      await db.stop();
    });
    const app = await startApp('mysql2-privacy-app.js', {
      TRACING_JSON: otlpTracing(receiver.url, secret, { log_level: 'all' }),
      MYSQL_URL: db.url,
    });
    t.after(() => app.stop());
    const res = await plant(app.port, '/people', secret);
    const body = await res.text();
    assert.equal(res.status, 201, body);
    // The statements meant to fail did, with the errors whose server message quotes the secret.
    assert.deepEqual(JSON.parse(body), {
      codes: ['ER_DUP_ENTRY', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'ER_PARSE_ERROR'],
    });
    assert.equal(await app.stop(), 0, app.output());

    const spans = receiver.spans;
    const texts = spans.map((s) => s.attributes['db.query.text']).filter((x) => x !== undefined);
    for (const text of [
      'INSERT INTO people (name, email) VALUES (?, ?)',
      'SELECT name FROM people WHERE name = ? AND email = ?',
      'UPDATE people SET note = :note WHERE name = :name',
      'SELECT name FROM people WHERE name = ? OR email = ? OR note = ?',
      'SELECT ? AS v',
      'UPDATE people SET age = ? WHERE name = ?',
      'SELEC name FROM people WHERE name = ?',
    ]) {
      assert.ok(texts.includes(text), `no span with db.query.text ${JSON.stringify(text)} in ${JSON.stringify(texts)}`);
    }
    for (const code of ['ER_DUP_ENTRY', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'ER_PARSE_ERROR']) {
      const failed = spans.find((s) => s.attributes['error.type'] === code);
      assert.ok(failed, `no span with error.type ${code}`);
      assert.equal(failed.status.code, 2, `${code}: status ERROR`);
    }
    assert.ok(spans.some((s) => s.name === 'POST /people/:id' && s.kind === 'SERVER'));
    assertNoSecret('the OTLP request bodies', wireOf(receiver), secret);
    assert.match(app.output(), /@tracepack\/node: tracing started/);
    assertNoSecret("the app's stdout and stderr", app.output(), secret);
  });
});

describe('privacy in the reports of a backend that refuses', () => {
  it('the failure report and the loss report at shutdown name the target, never the secret', async (t) => {
    const secret = plantedSecret();
    const receiver = await startOtlpReceiver({ mode: 'unavailable' });
    const db = await startPglite();
    t.after(async () => {
      await receiver.stop();
      await db.stop();
    });
    // Short export and flush budgets: the retries of a refused export end quickly.
    const tracing = otlpTracing(receiver.url, secret, { flush_timeout_ms: 1000 }, { timeout_ms: 1000 });
    const app = await startApp('privacy-app.js', { TRACING_JSON: tracing, DATABASE_URL: db.url });
    t.after(() => app.stop());
    assert.equal((await plant(app.port, '/users', secret)).status, 201);
    assert.equal(await app.stop(), 0, app.output());
    assert.ok(receiver.requests.length > 0, 'the exporter tried');
    assert.match(app.output(), /cannot export spans to http:\/\/127\.0\.0\.1:\d+/);
    assert.match(app.output(), /spans were not delivered to/);
    assertNoSecret("the app's stdout and stderr", app.output(), secret);
  });
});

describe('privacy in start-up errors and warnings', () => {
  const start = (env: NodeJS.ProcessEnv): { code: number | null; output: string } => {
    // What a service does first thing; the error, if any, is thrown to node, which prints it.
    const script =
      "const t = require('@tracepack/node').startTracing({ config: JSON.parse(process.env.TRACING_JSON) }); t.shutdown();";
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: testRoot,
      env: { ...cleanEnv(), ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, output: r.stdout + r.stderr };
  };

  it('a config refused for its secret values: the error names the keys, never the values', () => {
    const secret = plantedSecret();
    const tracing = {
      provider: 'otlp',
      service_name: 'privacy-app',
      providers: {
        otlp: {
          authorization_header: [`Bearer ${secret}`],
          headers: { 'x-api-key': { value: secret } },
          timeout_ms: 'soon',
        },
      },
    };
    const r = start({ TRACING_JSON: JSON.stringify(tracing) });
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /tracing\.providers\.otlp\.authorization_header: <secret>/);
    assert.match(r.output, /tracing\.providers\.otlp\.headers\.x-api-key: <secret>/);
    assert.match(r.output, /tracing\.providers\.otlp\.timeout_ms: "soon"/, 'other values are shown');
    assertNoSecret('the start-up error', r.output, secret);
  });

  it('secret values in variables, malformed or not: warnings at log level "all" show none of them', () => {
    const secret = plantedSecret();
    const r = start({
      TRACING_JSON: JSON.stringify({
        provider: 'otlp',
        service_name: 'privacy-app',
        log_level: 'all',
        providers: { otlp: { server_url: 'http://127.0.0.1:9' } },
      }),
      TRACING_PROVIDERS_OTLP_AUTHORIZATION_HEADER: `Bearer ${secret}`,
      OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${secret},broken-${secret},=%zz${secret}`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-other=${encodeURIComponent(secret)}`,
    });
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /OTEL_EXPORTER_OTLP_HEADERS: entries .* skipped/, 'the malformed entries are reported');
    assertNoSecret('the start-up output', r.output, secret);
  });
});

describe('privacy in `tracepack config print` and `tracepack config validate`', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [cli, 'config', ...args], {
      cwd: repoRoot,
      env: { ...cleanEnv(), ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('secret values from a file, a variable and a flag are masked; refused ones are not echoed', async (t) => {
    const secret = plantedSecret();
    const dir = await mkdtemp(join(tmpdir(), 'tracepack-privacy-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const good = join(dir, 'good.yml');
    await writeFile(
      good,
      [
        'tracing:',
        '  provider: otlp',
        '  service_name: privacy-app',
        '  providers:',
        '    otlp:',
        '      server_url: http://127.0.0.1:4318',
        `      authorization_header: Bearer ${secret}`,
        `      headers: { x-api-key: ${secret}, x-tenant-token: "${secret}" }`,
        '',
      ].join('\n'),
    );
    const bad = join(dir, 'bad.yml');
    await writeFile(
      bad,
      [
        'tracing:',
        '  provider: otlp',
        '  providers:',
        '    otlp:',
        `      authorization_header: [Bearer ${secret}]`,
        `      headers: { x-api-key: [${secret}] }`,
        '',
      ].join('\n'),
    );
    const env = { OTEL_EXPORTER_OTLP_HEADERS: `x-env-key=${secret},broken${secret}` };
    const flag = `--tracing.providers.otlp.authorization_header=Bearer ${secret}`;

    for (const args of [
      ['print', '--config', good],
      ['print', '--config', good, flag],
    ]) {
      const r = run(args, env);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /authorization_header: "\*\*\*\*"/, 'the masked value is printed');
      assertNoSecret(`config ${args.join(' ')}`, r.out + r.err, secret);
    }
    for (const args of [
      ['validate', '--config', good],
      ['validate', '--config', good, flag],
    ]) {
      const r = run(args, env);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^ok: otlp: .*with auth headers/m);
      assertNoSecret(`config ${args.join(' ')}`, r.out + r.err, secret);
    }
    for (const command of ['validate', 'print']) {
      const r = run([command, '--config', bad]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, /authorization_header: <secret> is not a string/);
      assertNoSecret(`config ${command} of a refused file`, r.out + r.err, secret);
    }
  });
});

describe('privacy of credentials written into an endpoint URL', () => {
  // A password in the URL's user info or a token in its query string: masked by `config print`,
  // the `config validate` summary, the "tracing started" line and the exporters' failure and
  // loss reports (maskUrlSecrets of @tracepack/config).
  it('a password or token in traces_endpoint reaches no output', async (t) => {
    const secret = plantedSecret();
    const receiver = await startOtlpReceiver({ mode: 'unavailable' });
    const db = await startPglite();
    t.after(async () => {
      await receiver.stop();
      await db.stop();
    });
    const endpoint = `${receiver.url.replace('://', `://tracepack:${secret}@`)}/v1/traces?api_key=${secret}`;
    const outputs: Array<[string, string]> = [];
    for (const command of ['print', 'validate']) {
      const r = spawnSync(process.execPath, [cli, 'config', command], {
        cwd: repoRoot,
        env: { ...cleanEnv(), TRACING_PROVIDER: 'otlp', TRACING_PROVIDERS_OTLP_TRACES_ENDPOINT: endpoint },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      outputs.push([`config ${command}`, r.stdout + r.stderr]);
    }
    const tracing = otlpTracing(
      receiver.url,
      secret,
      { flush_timeout_ms: 1000 },
      { traces_endpoint: endpoint, timeout_ms: 1000 },
    );
    const app = await startApp('privacy-app.js', { TRACING_JSON: tracing, DATABASE_URL: db.url });
    t.after(() => app.stop());
    assert.equal((await plant(app.port, '/users', secret)).status, 201);
    await app.stop();
    assert.match(app.output(), /cannot export spans to/);
    outputs.push(["the app's failure reports", app.output()]);
    for (const [where, text] of outputs) assertNoSecret(where, text, secret);
  });
});
