import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isTracepackError, TracepackError } from '@tracepack/core';
import { ConfigErrorCode, loadTracingConfig, TracepackConfigError } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'tracepack-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorsOf(fn: () => unknown): TracepackConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TracepackConfigError, `expected TracepackConfigError, got ${String(err)}`);
    // The one shape of @tracepack/core: code and path of the first issue, the name of the class.
    assert.ok(err instanceof TracepackError && isTracepackError(err) && !(err instanceof TypeError));
    assert.equal(err.name, 'TracepackConfigError');
    assert.equal(err.code, err.issues[0]!.code);
    assert.equal(err.path, err.issues[0]!.path);
    return err;
  }
  assert.fail('expected the config to be refused');
}

describe('loadTracingConfig', () => {
  it('is off at no cost when provider is absent or empty', () => {
    const r = loadTracingConfig({ env: {} });
    assert.equal(r.enabled, false);
    assert.equal(r.config.provider, '');
    assert.equal(loadTracingConfig({ env: { TRACING_PROVIDER: '' } }).enabled, false);
  });

  it('reads the tracing section of a service config file and applies defaults', () => {
    const f = file(
      'service.yml',
      'serve: { port: 4445 }\ntracing:\n  provider: jaeger\n  service_name: clients-service\n  providers:\n    jaeger:\n      local_agent_address: jaeger:6831\n',
    );
    const r = loadTracingConfig({ configFile: f, env: {} });
    assert.equal(r.enabled, true);
    assert.equal(r.config.service_name, 'clients-service');
    assert.equal(r.config.providers.jaeger.local_agent_address, 'jaeger:6831');
    assert.equal(r.config.providers.jaeger.sampling.trace_id_ratio, 1);
    assert.equal(r.config.flush_timeout_ms, 5000);
    assert.deepEqual(r.config.instrumentations.http.ignore_paths, ['/health/alive', '/health/ready', '/metrics']);
    assert.equal(r.sources.get('tracing.provider'), `config file ${f}`);
  });

  it('normalizes the older flat form (its server_url is the sampling server)', () => {
    const f = file(
      'flat.yml',
      'provider: jaeger\nservice_name: ory:kratos\njaeger:\n  local_agent_address: jaeger:6831\n  server_url: http://jaeger:5778/sampling\n',
    );
    const r = loadTracingConfig({ configFile: f, env: {} });
    assert.equal(r.config.service_name, 'ory:kratos');
    assert.equal(r.config.providers.jaeger.local_agent_address, 'jaeger:6831');
    assert.equal(r.config.providers.jaeger.sampling.server_url, 'http://jaeger:5778/sampling');
    const nested = file(
      'flat-nested.yml',
      'tracing:\n  provider: zipkin\n  zipkin:\n    server_url: http://zipkin:9411/api/v2/spans\n  jaeger:\n    sampling: { type: probabilistic, value: 0.25 }\n',
    );
    const n = loadTracingConfig({ configFile: nested, env: {} });
    assert.equal(n.config.providers.zipkin.server_url, 'http://zipkin:9411/api/v2/spans');
    assert.equal(n.config.providers.jaeger.sampling.trace_id_ratio, 0.25);
  });

  it('names a bad flat-form key by the path the user wrote', () => {
    const f = file('flat-bad.yml', 'provider: jaeger\njaeger:\n  server_url: nope\n');
    const e = errorsOf(() => loadTracingConfig({ configFile: f, env: {} }));
    assert.match(
      e.message,
      /tracing\.jaeger\.server_url \(flat form of tracing\.providers\.jaeger\.sampling\.server_url\): "nope" is not an http\(s\) URL/,
    );
  });

  it('ranks code > flags > TRACING_* > OTEL_* > file > defaults', () => {
    const f = file(
      'ranks.yml',
      'tracing:\n  provider: zipkin\n  service_name: from-file\n  flush_timeout_ms: 100\n  max_queue_size: 10\n  deployment_environment: file\n',
    );
    const env = {
      OTEL_SERVICE_NAME: 'from-otel',
      TRACING_FLUSH_TIMEOUT_MS: '200',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=otel',
    };
    const base = loadTracingConfig({ configFile: f, env });
    assert.equal(base.config.service_name, 'from-otel');
    assert.equal(base.config.deployment_environment, 'otel');
    assert.equal(base.config.flush_timeout_ms, 200);
    assert.equal(base.config.max_queue_size, 10);
    const withEnv = loadTracingConfig({ configFile: f, env: { ...env, TRACING_SERVICE_NAME: 'from-env' } });
    assert.equal(withEnv.config.service_name, 'from-env');
    const withFlag = loadTracingConfig({
      configFile: f,
      env: { ...env, TRACING_SERVICE_NAME: 'from-env' },
      argv: ['--tracing.service_name=from-flag', '--tracing.max_queue_size', '20'],
    });
    assert.equal(withFlag.config.service_name, 'from-flag');
    assert.equal(withFlag.config.max_queue_size, 20);
    const withCode = loadTracingConfig({
      configFile: f,
      env,
      argv: ['--tracing.service_name=from-flag'],
      config: { service_name: 'from-code' },
    });
    assert.equal(withCode.config.service_name, 'from-code');
    assert.equal(withCode.sources.get('tracing.service_name'), 'code');
  });

  it('finds the config file from --config and TRACING_CONFIG_FILE', () => {
    const f = file('by-flag.yml', 'tracing: { provider: console }\n');
    assert.equal(loadTracingConfig({ argv: ['--config', f], env: {} }).config.provider, 'console');
    assert.equal(loadTracingConfig({ env: { TRACING_CONFIG_FILE: f } }).config.provider, 'console');
  });

  it('reads every key from its TRACING_* variable', () => {
    const r = loadTracingConfig({
      env: {
        TRACING_PROVIDER: 'otlp',
        TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS: 'agent:6831',
        TRACING_PROVIDERS_JAEGER_SAMPLING_SERVER_URL: 'http://agent:5778/sampling',
        TRACING_PROVIDERS_JAEGER_SAMPLING_TRACE_ID_RATIO: '0.5',
        TRACING_PROVIDERS_ZIPKIN_SERVER_URL: 'http://zipkin:9411/api/v2/spans',
        TRACING_PROVIDERS_OTLP_SERVER_URL: 'http://collector:4317',
        TRACING_PROVIDERS_OTLP_PROTOCOL: 'grpc',
        TRACING_PROVIDERS_OTLP_INSECURE: 'true',
        TRACING_PROVIDERS_OTLP_AUTHORIZATION_HEADER: 'Bearer s3cret',
        TRACING_PROVIDERS_OTLP_HEADERS: 'x-tenant=a,x-key=b%20c',
        TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO: '0.1',
        TRACING_PROPAGATORS: 'tracecontext,b3',
        TRACING_INSTRUMENTATIONS_HTTP_IGNORE_PATHS: '/healthz,/ready',
        TRACING_INSTRUMENTATIONS_BCRYPT_ENABLED: 'false',
      },
    });
    const c = r.config;
    assert.equal(c.provider, 'otlp');
    assert.equal(c.providers.jaeger.sampling.trace_id_ratio, 0.5);
    assert.equal(c.providers.otlp.insecure, true);
    assert.deepEqual(c.providers.otlp.headers, { 'x-tenant': 'a', 'x-key': 'b c' });
    assert.equal(c.providers.otlp.sampling.sampling_ratio, 0.1);
    assert.deepEqual(c.propagators, ['tracecontext', 'b3']);
    assert.deepEqual(c.instrumentations.http.ignore_paths, ['/healthz', '/ready']);
    assert.equal(c.instrumentations.bcrypt.enabled, false);
  });

  it('honours the standard OTEL_* variables', () => {
    const r = loadTracingConfig({
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k1',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.2',
        OTEL_PROPAGATORS: 'tracecontext,jaeger',
      },
    });
    assert.equal(r.config.provider, 'otlp');
    assert.equal(r.config.providers.otlp.server_url, 'http://collector:4318');
    assert.equal(r.config.providers.otlp.protocol, 'http/json');
    assert.deepEqual(r.config.providers.otlp.headers, { 'api-key': 'k1' });
    assert.equal(r.config.sampler.type, 'parentbased_traceidratio');
    assert.equal(r.config.sampler.ratio, 0.2);
    assert.deepEqual(r.config.propagators, ['tracecontext', 'jaeger']);
    assert.deepEqual(r.warnings, []);
    const off = loadTracingConfig({ env: { OTEL_SDK_DISABLED: 'true', TRACING_PROVIDER: 'jaeger' } });
    assert.equal(off.enabled, false);
    const codeWins = loadTracingConfig({ env: { OTEL_SDK_DISABLED: 'true' }, config: { provider: 'console' } });
    assert.equal(codeWins.enabled, true);
  });
});

describe('validation errors', () => {
  it('reports every problem at once, each with key path, value, what is allowed and a code', () => {
    const f = file(
      'bad.yml',
      [
        'tracing:',
        '  provider: jeager',
        '  providers:',
        '    jaeger:',
        '      local_agent_adress: jaeger:6831',
        '      sampling: { trace_id_ratio: 1.5, server_url: "not a url" }',
        '    zipkin:',
        '      server_url: ftp://zipkin',
        '  flush_timeout_ms: soon',
        '  propagators: [tracecontext, w3c]',
      ].join('\n'),
    );
    const e = errorsOf(() =>
      loadTracingConfig({ configFile: f, env: { TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS: 'jaeger' } }),
    );
    const byPath = new Map(e.issues.map((i) => [i.path, i]));
    assert.equal(e.issues.length, 8, e.message);
    assert.equal(
      byPath.get('tracing.provider')?.message,
      'tracing.provider: "jeager" is not one of jaeger, zipkin, otlp, console (or empty: tracing off)',
    );
    assert.equal(byPath.get('tracing.provider')?.code, ConfigErrorCode.NOT_ALLOWED);
    assert.equal(byPath.get('tracing.providers.jaeger.local_agent_adress')?.code, ConfigErrorCode.UNKNOWN_KEY);
    assert.match(
      byPath.get('tracing.providers.jaeger.local_agent_adress')!.message,
      /did you mean local_agent_address\?\); allowed keys: local_agent_address, collector_endpoint, sampling/,
    );
    assert.equal(
      byPath.get('tracing.providers.jaeger.sampling.trace_id_ratio')?.message,
      'tracing.providers.jaeger.sampling.trace_id_ratio: 1.5 is outside the allowed range 0..1',
    );
    assert.equal(byPath.get('tracing.providers.jaeger.sampling.server_url')?.code, ConfigErrorCode.INVALID_URL);
    assert.equal(byPath.get('tracing.providers.zipkin.server_url')?.code, ConfigErrorCode.INVALID_URL);
    assert.equal(byPath.get('tracing.flush_timeout_ms')?.code, ConfigErrorCode.WRONG_TYPE);
    assert.equal(
      byPath.get('tracing.propagators.1')?.message,
      'tracing.propagators.1: "w3c" is not one of tracecontext, baggage, jaeger, b3, b3multi',
    );
    // A value from the environment is named by its variable.
    assert.equal(
      byPath.get('tracing.providers.jaeger.local_agent_address')?.message,
      'TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS (tracing.providers.jaeger.local_agent_address): "jaeger" is not a host:port address (e.g. jaeger:6831)',
    );
    assert.match(e.message, /^@tracepack\/config: invalid tracing config \(8 errors\):/);
  });

  it('refuses wrong types from variables, naming the variable', () => {
    const e = errorsOf(() =>
      loadTracingConfig({ env: { TRACING_PROVIDERS_OTLP_INSECURE: 'maybe', TRACING_MAX_QUEUE_SIZE: '12x' } }),
    );
    assert.deepEqual(e.issues.map((i) => i.message).sort(), [
      'TRACING_MAX_QUEUE_SIZE (tracing.max_queue_size): "12x" is not an integer in 1..1000000',
      'TRACING_PROVIDERS_OTLP_INSECURE (tracing.providers.otlp.insecure): "maybe" is not a boolean',
    ]);
  });

  it('never shows a secret in an error', () => {
    const e = errorsOf(() =>
      loadTracingConfig({
        config: {
          providers: {
            otlp: { authorization_header: 42 as unknown as string, headers: { 'x-api-key': 7 as unknown as string } },
          },
        },
        env: {},
      }),
    );
    assert.equal(e.issues.length, 2);
    assert.doesNotMatch(e.message, /42|7/);
    assert.match(e.message, /<secret> is not a string/);
  });

  it('reports a missing or broken file with its own code', () => {
    assert.equal(
      errorsOf(() => loadTracingConfig({ configFile: join(dir, 'nope.yml'), env: {} })).code,
      ConfigErrorCode.FILE_UNREADABLE,
    );
    const broken = file('broken.yml', 'tracing:\n  provider: [jaeger\n');
    assert.equal(errorsOf(() => loadTracingConfig({ configFile: broken, env: {} })).code, ConfigErrorCode.FILE_SYNTAX);
  });

  it('refuses a flag without a value', () => {
    const e = errorsOf(() => loadTracingConfig({ argv: ['--tracing.provider'], env: {} }));
    assert.equal(e.code, ConfigErrorCode.BAD_FLAG);
  });
});
