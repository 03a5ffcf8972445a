import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadTracingConfig,
  maskSecrets,
  printTracingConfig,
  renderConfigHelp,
  schemaKeys,
  summarizeTracingConfig,
} from '../src';

describe('help, print and summary', () => {
  it('lists every schema key with its variable, type, default and description', () => {
    const help = renderConfigHelp();
    assert.match(help, /^DEBUG CONTROLS/);
    for (const key of schemaKeys()) {
      assert.ok(help.includes(`  ${key.dotted}\n      ${key.env}\n`), `help lacks ${key.dotted}`);
    }
    assert.match(
      help,
      /tracing\.providers\.otlp\.protocol\n\s+TRACING_PROVIDERS_OTLP_PROTOCOL\n\s+string; default: http\/protobuf\n\s+allowed: http\/protobuf, http\/json, grpc/,
    );
    for (const line of help.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
    const md = renderConfigHelp({ format: 'markdown' });
    assert.equal(md.split('\n').filter((l) => l.startsWith('| `tracing.')).length, schemaKeys().length);
  });

  it('masks secrets when printing and summarizing', () => {
    const { config } = loadTracingConfig({
      env: {
        TRACING_PROVIDER: 'otlp',
        TRACING_PROVIDERS_OTLP_AUTHORIZATION_HEADER: 'Bearer s3cret',
        TRACING_PROVIDERS_OTLP_HEADERS: 'x-api-key=k3y',
      },
    });
    const printed = printTracingConfig(config);
    assert.doesNotMatch(printed, /s3cret|k3y/);
    assert.match(printed, /authorization_header: "\*\*\*\*"/);
    assert.match(printed, /x-api-key: "\*\*\*\*"/);
    assert.equal(maskSecrets(config).providers.otlp.headers['x-api-key'], '****');
    assert.equal(config.providers.otlp.headers['x-api-key'], 'k3y', 'masking copies, never mutates');
    const summary = summarizeTracingConfig(config);
    assert.match(
      summary,
      /^otlp: service .* -> http:\/\/127\.0\.0\.1:4318 \(http\/protobuf, with auth headers\); sampling ratio 1; parent-based$/,
    );
  });

  it('keeps the generated TypeScript types in step with the schema', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'generate-types.mjs');
    execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
  });
});

describe('README', () => {
  it('lists every key exactly as the schema says', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('-->\n', readme.indexOf('<!-- generated')) + 4;
    const table = readme.slice(start, readme.indexOf('<!-- end generated -->'));
    assert.equal(
      table,
      renderConfigHelp({ format: 'markdown' }),
      'README key table is stale: regenerate it from renderConfigHelp',
    );
  });
});
