// What `tracepack config validate` and `print` write for the config bugs the fuzz suite found
// (test/src/fuzz-config.test.ts): a coded error and exit 1, never a stack trace, never a URL's
// password, and a bad TRACING_CONFIG_FILE named with its variable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const cli = join(__dirname, '..', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tracepack-cli-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// Where the provider packages resolve (the repository root has them installed).
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

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('tracepack config: errors and what is shown', () => {
  it('a recursive YAML alias: exit 1 with a coded error naming the file and the key, no stack trace', () => {
    const f = file('alias.yml', 'tracing: &t\n  provider: console\n  service_name: *t\n');
    for (const command of ['validate', 'print']) {
      const r = run(['config', command, '--config', f]);
      assert.equal(r.code, 1, `${command}: ${r.err}`);
      assert.doesNotMatch(r.err, STACK_LINE, command);
      assert.match(r.err, /^@tracepack\/config: invalid tracing config:\n/, command);
      assert.ok(
        r.err.includes(
          `  - --config ${f}: tracing.service_name: a recursive YAML alias (the value contains itself); not read [TRACEPACK_CONFIG_FILE_SYNTAX]\n`,
        ),
        r.err,
      );
    }
  });

  it('a password inside a URL is masked by validate, print and in errors', () => {
    const f = file(
      'url.yml',
      'tracing:\n  provider: otlp\n  service_name: svc\n  providers:\n    otlp:\n      server_url: http://user:s3cretpw@collector:4318\n',
    );
    const v = run(['config', 'validate', '--config', f]);
    assert.equal(v.code, 0, v.err);
    assert.equal(
      v.out,
      'ok: otlp: service svc -> http://user:***@collector:4318 (http/protobuf); sampling ratio 1; parent-based\n',
    );
    const p = run(['config', 'print', '--config', f]);
    assert.equal(p.code, 0, p.err);
    assert.match(p.out, /^ {6}server_url: http:\/\/user:\*\*\*@collector:4318$/m);
    const bad = run([
      'config',
      'validate',
      '--config',
      f,
      '--tracing.providers.zipkin.server_url=ftp://user:s3cretpw@zipkin',
    ]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.err,
      /tracing\.providers\.zipkin\.server_url: "ftp:\/\/user:\*\*\*@zipkin" is not an http\(s\) URL/,
    );
    for (const r of [v, p, bad])
      assert.ok(!r.out.includes('s3cretpw') && !r.err.includes('s3cretpw'), `${r.out}${r.err}`);
  });

  it('a TRACING_CONFIG_FILE that does not exist, or is a directory: named with the variable', () => {
    const missing = join(dir, 'missing.yml');
    const r = run(['config', 'validate'], { TRACING_CONFIG_FILE: missing });
    assert.equal(r.code, 1);
    assert.ok(
      r.err.startsWith(
        `@tracepack/config: invalid tracing config:\n  - TRACING_CONFIG_FILE=${missing}: no such file [TRACEPACK_CONFIG_FILE_UNREADABLE]\n`,
      ),
      r.err,
    );
    const d = run(['config', 'validate'], { TRACING_CONFIG_FILE: dir });
    assert.ok(
      d.err.includes(`TRACING_CONFIG_FILE=${dir}: a directory, not a file [TRACEPACK_CONFIG_FILE_UNREADABLE]`),
      d.err,
    );
  });

  it('--tracing.__proto__.provider=console: exit 1 with a BAD_FLAG naming the flag', () => {
    const r = run(['config', 'validate', '--tracing.__proto__.provider=console']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /flag --tracing\.__proto__\.provider: "__proto__" is not a key, and cannot be one .* \[TRACEPACK_CONFIG_BAD_FLAG\]/,
    );
  });
});
