import { loadTracingConfig, schemaKeys } from '@tracepack/config';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, describe, it } from 'node:test';
import { hasTracingInputs } from '../src/tracing-inputs';

// "provider empty: tracing is off, at no cost": what a service loads with tracing off, read
// from a real child process (`node -e`) through each entry: startTracing() in code,
// `--require @tracepack/node/register` and `--import @tracepack/node/register`. The child prints
// require.cache (every CommonJS module) and, under --import, every URL a module.registerHooks
// resolve hook saw (ESM too: import-in-the-middle's loader is ESM and never in require.cache).

const packageRoot = join(__dirname, '..', '..');
const repoRoot = join(packageRoot, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tracepack-off-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Records what is resolved, from before the register entry runs (Node 22.15+). */
const RECORDER =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { registerHooks } from 'node:module'; globalThis.__resolved = [];" +
      'registerHooks({ resolve(s, c, next) { const r = next(s, c); globalThis.__resolved.push(r.url); return r; } });',
  );
const REPORT =
  'console.log("LOADED " + JSON.stringify({ cache: Object.keys(require.cache), resolved: globalThis.__resolved ?? [] }))';

type Entry = 'code' | 'require' | 'import';
const ENTRIES: readonly Entry[] = ['code', 'require', 'import'];

interface Loaded {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Loaded files, relative to the repository (or the install), with `/` separators. */
  files: string[];
  enabled?: boolean;
}

/** `node -e` through one entry; TRACING_ and OTEL_ variables: only these. */
function run(entry: Entry, env: Record<string, string> = {}): Loaded {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TRACING_|OTEL_|NODE_OPTIONS$|NODE_TEST_CONTEXT$)/i.test(k)),
  );
  const code =
    entry === 'code'
      ? `const h = require('@tracepack/node').startTracing(); console.log("ENABLED " + h.enabled); ${REPORT}`
      : `console.log("ENABLED " + require('@tracepack/node/register').tracingStarted); ${REPORT}`;
  const args =
    entry === 'code'
      ? ['-e', code]
      : entry === 'require'
        ? ['--require', '@tracepack/node/register', '-e', code]
        : ['--import', RECORDER, '--import', '@tracepack/node/register', '-e', code];
  const r = spawnSync(process.execPath, args, {
    cwd: packageRoot,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('LOADED '));
  const enabled = r.stdout.split('\n').find((l) => l.startsWith('ENABLED '));
  const seen = line
    ? (JSON.parse(line.slice('LOADED '.length)) as { cache: string[]; resolved: string[] })
    : { cache: [], resolved: [] };
  const paths = [
    ...seen.cache,
    ...seen.resolved.filter((u) => u.startsWith('file:')).map((u) => decodeURIComponent(new URL(u).pathname)),
  ];
  const files = [...new Set(paths.map((p) => relative(p)))];
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    files,
    enabled: enabled ? enabled.endsWith('true') : undefined,
  };
}

function relative(p: string): string {
  const s = p.split(sep).join('/');
  const root = repoRoot.split(sep).join('/');
  return s.startsWith(`${root}/`) ? s.slice(root.length + 1) : s;
}

/** What tracing off must never load (the config file's parser only when a file is named). */
const NEVER: ReadonlyArray<[string, RegExp]> = [
  ['ajv', /(^|\/)node_modules\/ajv\//],
  ['the OpenTelemetry SDK (sdk-trace)', /@opentelemetry\/sdk-trace/],
  ['the context manager', /@opentelemetry\/context-async-hooks/],
  [
    'an instrumentation package',
    /@opentelemetry\/instrumentation|(^|\/)(packages|@tracepack)\/instrumentation-|\/dist\/src\/instrumentations\.js$/,
  ],
  ['import-in-the-middle', /import-in-the-middle/],
  ['a provider package', /(^|\/)(packages|@tracepack)\/provider-/],
];
const YAML: [string, RegExp] = ['the YAML parser', /(^|\/)node_modules\/yaml\//];

function assertNone(loaded: Loaded, forbidden: ReadonlyArray<[string, RegExp]>, what: string): void {
  assert.equal(loaded.status, 0, `${what}: exit ${loaded.status}\n${loaded.stderr}`);
  assert.ok(loaded.files.length > 0, `${what}: the child reported nothing\n${loaded.stdout}\n${loaded.stderr}`);
  for (const [name, re] of forbidden) {
    const hits = loaded.files.filter((f) => re.test(f));
    assert.deepEqual(hits, [], `${what}: ${name} was loaded with tracing off`);
  }
}

function has(loaded: Loaded, re: RegExp): boolean {
  return loaded.files.some((f) => re.test(f));
}

describe('tracing off loads nothing it does not need', () => {
  for (const entry of ENTRIES) {
    it(`${entry}: no provider, no config file: no ajv, yaml, SDK, instrumentation or import-in-the-middle`, () => {
      const loaded = run(entry);
      assert.equal(loaded.enabled, false);
      assertNone(loaded, [...NEVER, YAML], entry);
    });
  }

  for (const entry of ['require', 'import'] as const) {
    it(`${entry} register with nothing set loads only the register entry itself: no config package, no OpenTelemetry`, () => {
      const loaded = run(entry);
      assert.equal(loaded.enabled, false);
      const ours = loaded.files.filter((f) => !f.startsWith('node:') && !f.endsWith('/register.mjs'));
      assert.deepEqual(ours.sort(), ['packages/node/dist/src/register.js', 'packages/node/dist/src/tracing-inputs.js']);
    });
  }

  for (const entry of ENTRIES) {
    it(`${entry}: a config file with provider empty is read (yaml) and validated, still nothing of the SDK`, () => {
      const file = join(dir, `off-${entry}.yml`);
      writeFileSync(file, 'tracing:\n  provider: ""\n  service_name: off-app\n  sampler:\n    ratio: 0.5\n');
      const loaded = run(entry, { TRACING_CONFIG_FILE: file });
      assert.equal(loaded.enabled, false);
      assert.ok(has(loaded, YAML[1]), 'the named config file is parsed');
      assert.ok(
        has(loaded, /packages\/config\/dist\/src\/tracing-validator\.js$/),
        'the config is validated (generated validator)',
      );
      assertNone(loaded, NEVER, entry);
    });
  }

  for (const entry of ENTRIES) {
    it(`${entry}: TRACING_PROVIDER="" takes the full loader, which loads neither ajv nor yaml`, () => {
      const loaded = run(entry, { TRACING_PROVIDER: '' });
      assert.equal(loaded.enabled, false);
      assert.ok(has(loaded, /packages\/config\/dist\/src\/load\.js$/));
      assertNone(loaded, [...NEVER, YAML], entry);
    });
  }
});

describe('tracing off still refuses a bad value at start', () => {
  const ratioError =
    /TRACING_SAMPLER_RATIO \(tracing\.sampler\.ratio\): 2 is outside the allowed range 0\.\.1 \[TRACEPACK_CONFIG_OUT_OF_RANGE\]/;
  for (const entry of ['require', 'import'] as const) {
    it(`${entry}: a variable out of range stops the process with exit 78, naming key, value and range`, () => {
      const loaded = run(entry, { TRACING_SAMPLER_RATIO: '2' });
      assert.equal(loaded.status, 78, loaded.stderr);
      assert.match(loaded.stderr, ratioError);
      assert.doesNotMatch(loaded.stdout, /LOADED/, 'the service did not start');
    });

    it(`${entry}: a misspelt provider names the allowed values`, () => {
      const loaded = run(entry, { TRACING_PROVIDER: 'jeager' });
      assert.equal(loaded.status, 78, loaded.stderr);
      assert.match(
        loaded.stderr,
        /TRACING_PROVIDER \(tracing\.provider\): "jeager" is not one of jaeger, zipkin, otlp, console \(or empty: tracing off\) \[TRACEPACK_CONFIG_NOT_ALLOWED\]/,
      );
    });

    it(`${entry}: a bad value in a config file whose provider is empty`, () => {
      const file = join(dir, `bad-${entry}.yml`);
      writeFileSync(file, 'tracing:\n  provider: ""\n  propagators: [w3c]\n');
      const loaded = run(entry, { TRACING_CONFIG_FILE: file });
      assert.equal(loaded.status, 78, loaded.stderr);
      assert.match(
        loaded.stderr,
        /tracing\.propagators\.0: "w3c" is not one of tracecontext, baggage, jaeger, b3, b3multi \[TRACEPACK_CONFIG_NOT_ALLOWED\]/,
      );
    });
  }

  it('code: startTracing() throws the same error', () => {
    const loaded = run('code', { TRACING_SAMPLER_RATIO: '2' });
    assert.notEqual(loaded.status, 0);
    assert.match(loaded.stderr, /TracepackConfigError/);
    assert.match(loaded.stderr, ratioError);
  });
});

describe('OTEL_* variables are still honoured', () => {
  for (const entry of ENTRIES) {
    it(`${entry}: OTEL_TRACES_EXPORTER=console turns tracing on (and the SDK and instrumentations load)`, () => {
      const loaded = run(entry, { OTEL_TRACES_EXPORTER: 'console' });
      assert.equal(loaded.status, 0, loaded.stderr);
      assert.equal(loaded.enabled, true);
      assert.ok(has(loaded, NEVER[1]![1]), 'sdk-trace loaded');
      assert.ok(has(loaded, NEVER[3]![1]), 'instrumentations loaded');
      if (entry === 'import') assert.ok(has(loaded, NEVER[4]![1]), 'import-in-the-middle loaded for ESM');
    });
  }

  it('require: OTEL_SDK_DISABLED=true keeps it off, through the full loader', () => {
    const loaded = run('require', { OTEL_TRACES_EXPORTER: 'console', OTEL_SDK_DISABLED: 'true' });
    assert.equal(loaded.enabled, false);
    assert.ok(has(loaded, /packages\/config\/dist\/src\/otel-env\.js$/));
    assertNone(loaded, [...NEVER, YAML], 'require');
  });

  it('require: a bad OTEL_* value with tracing off is warned about, once, as before', () => {
    const loaded = run('require', { OTEL_TRACES_EXPORTER: 'bogus' });
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.equal(loaded.enabled, false);
    assert.equal(
      loaded.stderr.split('\n').filter((l) => l.includes('OTEL_TRACES_EXPORTER: "bogus" not supported')).length,
      1,
      loaded.stderr,
    );
  });
});

describe('hasTracingInputs: the register entry skips the loader only when the loader has nothing to read', () => {
  const quiet = {
    PATH: '/usr/bin',
    HOME: '/home/x',
    NODE_ENV: 'production',
    TRACEPACK_EXPORT_THREAD: '1',
    DO_NOT_TRACK: '1',
  };

  it('with no input the loader says off, without warnings: the one answer the register entry assumes', () => {
    assert.equal(hasTracingInputs(quiet, ['--port', '8080']), false);
    const loaded = loadTracingConfig({ env: quiet, argv: ['--port', '8080'], cwd: packageRoot });
    assert.equal(loaded.enabled, false);
    assert.deepEqual(loaded.warnings, []);
  });

  it('every TRACING_* variable of the schema, and TRACING_CONFIG_FILE, is an input', () => {
    for (const key of [...schemaKeys().map((k) => k.env), 'TRACING_CONFIG_FILE']) {
      assert.equal(hasTracingInputs({ ...quiet, [key]: '' }, []), true, key);
    }
  });

  it('every OTEL_* variable the loader reads is an input (even empty, even lower case)', () => {
    const otel = [
      'OTEL_SDK_DISABLED',
      'OTEL_SERVICE_NAME',
      'OTEL_RESOURCE_ATTRIBUTES',
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_TRACES_SAMPLER',
      'OTEL_PROPAGATORS',
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'OTEL_LOG_LEVEL',
    ];
    for (const name of otel) {
      assert.equal(hasTracingInputs({ [name]: '' }, []), true, name);
      assert.equal(hasTracingInputs({ [name.toLowerCase()]: 'x' }, []), true, name.toLowerCase());
    }
    assert.equal(
      loadTracingConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, cwd: packageRoot }).enabled,
      true,
    );
  });

  it('flags: --config FILE, --config=FILE, -c FILE and --tracing.<key> are inputs; other flags are not', () => {
    for (const argv of [
      ['--config', 'x.yml'],
      ['--config=x.yml'],
      ['-c', 'x.yml'],
      ['--tracing.provider=console'],
      ['--tracing.provider', 'otlp'],
    ]) {
      assert.equal(hasTracingInputs({}, argv), true, argv.join(' '));
    }
    assert.equal(hasTracingInputs({}, ['--configure', '--trace', 'tracing.provider=otlp']), false);
    assert.equal(loadTracingConfig({ env: {}, argv: ['--tracing.provider=console'], cwd: packageRoot }).enabled, true);
  });
});
