// The example clients-service reports its usage to a receiver given by the environment, and
// stays silent without one (its config.yml sets no endpoint, as the quickstart runs it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startOtlpMetricsReceiver } from '@tracepack/testing';

const main = require.resolve('@tracepack/example-clients-service/dist/src/main.js');
const config = join(require.resolve('@tracepack/example-clients-service/package.json'), '..', 'config.yml');

interface Run {
  stdout: string;
  code: number | null;
}

/** Starts the service (embedded PostgreSQL), runs `drive` against it, stops it with SIGTERM. */
async function withService(env: Record<string, string>, drive: (url: string) => Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, [main, '--config', config], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      TRACING_PROVIDER: '',
      DATABASE_URL: '',
      MYSQL_URL: '',
      CI: '',
      GITHUB_ACTIONS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 60 s: ${stdout}${stderr}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => reject(new Error(`exited: ${stdout}${stderr}`)));
  });
  try {
    await drive(url);
  } finally {
    child.kill('SIGTERM');
  }
  return { stdout, code: await exited };
}

describe('examples/clients-service: anonymous usage statistics', () => {
  it('reports routes, features and hashed client ids to SQA_ENDPOINT; never the client id or secret', async (t) => {
    const receiver = await startOtlpMetricsReceiver();
    t.after(() => receiver.stop());
    const clientId = `canary-client-${Date.now()}`;
    const secret = 'canary-secret-value';
    const run = await withService(
      { SQA_ENDPOINT: receiver.url, SQA_REPORT_INTERVAL: '1h', PUBLIC_URL: 'https://clients.example.com' },
      async (url) => {
        const created = await fetch(`${url}/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: clientId, client_secret: secret }),
        });
        assert.equal(created.status, 201);
        assert.equal((await fetch(`${url}/clients/${clientId}`)).status, 200);
        const token = await fetch(`${url}/oauth2/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        });
        assert.equal(token.status, 200);
        await fetch(`${url}/health/alive`);
      },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.match(
      run.stdout,
      /clients-service: usage statistics on \(anonymous\): every 1h to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics/,
    );
    const report = await receiver.waitForReports(1, 10_000);
    const points = report.flatMap((r) => r.points);
    const endpoints = points
      .filter((p) => p.metric === 'tracepack.usage.http.duration')
      .map(
        (p) =>
          `${p.attributes['http.request.method']} ${p.attributes['tracepack.usage.endpoint']} ${p.attributes['http.response.status_code']}`,
      );
    assert.deepEqual(endpoints.sort(), ['GET /clients/:id 200', 'POST /clients 201', 'POST /oauth2/token 200']);
    assert.ok(
      points.some(
        (p) =>
          p.metric === 'tracepack.usage.service.features' && p.attributes['tracepack.feature'] === 'client.created',
      ),
    );
    const activity = points.find((p) => p.metric === 'tracepack.usage.activity');
    assert.match(String(activity?.attributes['enduser.id.sha256']), /^[0-9a-f]{64}$/);
    // A local run (deployment_environment: local in config.yml): a test instance, no installation id.
    assert.equal(report[0]!.resources[0]!['tracepack.usage.test_reason'], 'local');
    const bytes = Buffer.concat(report.map((r) => r.body));
    for (const planted of [
      clientId,
      secret,
      'clients.example.com',
      createHash('sha256').update('installation|https://clients.example.com').digest('hex'),
    ]) {
      assert.equal(bytes.includes(planted), false, `a report carries ${planted}`);
    }
  });

  it('is off as configured in config.yml (no endpoint, as the quickstart runs it), and says so in one line', async () => {
    // That off sends nothing is checked on the wire by packages/usage/test/opt-out.test.ts.
    const run = await withService({ SQA_ENDPOINT: '' }, async (url) => void (await fetch(`${url}/health/alive`)));
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /^clients-service: usage statistics off: no sqa\.endpoint set, nothing is sent$/m);
  });
});
