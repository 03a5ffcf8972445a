// Fuzzed config: random `tracing:` blocks in YAML and JSON files, random TRACING_* / OTEL_*
// values and --tracing.* flags through loadTracingConfig, then files through the
// `tracepack config` command. Every call returns a config or throws a TracepackConfigError whose
// issues have stable codes and name their key (or variable, or file); never another error, never
// a crash, never a secret in what is printed.
import {
  ConfigErrorCode,
  loadTracingConfig,
  schemaKeys,
  TracepackConfigError,
  type ConfigIssue,
  type LoadTracingConfigOptions,
  type SchemaKey,
} from '@tracepack/config';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify as toYaml } from 'yaml';
import {
  anyText,
  check,
  DIGITS,
  LOWER,
  oversize,
  sampleCases,
  scratchDir,
  stringOf,
  suiteName,
  UPPER,
} from './fuzz-arbitraries';
import { inPool } from './fuzz-traced-app';

/** Real CLI processes (each costs ~0.2 s of CPU); FUZZ_CLI_FILES=300 runs a few hundred. */
const CLI_FILES = Number(process.env.FUZZ_CLI_FILES ?? '') || 8;
const RUNS = {
  files: 1500,
  garbage: 1000,
  env: 1500,
  unknown: 1000,
  yamlFeatures: 500,
  prototypeKeys: 300,
  flags: 500,
  main: 300,
  secrets: 300,
};

const repoRoot = join(__dirname, '..', '..', '..');
const bin = join(repoRoot, 'packages', 'tracepack', 'bin', 'tracepack.js');
const dir = scratchDir('tracepack-fuzz-config-');
// A package.json of its own: the default service name comes from the nearest one.
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fuzz-service', version: '1.2.3' }));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeConfig(content: string | Buffer, ext: string): string {
  const file = join(dir, `c${fileCount++}.${ext}`);
  writeFileSync(file, content);
  return file;
}

const CODES = new Set<string>(Object.values(ConfigErrorCode));
const KEYS = schemaKeys();

// ---------------------------------------------------------------------------------------------
// The outcome every call must have

type Outcome = { ok: true; provider: string } | { ok: false; error: TracepackConfigError };

/** Runs the loader; anything thrown that is not a TracepackConfigError fails the property. */
function load(options: LoadTracingConfigOptions): Outcome {
  try {
    const r = loadTracingConfig({ argv: [], cwd: dir, ...options });
    assert.equal(typeof r.enabled, 'boolean');
    assert.equal(r.enabled, r.config.provider !== '');
    return { ok: true, provider: r.config.provider };
  } catch (err) {
    if (!(err instanceof TracepackConfigError)) {
      throw new assert.AssertionError({
        message: `not a TracepackConfigError: ${(err as Error)?.name}: ${(err as Error)?.message}`,
        actual: err,
        expected: TracepackConfigError,
      });
    }
    // A file named by TRACING_CONFIG_FILE (not in code, not by --config) is named with the variable too.
    const byVariable =
      options.configFile === undefined &&
      !options.argv?.some((a) => a === '--config' || a.startsWith('--config=')) &&
      !!options.env?.TRACING_CONFIG_FILE;
    assertNamed(err, options.configFile ?? options.env?.TRACING_CONFIG_FILE, byVariable);
    return { ok: false, error: err };
  }
}

/** Every issue has a stable code and names what it is about: the key, its variable, or the file. */
function assertNamed(err: TracepackConfigError, file: string | undefined, byVariable = false): void {
  assert.ok(err.issues.length > 0, 'an error without issues');
  assert.ok(CODES.has(err.code), `unknown code ${err.code}`);
  assert.equal(err.code, err.issues[0]!.code);
  for (const issue of err.issues) {
    assert.ok(CODES.has(issue.code), `unknown code ${issue.code}`);
    assert.ok(err.message.includes(issue.message), 'the message lists every issue');
    if (issue.code === ConfigErrorCode.FILE_SYNTAX || issue.code === ConfigErrorCode.FILE_UNREADABLE) {
      if (issue.path === 'tracing' && file !== undefined)
        assert.ok(issue.message.includes(file), `${issue.message} does not name ${file}`);
      else assert.ok(issue.message.includes(issue.path), `${issue.message} does not name ${issue.path}`);
      if (byVariable)
        assert.ok(
          issue.message.includes(`TRACING_CONFIG_FILE=${file}`),
          `${issue.message} does not name TRACING_CONFIG_FILE`,
        );
    } else {
      assert.match(issue.path, /^tracing(\.|$)/, `issue path ${issue.path}`);
      assert.ok(
        issue.message.includes(issue.path) || movedFrom(issue),
        `${JSON.stringify(issue.message)} does not name ${issue.path}`,
      );
    }
    const variable = /^environment (\S+)/.exec(issue.source ?? '')?.[1];
    if (variable !== undefined)
      assert.ok(issue.message.includes(variable), `${issue.message} does not name ${variable}`);
  }
}

/** A flat-form key is named by the path the user wrote: `tracing.jaeger.x (flat form of ...)`. */
function movedFrom(issue: ConfigIssue): boolean {
  return issue.message.includes(`(flat form of ${issue.path})`);
}

// ---------------------------------------------------------------------------------------------
// Values and blocks

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom(
    '',
    ' ',
    'yes',
    'no',
    'on',
    'off',
    '~',
    'null',
    'true',
    '0x1F',
    '1e400',
    '-0',
    '.inf',
    '.nan',
    '08',
    '1_000',
    '  jaeger  ',
    'JAEGER',
    'http://',
    'http://a:b',
    '::1:80',
    '[::1]:6831',
    'a:0',
    'a:65536',
    'file:///etc/passwd',
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 0.5, 2, 1e21, Number.MAX_SAFE_INTEGER + 2, -0),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }),
  oversize(fc.string({ minLength: 1, maxLength: 5 }), 1000, 20_000),
);

const hostPort = fc
  .tuple(
    fc.constantFrom('jaeger', 'localhost', '127.0.0.1', 'agent.example.com', '[::1]'),
    fc.integer({ min: 0, max: 70_000 }),
  )
  .map(([h, p]) => `${h}:${p}`);
const httpUrl = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true }),
  fc
    .tuple(
      fc.constantFrom('http', 'https', 'grpc', 'ftp', ''),
      fc.constantFrom('collector', 'jaeger', 'user:pw@host', '[::1]', ''),
      fc.integer({ min: 0, max: 70_000 }),
    )
    .map(([s, h, p]) => `${s}://${h}:${p}/x`),
);

/** A plausible value for a key: of its type and often in range, sometimes just past it. */
function validish(key: SchemaKey): fc.Arbitrary<unknown> {
  const s = key.schema;
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'integer':
      return fc.integer({ min: (s.minimum ?? -10) - 2, max: Math.min(s.maximum ?? 1e7, 1e9) + 2 });
    case 'number':
      return fc.oneof(
        fc.double({ min: (s.minimum ?? 0) - 1, max: (s.maximum ?? 1) + 1, noNaN: true }),
        fc.constantFrom(0, 1, 0.5),
      );
    case 'boolean':
      return fc.boolean();
    case 'array':
      return s.items?.enum
        ? fc.array(fc.constantFrom(...s.items.enum), { maxLength: 4 })
        : fc.array(
            fc.oneof(
              stringOf(`${LOWER}/*`, 0, 10).map((p) => `/${p}`),
              stringOf(`${LOWER}${UPPER}-`, 1, 12),
            ),
            { maxLength: 4 },
          );
    case 'object':
      return fc.dictionary(
        fc.tuple(stringOf(LOWER, 1), stringOf(`${LOWER}${DIGITS}.-`, 0, 10)).map(([a, b]) => a + b),
        fc.string({ maxLength: 12 }),
        { maxKeys: 3 },
      );
    default:
      if (s.format === 'host-port') return hostPort;
      if (s.format === 'http-url') return httpUrl;
      return fc.string({ maxLength: 20 });
  }
}

const valueFor = (key: SchemaKey): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: validish(key) }, { weight: 1, arbitrary: junk });

/** A key that is not in the schema: a typo of a real one, or anything. */
const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc
    .constantFrom(...KEYS.map((k) => k.path[k.path.length - 1]!))
    .chain((k) => fc.nat(k.length).map((i) => `${k.slice(0, i)}${k.slice(i + 1)}x`)),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
  fc.constantFrom('', ' ', 'a.b', 'Provider', 'PROVIDER', 'service-name', '0', '-1', 'null', 'true'),
);

const FLAT_PROVIDERS = ['jaeger', 'zipkin', 'otlp', 'console'];

/** Prototype names: a config object must treat them as the unknown keys they are. */
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
];

function setIn(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!Object.hasOwn(cur, k) || typeof cur[k] !== 'object' || cur[k] === null || Array.isArray(cur[k]))
      Object.defineProperty(cur, k, { value: {}, enumerable: true, writable: true, configurable: true });
    cur = cur[k] as Record<string, unknown>;
  }
  Object.defineProperty(cur, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

interface Block {
  block: Record<string, unknown>;
  /** Dotted paths of keys the schema does not know (where a block allows no others). */
  unknown: string[];
}

/** A `tracing:` block: some keys with values, and unknown keys at any object level. */
const tracingBlock = (opts: { unknownKeys: fc.Arbitrary<string> | undefined }): fc.Arbitrary<Block> =>
  fc
    .tuple(
      fc
        .subarray(KEYS, { maxLength: 12 })
        .chain((keys) => fc.tuple(...keys.map((k) => valueFor(k).map((v) => [k.path, v] as const)))),
      opts.unknownKeys
        ? fc.array(fc.tuple(fc.constantFrom(...parentsOf()), opts.unknownKeys, junk), { maxLength: 3 })
        : fc.constant([]),
    )
    .map(([values, unknowns]) => {
      const block: Record<string, unknown> = {};
      for (const [path, v] of values) setIn(block, path, v);
      const unknown: string[] = [];
      for (const [parent, key, v] of unknowns) {
        if (
          KEYS.some(
            (k) =>
              k.path.length > parent.length &&
              k.path.slice(0, parent.length).join('.') === parent.join('.') &&
              k.path[parent.length] === key,
          )
        )
          continue;
        // A provider's name at the top is the older flat form of its providers block, not unknown.
        if (parent.length === 0 && FLAT_PROVIDERS.includes(key)) continue;
        // Only where every step up is an object the schema describes (not a value of another type).
        if (!parent.every((_, i) => isObjectAt(block, parent.slice(0, i + 1)) || !hasAt(block, parent.slice(0, i + 1))))
          continue;
        setIn(block, [...parent, key], v);
        unknown.push(['tracing', ...parent, key].join('.'));
      }
      return { block, unknown };
    });

/** Paths of the objects in the schema (where unknown keys are refused). */
function parentsOf(): string[][] {
  const parents = new Map<string, string[]>([['', []]]);
  for (const k of KEYS)
    for (let i = 1; i < k.path.length; i++) parents.set(k.path.slice(0, i).join('.'), k.path.slice(0, i));
  return [...parents.values()];
}

function hasAt(obj: Record<string, unknown>, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, k)) return false;
    cur = (cur as Record<string, unknown>)[k];
  }
  return true;
}

function isObjectAt(obj: Record<string, unknown>, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, k)) return false;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === 'object' && cur !== null && !Array.isArray(cur);
}

interface ConfigFile {
  content: string | Buffer;
  ext: string;
  unknown: string[];
}

/** A block written as YAML or JSON, under `tracing:` or as an older flat file. */
const configFile = (opts: { unknownKeys: fc.Arbitrary<string> | undefined }): fc.Arbitrary<ConfigFile> =>
  fc
    .tuple(
      tracingBlock(opts),
      fc.constantFrom('yaml', 'json', 'json-pretty', 'flat-yaml'),
      fc.option(fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 2 }), { nil: undefined }),
    )
    .map(([{ block, unknown }, format, siblings]) => {
      // The rest of the service's config file: any other top-level keys.
      const doc = { ...(siblings ?? {}), tracing: block };
      switch (format) {
        case 'yaml':
          return { content: toYaml(doc), ext: 'yml', unknown };
        case 'json':
          return { content: JSON.stringify(doc), ext: 'json', unknown };
        case 'json-pretty':
          return { content: JSON.stringify(doc, null, 2), ext: 'json', unknown };
        default:
          // The older flat form: the block at the top level (read as such when it has `provider`).
          return { content: toYaml({ provider: 'console', ...block }), ext: 'yaml', unknown };
      }
    });

/** Files that are not a config at all, or not YAML, or barely. */
const garbageFile: fc.Arbitrary<ConfigFile> = fc
  .oneof(
    anyText(300),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.constantFrom(
      '',
      '\n',
      '---\n',
      '---\n---\n',
      'tracing:',
      'tracing: null',
      'tracing: []',
      'tracing: 5',
      'tracing: "x"',
      '- a\n- b',
      '42',
      'null',
      '~',
      '\ufefftracing:\n  provider: console\n',
      'tracing:\n\tprovider: console',
      'tracing:\n  provider: a\n  provider: b\n',
      '{"tracing": {',
      'tracing: {provider: console',
      'provider: [',
      '%YAML 1.1\n---\ntracing: {}',
      'tracing:\n  provider: !!binary aGk=\n',
    ),
    fc.tuple(fc.constantFrom('tracing:\n  ', '{"tracing": {', 'provider: '), anyText(80)).map(([a, b]) => a + b),
    configFile({ unknownKeys: undefined }).chain((f) =>
      fc.nat(String(f.content).length).map((n) => String(f.content).slice(0, n)),
    ),
  )
  .map((content) => ({ content, ext: 'yml', unknown: [] }));

/** YAML's own features: anchors and aliases (recursive ones too), merge keys, tags, complex keys, deep nesting. */
const yamlFeatureFile: fc.Arbitrary<ConfigFile> = fc
  .constantFrom(
    'base: &b { provider: console }\ntracing: *b\n',
    'base: &b { provider: console, service_name: x }\ntracing:\n  <<: *b\n  max_queue_size: 5\n',
    'tracing: &t\n  provider: console\n  service_name: *t\n',
    'tracing:\n  propagators: &p [tracecontext, *p]\n',
    'tracing:\n  resource_attributes: &a\n    team: *a\n',
    'tracing:\n  providers:\n    otlp:\n      headers: &h\n        x: *h\n',
    'a: &a [*a]\ntracing: { provider: console }\n',
    'tracing:\n  provider: !!str console\n  max_queue_size: !!int "12"\n',
    'tracing:\n  service_name: !!binary aGVsbG8=\n',
    'tracing:\n  propagators: !!set { tracecontext, b3 }\n',
    'tracing:\n  provider: !custom console\n',
    'tracing:\n  ? [a, b]\n  : c\n',
    `tracing:\n  service_name: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    `tracing:\n${Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} x\n`,
    `x: &a [1, 2]\n${Array.from({ length: 12 }, (_, i) => `y${i}: &a${i} [*${i === 0 ? 'a' : `a${i - 1}`}, *${i === 0 ? 'a' : `a${i - 1}`}]`).join('\n')}\ntracing: { provider: console }\n`,
  )
  .map((content) => ({ content, ext: 'yml', unknown: [] }));

/** Random TRACING_* and OTEL_* variables. */
const envValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    'true',
    'TRUE',
    'yes',
    '0',
    '1',
    '-1',
    '1e3',
    '0x10',
    'NaN',
    'Infinity',
    '0.5',
    '2',
    'a,b',
    ',,',
    'a=b,c=%ZZ',
    '=x',
    'x=',
    'jaeger',
    'otlp',
    'console',
    'none',
    'http://collector:4318',
    'collector:4317',
    'tracecontext,b3,bogus',
  ),
  oversize(fc.string({ minLength: 1, maxLength: 6 }), 1000, 10_000),
);
const OTEL_VARS = [
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_EXPORTER',
  'OTEL_PROPAGATORS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_SDK_DISABLED',
];
/** TRACING_CONFIG_FILE: missing, a directory, /dev/null, empty, or a file of any kind (written when drawn). */
const configFileVariable: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '/dev/null', '/nonexistent/tracing.yml', '.', '\u0000'),
  fc.constant(null).map(() => dir),
  fc.oneof(configFile({ unknownKeys: undefined }), garbageFile).map((f) => writeConfig(f.content, f.ext)),
);

const envArb: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.subarray(KEYS, { maxLength: 6 }).chain((keys) =>
      fc.tuple(
        ...keys.map((k) =>
          fc
            .oneof(
              validish(k).map((v) =>
                Array.isArray(v)
                  ? v.join(',')
                  : typeof v === 'object' && v !== null
                    ? Object.entries(v)
                        .map(([a, b]) => `${a}=${String(b)}`)
                        .join(',')
                    : String(v),
              ),
              envValue,
            )
            .map((v) => [k.env, v] as const),
        ),
      ),
    ),
    fc
      .subarray(OTEL_VARS, { maxLength: 4 })
      .chain((vars) => fc.tuple(...vars.map((v) => envValue.map((x) => [v, x] as const)))),
    fc.option(configFileVariable, { nil: undefined, freq: 4 }),
  )
  .map(([a, b, file]) =>
    Object.fromEntries([...a, ...b, ...(file === undefined ? [] : [['TRACING_CONFIG_FILE', file] as const])]),
  );

/** Snapshot of Object.prototype, to see (and undo) pollution. */
function prototypeGuard(): () => string[] {
  const before = new Map(
    Object.getOwnPropertyNames(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)!]),
  );
  return () => {
    const changed: string[] = [];
    for (const k of Object.getOwnPropertyNames(Object.prototype)) {
      const was = before.get(k);
      const now = Object.getOwnPropertyDescriptor(Object.prototype, k)!;
      if (was === undefined) {
        changed.push(`added Object.prototype.${k}`);
        delete (Object.prototype as Record<string, unknown>)[k];
      } else if (was.value !== now.value || was.get !== now.get || was.set !== now.set) {
        changed.push(`replaced Object.prototype.${k}`);
        Object.defineProperty(Object.prototype, k, was);
      }
    }
    return changed;
  };
}

// ---------------------------------------------------------------------------------------------

const anyFile = fc.oneof(
  { weight: 4, arbitrary: configFile({ unknownKeys: unknownKey }) },
  { weight: 1, arbitrary: garbageFile },
);
const ALIAS_REPRO = 'tracing: &t\n  provider: console\n  service_name: *t\n';

describe(suiteName('config files and env values'), () => {
  // The real `tracepack` processes start now and run one at a time beside the in-process
  // properties (about 0.2 s of CPU each, on the other core); their tests wait for them.
  const cliFiles = sampleCases(anyFile, CLI_FILES).map((f) => writeConfig(f.content, f.ext));
  const aliasFile = writeConfig(ALIAS_REPRO, 'yml');
  const cliRuns = inPool(
    [...cliFiles, aliasFile].map((file) => () => runCli(['config', 'validate', '--config', file])),
    1,
  );
  it(`${RUNS.files} random tracing: blocks (YAML, JSON, flat form) with random TRACING_*/OTEL_* values: a config, or a TracepackConfigError with stable codes naming each key`, () => {
    check(
      fc.property(configFile({ unknownKeys: unknownKey }), envArb, (f, env) => {
        load({ configFile: writeConfig(f.content, f.ext), env });
      }),
      RUNS.files,
    );
  });

  it(`${RUNS.unknown} blocks with unknown keys (typos, unicode, dots, empty): each one refused as ${ConfigErrorCode.UNKNOWN_KEY}, named`, () => {
    check(
      fc.property(
        configFile({ unknownKeys: unknownKey }).filter((f) => f.unknown.length > 0),
        (f) => {
          const outcome = load({ configFile: writeConfig(f.content, f.ext), env: {} });
          assert.ok(!outcome.ok, `accepted with unknown keys ${f.unknown.join(', ')}`);
          const named = outcome.error.issues.filter((i) => i.code === ConfigErrorCode.UNKNOWN_KEY).map((i) => i.path);
          for (const u of f.unknown)
            assert.ok(named.includes(u), `${u} not reported; unknown keys reported: ${named.join(', ')}`);
        },
      ),
      RUNS.unknown,
    );
  });

  it(`${RUNS.garbage} files that are not a config (random text and bytes, truncated YAML/JSON, scalars, lists, tabs, duplicate keys, BOM): a config or a TracepackConfigError`, () => {
    check(
      fc.property(garbageFile, (f) => {
        load({ configFile: writeConfig(f.content, f.ext), env: {} });
      }),
      RUNS.garbage,
    );
  });

  it(`${RUNS.env} random TRACING_* and OTEL_* environments (TRACING_CONFIG_FILE too: missing, a directory, garbage): a config, or a TracepackConfigError naming each variable`, () => {
    check(
      fc.property(envArb, (env) => {
        load({ env });
      }),
      RUNS.env,
    );
  });

  it(`${RUNS.yamlFeatures} files using YAML anchors, aliases (recursive too), merge keys, tags and deep nesting: a config or a TracepackConfigError`, () => {
    check(
      fc.property(yamlFeatureFile, envArb, (f, env) => {
        load({ configFile: writeConfig(f.content, f.ext), env });
      }),
      RUNS.yamlFeatures,
    );
  });

  it(`${RUNS.prototypeKeys} blocks with keys named like Object.prototype members (${PROTOTYPE_KEYS.join(', ')}): refused as unknown keys, Object.prototype untouched`, () => {
    check(
      fc.property(
        configFile({ unknownKeys: fc.constantFrom(...PROTOTYPE_KEYS) }).filter((f) => f.unknown.length > 0),
        (f) => {
          const polluted = prototypeGuard();
          const outcome = load({ configFile: writeConfig(f.content, f.ext), env: {} });
          assert.deepEqual(polluted(), []);
          assert.ok(!outcome.ok, `accepted with ${f.unknown.join(', ')}`);
          const named = outcome.error.issues.filter((i) => i.code === ConfigErrorCode.UNKNOWN_KEY).map((i) => i.path);
          for (const u of f.unknown)
            assert.ok(named.includes(u), `${u} not reported; unknown keys reported: ${named.join(', ')}`);
        },
      ),
      RUNS.prototypeKeys,
    );
  });

  it(`${RUNS.flags} random --tracing.* flag lists (prototype names in the paths too): a config or a TracepackConfigError, Object.prototype untouched`, () => {
    const segment = fc.oneof(
      fc.constantFrom(...new Set(KEYS.flatMap((k) => k.path))),
      fc.constantFrom(...PROTOTYPE_KEYS),
      unknownKey,
    );
    const flag = fc
      .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(envValue, { nil: undefined }), fc.boolean())
      .map(([path, value, spaced]) => {
        const name = `--tracing.${path.join('.')}`;
        if (value === undefined) return [name];
        return spaced ? [name, value] : [`${name}=${value}`];
      });
    check(
      fc.property(
        fc.array(flag, { maxLength: 4 }).map((f) => f.flat()),
        (argv) => {
          const polluted = prototypeGuard();
          try {
            load({ argv, env: {} });
          } finally {
            assert.deepEqual(polluted(), [], `argv ${JSON.stringify(argv)}`);
          }
        },
      ),
      RUNS.flags,
    );
  });

  describe('the tracepack config command', () => {
    // The command as its bin runs it (loaded at run time: the test project does not build it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { main } = require('tracepack') as {
      main: (
        argv: readonly string[],
        io: {
          out: (s: string) => void;
          err: (s: string) => void;
          env: Record<string, string | undefined>;
          cwd: string;
        },
      ) => number;
    };

    function assertCliOutcome(code: number | null, out: string, err: string, what: string): void {
      assert.ok(code === 0 || code === 1, `${what}: exit ${code}\n${err}`);
      assert.doesNotMatch(err, /^\s+at .+:\d+:\d+\)?$/m, `${what}: a stack trace\n${err}`);
      if (code === 0) assert.match(out, /^ok: /, what);
      else
        assert.match(
          err,
          /^(@tracepack\/config: invalid tracing config|tracepack: tracing\.provider ".*" needs )/,
          `${what}\n${err}`,
        );
    }

    it(`validate and print, in process, on ${RUNS.main} random files: exit 0 or 1 (the documented codes), never an exception`, () => {
      check(
        fc.property(anyFile, fc.constantFrom('validate', 'print'), envArb, (f, command, env) => {
          const file = writeConfig(f.content, f.ext);
          let out = '';
          let err = '';
          const code = main(['config', command, '--config', file], {
            out: (s) => (out += s),
            err: (s) => (err += s),
            env,
            cwd: repoRoot,
          });
          if (command === 'print' && code === 0) assert.match(out, /^tracing:/);
          else assertCliOutcome(code, out, err, `${command} ${file}`);
        }),
        RUNS.main,
      );
    });

    it(`validate and print, in process, on ${RUNS.secrets} files with planted secrets: no authorization header, header value or URL password is ever printed`, () => {
      const secret = stringOf(LOWER + UPPER + DIGITS, 16, 24).map((s) => `s3cret-${s}`);
      const places = fc.constantFrom('string', 'wrong type', 'in headers', 'in env', 'in a URL', 'in a bad URL');
      check(
        fc.property(
          tracingBlock({ unknownKeys: unknownKey }),
          secret,
          fc.constantFrom('validate', 'print'),
          places,
          (b, s, command, where) => {
            // The random block's keys around the secret, so that it sits among other errors.
            const block = b.block;
            const env: Record<string, string> = {};
            setIn(block, ['provider'], 'otlp');
            if (where === 'string') setIn(block, ['providers', 'otlp', 'authorization_header'], `Bearer ${s}`);
            if (where === 'wrong type') setIn(block, ['providers', 'otlp', 'authorization_header'], [s, 1]);
            if (where === 'in headers') setIn(block, ['providers', 'otlp', 'headers'], { 'x-api-key': s, other: [s] });
            if (where === 'in env') env.TRACING_PROVIDERS_OTLP_HEADERS = `x-api-key=${s}`;
            if (where === 'in a URL')
              setIn(block, ['providers', 'otlp', 'server_url'], `http://user:${s}@collector:4318`);
            if (where === 'in a bad URL')
              setIn(block, ['providers', 'zipkin', 'server_url'], `ftp://user:${s}@zipkin:9411`);
            const file = writeConfig(toYaml({ tracing: block }), 'yml');
            let out = '';
            let err = '';
            main(['config', command, '--config', file], {
              out: (x) => (out += x),
              err: (x) => (err += x),
              env,
              cwd: repoRoot,
            });
            assert.ok(!out.includes(s) && !err.includes(s), `secret printed by ${command}:\n${out}${err}`);
          },
        ),
        RUNS.secrets,
      );
    });

    it(`tracepack config validate --config FILE, ${CLI_FILES} real processes on random files: exit 0 or 1, no stack trace`, async () => {
      const results = (await cliRuns).slice(0, cliFiles.length);
      results.forEach((r, i) => assertCliOutcome(r.code, r.out, r.err, `validate ${cliFiles[i]}`));
    });

    it('tracepack config validate --config FILE, a real process on a file with a recursive YAML alias: exit 0 or 1, no stack trace', async () => {
      const r = (await cliRuns)[cliFiles.length]!;
      assertCliOutcome(r.code, r.out, r.err, `validate ${aliasFile}`);
    });
  });
});

function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}
