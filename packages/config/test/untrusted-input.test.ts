// Regression tests of the bugs the property-based tests (test/src/fuzz-config.test.ts) found in
// how the loader treats what users give it, and of their kin found by reading: values that
// contain themselves (recursive YAML aliases), keys named like Object.prototype members, URL
// passwords where values are shown, and errors about a config file named by a variable.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ConfigErrorCode,
  loadSqaConfig,
  loadTracingConfig,
  printSqaConfig,
  printTracingConfig,
  summarizeSqaConfig,
  summarizeTracingConfig,
  TracepackConfigError,
  type ConfigIssue,
} from '../src';
import { maskUrlSecrets } from '../src/redact';

const dir = mkdtempSync(join(tmpdir(), 'tracepack-untrusted-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// The default service name comes from the nearest package.json: this one.
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'untrusted-test', version: '1.0.0' }));

let count = 0;
function file(text: string, ext = 'yml'): string {
  const p = join(dir, `c${count++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

/** The error a call throws: a TracepackConfigError, never anything else. */
function refused(fn: () => unknown): TracepackConfigError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof TracepackConfigError))
      throw new assert.AssertionError({ message: `expected a TracepackConfigError, got ${String(err)}`, actual: err });
    return err;
  }
  assert.fail('expected the config to be refused');
}

function only(err: TracepackConfigError): ConfigIssue {
  assert.equal(err.issues.length, 1, err.message);
  return err.issues[0]!;
}

/** Runs `fn` and says what it added to or replaced in Object.prototype (and undoes it). */
function prototypeChanges(fn: () => void): string[] {
  const before = new Map(
    Object.getOwnPropertyNames(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)!]),
  );
  fn();
  const changed: string[] = [];
  for (const k of Object.getOwnPropertyNames(Object.prototype)) {
    const was = before.get(k);
    if (was === undefined) {
      changed.push(k);
      delete (Object.prototype as Record<string, unknown>)[k];
    } else if (was.value !== Object.getOwnPropertyDescriptor(Object.prototype, k)!.value) {
      changed.push(k);
      Object.defineProperty(Object.prototype, k, was);
    }
  }
  return changed;
}

const load = (options: Parameters<typeof loadTracingConfig>[0]) => loadTracingConfig({ cwd: dir, env: {}, ...options });

describe('a value that contains itself (recursive YAML alias) or nests without end', () => {
  it('an alias to the mapping that holds it: a FILE_SYNTAX error naming the file and the key, not a RangeError', () => {
    const f = file('tracing: &t\n  provider: console\n  service_name: *t\n');
    const issue = only(refused(() => load({ configFile: f })));
    assert.equal(issue.code, ConfigErrorCode.FILE_SYNTAX);
    assert.equal(issue.path, 'tracing.service_name');
    assert.equal(issue.source, `config file ${f}`);
    assert.equal(
      issue.message,
      `config file ${f}: tracing.service_name: a recursive YAML alias (the value contains itself); not read`,
    );
  });

  it('an alias to the list that holds it: the same, not a TypeError', () => {
    const f = file('tracing:\n  propagators: &p [tracecontext, *p]\n');
    const issue = only(refused(() => load({ configFile: f })));
    assert.equal(issue.code, ConfigErrorCode.FILE_SYNTAX);
    assert.equal(issue.path, 'tracing.propagators.1');
  });

  it('a cycle through an anchor outside the section, and in a flat file', () => {
    const outside = file('base: &b\n  provider: otlp\n  providers: { otlp: { headers: *b } }\ntracing: *b\n');
    assert.equal(only(refused(() => load({ configFile: outside }))).path, 'tracing.providers.otlp.headers');
    const flat = file('&f\nprovider: jaeger\njaeger: { sampling: *f }\n');
    assert.equal(only(refused(() => load({ configFile: flat }))).path, 'tracing.jaeger.sampling');
  });

  it('shared anchors without a cycle are read, and a cycle in another section of the file is none of ours', () => {
    const shared = file(
      'common: &c { sampling_ratio: 0.5 }\ntracing:\n  provider: otlp\n  providers:\n    otlp: { sampling: *c }\n    zipkin: { sampling: *c }\n',
    );
    const r = load({ configFile: shared });
    assert.equal(r.config.providers.otlp.sampling.sampling_ratio, 0.5);
    assert.equal(r.config.providers.zipkin.sampling.sampling_ratio, 0.5);
    assert.equal(
      load({ configFile: file('other: &a [*a]\ntracing: { provider: console }\n') }).config.provider,
      'console',
    );
  });

  it('a "billion laughs" file (aliases expanding exponentially) is a FILE_SYNTAX error', () => {
    const lines = [
      'a0: &a0 [x, x]',
      ...Array.from({ length: 16 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`),
      'tracing: { provider: console, resource_attributes: { x: *a16 } }',
    ];
    assert.equal(
      only(refused(() => load({ configFile: file(`${lines.join('\n')}\n`) }))).code,
      ConfigErrorCode.FILE_SYNTAX,
    );
  });

  it('the sqa: section: the same error (SqaConfigError), not a TypeError', () => {
    const f = file('sqa: &s\n  endpoint: https://usage.example.com\n  ignore_paths: [/a, *s]\n');
    const issue = only(refused(() => loadSqaConfig({ configFile: f, env: {} })));
    assert.equal(issue.code, ConfigErrorCode.FILE_SYNTAX);
    assert.equal(
      issue.message,
      `config file ${f}: sqa.ignore_paths.1: a recursive YAML alias (the value contains itself); not read`,
    );
  });

  it('options in code that contain themselves, nest 10000 deep, or hold a function: INVALID_VALUE naming the key', () => {
    const cyclic: Record<string, unknown> = { provider: 'console', providers: {} };
    (cyclic.providers as Record<string, unknown>).otlp = cyclic;
    const cycle = only(refused(() => load({ config: cyclic })));
    assert.deepEqual(
      [cycle.code, cycle.path, cycle.source],
      [ConfigErrorCode.INVALID_VALUE, 'tracing.providers.otlp', 'code'],
    );
    assert.match(cycle.message, /^tracing\.providers\.otlp: the value contains itself/);

    let deep: Record<string, unknown> = {};
    const root = { provider: 'console', resource_attributes: deep };
    for (let i = 0; i < 10_000; i++) deep = (deep.a = {}) as Record<string, unknown>;
    assert.equal(only(refused(() => load({ config: root }))).code, ConfigErrorCode.INVALID_VALUE);

    const fn = only(
      refused(() => load({ config: { provider: 'console', service_name: (() => 'x') as unknown as string } })),
    );
    assert.deepEqual([fn.code, fn.path], [ConfigErrorCode.INVALID_VALUE, 'tracing.service_name']);
    const sqa = only(
      refused(() => loadSqaConfig({ config: { ignore_paths: [() => '/x'] as unknown as string[] }, env: {} })),
    );
    assert.deepEqual([sqa.code, sqa.path], [ConfigErrorCode.INVALID_VALUE, 'sqa.ignore_paths.0']);
  });

  it('a bigint from code is a wrong type, shown, not a TypeError from JSON.stringify', () => {
    assert.equal(
      only(refused(() => load({ config: { max_queue_size: 10n as unknown as number } }))).message,
      'tracing.max_queue_size: 10n is not an integer in 1..1000000',
    );
    assert.equal(
      only(refused(() => loadSqaConfig({ config: { max_endpoints: 10n as unknown as number }, env: {} }))).code,
      ConfigErrorCode.WRONG_TYPE,
    );
  });

  it('yaml warnings (an unknown tag) are not emitted as process warnings quoting the line, which may hold a secret', async () => {
    const warnings: string[] = [];
    const listener = (w: Error): void => void warnings.push(w.message);
    process.on('warning', listener);
    try {
      load({
        configFile: file(
          'tracing:\n  provider: otlp\n  providers:\n    otlp:\n      authorization_header: !vault Bearer s3cret-token\n',
        ),
      });
      await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
    } finally {
      process.off('warning', listener);
    }
    assert.deepEqual(warnings, []);
  });
});

describe('keys named like Object.prototype members (__proto__, constructor, prototype)', () => {
  it('tracing: __proto__: in a file is an unknown key with the allowed keys, and turns nothing on', () => {
    const f = file('tracing:\n  __proto__:\n    provider: console\n');
    const issue = only(refused(() => load({ configFile: f })));
    assert.equal(issue.code, ConfigErrorCode.UNKNOWN_KEY);
    assert.equal(issue.path, 'tracing.__proto__');
    assert.match(issue.message, /^tracing\.__proto__: unknown key; allowed keys: provider, service_name, /);
  });

  it('deeper, in JSON, in code, and in a flat provider block (where it could set the collector)', () => {
    const json = file(
      '{"tracing": {"provider": "otlp", "providers": {"otlp": {"__proto__": {"server_url": "http://evil:4318"}}}}}',
      'json',
    );
    assert.equal(only(refused(() => load({ configFile: json }))).path, 'tracing.providers.otlp.__proto__');
    const code = JSON.parse('{"__proto__": {"provider": "console"}, "service_name": "svc"}') as Record<string, unknown>;
    assert.equal(only(refused(() => load({ config: code }))).path, 'tracing.__proto__');
    const flat = file(
      'provider: jaeger\njaeger:\n  __proto__:\n    collector_endpoint: http://evil:14268/api/traces\n',
    );
    const issue = only(refused(() => load({ configFile: flat })));
    assert.equal(issue.code, ConfigErrorCode.UNKNOWN_KEY);
    assert.match(
      issue.message,
      /^tracing\.jaeger\.__proto__ \(flat form of tracing\.providers\.jaeger\.__proto__\): unknown key/,
    );
  });

  it('sqa: __proto__: in a file is an unknown key, and sets no endpoint', () => {
    const f = file('sqa:\n  __proto__:\n    endpoint: https://usage.example.com\n');
    const issue = only(refused(() => loadSqaConfig({ configFile: f, env: {} })));
    assert.deepEqual([issue.code, issue.path], [ConfigErrorCode.UNKNOWN_KEY, 'sqa.__proto__']);
  });

  it('as a key of a map (resource_attributes, headers): refused, naming the variable or file it came from', () => {
    const f = file('tracing:\n  resource_attributes: { team: a, constructor: b }\n');
    const inFile = only(refused(() => load({ configFile: f })));
    assert.deepEqual(
      [inFile.code, inFile.path],
      [ConfigErrorCode.INVALID_VALUE, 'tracing.resource_attributes.constructor'],
    );
    assert.equal(
      inFile.message,
      'tracing.resource_attributes.constructor: "constructor" cannot be a key (__proto__, constructor, prototype never are)',
    );
    const inVariable = only(refused(() => load({ env: { TRACING_PROVIDERS_OTLP_HEADERS: 'x-a=1,__proto__=2' } })));
    assert.equal(inVariable.path, 'tracing.providers.otlp.headers.__proto__');
    assert.match(
      inVariable.message,
      /^TRACING_PROVIDERS_OTLP_HEADERS \(tracing\.providers\.otlp\.headers\.__proto__\): "__proto__" cannot be a key/,
    );
  });

  it('OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS: the entry is skipped with a warning, the rest read', () => {
    const r = load({
      env: {
        OTEL_RESOURCE_ATTRIBUTES: 'constructor=a,__proto__=b,team=c',
        OTEL_EXPORTER_OTLP_HEADERS: '__proto__=x,x-a=1',
        TRACING_PROVIDER: 'otlp',
      },
    });
    assert.deepEqual(r.config.resource_attributes, { team: 'c' });
    assert.deepEqual(r.config.providers.otlp.headers, { 'x-a': '1' });
    assert.deepEqual(r.warnings, [
      'OTEL_RESOURCE_ATTRIBUTES: "constructor", "__proto__" cannot be a key (__proto__, constructor, prototype never are); skipped',
      'OTEL_EXPORTER_OTLP_HEADERS: "__proto__" cannot be a header name here (__proto__, constructor, prototype never are); skipped',
    ]);
  });
});

describe('flags whose path names __proto__, constructor or prototype', () => {
  it('--tracing.__proto__.provider= is a BAD_FLAG naming the flag, and Object.prototype stays as it was', () => {
    let err: TracepackConfigError | undefined;
    assert.deepEqual(
      prototypeChanges(() => {
        err = refused(() => load({ argv: ['--tracing.__proto__.provider='] }));
      }),
      [],
    );
    const issue = only(err!);
    assert.deepEqual(
      [issue.code, issue.path, issue.source],
      [ConfigErrorCode.BAD_FLAG, 'tracing.__proto__.provider', 'flag --tracing.__proto__.provider'],
    );
    assert.equal(
      issue.message,
      'flag --tracing.__proto__.provider: "__proto__" is not a key, and cannot be one (__proto__, constructor, prototype never are)',
    );
    // A later call in the same process is not affected.
    assert.equal(load({}).enabled, false);
  });

  it('--tracing.__proto__=1, constructor and prototype anywhere in the path, and --sqa.__proto__: refused, not ignored', () => {
    for (const flag of [
      '--tracing.__proto__=1',
      '--tracing.constructor.prototype.provider=console',
      '--tracing.resource_attributes.__proto__=x',
      '--tracing.providers.prototype=x',
    ]) {
      assert.equal(only(refused(() => load({ argv: [flag] }))).code, ConfigErrorCode.BAD_FLAG, flag);
    }
    const sqa = only(refused(() => loadSqaConfig({ argv: ['--sqa.__proto__=x'], env: {} })));
    assert.deepEqual([sqa.code, sqa.path], [ConfigErrorCode.BAD_FLAG, 'sqa.__proto__']);
  });

  it('other prototype member names are plain unknown keys (own keys, never the inherited members)', () => {
    const issue = only(refused(() => load({ argv: ['--tracing.hasOwnProperty.toString=1'] })));
    assert.deepEqual([issue.code, issue.path], [ConfigErrorCode.UNKNOWN_KEY, 'tracing.hasOwnProperty']);
  });
});

describe('a password inside a URL', () => {
  const url = 'http://user:s3cretpw@collector:4318';

  it('is masked by print and the summary line', () => {
    const { config } = load({
      configFile: file(`tracing:\n  provider: otlp\n  providers:\n    otlp:\n      server_url: ${url}\n`),
    });
    assert.equal(config.providers.otlp.server_url, url, 'the config itself keeps it');
    const printed = printTracingConfig(config);
    assert.match(printed, /server_url: http:\/\/user:\*\*\*@collector:4318\n/);
    assert.doesNotMatch(printed, /s3cretpw/);
    assert.equal(
      summarizeTracingConfig(config),
      'otlp: service untrusted-test -> http://user:***@collector:4318 (http/protobuf); sampling ratio 1; parent-based',
    );
  });

  it('is masked in error messages and OTEL_* warnings', () => {
    const bad = only(
      refused(() =>
        load({
          configFile: file('tracing:\n  providers:\n    zipkin:\n      server_url: ftp://user:s3cretpw@zipkin:9411\n'),
        }),
      ),
    );
    assert.equal(
      bad.message,
      'tracing.providers.zipkin.server_url: "ftp://user:***@zipkin:9411" is not an http(s) URL (e.g. http://jaeger:5778/sampling)',
    );
    const flag = refused(() => load({ argv: [`--tracing.max_queue_size=${url}`] }));
    assert.doesNotMatch(flag.message, /s3cretpw/);
    const warned = load({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:s3cretpw@collector:4318' } });
    assert.deepEqual(warned.warnings, [
      'OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://user:***@collector:4318" is not an http(s) URL with a host; ignored',
    ]);
  });

  it('is masked by the sqa print, summary and errors', () => {
    const loaded = loadSqaConfig({ env: { SQA_ENDPOINT: 'https://user:s3cretpw@usage.example.com' } });
    assert.match(printSqaConfig(loaded.config), /endpoint: https:\/\/user:\*\*\*@usage\.example\.com\n/);
    assert.match(summarizeSqaConfig(loaded), /^usage statistics are on: https:\/\/user:\*\*\*@usage\.example\.com /);
    const err = refused(() => loadSqaConfig({ env: { SQA_ENDPOINT: 'ftp://user:s3cretpw@usage.example.com' } }));
    assert.doesNotMatch(err.message, /s3cretpw/);
    assert.match(err.message, /ftp:\/\/user:\*\*\*@usage\.example\.com/);
  });

  it('maskUrlSecrets: the password up to the last @ of the authority, any scheme, every URL in a text; query values', () => {
    assert.equal(maskUrlSecrets(url), 'http://user:***@collector:4318');
    assert.equal(maskUrlSecrets('grpc://u:p@ss@h:4317/x?y=http://a:b@c'), 'grpc://u:***@h:4317/x?y=***');
    assert.equal(
      maskUrlSecrets('to http://h:4318/v1/traces?api_key=tok&flag&e=#frag then "http://x/?a=1"'),
      'to http://h:4318/v1/traces?api_key=***&flag&e=#frag then "http://x/?a=***"',
    );
    assert.equal(
      maskUrlSecrets('"https://:tok@h" and http://u:@h and http://h/a:b@c'),
      '"https://:***@h" and http://u:@h and http://h/a:b@c',
    );
    assert.equal(maskUrlSecrets('user:pw@host'), 'user:pw@host', 'no scheme: not a URL');
  });
});

describe('a config file named by TRACING_CONFIG_FILE or --config', () => {
  const missing = join(dir, 'missing.yml');
  const aDir = join(dir, 'a-directory.yml');
  mkdirSync(aDir);

  it('every error names the variable and the file: missing, a directory, not YAML, not a mapping', () => {
    const cases: Array<[string, string, string]> = [
      [missing, ConfigErrorCode.FILE_UNREADABLE, `TRACING_CONFIG_FILE=${missing}: no such file`],
      [aDir, ConfigErrorCode.FILE_UNREADABLE, `TRACING_CONFIG_FILE=${aDir}: a directory, not a file`],
    ];
    const garbage = file('tracing: [\n');
    const scalar = file('tracing: 5\n');
    for (const [path, code, message] of cases) {
      const issue = only(refused(() => load({ env: { TRACING_CONFIG_FILE: path } })));
      assert.deepEqual([issue.code, issue.message, issue.source], [code, message, 'environment TRACING_CONFIG_FILE']);
    }
    const syntax = only(refused(() => load({ env: { TRACING_CONFIG_FILE: garbage } })));
    assert.ok(syntax.message.startsWith(`TRACING_CONFIG_FILE=${garbage}: not valid YAML or JSON: `), syntax.message);
    assert.equal(
      only(refused(() => load({ env: { TRACING_CONFIG_FILE: scalar } }))).message,
      `TRACING_CONFIG_FILE=${scalar}: tracing: 5 is not a mapping`,
    );
    assert.equal(
      only(refused(() => loadSqaConfig({ env: { TRACING_CONFIG_FILE: missing } }))).message,
      `TRACING_CONFIG_FILE=${missing}: no such file`,
    );
  });

  it('--config FILE and configFile in code name the file the way it was given; --config without a file is a BAD_FLAG', () => {
    assert.equal(
      only(refused(() => load({ argv: ['--config', missing] }))).message,
      `--config ${missing}: no such file`,
    );
    assert.equal(only(refused(() => load({ configFile: missing }))).message, `config file ${missing}: no such file`);
    for (const argv of [['--config'], ['--config=']]) {
      const issue = only(refused(() => load({ argv, env: { TRACING_CONFIG_FILE: missing } })));
      assert.deepEqual(
        [issue.code, issue.message],
        [
          ConfigErrorCode.BAD_FLAG,
          'flag --config: a file name is missing (--config FILE, whose tracing: section is read)',
        ],
        argv.join(' '),
      );
    }
  });
});
