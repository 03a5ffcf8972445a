import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadSqaConfig,
  printSqaConfig,
  renderSqaConfigHelp,
  SqaConfigError,
  sqaSchemaKeys,
  summarizeSqaConfig,
  TracepackConfigError,
} from '../src';

const dir = mkdtempSync(join(tmpdir(), 'tracepack-sqa-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function refused(fn: () => unknown): SqaConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SqaConfigError, `expected SqaConfigError, got ${String(err)}`);
    assert.ok(err instanceof TracepackConfigError, 'whoever catches config errors catches this one');
    assert.equal(err.name, 'SqaConfigError');
    assert.match(err.message, /^@tracepack\/config: invalid sqa config/);
    return err;
  }
  assert.fail('expected the sqa config to be refused');
}
const ENDPOINT = 'https://usage.example.com';

describe('loadSqaConfig', () => {
  it('is off without an endpoint: there is no built-in address', () => {
    assert.equal(loadSqaConfig({ env: { SQA_ENDPOINT: '' } }).enabled, false, 'an empty variable is unset');
    const r = loadSqaConfig({ env: {} });
    assert.equal(r.enabled, false);
    assert.equal(r.offReason, 'no sqa.endpoint set');
    assert.equal(r.config.endpoint, undefined);
    assert.equal(r.config.opt_out, false);
    assert.deepEqual(r.durations, {
      reportIntervalMs: 900_000,
      identifyAfterMs: 900_000,
      keepaliveIntervalMs: 300_000,
    });
    assert.equal(r.config.max_endpoints, 500);
  });

  it('reads the sqa section beside tracing, then variables, flags and code on top', () => {
    const f = file(
      'svc.yml',
      `port: 1\ntracing:\n  provider: console\nsqa:\n  endpoint: ${ENDPOINT}\n  report_interval: 30s\n  max_endpoints: 10\n`,
    );
    const r = loadSqaConfig({
      configFile: f,
      env: { SQA_MAX_ENDPOINTS: '20', SQA_PROTOCOL: 'http/json' },
      argv: ['--sqa.max_endpoints=30'],
    });
    assert.equal(r.enabled, true);
    assert.equal(r.config.endpoint, ENDPOINT);
    assert.equal(r.durations.reportIntervalMs, 30_000);
    assert.equal(r.config.max_endpoints, 30);
    assert.equal(r.config.protocol, 'http/json');
    assert.equal(r.sources.get('sqa.max_endpoints'), 'flag --sqa.max_endpoints');
    const code = loadSqaConfig({ configFile: f, env: {}, config: { max_endpoints: 40, report_interval: 2 } });
    assert.equal(code.config.max_endpoints, 40);
    assert.equal(code.durations.reportIntervalMs, 2000, 'a bare number is seconds');
  });

  const switches: [
    string,
    { env?: Record<string, string>; argv?: string[]; file?: string; config?: Record<string, unknown> },
    RegExp,
  ][] = [
    ['--sqa-opt-out', { argv: ['--sqa-opt-out'] }, /^flag --sqa-opt-out$/],
    ['--sqa-opt-out=yes', { argv: ['--sqa-opt-out=yes'] }, /^flag --sqa-opt-out=yes$/],
    ['--sqa.opt_out true', { argv: ['--sqa.opt_out', 'true'] }, /^flag --sqa\.opt_out=true$/],
    ['--disable-telemetry', { argv: ['--disable-telemetry'] }, /^flag --disable-telemetry$/],
    ['--enable-telemetry=false', { argv: ['--enable-telemetry=false'] }, /^flag --enable-telemetry=false$/],
    ['SQA_OPT_OUT=true', { env: { SQA_OPT_OUT: 'true' } }, /^environment SQA_OPT_OUT=true$/],
    ['SQA_OPT_OUT=YES', { env: { SQA_OPT_OUT: 'YES' } }, /^environment SQA_OPT_OUT=YES$/],
    ['DISABLE_TELEMETRY=1', { env: { DISABLE_TELEMETRY: '1' } }, /^environment DISABLE_TELEMETRY=1$/],
    [
      'TRACEPACK_ENABLE_TELEMETRY=false',
      { env: { TRACEPACK_ENABLE_TELEMETRY: 'false' } },
      /^environment TRACEPACK_ENABLE_TELEMETRY=false$/,
    ],
    ['DO_NOT_TRACK=1', { env: { DO_NOT_TRACK: '1' } }, /^environment DO_NOT_TRACK=1$/],
    ['sqa.opt_out: true', { file: 'sqa:\n  opt_out: true\n' }, /^config file .*\(sqa\.opt_out: true\)$/],
    [
      'sqa.opt_out: yes (a string in YAML 1.2)',
      { file: 'sqa:\n  opt_out: "Yes"\n' },
      /^config file .*\(sqa\.opt_out: "Yes"\)$/,
    ],
    ['opt_out in code', { config: { opt_out: true } }, /^code \(sqa\.opt_out: true\)$/],
  ];
  for (const [name, input, label] of switches) {
    it(`opts out with ${name} alone, whatever else says on`, () => {
      const f = file('switch.yml', input.file ?? `sqa:\n  endpoint: ${ENDPOINT}\n`);
      const r = loadSqaConfig({
        configFile: f,
        env: { SQA_ENDPOINT: ENDPOINT, TRACEPACK_ENABLE_TELEMETRY: 'true', ...input.env },
        argv: ['--enable-telemetry', ...(input.argv ?? [])],
        config: input.config,
      });
      assert.equal(r.enabled, false);
      assert.equal(r.config.opt_out, true);
      assert.equal(r.optOut.length, 1, r.optOut.map((s) => s.label).join('; '));
      assert.match(r.optOut[0]!.label, label);
      assert.match(r.offReason!, /^opted out by /);
    });
  }

  it('reads 0, false, no as "not opted out" and lists every switch that is on', () => {
    const r = loadSqaConfig({
      env: {
        SQA_ENDPOINT: ENDPOINT,
        DO_NOT_TRACK: '0',
        DISABLE_TELEMETRY: 'No',
        SQA_OPT_OUT: 'FALSE',
        TRACEPACK_ENABLE_TELEMETRY: 'yes',
      },
    });
    assert.equal(r.enabled, true);
    const both = loadSqaConfig({ env: { DO_NOT_TRACK: '1', DISABLE_TELEMETRY: 'true' }, argv: ['--sqa-opt-out'] });
    assert.deepEqual(
      both.optOut.map((s) => s.label),
      ['flag --sqa-opt-out', 'environment DISABLE_TELEMETRY=true', 'environment DO_NOT_TRACK=1'],
    );
  });

  it('refuses any other switch value, naming the variable or flag and the allowed values', () => {
    for (const [env, argv, expected] of [
      [
        { DO_NOT_TRACK: 'maybe' },
        [],
        /DO_NOT_TRACK: "maybe" is not one of 1, true, yes \(opt out\) or 0, false, no \[TRACEPACK_CONFIG_NOT_ALLOWED\]/,
      ],
      [
        { TRACEPACK_ENABLE_TELEMETRY: 'off' },
        [],
        /TRACEPACK_ENABLE_TELEMETRY: "off" is not one of 0, false, no \(opt out\) or 1, true, yes/,
      ],
      [{ SQA_OPT_OUT: '2' }, [], /SQA_OPT_OUT: "2" is not one of 1, true, yes/],
      [{ DISABLE_TELEMETRY: 'y' }, [], /DISABLE_TELEMETRY: "y"/],
      [{}, ['--disable-telemetry=nope'], /flag --disable-telemetry: "nope" is not one of 1, true, yes/],
    ] as const) {
      const e = refused(() => loadSqaConfig({ env, argv }));
      assert.match(e.message, expected);
    }
  });

  it('refuses bad values at start, each with key, value and what is allowed, all at once', () => {
    const f = file(
      'bad.yml',
      'sqa:\n  endpoint: usage.example.com\n  protocol: grpc\n  report_interval: 0.5s\n  max_endpoints: 0\n  endpoint_whitelist: [clients/:id]\n  reprot_interval: 1m\n',
    );
    const e = refused(() =>
      loadSqaConfig({ configFile: f, env: { SQA_IDENTIFY_AFTER: 'soon', SQA_INSTALLATION_SALT: 'short' } }),
    );
    assert.match(e.message, /^@tracepack\/config: invalid sqa config \(8 errors\):/);
    assert.match(e.message, /sqa\.endpoint: "usage\.example\.com" is not an http\(s\) URL/);
    assert.match(
      e.message,
      /sqa\.protocol: "grpc" is not one of http\/protobuf, http\/json \[TRACEPACK_CONFIG_NOT_ALLOWED\]/,
    );
    assert.match(e.message, /sqa\.report_interval: "0\.5s" is below the minimum 1s/);
    assert.match(e.message, /sqa\.max_endpoints: 0 is outside the allowed range 1\.\.100000/);
    assert.match(e.message, /sqa\.endpoint_whitelist: "clients\/:id" must start with \//);
    assert.match(e.message, /sqa\.reprot_interval: unknown key; allowed keys: opt_out, endpoint/);
    assert.match(
      e.message,
      /SQA_IDENTIFY_AFTER \(sqa\.identify_after\): "soon" is not a duration such as 500ms, 30s, 15m, 1h/,
    );
    assert.match(
      e.message,
      /SQA_INSTALLATION_SALT \(sqa\.installation_salt\): <secret> is too short \(at least 16 characters\)/,
    );
    assert.doesNotMatch(e.message, /short"/, 'a secret is never shown');
  });
});

describe('sqa help, print and summary', () => {
  it('lists every sqa key with its variable, and every opt-out switch', () => {
    const help = renderSqaConfigHelp();
    assert.match(help, /^ANONYMOUS USAGE STATISTICS/);
    for (const key of sqaSchemaKeys())
      assert.ok(help.includes(`  ${key.dotted}\n      ${key.env}\n`), `help lacks ${key.dotted}`);
    for (const s of [
      '--sqa-opt-out',
      '--sqa.opt_out=true',
      '--disable-telemetry',
      '--enable-telemetry=false',
      'SQA_OPT_OUT=true',
      'DISABLE_TELEMETRY=1',
      'TRACEPACK_ENABLE_TELEMETRY=false',
      'DO_NOT_TRACK=1',
      'sqa.opt_out: true',
    ]) {
      assert.ok(help.includes(s), `help lacks the switch ${s}`);
    }
    for (const line of help.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
    const md = renderSqaConfigHelp({ format: 'markdown' });
    assert.equal(md.split('\n').filter((l) => l.startsWith('| `sqa.')).length, sqaSchemaKeys().length);
  });

  it('prints the resolved block with secrets masked and sums it up in one line', () => {
    const loaded = loadSqaConfig({
      env: { SQA_ENDPOINT: ENDPOINT, SQA_API_KEY: 'k3y-k3y-k3y', SQA_INSTALLATION_SALT: 'a-salt-of-16-chars-or-more' },
    });
    const printed = printSqaConfig(loaded.config);
    assert.match(printed, /^sqa:\n/);
    assert.match(printed, /api_key: "\*\*\*\*"/);
    assert.doesNotMatch(printed, /k3y|a-salt/);
    assert.equal(
      summarizeSqaConfig(loaded),
      `usage statistics are on: ${ENDPOINT} (http/protobuf, api key in x-api-key) every 15m`,
    );
    assert.equal(
      summarizeSqaConfig(loadSqaConfig({ env: { DO_NOT_TRACK: 'true' } })),
      'usage statistics are off (opted out by environment DO_NOT_TRACK=true): nothing is sent',
    );
  });

  it('keeps the generated TypeScript types in step with the schema', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'generate-sqa-types.mjs');
    execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
  });

  it('keeps the README table of the sqa block exactly as the schema says', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('-->\n', readme.indexOf('<!-- generated sqa:')) + 4;
    const table = readme.slice(start, readme.indexOf('<!-- end generated sqa -->'));
    assert.equal(
      table,
      renderSqaConfigHelp({ format: 'markdown' }),
      'README sqa table is stale: regenerate it from renderSqaConfigHelp',
    );
  });
});
