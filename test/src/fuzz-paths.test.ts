// Fuzzed URLs and paths: scrubPath and isIdLike never throw, every id-like segment is replaced
// by {id} (and nothing else is), no planted identifier survives, the output stays about the size
// of the input; and the SERVER span of a real traced request with no route is named after its
// method with the scrubbed path in url.path, and no id, query value or fragment anywhere in it.
import { DEFAULT_IGNORE_PATHS, ID_PLACEHOLDER, isIdLike, scrubPath } from '@tracepack/instrumentation-http';
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '@tracepack/testing';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  anyText,
  check,
  DIGITS,
  LOWER,
  oversize,
  sampleCases,
  stringOf,
  suiteName,
  UPPER,
  utf8AsLatin1,
} from './fuzz-arbitraries';
import { inPool, send, startTracedApp, waitUntil, type TracedApp } from './fuzz-traced-app';

const RUNS = { anything: 10_000, segments: 5000, planted: 5000, unslashed: 2000, server: 250 };

// ---------------------------------------------------------------------------------------------
// Arbitraries

const WORDS = [
  'clients',
  'orders',
  'api',
  'v1',
  'v2',
  'v2.1',
  'users',
  'invoices',
  'search',
  'static',
  'assets',
  'oauth2',
  'callback',
  'me',
  'items',
  'files',
  'download',
  'docs',
  'en-us',
  'self-service',
  'well_known',
  '.well-known',
];

const randomBytes = (min: number, max: number): fc.Arbitrary<Buffer> =>
  fc.noBias(fc.uint8Array({ minLength: min, maxLength: max })).map((b) => Buffer.from(b));

/** An identifier of a kind the README promises to replace, and its kind. */
const plantedId: fc.Arbitrary<{ kind: string; id: string }> = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 96n }).map((n) => ({ kind: 'number', id: n.toString() })),
  fc.uuid().map((id) => ({ kind: 'uuid', id })),
  fc.uuid().map((id) => ({ kind: 'uuid', id: id.toUpperCase().replace(/-/g, '') })),
  fc.ulid().map((id) => ({ kind: 'ulid', id })),
  randomBytes(6, 32).map((b) => ({ kind: 'hex', id: b.toString('hex') })),
  randomBytes(16, 48).map((b) => ({ kind: 'base64url token', id: b.toString('base64url') })),
  fc
    .tuple(randomBytes(12, 24), randomBytes(24, 64), randomBytes(32, 32))
    .map((p) => ({ kind: 'jwt', id: p.map((b) => b.toString('base64url')).join('.') })),
  // Raw in a path, without the characters that would end it (/ ? #).
  fc
    .emailAddress()
    .filter((id) => !/[/?#]/.test(id))
    .map((id) => ({ kind: 'e-mail', id })),
  fc.emailAddress().map((id) => ({ kind: 'e-mail, encoded', id: encodeURIComponent(id) })),
  fc
    .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => ({ kind: 'date', id: d.toISOString().slice(0, 10) })),
  fc
    .tuple(
      fc.constantFrom('inv', 'cus', 'ord', 'sk_live', 'tok'),
      stringOf(LOWER + DIGITS, 3, 14).filter((s) => (s.match(/\d/g) ?? []).length >= 2),
    )
    .map(([prefix, rest]) => ({ kind: 'prefixed id', id: `${prefix}_${rest}` })),
  // A person's name in UTF-8, percent-encoded as a client sends it.
  fc
    .tuple(stringOf(LOWER + UPPER, 1, 8), fc.constantFrom('é', 'ü', 'ñ', 'ø', '李', 'Ж', 'ğ'))
    .map(([a, b]) => ({ kind: 'encoded name', id: encodeURIComponent(`${a}${b}`) })),
);

/** Characters node:http sends in a request target: 0x21-0xff, here without / ? # (structure). */
const targetChar = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@%".split(''),
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
);
const garbageSegment = fc.string({ unit: targetChar, maxLength: 40 });
const unicodeSegment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
  .map((s) => utf8AsLatin1(s).replace(/[\s/?#\x00-\x20\x7f]/g, ''));

interface PlantedPath {
  path: string;
  planted: { kind: string; id: string }[];
}

/** A path as pathOf leaves it: `/` then segments of route words, planted ids and garbage. */
const plantedPath: fc.Arbitrary<PlantedPath> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...WORDS).map((w) => ({ text: w, id: undefined })) },
      { weight: 3, arbitrary: plantedId.map((p) => ({ text: p.id, id: p })) },
      { weight: 2, arbitrary: garbageSegment.map((g) => ({ text: g, id: undefined })) },
      { weight: 1, arbitrary: unicodeSegment.map((u) => ({ text: u, id: undefined })) },
      { weight: 1, arbitrary: fc.constantFrom('', '.', '..').map((s) => ({ text: s, id: undefined })) },
    ),
    { minLength: 1, maxLength: 8 },
  )
  .chain((segments) =>
    fc.boolean().map((slash) => ({
      path: `/${segments.map((s) => s.text).join('/')}${slash ? '/' : ''}`,
      planted: segments.flatMap((s) => (s.id ? [s.id] : [])),
    })),
  );

/** Any string at all, now and then a very long one. */
const anyPathLike = fc.oneof(
  { weight: 20, arbitrary: anyText(200) },
  { weight: 20, arbitrary: plantedPath.map((p) => p.path) },
  {
    weight: 10,
    arbitrary: fc.array(fc.oneof(anyText(10), fc.constant('/')), { maxLength: 30 }).map((a) => a.join('')),
  },
  {
    weight: 1,
    arbitrary: oversize(
      fc.oneof(
        anyText(20),
        plantedPath.map((p) => p.path),
      ),
      10_000,
      100_000,
    ),
  },
);

const segmentsOf = (path: string): string[] => path.split('/');

// ---------------------------------------------------------------------------------------------

describe(suiteName('URLs and paths'), () => {
  it(`scrubPath and isIdLike: ${RUNS.anything} arbitrary strings (some of 10-100 KB) never throw, and the output grows by at most 3 characters per segment`, () => {
    check(
      fc.property(anyPathLike, (input) => {
        const out = scrubPath(input);
        assert.equal(typeof out, 'string');
        assert.equal(typeof isIdLike(input), 'boolean');
        // Each segment is kept or becomes `{id}` (4 characters, from at least 1).
        const segments = input.split('/').length;
        assert.ok(out.length <= input.length + 3 * segments, `${out.length} > ${input.length} + 3 x ${segments}`);
      }),
      RUNS.anything,
    );
  });

  it(`scrubPath: ${RUNS.segments} request paths: each segment is kept, or replaced by ${ID_PLACEHOLDER} exactly when it is id-like; no id-like segment is left`, () => {
    check(
      fc.property(plantedPath, ({ path }) => {
        const input = segmentsOf(path);
        const out = segmentsOf(scrubPath(path));
        assert.deepEqual(
          out,
          input.map((s) => (isIdLike(s) ? ID_PLACEHOLDER : s)),
        );
        assert.deepEqual(
          out.filter((s) => isIdLike(s)),
          [],
        );
      }),
      RUNS.segments,
    );
  });

  it(`isIdLike and scrubPath: ${RUNS.planted} paths with planted numbers, UUIDs, ULIDs, hex, base64url tokens, JWTs, e-mail addresses, dates, prefixed ids and encoded names: every one is id-like, none is left in the output`, () => {
    check(
      fc.property(plantedPath, ({ path, planted }) => {
        const out = scrubPath(path);
        for (const { kind, id } of planted) {
          assert.ok(isIdLike(id), `${kind} ${JSON.stringify(id)} is not id-like`);
          assert.ok(!segmentsOf(out).includes(id), `${kind} ${id} left in ${out}`);
          if (id.length >= 6) assert.ok(!out.includes(id), `${kind} ${id} left in ${out}`);
        }
      }),
      RUNS.planted,
    );
  });

  it(`scrubPath: ${RUNS.unslashed} strings without a leading / (not pathOf's output, but scrubPath is exported): no id-like segment is left`, () => {
    check(
      fc.property(
        plantedPath.map((p) => p.path.slice(1)),
        (input) => {
          assert.deepEqual(
            segmentsOf(scrubPath(input)).filter((s) => isIdLike(s)),
            [],
          );
        },
      ),
      RUNS.unslashed,
    );
  });

  describe('SERVER spans of a traced server with no routes (node --require @tracepack/node/register)', () => {
    let receiver: OtlpReceiver;
    let app: TracedApp;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    before(async () => {
      receiver = await startOtlpReceiver();
      app = await startTracedApp(receiver.url);
    });
    after(async () => {
      agent.destroy();
      await app?.stop();
      await receiver?.stop();
    });

    it(`${RUNS.server} random request targets (paths with planted ids, query strings and fragments with secrets, absolute-form): every request answered, each span named after its method with the scrubbed path in url.path, no id or secret anywhere in it`, async () => {
      const secret = stringOf(LOWER + UPPER + DIGITS, 12, 20).map((s) => `S3cr3t${s}`);
      const targets = sampleCases(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
          path: plantedPath,
          query: fc.option(
            fc.array(fc.tuple(fc.constantFrom('q', 'email', 'token', 'id', 'next'), secret), {
              minLength: 1,
              maxLength: 3,
            }),
            { nil: undefined },
          ),
          fragment: fc.option(secret, { nil: undefined }),
          absolute: fc.boolean(),
        }),
        RUNS.server,
      ).map((t) => {
        const secrets = [...(t.query ?? []).map(([, v]) => v), ...(t.fragment === undefined ? [] : [t.fragment])];
        const query = t.query === undefined ? '' : `?${t.query.map(([k, v]) => `${k}=${v}`).join('&')}`;
        const fragment = t.fragment === undefined ? '' : `#${t.fragment}`;
        // node:http refuses raw non-ASCII bytes in a request target (400): clients send them %-encoded.
        const path = t.path.path.replace(/[\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
        const target = `${t.absolute ? 'http://fuzz.example:8080' : ''}${path}${query}${fragment}`;
        return { method: t.method, target, path, planted: t.path.planted, secrets };
      });

      const answers = await inPool(
        targets.map((t) => () => send(app.port, agent, { method: t.method, path: t.target })),
        4,
      );
      const problems: string[] = [];
      const expected: { spanId: string; name: string; path: string; t: (typeof targets)[number] }[] = [];
      answers.forEach((answer, i) => {
        const t = targets[i]!;
        if (answer.status >= 500 || answer.status === 0)
          problems.push(`${t.method} ${JSON.stringify(t.target)}: answered ${answer.status}`);
        else if (answer.status !== 200)
          problems.push(
            `${t.method} ${JSON.stringify(t.target)}: node:http answered ${answer.status} (not a request the app saw)`,
          );
        else if (DEFAULT_IGNORE_PATHS.includes(t.path)) return;
        else if (answer.seen?.spanId === undefined)
          problems.push(`${t.method} ${JSON.stringify(t.target)}: the handler ran with no span`);
        else expected.push({ spanId: answer.seen.spanId, name: t.method, path: scrubPath(t.path), t });
      });
      assert.deepEqual(problems, []);

      const servers = (): Map<string, DecodedSpan> =>
        new Map(receiver.spans.filter((s) => s.kind === 'SERVER').map((s) => [s.spanId, s]));
      await waitUntil(() => expected.every((e) => servers().has(e.spanId)), 15_000);
      const exported = servers();
      const spanProblems: string[] = [];
      for (const { spanId, name, path, t } of expected) {
        const span = exported.get(spanId);
        const where = `${t.method} ${JSON.stringify(t.target)}`;
        if (!span) {
          spanProblems.push(`${where}: SERVER span never exported`);
          continue;
        }
        // No route: the name is the method alone, the scrubbed path goes to url.path (README).
        if (span.name !== name)
          spanProblems.push(`${where}: span named ${JSON.stringify(span.name)}, expected ${JSON.stringify(name)}`);
        if (span.attributes['url.path'] !== path)
          spanProblems.push(
            `${where}: url.path ${JSON.stringify(span.attributes['url.path'])}, expected ${JSON.stringify(path)}`,
          );
        const text = JSON.stringify([span.name, span.attributes, span.events]);
        for (const { kind, id } of t.planted)
          if (id.length >= 6 && text.includes(id))
            spanProblems.push(`${where}: ${kind} ${id} is in the span: ${text.slice(0, 300)}`);
        for (const s of t.secrets)
          if (text.includes(s)) spanProblems.push(`${where}: the query/fragment value ${s} is in the span`);
      }
      assert.deepEqual(spanProblems, [], `app stderr:\n${app.stderr()}`);
    });
  });
});
