import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = join(__dirname, '..', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tracepack-usage-cli-'));
const repoRoot = join(__dirname, '..', '..', '..', '..');

function run(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('tracepack config: the sqa block', () => {
  it('help lists every sqa key with its variable and every opt-out switch', () => {
    const r = run(['config', 'help']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^DEBUG CONTROLS/);
    assert.match(r.out, /\nANONYMOUS USAGE STATISTICS\n/);
    assert.match(r.out, / {2}sqa\.endpoint\n {6}SQA_ENDPOINT\n/);
    assert.match(
      r.out,
      / {2}sqa\.report_interval\n {6}SQA_REPORT_INTERVAL\n {6}duration \(30s, 15m, 1h\) or seconds; default: 15m/,
    );
    for (const s of [
      '--sqa-opt-out',
      '--disable-telemetry',
      '--enable-telemetry=false',
      'SQA_OPT_OUT=true',
      'DISABLE_TELEMETRY=1',
      'TRACEPACK_ENABLE_TELEMETRY=false',
      'DO_NOT_TRACK=1',
      'sqa.opt_out: true',
    ]) {
      assert.ok(r.out.includes(s), `help lacks ${s}`);
    }
  });

  it('validate refuses a bad sqa value at once with the tracing errors, naming key, value and allowed values', () => {
    const f = file('bad.yml', 'tracing:\n  provider: jeager\nsqa:\n  protocol: grpc\n');
    const r = run(['config', 'validate', '--config', f], { DO_NOT_TRACK: 'sometimes' });
    assert.equal(r.code, 1);
    assert.match(r.err, /tracing\.provider: "jeager" is not one of/);
    assert.match(r.err, /invalid sqa config \(2 errors\)/);
    assert.match(r.err, /sqa\.protocol: "grpc" is not one of http\/protobuf, http\/json/);
    assert.match(r.err, /DO_NOT_TRACK: "sometimes" is not one of 1, true, yes \(opt out\) or 0, false, no/);
  });

  it('validate sums the sqa block up when it is used, and print shows it with secrets masked', () => {
    const f = file(
      'good.yml',
      'tracing:\n  provider: console\nsqa:\n  endpoint: https://usage.example.com\n  api_key: k3y-value\n  report_interval: 1h\n',
    );
    const v = run(['config', 'validate', '--config', f]);
    assert.equal(v.code, 0, v.err);
    assert.match(
      v.out,
      /\nok: usage statistics are on: https:\/\/usage\.example\.com \(http\/protobuf, api key in x-api-key\) every 1h\n$/,
    );
    const off = run(['config', 'validate', '--config', f, '--sqa-opt-out']);
    assert.match(off.out, /\nok: usage statistics are off \(opted out by flag --sqa-opt-out\): nothing is sent\n$/);
    const p = run(['config', 'print', '--config', f]);
    assert.equal(p.code, 0, p.err);
    assert.match(p.out, /\nsqa:\n {2}opt_out: false\n {2}endpoint: https:\/\/usage\.example\.com\n/);
    assert.match(p.out, /api_key: "\*\*\*\*"/);
    assert.doesNotMatch(p.out, /k3y-value/);
  });
});

describe('tracepack usage preview', () => {
  it('prints whether reports are on and the decoded next report', () => {
    const f = file(
      'preview.yml',
      'tracing:\n  provider: ""\n  service_name: clients-service\nsqa:\n  endpoint: https://usage.example.com\n  protocol: http/json\n',
    );
    const r = run(['usage', 'preview', '--config', f]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^usage statistics: ON, reports every 15m to https:\/\/usage\.example\.com\/v1\/metrics \(OTLP http\/json\)/,
    );
    assert.match(
      r.out,
      /\nnext report: POST https:\/\/usage\.example\.com\/v1\/metrics, \d+ bytes of application\/json\n/,
    );
    assert.match(r.out, /\n {4}service\.instance\.id = "[0-9a-f-]{36}"\n/);
    assert.match(
      r.out,
      /\n {4}tracepack\.usage\.tracepack\.features \(gauge, 1\)\n {6}\{tracepack\.feature="usage\.endpoint_whitelist"\} 0\n {6}\{tracepack\.feature="tracing\.off"\} 1\n/,
    );
    assert.match(r.out, /\nkeep-alive: POST https:\/\/usage\.example\.com\/v1\/metrics/);
    const json = run(['usage', 'preview', '--config', f, '--json']);
    assert.ok(JSON.parse(json.out).report.resourceMetrics.length === 1);
  });

  it('names the switch that turned reports off, and fails on a bad block', () => {
    const off = run(['usage', 'preview'], {
      SQA_ENDPOINT: 'https://usage.example.com',
      TRACEPACK_ENABLE_TELEMETRY: 'false',
    });
    assert.equal(off.code, 0, off.err);
    assert.match(
      off.out,
      /^usage statistics: OFF \(opted out by environment TRACEPACK_ENABLE_TELEMETRY=false\): nothing is sent\n/,
    );
    assert.doesNotMatch(off.out, /next report/);
    const bad = run(['usage', 'preview', '--sqa.report_interval=0s']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /sqa\.report_interval: "0s" is below the minimum 1s/);
    const usage = run(['usage', 'frobnicate']);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /unknown command "usage frobnicate"/);
  });
});
