import Ajv from 'ajv';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FORMATS, ucs2length } from '../src/formats';
import { validate as sqaValidator } from '../src/sqa-validator';
import { sqaSchema } from '../src/sqa-schema';
import { tracingSchema } from '../src/schema';
import { validate as tracingValidator } from '../src/tracing-validator';
import type { CompiledValidator, SchemaError } from '../src/validate';

// The validators are generated at build time (scripts/generate-validators.mjs, ajv standalone
// code) so that a service never loads or runs ajv's compiler. These tests keep them current,
// and the same as what ajv compiles from the schema at run time would be.

const packageRoot = join(__dirname, '..', '..');
const script = join(packageRoot, 'scripts', 'generate-validators.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tracepack-validators-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function check(env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [script, '--check'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('generated validators', () => {
  it('are current: generate-validators --check finds nothing stale (npm run build regenerates them)', () => {
    const r = check();
    assert.equal(r.status, 0, r.stderr);
  });

  it('the check fails, naming the file, when a schema changed and the generation was not rerun', () => {
    const copy = join(dir, 'stale');
    mkdirSync(join(copy, 'src'), { recursive: true });
    cpSync(join(packageRoot, 'schema'), join(copy, 'schema'), { recursive: true });
    for (const f of ['tracing-validator.ts', 'sqa-validator.ts'])
      cpSync(join(packageRoot, 'src', f), join(copy, 'src', f));
    assert.equal(check({ TRACEPACK_CONFIG_DIR: copy }).status, 0, 'an unchanged copy is current');

    const schemaFile = join(copy, 'schema', 'tracing.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties: { provider: { enum: string[] } } };
    schema.properties.provider.enum.push('newrelic');
    writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
    const r = check({ TRACEPACK_CONFIG_DIR: copy });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /src\/tracing-validator\.ts is stale/);
    assert.doesNotMatch(r.stderr, /sqa-validator/);
  });

  it('load neither ajv nor anything but ./formats at run time', () => {
    for (const f of ['tracing-validator.js', 'sqa-validator.js']) {
      const code = readFileSync(join(packageRoot, 'dist', 'src', f), 'utf8');
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      assert.ok(required.length > 0, f);
      assert.deepEqual([...new Set(required)], ['./formats'], f);
    }
  });

  it('find every format the schemas name in FORMATS', () => {
    const names = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const format = (node as { format?: unknown }).format;
        if (typeof format === 'string') names.add(format);
        Object.values(node).forEach(walk);
      }
    };
    walk(tracingSchema());
    walk(sqaSchema());
    assert.deepEqual([...names].sort(), Object.keys(FORMATS).sort());
    for (const name of names) assert.equal(typeof FORMATS[name]!.validate, 'function', name);
  });

  it('count minLength in code points, as ajv does (a surrogate pair is one character)', () => {
    assert.equal(ucs2length(''), 0);
    assert.equal(ucs2length('abc'), 3);
    assert.equal(ucs2length('😀😀'), 2);
    assert.equal(ucs2length('a\ud800b'), 3, 'a lone surrogate counts as one');
    assert.equal(ucs2length('\ud800'), 1);
  });
});

/** What ajv compiles from a schema at run time, with the options the generator uses. */
function runtimeCompiled(schema: object, keywords: string[]): CompiledValidator {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
  for (const keyword of keywords) ajv.addKeyword({ keyword, schemaType: 'boolean' });
  for (const [name, def] of Object.entries(FORMATS)) ajv.addFormat(name, def);
  return ajv.compile(schema) as CompiledValidator;
}

/** Both validators on a copy each: same verdict, same errors, same defaults filled in. */
function assertSame(
  generated: CompiledValidator,
  compiled: CompiledValidator,
  input: Record<string, unknown>,
): SchemaError[] {
  const a = structuredClone(input);
  const b = structuredClone(input);
  const okA = generated(a);
  const okB = compiled(b);
  assert.equal(okA, okB, JSON.stringify(input));
  assert.deepEqual(generated.errors ?? null, compiled.errors ?? null, JSON.stringify(input));
  assert.deepEqual(a, b, 'defaults filled in alike');
  return generated.errors ?? [];
}

describe('the generated code behaves as ajv compiling the schema at run time', () => {
  const tracingCases: Array<Record<string, unknown>> = [
    {},
    { provider: 'jaeger', service_name: 'svc', providers: { jaeger: { local_agent_address: 'jaeger:6831' } } },
    { provider: 'jeager' },
    { provider: 1, service_name: '' },
    { sampler: { type: 'sometimes', ratio: 2, jaeger_remote: { endpoint: 'ftp://x', polling_interval_ms: 1.5 } } },
    { propagators: ['w3c', 'b3', 'b3'], resource_attributes: { team: 1 } },
    {
      providers: {
        jaeger: { local_agent_address: 'jaeger', collector_endpoint: 'nope', sampling: { trace_id_ratio: -1 } },
        bogus: {},
      },
    },
    { providers: { otlp: { protocol: 'http', headers: { a: 1 }, timeout_ms: 0, compression: 'br', insecure: 'yes' } } },
    {
      instrumentations: {
        http: { ignore_paths: ['health'], routes: [3], capture_request_headers: [''] },
        pino: { log_keys: { trace_id: '' } },
      },
    },
    { unknwon: true, max_queue_size: 1e9, flush_timeout_ms: '5s', log_level: 'loud' },
    // Reserved map keys (an own `__proto__` key, as YAML and JSON.parse make it).
    {
      resource_attributes: { team: 'a', constructor: 'b' },
      providers: { otlp: { headers: JSON.parse('{"__proto__": "c", "x-a": "d"}') as Record<string, string> } },
    },
  ];
  it('tracing: every case gives the same errors and defaults', () => {
    const compiled = runtimeCompiled(tracingSchema(), ['x-secret', 'x-merge-keys']);
    const keywords = new Set<string>();
    for (const input of tracingCases)
      for (const e of assertSame(tracingValidator as unknown as CompiledValidator, compiled, input))
        keywords.add(e.keyword);
    // The cases reach every keyword validate.ts turns into a message.
    for (const k of [
      'additionalProperties',
      'enum',
      'type',
      'minimum',
      'maximum',
      'format',
      'minLength',
      'pattern',
      'uniqueItems',
      'propertyNames',
    ])
      assert.ok(keywords.has(k), k);
  });

  const sqaCases: Array<Record<string, unknown>> = [
    {},
    { endpoint: 'https://usage.example.com', report_interval: '30s', installation_salt: 'x'.repeat(16) },
    {
      endpoint: 'mailto:x',
      protocol: 'grpc',
      api_key: '',
      api_key_header: 'x key',
      report_interval: 'soon',
      identify_after: true,
    },
    { installation_salt: '😀'.repeat(15), ignore_paths: ['/a', '/a', 'b'], max_endpoints: 0, other: 1 },
  ];
  it('sqa: every case gives the same errors and defaults', () => {
    const compiled = runtimeCompiled(sqaSchema(), ['x-secret']);
    for (const input of sqaCases) assertSame(sqaValidator as unknown as CompiledValidator, compiled, input);
    // 15 emoji are 30 UTF-16 units but 15 characters: below minLength 16.
    assert.equal((sqaValidator as unknown as CompiledValidator)({ installation_salt: '😀'.repeat(15) }), false);
  });
});
