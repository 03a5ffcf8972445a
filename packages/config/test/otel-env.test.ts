import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigErrorCode, loadTracingConfig, TracepackConfigError, type LoadedTracingConfig } from '../src';

// One test per row of the README's conformance table ("Standard OpenTelemetry variables"),
// keyed by the row's first cell; the last test checks that the table and these rows agree.

const dir = mkdtempSync(join(tmpdir(), 'tracepack-otel-env-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

type Env = Record<string, string>;
const load = (env: Env, configFile?: string): LoadedTracingConfig => loadTracingConfig({ env, configFile, cwd: dir });
/** The config with no variables at all, to show that a refused value changed nothing. */
const baseline = (): LoadedTracingConfig => load({});

function warned(r: LoadedTracingConfig, pattern: RegExp): void {
  assert.equal(
    r.warnings.filter((w) => pattern.test(w)).length,
    1,
    `expected one warning like ${pattern}, got ${JSON.stringify(r.warnings)}`,
  );
}

const ROWS: Record<string, () => void> = {
  '`OTEL_SDK_DISABLED`': () => {
    const off = load({ OTEL_SDK_DISABLED: 'TRUE', TRACING_PROVIDER: 'otlp' });
    assert.equal(off.enabled, false);
    assert.equal(off.sources.get('tracing.provider'), 'environment OTEL_SDK_DISABLED');
    assert.equal(load({ OTEL_SDK_DISABLED: 'false', TRACING_PROVIDER: 'otlp' }).enabled, true);
    assert.equal(
      loadTracingConfig({ env: { OTEL_SDK_DISABLED: 'true' }, argv: ['--tracing.provider=console'] }).enabled,
      true,
      'a flag naming a provider wins',
    );
    const odd = load({ OTEL_SDK_DISABLED: 'yes', TRACING_PROVIDER: 'otlp' });
    assert.equal(odd.enabled, true, 'only "true" disables');
    warned(odd, /^OTEL_SDK_DISABLED: "yes" is not true or false; read as false$/);
  },

  '`OTEL_SERVICE_NAME`': () => {
    const r = load({ OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' });
    assert.equal(r.config.service_name, 'checkout');
    assert.equal(r.sources.get('tracing.service_name'), 'environment OTEL_SERVICE_NAME');
    assert.equal(load({ OTEL_SERVICE_NAME: 'checkout', TRACING_SERVICE_NAME: 'mine' }).config.service_name, 'mine');
    assert.equal(
      load({ OTEL_SERVICE_NAME: '  ' }).config.service_name,
      baseline().config.service_name,
      'blank is unset',
    );
  },

  '`OTEL_RESOURCE_ATTRIBUTES`': () => {
    const r = load({
      OTEL_RESOURCE_ATTRIBUTES:
        'k8s.pod.name=shop-7d9f,k8s.namespace.name=prod, team = a%2Cb ,service.version=2.1.0,deployment.environment=old,deployment.environment.name=staging,x%3Dy=%F0%9F%99%82',
    });
    assert.deepEqual(r.config.resource_attributes, {
      'k8s.pod.name': 'shop-7d9f',
      'k8s.namespace.name': 'prod',
      team: 'a,b',
      'x=y': '🙂',
    });
    assert.equal(r.config.service_version, '2.1.0');
    assert.equal(
      r.config.deployment_environment,
      'staging',
      'deployment.environment.name wins over deployment.environment',
    );
    assert.equal(r.sources.get('tracing.resource_attributes.k8s.pod.name'), 'environment OTEL_RESOURCE_ATTRIBUTES');
    // Merged key by key with the file's attributes; the variable wins a shared key.
    const f = file('attributes.yml', 'tracing:\n  resource_attributes: { team: from-file, region: eu-1 }\n');
    assert.deepEqual(
      load({ OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=p1,team=from-env' }, f).config.resource_attributes,
      {
        team: 'from-env',
        region: 'eu-1',
        'k8s.pod.name': 'p1',
      },
    );
    // Malformed: the whole value is discarded, with a warning, never a failure.
    for (const bad of ['k8s.pod.name=p1,broken', 'a=1=2', 'a=%E0%A4%A', '=v']) {
      const m = load({ OTEL_RESOURCE_ATTRIBUTES: bad, OTEL_SERVICE_NAME: 'still-read' });
      assert.deepEqual(m.config.resource_attributes, {}, bad);
      assert.equal(m.config.service_name, 'still-read');
      warned(m, /^OTEL_RESOURCE_ATTRIBUTES: entry \d .*; the whole value is ignored/);
    }
  },

  '`K8S_POD_NAME`, `K8S_POD_UID`, `K8S_NAMESPACE_NAME`, `K8S_NODE_NAME`, `K8S_CONTAINER_NAME`, `K8S_DEPLOYMENT_NAME`':
    () => {
      const r = load({
        K8S_POD_NAME: 'pod-from-k8s-var',
        K8S_POD_UID: 'c0ffee',
        K8S_NAMESPACE_NAME: 'shop',
        K8S_NODE_NAME: 'node-3',
        K8S_CONTAINER_NAME: 'app',
        K8S_DEPLOYMENT_NAME: 'checkout',
        OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=pod-from-otel',
      });
      assert.deepEqual(r.config.resource_attributes, {
        'k8s.pod.name': 'pod-from-otel',
        'k8s.pod.uid': 'c0ffee',
        'k8s.namespace.name': 'shop',
        'k8s.node.name': 'node-3',
        'k8s.container.name': 'app',
        'k8s.deployment.name': 'checkout',
      });
      assert.equal(r.sources.get('tracing.resource_attributes.k8s.node.name'), 'environment K8S_NODE_NAME');
    },

  '`OTEL_TRACES_EXPORTER`': () => {
    assert.equal(load({ OTEL_TRACES_EXPORTER: 'zipkin' }).config.provider, 'zipkin');
    assert.equal(load({ OTEL_TRACES_EXPORTER: ' OTLP ' }).config.provider, 'otlp');
    const f = file('exporter.yml', 'tracing: { provider: otlp }\n');
    assert.equal(load({ OTEL_TRACES_EXPORTER: 'none' }, f).enabled, false, 'none turns off what the file turned on');
    const several = load({ OTEL_TRACES_EXPORTER: 'xray,zipkin,otlp' });
    assert.equal(several.config.provider, 'zipkin');
    warned(several, /^OTEL_TRACES_EXPORTER: "xray" not supported .*; skipped$/);
    warned(several, /^OTEL_TRACES_EXPORTER: tracepack sends spans to one exporter: zipkin; otlp ignored$/);
    const bogus = load({ OTEL_TRACES_EXPORTER: 'bogus' }, f);
    assert.equal(bogus.config.provider, 'otlp', 'ignored: the file applies');
    warned(bogus, /"bogus" not supported/);
    assert.equal(
      load({ OTEL_TRACES_EXPORTER: 'zipkin', TRACING_PROVIDER: 'console' }).config.provider,
      'console',
      'TRACING_* wins',
    );
  },

  '`OTEL_EXPORTER_OTLP_ENDPOINT`': () => {
    const r = load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/otlp' });
    assert.equal(r.enabled, true, 'an endpoint alone turns tracing on with otlp');
    assert.equal(r.config.provider, 'otlp');
    assert.equal(r.sources.get('tracing.provider'), 'environment OTEL_EXPORTER_OTLP_ENDPOINT');
    assert.equal(r.config.providers.otlp.server_url, 'https://collector.example:4318/otlp');
    assert.equal(r.config.providers.otlp.traces_endpoint, undefined);
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', TRACING_PROVIDER: '' }).enabled,
      false,
      'provider "" set anywhere keeps it off',
    );
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', TRACING_PROVIDER: 'zipkin' }).config.provider,
      'zipkin',
    );
    const bad = load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    assert.equal(bad.enabled, false);
    warned(bad, /^OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http\(s\) URL with a host; ignored$/);
    assert.equal(baseline().enabled, false, 'nothing set: off');
  },

  '`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`': () => {
    const r = load({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://gw:8080/custom/traces',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
    });
    assert.equal(r.config.provider, 'otlp');
    assert.equal(r.config.providers.otlp.traces_endpoint, 'http://gw:8080/custom/traces');
    assert.equal(r.sources.get('tracing.provider'), 'environment OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    // It replaces server_url, but not one from a higher-ranked source.
    const yields = load({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://gw:8080/custom/traces',
      TRACING_PROVIDERS_OTLP_SERVER_URL: 'http://mine:4318',
    });
    assert.equal(yields.config.providers.otlp.traces_endpoint, undefined);
    assert.equal(yields.config.providers.otlp.server_url, 'http://mine:4318');
    const f = file('server-url.yml', 'tracing:\n  providers: { otlp: { server_url: "http://from-file:4318" } }\n');
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://gw:8080/t' }, f).config.providers.otlp.traces_endpoint,
      'http://gw:8080/t',
      'beats the file',
    );
  },

  '`OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`': () => {
    assert.equal(load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC' }).config.providers.otlp.protocol, 'grpc');
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }).config.providers
        .otlp.protocol,
      'http/json',
    );
    const bad = load({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    assert.equal(bad.config.providers.otlp.protocol, 'grpc', 'an invalid TRACES_ value falls back to the generic one');
    warned(
      bad,
      /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "thrift" is not one of http\/protobuf, http\/json, grpc; ignored$/,
    );
  },

  '`OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`': () => {
    const r = load({
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic,x-tenant=t%201',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=traces%3Dkey',
    });
    assert.deepEqual(r.config.providers.otlp.headers, { 'api-key': 'traces=key', 'x-tenant': 't 1' });
    const bad = load({ OTEL_EXPORTER_OTLP_HEADERS: 'ok=1,s3cr3t-without-key,x=%E0%A4%A' });
    assert.deepEqual(bad.config.providers.otlp.headers, { ok: '1' });
    warned(bad, /^OTEL_EXPORTER_OTLP_HEADERS: entries 2, 3 are not key=value/);
    assert.doesNotMatch(bad.warnings.join('\n'), /s3cr3t|%E0/, 'header values are never shown');
    assert.deepEqual(
      load({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1', TRACING_PROVIDERS_OTLP_HEADERS: 'b=2' }).config.providers.otlp.headers,
      { b: '2' },
      'TRACING_* replaces the map',
    );
  },

  '`OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`': () => {
    assert.equal(load({ OTEL_EXPORTER_OTLP_TIMEOUT: '2500' }).config.providers.otlp.timeout_ms, 2500);
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' }).config.providers.otlp
        .timeout_ms,
      700,
    );
    for (const bad of ['soon', '1.5', '-1', '0']) {
      const r = load({ OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: bad });
      assert.equal(r.config.providers.otlp.timeout_ms, 10000, bad);
      warned(r, /^OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: .*; ignored$/);
    }
  },

  '`OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION`': () => {
    assert.equal(load({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).config.providers.otlp.compression, 'gzip');
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' }).config.providers
        .otlp.compression,
      'none',
    );
    const bad = load({ OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' });
    assert.equal(bad.config.providers.otlp.compression, 'none');
    warned(bad, /^OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" is not one of none, gzip; ignored$/);
  },

  '`OTEL_EXPORTER_OTLP_[TRACES_]INSECURE`': () => {
    assert.equal(load({ OTEL_EXPORTER_OTLP_INSECURE: 'True' }).config.providers.otlp.insecure, true);
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_INSECURE: 'true', OTEL_EXPORTER_OTLP_TRACES_INSECURE: 'false' }).config.providers.otlp
        .insecure,
      false,
    );
    const f = file('insecure.yml', 'tracing:\n  providers: { otlp: { insecure: true } }\n');
    const odd = load({ OTEL_EXPORTER_OTLP_INSECURE: 'yes' }, f);
    assert.equal(odd.config.providers.otlp.insecure, false, 'the spec: anything but "true" is false');
    warned(odd, /^OTEL_EXPORTER_OTLP_INSECURE: "yes" is not true or false; read as false$/);
  },

  '`OTEL_EXPORTER_ZIPKIN_ENDPOINT`': () => {
    const r = load({
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://zipkin.example:9411/api/v2/spans',
      OTEL_TRACES_EXPORTER: 'zipkin',
    });
    assert.equal(r.config.providers.zipkin.server_url, 'http://zipkin.example:9411/api/v2/spans');
    warned(
      load({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'zipkin:9411' }),
      /^OTEL_EXPORTER_ZIPKIN_ENDPOINT: "zipkin:9411" is not an http\(s\) URL/,
    );
  },

  '`OTEL_TRACES_SAMPLER`': () => {
    const all = [
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
      'jaeger_remote',
      'parentbased_jaeger_remote',
    ];
    for (const sampler of all) {
      const r = load({ OTEL_TRACES_SAMPLER: sampler.toUpperCase() });
      assert.equal(r.config.sampler.type, sampler);
      assert.deepEqual(r.warnings, []);
    }
    const xray = load({ OTEL_TRACES_SAMPLER: 'xray' });
    assert.equal(xray.config.sampler.type, '', 'unknown: the default');
    warned(xray, /^OTEL_TRACES_SAMPLER: "xray" is not one of always_on, .*; ignored \(the default sampler applies\)$/);
    // It replaces the provider's sampling block, but not one from a higher-ranked source.
    const file1 = file(
      'sampling.yml',
      'tracing:\n  provider: otlp\n  providers: { otlp: { sampling: { sampling_ratio: 0.5 } } }\n',
    );
    assert.equal(load({ OTEL_TRACES_SAMPLER: 'always_on' }, file1).config.sampler.type, 'always_on');
    const yields = load({
      OTEL_TRACES_SAMPLER: 'always_on',
      TRACING_PROVIDER: 'otlp',
      TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO: '0.1',
    });
    assert.equal(yields.config.sampler.type, '');
    assert.equal(yields.config.providers.otlp.sampling.sampling_ratio, 0.1);
  },

  '`OTEL_TRACES_SAMPLER_ARG`': () => {
    assert.equal(
      load({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.sampler.ratio,
      0.25,
    );
    const bad = load({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' });
    assert.equal(bad.config.sampler.ratio, 1);
    warned(bad, /^OTEL_TRACES_SAMPLER_ARG: "1.5" is outside 0..1 \(a ratio 0..1\); ratio 1 is used$/);
    assert.equal(load({ OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.sampler.ratio, 1, 'read only with a sampler');
    const remote = load({
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://jaeger:5778/sampling, pollingIntervalMs=5000,initialSamplingRate=0.25',
    });
    assert.deepEqual(remote.config.sampler.jaeger_remote, {
      endpoint: 'http://jaeger:5778/sampling',
      polling_interval_ms: 5000,
      initial_sampling_rate: 0.25,
    });
    const partly = load({
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=jaeger:5778,pollingIntervalMs=5000,colour=blue',
    });
    assert.deepEqual(partly.config.sampler.jaeger_remote, {
      endpoint: 'http://127.0.0.1:5778/sampling',
      polling_interval_ms: 5000,
      initial_sampling_rate: 0.001,
    });
    warned(
      partly,
      /^OTEL_TRACES_SAMPLER_ARG: "colour" is not one of endpoint, pollingIntervalMs, initialSamplingRate; endpoint "jaeger:5778" is not an http\(s\) URL with a host; ignored \(defaults apply\)$/,
    );
  },

  '`OTEL_PROPAGATORS`': () => {
    const r = load({ OTEL_PROPAGATORS: 'xray,tracecontext,ottrace,B3,bogus,b3' });
    assert.deepEqual(r.config.propagators, ['tracecontext', 'b3']);
    warned(
      r,
      /^OTEL_PROPAGATORS: "xray" \(not supported\), "ottrace" \(not supported\), "bogus" \(unknown\) skipped; supported: tracecontext, baggage, b3, b3multi, jaeger, none$/,
    );
    assert.deepEqual(load({ OTEL_PROPAGATORS: 'baggage,b3multi,jaeger' }).config.propagators, [
      'baggage',
      'b3multi',
      'jaeger',
    ]);
    assert.deepEqual(load({ OTEL_PROPAGATORS: 'none' }).config.propagators, []);
    const nothing = load({ OTEL_PROPAGATORS: 'xray' });
    assert.deepEqual(nothing.config.propagators, ['tracecontext', 'baggage'], 'nothing usable: the default');
    assert.equal(nothing.warnings.length, 1);
    assert.deepEqual(load({ OTEL_PROPAGATORS: 'b3', TRACING_PROPAGATORS: 'jaeger' }).config.propagators, ['jaeger']);
  },

  '`OTEL_BSP_SCHEDULE_DELAY`': () => {
    assert.equal(baseline().config.schedule_delay_ms, 200);
    assert.equal(load({ OTEL_BSP_SCHEDULE_DELAY: '5000' }).config.schedule_delay_ms, 5000);
    warned(load({ OTEL_BSP_SCHEDULE_DELAY: '5s' }), /^OTEL_BSP_SCHEDULE_DELAY: "5s" is not a number; ignored$/);
  },

  '`OTEL_BSP_EXPORT_TIMEOUT`': () => {
    assert.equal(baseline().config.export_timeout_ms, 10000);
    assert.equal(load({ OTEL_BSP_EXPORT_TIMEOUT: '30000' }).config.export_timeout_ms, 30000);
    const bad = load({ OTEL_BSP_EXPORT_TIMEOUT: '0' });
    assert.equal(bad.config.export_timeout_ms, 10000);
    warned(bad, /^OTEL_BSP_EXPORT_TIMEOUT: "0" is outside 1..600000; ignored$/);
  },

  '`OTEL_BSP_MAX_QUEUE_SIZE`': () => {
    assert.equal(load({ OTEL_BSP_MAX_QUEUE_SIZE: '4096' }).config.max_queue_size, 4096);
    assert.equal(load({ OTEL_BSP_MAX_QUEUE_SIZE: '4096', TRACING_MAX_QUEUE_SIZE: '10' }).config.max_queue_size, 10);
    warned(load({ OTEL_BSP_MAX_QUEUE_SIZE: 'many' }), /^OTEL_BSP_MAX_QUEUE_SIZE: "many" is not a number; ignored$/);
  },

  '`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`': () => {
    assert.equal(baseline().config.max_export_batch_size, 256);
    assert.equal(load({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' }).config.max_export_batch_size, 512);
    warned(
      load({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '12.5' }),
      /^OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "12.5" is not an integer; ignored$/,
    );
  },

  '`OTEL_LOG_LEVEL`': () => {
    assert.equal(baseline().config.log_level, 'warn');
    for (const level of ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'])
      assert.equal(load({ OTEL_LOG_LEVEL: level.toUpperCase() }).config.log_level, level);
    const bad = load({ OTEL_LOG_LEVEL: 'loud' });
    assert.equal(bad.config.log_level, 'warn');
    warned(bad, /^OTEL_LOG_LEVEL: "loud" is not one of none, error, warn, info, debug, verbose, all; ignored$/);
  },

  '`OTEL_EXPORTER_ZIPKIN_TIMEOUT`, `OTEL_ATTRIBUTE_*_LIMIT`, `OTEL_SPAN_*_LIMIT`, `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`, `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`, `OTEL_NODE_RESOURCE_DETECTORS`, `OTEL_EXPORTER_JAEGER_*`, `OTEL_METRICS_*`, `OTEL_LOGS_*`, `OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE`, `_CLIENT_KEY`, `_CLIENT_CERTIFICATE`':
    () => {
      const r = load({
        OTEL_EXPORTER_ZIPKIN_TIMEOUT: '1',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '1',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '1',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '1',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '1',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '1',
        OTEL_NODE_RESOURCE_DETECTORS: 'none',
        OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://jaeger:14268/api/traces',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics',
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/nope.pem',
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: '/nope.key',
      });
      assert.deepEqual(r.config, baseline().config);
      assert.equal(r.enabled, false, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT does not turn trace export on');
      assert.deepEqual(r.warnings, []);
    },
};

describe('standard OTEL_* variables (the README conformance table, one test per row)', () => {
  for (const [row, test] of Object.entries(ROWS)) it(row.replace(/`/g, ''), test);

  it('a bad value of a tracepack key (variable or file) still stops the start, naming key, value and allowed values', () => {
    assert.throws(
      () => load({ TRACING_SAMPLER_TYPE: 'xray' }),
      (err: unknown) =>
        err instanceof TracepackConfigError &&
        err.code === ConfigErrorCode.NOT_ALLOWED &&
        /^TRACING_SAMPLER_TYPE \(tracing\.sampler\.type\): "xray" is not one of always_on, .*parentbased_jaeger_remote \(or empty\)$/.test(
          err.issues[0]!.message,
        ),
    );
    const f = file(
      'bad-new-keys.yml',
      'tracing:\n  log_level: loud\n  schedule_delay_ms: -1\n  providers: { otlp: { compression: zstd, traces_endpoint: "collector:4318" } }\n',
    );
    const e = (() => {
      try {
        load({}, f);
      } catch (err) {
        return err as TracepackConfigError;
      }
      assert.fail('expected the file to be refused');
    })();
    assert.deepEqual(e.issues.map((i) => i.path).sort(), [
      'tracing.log_level',
      'tracing.providers.otlp.compression',
      'tracing.providers.otlp.traces_endpoint',
      'tracing.schedule_delay_ms',
    ]);
  });

  it('the README conformance table has exactly these rows', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- conformance'), readme.indexOf('<!-- end conformance -->'));
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split(' | ')[0]!.slice(2));
    assert.deepEqual(rows, Object.keys(ROWS));
  });
});
