// Options (requireParentSpan, enabled, validation), enable/disable, the never-throw guard, and the
// supported ranges stated in code, README and tests alike.
import { diag, DiagLogLevel, SpanKind, trace } from '@opentelemetry/api';
import type { DiagLogger, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { assertSpan, createSpanCapture, spanNamed } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { BcryptConfigError, BcryptErrorCode, BcryptInstrumentation, SUPPORTED_VERSIONS } from '../src/index';
import type { BcryptInstrumentationConfig } from '../src/index';
import { PACKAGE_VERSION } from '../src/utils';
import {
  bcryptSpans,
  CURRENT_LIBRARIES,
  EXPECTED_RANGES,
  loadLibrary,
  PACKAGE_DIR,
  Secrets,
  underParent,
} from './helpers';

const capture = createSpanCapture();
const instrumentation = new BcryptInstrumentation();
const libraries = CURRENT_LIBRARIES.map((lut) => ({ lut, b: loadLibrary(lut).module }));
after(async () => {
  instrumentation.disable();
  await capture.shutdown();
});
beforeEach(() => {
  capture.reset();
  instrumentation.setConfig({});
});

/** Every call form once, cost 4; returns when all are done. */
async function everyForm(b: (typeof libraries)[number]['b'], password: string): Promise<void> {
  const hashed = (await b.hash(password, 4)) as string;
  await new Promise((resolve, reject) => b.hash(password, 4, (e: unknown) => (e ? reject(e) : resolve(undefined))));
  b.hashSync(password, 4);
  assert.equal(await b.compare(password, hashed), true);
  await new Promise((resolve, reject) =>
    b.compare(password, hashed, (e: unknown) => (e ? reject(e) : resolve(undefined))),
  );
  assert.equal(b.compareSync(password, hashed), true);
  await b.genSalt(4);
  await new Promise((resolve, reject) => b.genSalt(4, (e: unknown) => (e ? reject(e) : resolve(undefined))));
  b.genSaltSync(4);
}

describe('requireParentSpan', () => {
  for (const { lut, b } of libraries) {
    test(`${lut.label}: by default, no span without an active parent (start-up work makes no orphan traces)`, async () => {
      await everyForm(b, new Secrets().password);
      assert.deepEqual(capture.spans(), []);
    });

    test(`${lut.label}: requireParentSpan false traces calls without a parent as root spans`, async () => {
      instrumentation.setConfig({ requireParentSpan: false });
      const secrets = new Secrets();
      await everyForm(b, secrets.password);
      const spans = bcryptSpans(capture.spans());
      assert.deepEqual(spans.map((s) => s.name).sort(), [
        ...Array(3).fill('bcrypt.compare'),
        ...Array(3).fill('bcrypt.genSalt'),
        ...Array(3).fill('bcrypt.hash'),
      ]);
      for (const span of spans)
        assertSpan(span, { root: true, kind: SpanKind.INTERNAL, attributes: { 'bcrypt.library': lut.library } });
      secrets.assertAbsentFrom(capture.spans());
    });

    test(`${lut.label}: with requireParentSpan false, hash(pw, rounds) is still one span`, async () => {
      instrumentation.setConfig({ requireParentSpan: false });
      await b.hash('x', 4);
      b.hashSync('x', 4);
      assert.deepEqual(
        bcryptSpans(capture.spans()).map((s) => s.name),
        ['bcrypt.hash', 'bcrypt.hash'],
      );
    });
  }
});

describe('enable and disable', () => {
  test('disable() removes the patches, enable() puts them back', async () => {
    const { b } = libraries[0]!;
    instrumentation.disable();
    try {
      await underParent(capture, () => b.hash('x', 4));
      assert.deepEqual(bcryptSpans(capture.spans()), []);
    } finally {
      instrumentation.enable();
    }
    capture.reset();
    const { parent } = await underParent(capture, () => b.hash('x', 4));
    assertSpan(spanNamed(capture.spans(), 'bcrypt.hash'), { parent });
  });

  test('enabled: false creates a disabled instrumentation', () => {
    const off = new BcryptInstrumentation({ enabled: false });
    assert.equal(off.isEnabled(), false);
    assert.equal(off.getConfig().requireParentSpan, true, 'defaults still applied');
  });
});

describe('option validation (setup time: throws with package name, code and allowed values)', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    [
      'a string for requireParentSpan',
      { requireParentSpan: 'yes' },
      /config\.requireParentSpan expects a boolean \(true or false\), instead got a 'string'/,
    ],
    [
      'a number for enabled',
      { enabled: 1 },
      /config\.enabled expects a boolean \(true or false\), instead got a 'number'/,
    ],
    [
      'an unknown option',
      { requireParentspan: false },
      /config\.requireParentspan is not an option; allowed: enabled, requireParentSpan \[TRACEPACK_BCRYPT_INVALID_OPTION\]$/,
    ],
    ['a non-object config', 'on', /config expects an object, instead got a 'string'/],
  ];
  for (const [what, config, message] of bad) {
    test(`constructor and setConfig reject ${what}`, () => {
      for (const attempt of [
        () => new BcryptInstrumentation(config as BcryptInstrumentationConfig),
        () => instrumentation.setConfig(config as BcryptInstrumentationConfig),
      ]) {
        assert.throws(attempt, (err: unknown) => {
          assert.ok(err instanceof BcryptConfigError && err instanceof TypeError);
          assert.equal(err.code, BcryptErrorCode.INVALID_OPTION);
          assert.match(err.message, /^@tracepack\/instrumentation-bcrypt: /);
          assert.match(err.message, message);
          return true;
        });
      }
    });
  }

  test('defaults: enabled true, requireParentSpan true', () => {
    assert.deepEqual(instrumentation.getConfig(), { enabled: true, requireParentSpan: true });
  });
});

describe('runtime problems never reach the application', () => {
  test('a tracer that throws: every call form still works, the problem goes to diag once, counted', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error: (...args) => warnings.push(args.join(' ')),
      warn: (...args) => warnings.push(args.join(' ')),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const broken: Tracer = {
      startSpan(): Span {
        throw new Error('exporter exploded');
      },
      startActiveSpan(): never {
        throw new Error('exporter exploded');
      },
    };
    const brokenProvider: TracerProvider = { getTracer: () => broken };
    const before = instrumentation.tracingProblemCount;
    instrumentation.setTracerProvider(brokenProvider);
    try {
      for (const { b } of libraries) {
        await underParent(capture, () => everyForm(b, 'x'));
      }
      // At least one per call (9 forms x 2 libraries); bcrypt's hash(pw, rounds) also calls its
      // own exported genSalt, which then fails to start a span too.
      const problems = instrumentation.tracingProblemCount - before;
      assert.ok(problems >= 18, `counted ${problems} problems`);
      const ours = warnings.filter((w) => w.includes('@tracepack/instrumentation-bcrypt'));
      // Once per kind of problem (@tracepack/core's ProblemReporter): one per span name at most.
      assert.ok(ours.length >= 1 && ours.length <= 3, `logged once per kind, not per call: ${JSON.stringify(ours)}`);
      assert.equal(new Set(ours).size, ours.length, 'no line twice');
      for (const line of ours) {
        assert.match(
          line,
          /^@tracepack\/instrumentation-bcrypt: starting a bcrypt\.\w+ span failed \(Error\); the application is not affected\. Further occurrences are counted, not logged\.$/,
        );
      }
    } finally {
      instrumentation.setTracerProvider(trace.getTracerProvider());
      diag.disable();
    }
    assert.deepEqual(bcryptSpans(capture.spans()), []);
  });
});

describe('supported versions: code, README and tests agree', () => {
  test('SUPPORTED_VERSIONS', () => {
    assert.deepEqual(SUPPORTED_VERSIONS, { bcrypt: EXPECTED_RANGES.bcrypt, bcryptjs: EXPECTED_RANGES.bcryptjs });
    const modules = (
      instrumentation as unknown as { getModuleDefinitions(): Array<{ name: string; supportedVersions: string[] }> }
    )
      .getModuleDefinitions()
      .map((m) => [m.name, m.supportedVersions]);
    assert.deepEqual(modules, [
      ['bcrypt', [EXPECTED_RANGES.bcrypt]],
      ['bcryptjs', [EXPECTED_RANGES.bcryptjs]],
    ]);
  });

  test('README states the same ranges', () => {
    const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
    assert.ok(readme.includes(`\`bcrypt\` | \`${EXPECTED_RANGES.bcrypt}\``), 'bcrypt range in README');
    assert.ok(readme.includes(`\`bcryptjs\` | \`${EXPECTED_RANGES.bcryptjs}\``), 'bcryptjs range in README');
  });

  test('the version constant matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
    assert.equal(PACKAGE_VERSION, pkg.version);
    assert.equal(instrumentation.instrumentationVersion, pkg.version);
  });
});
