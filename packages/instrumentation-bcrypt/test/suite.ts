import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { assertSpan, spanNamed } from '@tracepack/testing';
import type { SpanCapture } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import type { BcryptModule } from '../src/internal-types';
import { REDACTED_ERROR_MESSAGE, SUPPORTED_VERSIONS } from '../src/utils';
import {
  bcryptSpans,
  EXPECTED_RANGES,
  errorOf,
  inMajorRange,
  loadLibrary,
  Secrets,
  underParent,
  viaCallback,
} from './helpers';
import type { LibraryUnderTest, ReadableSpan } from './helpers';

type Form = 'promise' | 'callback' | 'sync';
const FORMS: readonly Form[] = ['promise', 'callback', 'sync'];

/** The three call forms of each operation, as promises. */
function hashIn(b: BcryptModule, form: Form, data: unknown, salt: unknown): Promise<string> {
  if (form === 'sync') return Promise.resolve().then(() => b.hashSync(data, salt) as string);
  if (form === 'promise') return b.hash(data, salt) as Promise<string>;
  return viaCallback<string>((cb) => b.hash(data, salt, cb)).then((r) => r.value);
}
function compareIn(b: BcryptModule, form: Form, data: unknown, hash: unknown): Promise<boolean> {
  if (form === 'sync') return Promise.resolve().then(() => b.compareSync(data, hash) as boolean);
  if (form === 'promise') return b.compare(data, hash) as Promise<boolean>;
  return viaCallback<boolean>((cb) => b.compare(data, hash, cb)).then((r) => r.value);
}
function genSaltIn(b: BcryptModule, form: Form, ...rounds: [] | [number]): Promise<string> {
  if (form === 'sync') return Promise.resolve().then(() => b.genSaltSync(...rounds) as string);
  if (form === 'promise') return b.genSalt(...rounds) as Promise<string>;
  return viaCallback<string>((cb) => b.genSalt(...rounds, cb)).then((r) => r.value);
}

/**
 * The whole behaviour, for one installed copy of bcrypt or bcryptjs. The instrumentation and the
 * span capture are created by the calling test file, before the library is loaded.
 */
export function describeLibrary(lut: LibraryUnderTest, capture: SpanCapture): void {
  describe(lut.label, () => {
    let b: BcryptModule;
    let hash4: string; // a stored hash (cost 4) made before the tests, outside any span
    let hash8: string;
    let secrets: Secrets;

    /** The one bcrypt span of the test, checked against the common expectations. */
    function onlySpan(
      parent: ReadableSpan,
      name: string,
      attributes: Record<string, unknown>,
      status = SpanStatusCode.UNSET,
    ): ReadableSpan {
      const spans = bcryptSpans(capture.spans());
      assert.equal(
        spans.length,
        1,
        `expected exactly one bcrypt span, got ${JSON.stringify(spans.map((s) => s.name))}`,
      );
      const span = spans[0];
      assertSpan(span, {
        name,
        kind: SpanKind.INTERNAL,
        parent,
        status,
        attributes: { 'bcrypt.library': lut.library, ...attributes },
      });
      secrets.assertAbsentFrom(capture.spans());
      return span;
    }

    before(() => {
      capture.reset();
      const loaded = loadLibrary(lut);
      b = loaded.module;
      assert.equal(
        Number(loaded.version.split('.')[0]),
        lut.major,
        `${lut.library} version loaded from ${loaded.path}`,
      );
      assert.ok(
        inMajorRange(loaded.version, EXPECTED_RANGES[lut.library]),
        `${loaded.version} inside ${EXPECTED_RANGES[lut.library]}`,
      );
      assert.equal(SUPPORTED_VERSIONS[lut.library], EXPECTED_RANGES[lut.library]);
      // Outside a parent span: not traced (requireParentSpan), so these are free fixtures.
      hash4 = b.hashSync('fixture password', 4) as string;
      hash8 = b.hashSync('fixture password', 8) as string;
      assert.equal(capture.spans().length, 0, 'no span without a parent');
    });

    beforeEach(() => {
      capture.reset();
      secrets = new Secrets();
      secrets.add(hash4);
      secrets.add(hash8);
    });

    for (const form of FORMS) {
      const sync = form === 'sync';

      test(`hash, ${form} form, with rounds: one bcrypt.hash span (no nested genSalt span)`, async () => {
        const { result, parent } = await underParent(capture, () => hashIn(b, form, secrets.password, 4));
        secrets.add(result);
        assert.match(result, /^\$2[ab]\$04\$/);
        assert.equal(b.compareSync(secrets.password, result), true);
        onlySpan(parent, 'bcrypt.hash', { 'bcrypt.work_factor': 4, 'bcrypt.sync': sync });
      });

      test(`hash, ${form} form, with a salt string: work factor read from the salt`, async () => {
        const salt = secrets.add(b.genSaltSync(5) as string);
        const { result, parent } = await underParent(capture, () => hashIn(b, form, secrets.password, salt));
        secrets.add(result);
        assert.ok(result.startsWith(salt));
        onlySpan(parent, 'bcrypt.hash', { 'bcrypt.work_factor': 5, 'bcrypt.sync': sync });
      });

      test(`compare, ${form} form: one bcrypt.compare span, cost read from the stored hash`, async () => {
        const { result, parent } = await underParent(capture, async () => [
          await compareIn(b, form, 'fixture password', hash4),
        ]);
        assert.deepEqual(result, [true]);
        onlySpan(parent, 'bcrypt.compare', { 'bcrypt.work_factor': 4, 'bcrypt.sync': sync });
        capture.reset();
        const wrong = await underParent(capture, () => compareIn(b, form, secrets.password, hash8));
        assert.equal(wrong.result, false);
        onlySpan(wrong.parent, 'bcrypt.compare', { 'bcrypt.work_factor': 8, 'bcrypt.sync': sync });
      });

      test(`genSalt, ${form} form: one bcrypt.genSalt span with the rounds given`, async () => {
        const { result, parent } = await underParent(capture, () => genSaltIn(b, form, 6));
        secrets.add(result);
        assert.match(result, /^\$2[ab]\$06\$/);
        onlySpan(parent, 'bcrypt.genSalt', { 'bcrypt.work_factor': 6, 'bcrypt.sync': sync });
      });

      test(`genSalt, ${form} form, without rounds: work factor 10 (the library default)`, async () => {
        const { result, parent } = await underParent(capture, () => genSaltIn(b, form));
        secrets.add(result);
        assert.match(result, /^\$2[ab]\$10\$/);
        onlySpan(parent, 'bcrypt.genSalt', { 'bcrypt.work_factor': 10, 'bcrypt.sync': sync });
      });

      test(`compare, ${form} form, malformed hash: the span exists, the caller sees the library's own outcome`, async () => {
        // A short malformed hash: every library answers false without an error.
        const short = await underParent(capture, () => compareIn(b, form, secrets.password, 'not-a-bcrypt-hash'));
        assert.equal(short.result, false);
        onlySpan(short.parent, 'bcrypt.compare', { 'bcrypt.work_factor': undefined, 'bcrypt.sync': sync });

        // 60 characters with secret-looking content: bcrypt answers false; bcryptjs throws
        // "Invalid salt version: <first two characters>", which must not reach the span.
        capture.reset();
        const malformed = secrets.add(`Zq${secrets.password}`.padEnd(60, 'x').slice(0, 60));
        secrets.add(malformed.slice(0, 2));
        if (lut.library === 'bcrypt') {
          const r = await underParent(capture, () => compareIn(b, form, secrets.password, malformed));
          assert.equal(r.result, false);
          onlySpan(r.parent, 'bcrypt.compare', { 'bcrypt.sync': sync });
        } else {
          let parent: ReadableSpan | undefined;
          const err = await errorOf(async () => {
            parent = (await underParent(capture, () => compareIn(b, form, secrets.password, malformed))).parent;
          });
          assert.equal(err.message, 'Invalid salt version: Zq', 'the library error reaches the caller unchanged');
          parent ??= capture.spans().find((s) => s.name.startsWith('test-parent'));
          assert.ok(parent);
          const span = onlySpan(
            parent,
            'bcrypt.compare',
            { 'bcrypt.sync': sync, 'error.type': 'Error' },
            SpanStatusCode.ERROR,
          );
          assert.equal(span.status.message, REDACTED_ERROR_MESSAGE);
          assert.equal(span.events[0]?.attributes?.['exception.message'], REDACTED_ERROR_MESSAGE);
        }
      });

      test(`hash, ${form} form, invalid salt: error propagates unchanged, span ERROR without the salt`, async () => {
        const badSalt = secrets.add(`Zq-not-a-salt-${secrets.password}`);
        secrets.add('Zq');
        let parent: ReadableSpan | undefined;
        const err = await errorOf(async () => {
          parent = (await underParent(capture, () => hashIn(b, form, secrets.password, badSalt))).parent;
        });
        parent ??= capture.spans().find((s) => s.name.startsWith('test-parent'));
        assert.ok(parent);
        const expected =
          lut.library === 'bcrypt'
            ? 'Invalid salt. Salt must be in the form of: $Vers$log2(NumRounds)$saltvalue' // cannot quote the input: kept
            : 'Invalid salt version: Zq'; // quotes the salt: withheld from the span
        assert.equal(err.message, expected);
        const span = onlySpan(
          parent,
          'bcrypt.hash',
          { 'bcrypt.sync': sync, 'bcrypt.work_factor': undefined },
          SpanStatusCode.ERROR,
        );
        assert.equal(span.status.message, lut.library === 'bcrypt' ? expected : REDACTED_ERROR_MESSAGE);
        assert.equal(span.events.length, 1);
        assert.equal(span.events[0]?.name, 'exception');
      });

      test(`compare, ${form} form, missing hash: the library's argument error is recorded (it names types only)`, async () => {
        let parent: ReadableSpan | undefined;
        const err = await errorOf(async () => {
          parent = (await underParent(capture, () => compareIn(b, form, secrets.password, undefined))).parent;
        });
        parent ??= capture.spans().find((s) => s.name.startsWith('test-parent'));
        assert.ok(parent);
        const expected =
          lut.library === 'bcrypt' ? 'data and hash arguments required' : 'Illegal arguments: string, undefined';
        assert.equal(err.message, expected);
        const span = onlySpan(parent, 'bcrypt.compare', { 'bcrypt.sync': sync }, SpanStatusCode.ERROR);
        assert.equal(span.status.message, expected);
      });
    }

    test('work factors 4, 8 and 12: given to hash and genSalt, read back by compare', async () => {
      for (const rounds of [4, 8, 12]) {
        capture.reset();
        const { result, parent } = await underParent(capture, async () => {
          const salt = secrets.add(b.genSaltSync(rounds) as string);
          const hashed = secrets.add((await b.hash(secrets.password, rounds)) as string);
          // Cost 12 takes most of a second per call: compare only the cheaper ones.
          const same = rounds < 12 ? await b.compare(secrets.password, hashed) : undefined;
          return { salt, hashed, same };
        });
        assert.match(result.hashed, new RegExp(`^\\$2[ab]\\$${String(rounds).padStart(2, '0')}\\$`));
        const spans = bcryptSpans(capture.spans());
        assert.equal(spans.length, rounds < 12 ? 3 : 2, JSON.stringify(spans.map((s) => s.name)));
        for (const span of spans) {
          assertSpan(span, {
            parent,
            kind: SpanKind.INTERNAL,
            attributes: { 'bcrypt.work_factor': rounds, 'bcrypt.library': lut.library },
          });
        }
        spanNamed(spans, 'bcrypt.hash');
        spanNamed(spans, 'bcrypt.genSalt');
        if (rounds < 12) {
          assert.equal(result.same, true);
          spanNamed(spans, 'bcrypt.compare');
        }
        secrets.assertAbsentFrom(capture.spans());
      }
    });

    test('callback form: the callback runs in the caller context, so a hash inside a genSalt callback is traced too', async () => {
      const { result, parent } = await underParent(capture, async () => {
        const salted = await viaCallback<string>((cb) => b.genSalt(4, cb));
        const hashed = await viaCallback<string>((cb) => b.hash(secrets.password, secrets.add(salted.value), cb));
        return { salted, hashed };
      });
      secrets.add(result.hashed.value);
      assert.equal(result.salted.activeInCallback, parent.spanContext().spanId);
      assert.equal(result.hashed.activeInCallback, parent.spanContext().spanId);
      const spans = bcryptSpans(capture.spans());
      assert.equal(spans.length, 2);
      assertSpan(spanNamed(spans, 'bcrypt.genSalt'), { parent, attributes: { 'bcrypt.work_factor': 4 } });
      assertSpan(spanNamed(spans, 'bcrypt.hash'), { parent, attributes: { 'bcrypt.work_factor': 4 } });
      secrets.assertAbsentFrom(capture.spans());
    });

    test('promise form: await genSalt() then hash(pw, salt) gives two sibling spans', async () => {
      const { result, parent } = await underParent(capture, async () => {
        const salt = secrets.add((await b.genSalt(4)) as string);
        return secrets.add((await b.hash(secrets.password, salt)) as string);
      });
      assert.equal(b.compareSync(secrets.password, result), true);
      const spans = bcryptSpans(capture.spans());
      assert.equal(spans.length, 2);
      for (const span of spans) assertSpan(span, { parent, status: SpanStatusCode.UNSET });
      secrets.assertAbsentFrom(capture.spans());
    });

    test('concurrent hashes under different parents each land under their own parent', async () => {
      const [one, two] = await Promise.all([
        underParent(capture, () => b.hash(secrets.password, 4) as Promise<string>),
        underParent(capture, () => b.hash(secrets.password, 5) as Promise<string>),
      ]);
      secrets.add(one.result);
      secrets.add(two.result);
      const spans = bcryptSpans(capture.spans());
      assert.equal(spans.length, 2);
      assertSpan(
        spans.find((s) => s.attributes['bcrypt.work_factor'] === 4),
        { parent: one.parent },
      );
      assertSpan(
        spans.find((s) => s.attributes['bcrypt.work_factor'] === 5),
        { parent: two.parent },
      );
      secrets.assertAbsentFrom(capture.spans());
    });
  });
}
