import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

// Real start-ups: `node --require @tracepack/node/register` with the standard OTEL_* variables
// alone, exporting to the loopback OTLP receiver of @tracepack/testing. These are the rows of
// @tracepack/config's conformance table where start-up matters (that package's
// test/otel-env.test.ts has one test per row for the mapping itself).
const fixtures = join(__dirname, '..', '..', 'test', 'fixtures');
const APP = join(fixtures, 'otel-env-app.cjs');
const SAMPLED_PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const UNSAMPLED_PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Trace headers the fixture's server received, one entry per request. */
  seen: Array<{ traceparent?: string; b3?: string; uberTraceId?: string }>;
}

/** Runs the fixture under the register entry with only these variables (and PATH, HOME). */
function runApp(env: Record<string, string>, args: string[] = []): Promise<Run> {
  // Nothing inherited that could configure tracing: a TRACING_* or OTEL_* set where the tests
  // run must not change the case.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TRACING_|OTEL_|K8S_|NODE_OPTIONS$)/.test(k)),
  );
  const child = spawn(process.execPath, ['--require', '@tracepack/node/register', APP, ...args], {
    cwd: fixtures,
    env: { ...inherited, OTEL_SERVICE_NAME: 'otel-env-app', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      const seen = line ? (JSON.parse(line.slice('REPORT '.length)) as { seen: Run['seen'] }).seen : [];
      resolve({ code, stdout, stderr, seen });
    });
  });
}

function ok(run: Run): void {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

function serverSpan(spans: DecodedSpan[]): DecodedSpan {
  const span = spans.find((s) => s.kind === 'SERVER');
  assert.ok(span, `no SERVER span among ${JSON.stringify(spans.map((s) => s.name))}`);
  return span;
}

/** Warning lines of tracepack about one variable. */
function warningsAbout(run: Run, variable: string): string[] {
  return run.stderr.split('\n').filter((l) => l.includes('@tracepack/node:') && l.includes(`${variable}:`));
}

let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver.stop());
beforeEach(() => receiver.reset());

describe('OTLP endpoint variables turn tracing on and are used as the spec says', () => {
  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT alone: tracing on with otlp, spans sent to that URL', async () => {
    const run = await runApp({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` });
    ok(run);
    const span = serverSpan(await receiver.waitForSpans(1));
    assert.equal(span.serviceName, 'otel-env-app');
    assert.match(span.name, /^GET\b/);
    assert.ok(receiver.requests.every((r) => r.path === '/v1/traces'));
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as it is: nothing appended', async () => {
    const run = await runApp({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/tenant-a/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '10',
    });
    ok(run);
    // The receiver answers 404 there, but records the request first.
    assert.ok(receiver.requests.length > 0, run.stderr);
    assert.deepEqual([...new Set(receiver.requests.map((r) => r.path))], ['/tenant-a/traces']);
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT alone: a base URL, /v1/traces appended', async () => {
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/` });
    ok(run);
    serverSpan(await receiver.waitForSpans(1));
    assert.ok(receiver.requests.every((r) => r.path === '/v1/traces'));
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=grpc: OTEL_EXPORTER_OTLP_ENDPOINT is the gRPC target, nothing appended', async (t) => {
    const grpc = await startOtlpReceiver({ grpc: true });
    t.after(() => grpc.stop());
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: grpc.grpcUrl!, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    ok(run);
    const span = serverSpan(await grpc.waitForSpans(1));
    assert.equal(span.transport, 'grpc');
  });

  it('with nothing set, tracing stays off: nothing is sent and nothing printed', async () => {
    const run = await runApp({ OTEL_SERVICE_NAME: 'off', OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    ok(run);
    assert.equal(run.stderr, '');
    assert.equal(receiver.requests.length, 0);
  });

  it('OTEL_EXPORTER_OTLP_COMPRESSION=gzip compresses, and TRACING_PROVIDERS_OTLP_COMPRESSION=none beats it', async () => {
    const gzip = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    ok(gzip);
    await receiver.waitForSpans(1);
    assert.ok(
      receiver.requests.every((r) => r.headers['content-encoding'] === 'gzip'),
      JSON.stringify(receiver.requests.map((r) => r.headers)),
    );
    receiver.reset();
    // The upstream exporter reads OTEL_EXPORTER_OTLP_COMPRESSION itself too: our value must win.
    const none = await runApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      TRACING_PROVIDERS_OTLP_COMPRESSION: 'none',
    });
    ok(none);
    await receiver.waitForSpans(1);
    assert.ok(receiver.requests.every((r) => r.headers['content-encoding'] === undefined));
  });
});

describe('OTEL_RESOURCE_ATTRIBUTES and resource detection', () => {
  it('exports every k8s.* and other key, percent-decoded, with the K8S_* downward-API variables', async () => {
    const run = await runApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_RESOURCE_ATTRIBUTES:
        'k8s.pod.name=shop-7d9f,k8s.namespace.name=prod,team=a%2Cb,deployment.environment.name=staging',
      K8S_NODE_NAME: 'node-3',
      K8S_POD_NAME: 'loses-to-otel-resource-attributes',
    });
    ok(run);
    const { resource } = serverSpan(await receiver.waitForSpans(1));
    assert.equal(resource['k8s.pod.name'], 'shop-7d9f');
    assert.equal(resource['k8s.namespace.name'], 'prod');
    assert.equal(resource['k8s.node.name'], 'node-3');
    assert.equal(resource.team, 'a,b');
    assert.equal(resource['deployment.environment.name'], 'staging');
    assert.equal(resource['service.name'], 'otel-env-app');
  });

  it('detects host, os, process and container attributes, and never the user name or the command line', async () => {
    const secret = 's3cr3t-on-the-command-line';
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, [`--password=${secret}`]);
    ok(run);
    const { resource } = serverSpan(await receiver.waitForSpans(1));
    for (const key of [
      'host.name',
      'host.arch',
      'os.type',
      'os.version',
      'process.pid',
      'process.executable.name',
      'process.runtime.name',
      'process.runtime.version',
      'telemetry.sdk.version',
    ]) {
      assert.ok(resource[key] !== undefined && resource[key] !== '', `${key} missing: ${JSON.stringify(resource)}`);
    }
    // Asynchronous detections (machine id, cgroup files) are in the export when they found something.
    const { hostDetector } = await import('@opentelemetry/resources');
    const { containerDetector } = await import('@opentelemetry/resource-detector-container');
    const hostId = await hostDetector.detect().attributes?.['host.id'];
    const containerId = await containerDetector.detect().attributes?.['container.id'];
    assert.equal(resource['host.id'], hostId || undefined);
    assert.equal(resource['container.id'], containerId || undefined);
    for (const key of [
      'process.owner',
      'process.command_line',
      'process.command_args',
      'process.command',
      'process.executable.path',
    ]) {
      assert.equal(resource[key], undefined, `${key} must not leave the process`);
    }
    const values = JSON.stringify(resource);
    assert.doesNotMatch(values, new RegExp(secret));
    const { homedir, userInfo } = await import('node:os');
    assert.ok(!values.includes(homedir()), `the home directory leaks: ${values}`);
    assert.ok(!Object.values(resource).includes(userInfo().username), `the user name leaks: ${values}`);
  });
});

describe('OTEL_PROPAGATORS', () => {
  it('xray,tracecontext: xray is skipped with one warning, tracecontext is written, the service runs', async () => {
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_PROPAGATORS: 'xray,tracecontext' });
    ok(run);
    assert.equal(warningsAbout(run, 'OTEL_PROPAGATORS').length, 1, run.stderr);
    assert.match(run.stderr, /OTEL_PROPAGATORS: "xray" \(not supported\) skipped/);
    assert.match(
      run.seen[0]?.traceparent ?? '',
      /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/,
      `${JSON.stringify(run.seen)}\n${run.stderr}`,
    );
    assert.equal(run.seen[0]?.b3, undefined);
    serverSpan(await receiver.waitForSpans(1));
  });

  it('b3: only the B3 single header is written', async () => {
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_PROPAGATORS: 'b3' });
    ok(run);
    assert.equal(run.seen[0]?.traceparent, undefined);
    assert.match(run.seen[0]?.b3 ?? '', /^[0-9a-f]{32}-[0-9a-f]{16}-1$/);
  });
});

describe('OTEL_TRACES_SAMPLER', () => {
  /** One request coming in with `traceparent` (the fixture's own CLIENT span is off). */
  async function sampled(sampler: string, traceparent: string, arg?: string): Promise<DecodedSpan[]> {
    const run = await runApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: sampler,
      ...(arg === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: arg }),
      TRACING_INSTRUMENTATIONS_HTTP_OUTGOING: 'false',
      APP_REQUEST_HEADERS: JSON.stringify({ traceparent }),
    });
    ok(run);
    assert.deepEqual(warningsAbout(run, 'OTEL_TRACES_SAMPLER'), []);
    // The service has exited, after its flush: whatever was exported has arrived.
    return receiver.spans.filter((s) => s.kind === 'SERVER');
  }

  it('always_off drops even a sampled caller; parentbased_always_off follows it', async () => {
    assert.equal((await sampled('always_off', SAMPLED_PARENT)).length, 0);
    receiver.reset();
    const [span] = await sampled('parentbased_always_off', SAMPLED_PARENT);
    assert.equal(span?.traceId, SAMPLED_PARENT.split('-')[1]);
  });

  it('always_on records even an unsampled caller; parentbased_always_on follows it', async () => {
    assert.equal((await sampled('always_on', UNSAMPLED_PARENT)).length, 1);
    receiver.reset();
    assert.equal((await sampled('parentbased_always_on', UNSAMPLED_PARENT)).length, 0);
  });

  it('traceidratio with OTEL_TRACES_SAMPLER_ARG=0 drops a sampled caller; parentbased_traceidratio follows it', async () => {
    assert.equal((await sampled('traceidratio', SAMPLED_PARENT, '0')).length, 0);
    receiver.reset();
    assert.equal((await sampled('parentbased_traceidratio', SAMPLED_PARENT, '0')).length, 1);
  });

  it('an unknown sampler (xray) is warned about once and the default applies', async () => {
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'xray' });
    ok(run);
    assert.equal(warningsAbout(run, 'OTEL_TRACES_SAMPLER').length, 1, run.stderr);
    serverSpan(await receiver.waitForSpans(1));
  });

  it('parentbased_jaeger_remote polls the sampling server named by OTEL_TRACES_SAMPLER_ARG and applies its strategy', async (t) => {
    const polls: IncomingMessage[] = [];
    const sampling = createServer((req, res) => {
      polls.push(req);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 1 } }));
    });
    await new Promise<void>((resolve) => sampling.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => sampling.close(() => resolve())));
    const port = (sampling.address() as AddressInfo).port;
    // Nothing is sampled until the strategy (rate 1) arrives: any exported span proves it did.
    const run = await runApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${port}/sampling,pollingIntervalMs=100,initialSamplingRate=0`,
      APP_REQUESTS: '20',
      APP_INTERVAL_MS: '100',
    });
    ok(run);
    assert.deepEqual(warningsAbout(run, 'OTEL_TRACES_SAMPLER'), [], run.stderr);
    assert.ok(polls.length > 0, 'the sampling server was never asked');
    assert.equal(new URL(polls[0]!.url!, 'http://x').searchParams.get('service'), 'otel-env-app');
    assert.ok(
      receiver.spans.some((s) => s.kind === 'SERVER'),
      `no span sampled after the strategy arrived: ${run.stderr}`,
    );
  });
});

describe('OTEL_LOG_LEVEL', () => {
  it('debug prints diag lines, among them what tracing does; the default (warn) prints none', async () => {
    const secret = 's3cr3t-on-the-command-line';
    const debug = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_LOG_LEVEL: 'debug' }, [
      `--password=${secret}`,
    ]);
    ok(debug);
    const output = debug.stdout + debug.stderr;
    assert.match(
      output,
      /@tracepack\/node: tracing started: otlp: service otel-env-app -> http:\/\/127\.0\.0\.1:\d+ \(http\/protobuf\)/,
    );
    assert.match(output, /HostDetector found resource/);
    assert.match(output, /PrivateProcessDetector found resource/);
    assert.doesNotMatch(output, new RegExp(secret), 'not even a debug line shows the command line');
    const quiet = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    ok(quiet);
    assert.doesNotMatch(quiet.stdout + quiet.stderr, /tracing started|found resource/);
  });
});

describe('bad OTEL_* values never stop the service', () => {
  it('each is warned about once, the default applies and spans still go out', async () => {
    const run = await runApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_MAX_QUEUE_SIZE: 'many',
      OTEL_LOG_LEVEL: 'loud',
      OTEL_TRACES_EXPORTER: 'otlp,logging',
      OTEL_RESOURCE_ATTRIBUTES: 'broken',
      OTEL_SDK_DISABLED: 'nope',
    });
    ok(run);
    for (const variable of [
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'OTEL_LOG_LEVEL',
      'OTEL_TRACES_EXPORTER',
      'OTEL_RESOURCE_ATTRIBUTES',
      'OTEL_SDK_DISABLED',
    ]) {
      assert.equal(warningsAbout(run, variable).length, 1, `${variable}:\n${run.stderr}`);
    }
    serverSpan(await receiver.waitForSpans(1));
  });

  it('while a bad TRACING_* value stops it before it starts (exit 78), naming variable, value and allowed values', async () => {
    const run = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TRACING_SAMPLER_TYPE: 'xray' });
    assert.equal(run.code, 78);
    assert.equal(run.seen.length, 0);
    assert.match(
      run.stderr,
      /TRACING_SAMPLER_TYPE \(tracing\.sampler\.type\): "xray" is not one of always_on, always_off, traceidratio/,
    );
  });
});
