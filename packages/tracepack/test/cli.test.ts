import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = join(__dirname, '..', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tracepack-cli-'));
// A directory where the provider packages resolve (the repository root has them installed).
const repoRoot = join(__dirname, '..', '..', '..', '..');

function run(
  args: string[],
  env: Record<string, string> = {},
  cwd = repoRoot,
): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tracepack config', () => {
  it('usage: asked for (no arguments, --help, -h) on stdout with 0, a wrong command on stderr with 2', () => {
    for (const args of [[], ['--help'], ['-h'], ['config', '--help'], ['config', '-h']]) {
      const r = run(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.match(r.out, /^usage: tracepack config <command>/m, args.join(' '));
    }
    for (const args of [['confg'], ['config']]) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, /^usage: tracepack config <command>/m, args.join(' '));
    }
  });

  it('help prints the DEBUG CONTROLS table', () => {
    const r = run(['config', 'help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^DEBUG CONTROLS/);
    assert.match(
      r.out,
      /tracing\.providers\.jaeger\.sampling\.server_url\n\s+TRACING_PROVIDERS_JAEGER_SAMPLING_SERVER_URL/,
    );
    assert.match(
      run(['config', 'help', '--markdown']).out,
      /^\| key \| variable \| type \| default \| allowed \| description \|/,
    );
  });

  it('validate summarizes a good config in one line and exits 0', () => {
    const f = join(dir, 'good.yml');
    writeFileSync(
      f,
      'tracing:\n  provider: jaeger\n  service_name: clients-service\n  providers:\n    jaeger:\n      local_agent_address: jaeger:6831\n      sampling: { server_url: "http://jaeger:5778/sampling" }\n',
    );
    const r = run(['config', 'validate', '--config', f]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      'ok: jaeger: service clients-service -> agent udp://jaeger:6831 (compact thrift); remote sampling from http://jaeger:5778/sampling, ratio 1 until it answers; parent-based\n',
    );
  });

  it('validate exits 1 with every error, variables named', () => {
    const f = join(dir, 'bad.yml');
    writeFileSync(f, 'tracing:\n  provider: jeager\n  providers: { zipkin: { sampling: { sampling_ratio: 2 } } }\n');
    const r = run(['config', 'validate', '--config', f], { TRACING_MAX_QUEUE_SIZE: 'lots' });
    assert.equal(r.code, 1);
    assert.match(r.err, /invalid tracing config \(3 errors\)/);
    assert.match(r.err, /tracing\.provider: "jeager" is not one of jaeger, zipkin, otlp, console/);
    assert.match(r.err, /tracing\.providers\.zipkin\.sampling\.sampling_ratio: 2 is outside the allowed range 0\.\.1/);
    assert.match(r.err, /TRACING_MAX_QUEUE_SIZE \(tracing\.max_queue_size\): "lots" is not an integer/);
  });

  it('validate says which package a provider needs when it is not installed', () => {
    const r = run(['config', 'validate'], { TRACING_PROVIDER: 'zipkin' }, dir);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /needs @tracepack\/provider-zipkin, which is not installed here: npm install @tracepack\/provider-zipkin/,
    );
  });

  it('print shows the resolved config after precedence, secrets masked', () => {
    const f = join(dir, 'print.yml');
    writeFileSync(f, 'tracing:\n  provider: otlp\n  service_name: from-file\n');
    const r = run(['config', 'print', '--config', f, '--tracing.service_name=from-flag'], {
      TRACING_PROVIDERS_OTLP_AUTHORIZATION_HEADER: 'Bearer t0ken',
      TRACING_PROVIDERS_OTLP_PROTOCOL: 'grpc',
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /service_name: from-flag/);
    assert.match(r.out, /protocol: grpc/);
    assert.match(r.out, /authorization_header: "\*\*\*\*"/);
    assert.doesNotMatch(r.out, /t0ken/);
  });

  it('validate and print warn on stderr about an OTEL_* value the service would ignore, and still exit 0', () => {
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
      OTEL_PROPAGATORS: 'xray,tracecontext',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    };
    const r = run(['config', 'validate'], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.err,
      'tracepack: warning: OTEL_PROPAGATORS: "xray" (not supported) skipped; supported: tracecontext, baggage, b3, b3multi, jaeger, none\n',
    );
    assert.match(
      r.out,
      /^ok: otlp: service .* -> http:\/\/collector:4318\/v1\/traces \(http\/protobuf\); sampler traceidratio, ratio 0\.1\n$/,
    );
    const p = run(['config', 'print'], env);
    assert.equal(p.code, 0);
    assert.match(p.err, /^tracepack: warning: OTEL_PROPAGATORS/);
    assert.match(p.out, /propagators:\n\s+- tracecontext\n/);
    assert.equal(run(['config', 'validate'], { TRACING_PROVIDER: 'console' }).err, '', 'no warning without a cause');
  });

  it('refuses an unknown command with the usage', () => {
    const r = run(['config', 'frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "config frobnicate"/);
  });
});
