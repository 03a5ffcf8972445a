// Shared pieces of the fuzz suites (test/src/fuzz-*.test.ts): the seed, the runner wrapper,
// and the arbitraries more than one suite draws from (text of every kind, trace ids and the
// trace headers built from them, with what a correct reader must make of them).
//
// Every run is reproducible: one fixed seed, shown in each suite's name; FUZZ_SEED=<integer>
// replaces it (to explore: FUZZ_SEED=$RANDOM; to replay a failure: the seed it printed).
// FUZZ_CLI_FILES=<n> sets how many real `tracepack config validate` processes fuzz-config starts
// (8 by default; each costs about 0.2 s of CPU, so the few hundred cases of that suite run the
// command's `main` in process and only a sample as real processes).
import fc from 'fast-check';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The seed every suite uses unless FUZZ_SEED says otherwise. */
export const DEFAULT_FUZZ_SEED = 424242;

function seedFromEnv(): number {
  const raw = process.env.FUZZ_SEED?.trim();
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed | 0;
}

export const FUZZ_SEED = seedFromEnv();

/** `<area> (seed N)`: the name of a suite, with the seed that replays it. */
export function suiteName(area: string): string {
  const how = FUZZ_SEED === DEFAULT_FUZZ_SEED ? 'FUZZ_SEED=<n> to change it' : 'from FUZZ_SEED';
  return `fuzz: ${area} (seed ${FUZZ_SEED}, ${how})`;
}

function withReplayHint(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const wrapped = new Error(`replay with FUZZ_SEED=${FUZZ_SEED}\n${message}`);
  if (err instanceof Error && err.stack)
    wrapped.stack = `${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
  return wrapped;
}

/** fc.assert with the suite seed and exactly `numRuns` cases; a failure says how to replay it. */
export function check<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, numRuns: number): void {
  try {
    fc.assert(property, { seed: FUZZ_SEED, numRuns, includeErrorInReport: true });
  } catch (err) {
    throw withReplayHint(err);
  }
}

/** `count` values of `arb`, the same ones for the same seed (for cases run outside fc.assert: child processes). */
export function sampleCases<T>(arb: fc.Arbitrary<T>, count: number): T[] {
  return fc.sample(arb, { seed: FUZZ_SEED, numRuns: count });
}

/**
 * A fresh directory for the files a suite writes by the thousand: in memory (/dev/shm) where
 * there is one, since a disk write costs about as much as the call under test.
 */
export function scratchDir(prefix: string): string {
  let base = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    base = '/dev/shm';
  } catch {
    // no tmpfs here: the usual temporary directory
  }
  return mkdtempSync(join(base, prefix));
}

// ---------------------------------------------------------------------------------------------
// Text

const chars = (s: string): fc.Arbitrary<string> => fc.constantFrom(...s.split(''));

/** Strings of `min..max` characters of `alphabet` (what fc.stringMatching(/^[...]{min,max}$/) gives, much faster). */
export const stringOf = (alphabet: string, min: number, max = min): fc.Arbitrary<string> =>
  fc.string({ unit: chars(alphabet), minLength: min, maxLength: max });

export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const UPPER = LOWER.toUpperCase();
export const DIGITS = '0123456789';
const LATIN1_HIGH = fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c));

/** Any code point, controls and astral planes included. */
export const anyText = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });

/**
 * What node:http hands a handler as a header value: bytes read as latin1, tab and printable
 * ASCII, obs-text (0x80-0xff; UTF-8 text arrives so), no leading or trailing blanks.
 */
export const headerValueText = (maxLength = 60): fc.Arbitrary<string> =>
  fc
    .string({
      unit: fc.oneof(
        { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
        { weight: 1, arbitrary: fc.constant('\t') },
        { weight: 2, arbitrary: LATIN1_HIGH },
      ),
      maxLength,
    })
    .map(trimBlanks);

/** UTF-8 text as node:http shows it (each byte a latin1 character). */
export const utf8AsLatin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export function trimBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** A string that node:http would accept as a header value. */
export function isHeaderSafe(s: string): boolean {
  return !/[^\t\x20-\x7e\x80-\xff]/.test(s);
}

/** `s` with lone surrogates replaced (encodeURIComponent refuses them). */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** `piece` repeated up to `min..max` characters. */
export const oversize = (piece: fc.Arbitrary<string>, min: number, max: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      piece.filter((p) => p.length > 0),
      fc.integer({ min, max }),
    )
    .map(([p, n]) => p.repeat(Math.ceil(n / p.length)).slice(0, n));

/** Separators and fragments of the trace formats, to build near-misses from. */
const TRACE_FRAGMENTS = [
  '-',
  ':',
  ',',
  ';',
  '=',
  ' ',
  '\t',
  '%',
  '%3A',
  '%3a',
  '%ZZ',
  '%E0%A4%A',
  '00',
  '01',
  'ff',
  'd',
  '0'.repeat(16),
  'g',
  'é',
  '\u0000',
  '\u{1f600}',
  'uber',
  'b3',
  'true',
];

/** Garbage of every kind for a header value (not filtered: may happen to be well-formed). */
export const garbageValue = (opts: { headerSafe: boolean; big?: boolean }): fc.Arbitrary<string> => {
  const short = opts.headerSafe ? headerValueText(60) : anyText(60);
  const parts = fc
    .array(fc.oneof(fc.constantFrom(...TRACE_FRAGMENTS), hexString(1, 8), short), { maxLength: 12 })
    .map((p) => p.join(''));
  const unicode = fc.string({ unit: 'grapheme', maxLength: 20 }).map(utf8AsLatin1);
  const arbs = [short, parts, unicode, fc.constant(''), ...(opts.big === false ? [] : [oversize(short, 512, 6000)])];
  const all = opts.headerSafe
    ? arbs.map((a) => a.map(trimBlanks).filter(isHeaderSafe))
    : [...arbs, fc.string({ unit: 'binary-ascii', maxLength: 30 })];
  return fc.oneof(...all);
};

// ---------------------------------------------------------------------------------------------
// Trace ids and headers

const HEX = '0123456789abcdef';
export const hexString = (min: number, max = min): fc.Arbitrary<string> =>
  fc.string({ unit: chars(HEX), minLength: min, maxLength: max });

/** 32 lower-hex characters whose low 64 bits are not all zero (so its 64-bit form is valid too). */
export const traceIdArb: fc.Arbitrary<string> = hexString(32).filter((t) => /[^0]/.test(t.slice(16)));
/** 16 lower-hex characters, not all zero. */
export const spanIdArb: fc.Arbitrary<string> = hexString(16).filter((s) => /[^0]/.test(s));

/** What a correct reader must join: lower-case ids padded to 128/64 bits, and the sampled bit. */
export interface Joined {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** One header set in one format, with what it must be read as (`undefined`: it must not be joined). */
export interface FormatCase {
  headers: Record<string, string>;
  joined: Joined | undefined;
}

export type TraceFormat = 'tracecontext' | 'b3' | 'b3multi' | 'jaeger';

/** Lower-hex byte of trace flags: `sampledBit` only 00-0f (the defined and reserved-low bits), else 00-ff. */
const flagsByte = (range: 'low' | 'any'): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: range === 'low' ? 0x0f : 0xff });
const byteHex = (n: number): string => n.toString(16).padStart(2, '0');

export interface ValidOptions {
  /** Trace-flags bytes of traceparent: 'low' keeps to 00-0f. @default 'any' */
  flags?: 'low' | 'any';
}

export const validTraceparent = (opts: ValidOptions = {}): fc.Arbitrary<FormatCase> =>
  fc
    .record({
      t: traceIdArb,
      s: spanIdArb,
      flags: flagsByte(opts.flags ?? 'any'),
      // A later version may carry more fields after the flags; version 00 must not.
      version: fc.oneof(
        { weight: 4, arbitrary: fc.constant('00') },
        { weight: 1, arbitrary: hexString(2).filter((v) => v !== 'ff' && v !== '00') },
      ),
      suffix: fc.option(
        fc.string({ unit: chars(HEX + '-'), maxLength: 20 }).map((x) => `-${x}`),
        { nil: '' },
      ),
      pad: fc.constantFrom(['', ''], [' ', ''], ['', ' '], ['\t', '\t']),
    })
    .map(({ t, s, flags, version, suffix, pad }) => ({
      headers: {
        traceparent: `${pad[0]}${version}-${t}-${s}-${byteHex(flags)}${version === '00' ? '' : suffix}${pad[1]}`,
      },
      joined: { traceId: t, spanId: s, sampled: (flags & 1) === 1 },
    }));

export const validB3Single: fc.Arbitrary<FormatCase> = fc
  .record({
    t: traceIdArb,
    s: spanIdArb,
    short: fc.boolean(),
    state: fc.constantFrom(undefined, '0', '1', 'd'),
    parent: fc.option(spanIdArb, { nil: undefined }),
  })
  .map(({ t, s, short, state, parent }) => {
    const traceId = short ? t.slice(16) : t;
    const value = [traceId, s, ...(state === undefined ? [] : [state, ...(parent === undefined ? [] : [parent])])].join(
      '-',
    );
    return {
      headers: { b3: value },
      joined: { traceId: traceId.padStart(32, '0'), spanId: s, sampled: state === '1' || state === 'd' },
    };
  });

export const validB3Multi: fc.Arbitrary<FormatCase> = fc
  .record({
    t: traceIdArb,
    s: spanIdArb,
    short: fc.boolean(),
    sampled: fc.constantFrom(undefined, '0', '1', 'true', 'false', 'True', 'False'),
    debug: fc.boolean(),
    parent: fc.option(spanIdArb, { nil: undefined }),
  })
  .map(({ t, s, short, sampled, debug, parent }) => {
    const traceId = short ? t.slice(16) : t;
    const headers: Record<string, string> = { 'x-b3-traceid': traceId, 'x-b3-spanid': s };
    if (sampled !== undefined) headers['x-b3-sampled'] = sampled;
    if (debug) headers['x-b3-flags'] = '1';
    if (parent !== undefined) headers['x-b3-parentspanid'] = parent;
    const isSampled = debug || sampled === '1' || sampled === 'true' || sampled === 'True';
    return { headers, joined: { traceId: traceId.padStart(32, '0'), spanId: s, sampled: isSampled } };
  });

/** `uber-trace-id`: ids of any length up to 128/64 bits, any letter case, `:` or `%3A`. */
export const validUberTraceId: fc.Arbitrary<FormatCase> = fc
  .record({
    t: fc
      .oneof(
        traceIdArb,
        traceIdArb.map((t) => t.slice(16)),
        hexString(1, 31),
      )
      .filter((t) => /[^0]/.test(t)),
    s: fc.oneof(spanIdArb, hexString(1, 15)).filter((s) => /[^0]/.test(s)),
    parent: fc.oneof(fc.constant('0'), hexString(1, 16)),
    flags: fc.oneof(hexString(1), hexString(2)),
    upper: fc.boolean(),
    sep: fc.constantFrom(':', '%3A', '%3a'),
  })
  .map(({ t, s, parent, flags, upper, sep }) => {
    const value = [t, s, parent, flags].join(sep);
    return {
      headers: { 'uber-trace-id': upper ? value.toUpperCase() : value },
      joined: { traceId: t.padStart(32, '0'), spanId: s.padStart(16, '0'), sampled: (parseInt(flags, 16) & 1) === 1 },
    };
  });

/**
 * Whether any of the formats could read ids out of this text: a superset of what the parsers
 * accept (a 16-hex run, or `hex:hex:` before or after percent-decoding). Garbage is filtered
 * through it to be sure it is broken.
 */
export function mightCarryIds(v: string): boolean {
  if (/[0-9a-f]{16}/i.test(v)) return true;
  const jaeger = /[0-9a-f]{1,32}:[0-9a-f]{1,16}:/i;
  if (jaeger.test(v)) return true;
  try {
    return jaeger.test(decodeURIComponent(v));
  } catch {
    return false;
  }
}

/** Known-broken near-misses of each format (invalid per its spec), built around real ids. */
export const brokenFormat = (format: TraceFormat): fc.Arbitrary<Record<string, string>> => {
  const zeros32 = '0'.repeat(32);
  const zeros16 = '0'.repeat(16);
  type Build = (t: string, s: string) => Record<string, string>;
  const one = (name: string, builds: ((t: string, s: string) => string)[]): Build[] =>
    builds.map((b) => (t, s) => ({ [name]: b(t, s) }));
  const builds: Record<TraceFormat, Build[]> = {
    tracecontext: one('traceparent', [
      (t, s) => `ff-${t}-${s}-01`,
      (_, s) => `00-${zeros32}-${s}-01`,
      (t) => `00-${t}-${zeros16}-01`,
      (t, s) => `00-${t.slice(0, 31)}g-${s}-01`,
      (t, s) => `00-${t.slice(1)}-${s}-01`,
      (t, s) => `00-${t}0-${s}-01`,
      (t, s) => `00-${t}-${s}-01-extra`,
      (t, s) => `00-${t}-${s}-1`,
      (t, s) => `00-${t}-${s}-001`,
      (t, s) => `00_${t}_${s}_01`,
      (t, s) => `00-${t}-${s}-01, 00-${t}-${s}-01`, // the same header twice: node:http joins them
      (t, s) => `00-${t}-${s}`,
    ]),
    b3: one('b3', [
      (_, s) => `${zeros32}-${s}-1`,
      (t) => `${t}-${zeros16}-1`,
      (t, s) => `${t}-${s.slice(1)}-1`,
      (t, s) => `${t}:${s}:1`,
      (t, s) => `${t.slice(0, 8)}-${s}`,
      (t) => t,
      () => '0',
      () => 'd',
    ]),
    b3multi: [
      (_, s) => ({ 'x-b3-traceid': zeros32, 'x-b3-spanid': s }),
      (t) => ({ 'x-b3-traceid': t, 'x-b3-spanid': zeros16 }),
      (t, s) => ({ 'x-b3-traceid': t.slice(1), 'x-b3-spanid': s }),
      (t, s) => ({ 'x-b3-traceid': `${t}0`, 'x-b3-spanid': s }),
      (t, s) => ({ 'x-b3-traceid': t, 'x-b3-spanid': s, 'x-b3-sampled': 'yes' }),
      (t) => ({ 'x-b3-traceid': t }),
      (_, s) => ({ 'x-b3-spanid': s }),
      (t, s) => ({ 'x-b3-traceid': t, 'x-b3-spanid': `${s}0` }),
    ],
    jaeger: one('uber-trace-id', [
      (t, s) => `${t}:${s}:0`,
      (t, s) => `${t}:${s}:0:1:x`,
      (t, s) => `${t}0:${s}:0:1`,
      (t, s) => `${t}:${s}0:0:1`,
      (_, s) => `${zeros32}:${s}:0:1`,
      (t) => `${t}:${zeros16}:0:1`,
      (t, s) => `${t}:${s}:0:100`,
      (t, s) => `${t}:${s}:0:`,
      (t, s) => `x${t.slice(1)}:${s}:0:1`,
      (t, s) => `%E0%A4%A${t}:${s}:0:1`,
      (t, s) => `${t};${s};0;1`,
      (t, s) => `${t}:${s}:0:1${'0'.repeat(120)}`,
    ]),
  };
  return fc.tuple(fc.constantFrom(...builds[format]), traceIdArb, spanIdArb).map(([build, t, s]) => build(t, s));
};

/** Header names of each format. */
export const FORMAT_HEADERS: Record<TraceFormat, readonly string[]> = {
  tracecontext: ['traceparent'],
  b3: ['b3'],
  b3multi: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'x-b3-parentspanid'],
  jaeger: ['uber-trace-id'],
};

/** Noise for a format's headers: garbage no parser could read ids from. */
const noiseFormat = (format: TraceFormat, headerSafe: boolean): fc.Arbitrary<Record<string, string>> => {
  const noise = garbageValue({ headerSafe }).filter((v) => !mightCarryIds(v));
  if (format !== 'b3multi') return noise.map((v) => ({ [FORMAT_HEADERS[format][0]!]: v }));
  return fc.dictionary(fc.constantFrom(...FORMAT_HEADERS.b3multi), noise, {
    minKeys: 1,
    maxKeys: 4,
    noNullPrototype: true,
  });
};

type FormatState = 'absent' | 'valid' | 'broken' | 'noise';

export interface TraceHeaderCase {
  headers: Record<string, string>;
  /** What must be joined: the valid header of the format read first, or undefined (a new trace). */
  joined: Joined | undefined;
  /** The state each format was generated in, for the report of a failure. */
  states: Record<TraceFormat, FormatState>;
  /** Every trace id written into the headers (lower-case, 128-bit), for "a new trace" checks. */
  traceIds: string[];
}

export interface TraceHeaderOptions {
  /** Only values node:http could hand over (the HTTP suites). @default false */
  headerSafe?: boolean;
  /** traceparent flags bytes. @default 'any' */
  flags?: 'low' | 'any';
  /** Add baggage, tracestate, uberctx-* and unrelated headers. @default true */
  extras?: boolean;
}

/**
 * A set of incoming headers: each format absent, well-formed, a known near-miss or noise; and
 * the context a correct reader joins. Precedence (TracepackPropagator): W3C traceparent, then
 * B3, then Jaeger. Within B3 the single `b3` header, when present and not empty, is the only
 * one read (the multi headers are then ignored, even if the single one is broken).
 */
export const traceHeaderCase = (opts: TraceHeaderOptions = {}): fc.Arbitrary<TraceHeaderCase> => {
  const headerSafe = opts.headerSafe ?? false;
  const valid: Record<TraceFormat, fc.Arbitrary<FormatCase>> = {
    tracecontext: validTraceparent({ flags: opts.flags ?? 'any' }),
    b3: validB3Single,
    b3multi: validB3Multi,
    jaeger: validUberTraceId,
  };
  type Part = { state: FormatState; case: FormatCase };
  const as =
    (state: FormatState) =>
    (headers: Record<string, string>): Part => ({ state, case: { headers, joined: undefined } });
  const part = (format: TraceFormat): fc.Arbitrary<Part> =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant<Part>({ state: 'absent', case: { headers: {}, joined: undefined } }) },
      { weight: 1, arbitrary: valid[format].map((c): Part => ({ state: 'valid', case: c })) },
      { weight: 1, arbitrary: brokenFormat(format).map(as('broken')) },
      { weight: 1, arbitrary: noiseFormat(format, headerSafe).map(as('noise')) },
    );
  const extras = opts.extras === false ? fc.constant({}) : extraHeaders(headerSafe);
  return fc
    .record({ tc: part('tracecontext'), b3: part('b3'), multi: part('b3multi'), jaeger: part('jaeger'), extras })
    .map(({ tc, b3, multi, jaeger, extras: more }) => {
      const headers: Record<string, string> = {
        ...more,
        ...jaeger.case.headers,
        ...multi.case.headers,
        ...b3.case.headers,
        ...tc.case.headers,
      };
      const b3Present = (headers.b3 ?? '') !== '';
      const joined =
        tc.case.joined ?? b3.case.joined ?? (b3Present ? undefined : multi.case.joined) ?? jaeger.case.joined;
      const traceIds = [tc, b3, multi, jaeger].flatMap((p) => (p.case.joined ? [p.case.joined.traceId] : []));
      for (const v of Object.values(headers))
        for (const m of v.toLowerCase().matchAll(/[0-9a-f]{16,32}/g)) traceIds.push(m[0].padStart(32, '0'));
      return {
        headers,
        joined,
        states: { tracecontext: tc.state, b3: b3.state, b3multi: multi.state, jaeger: jaeger.state },
        traceIds,
      };
    });
};

/** tracestate, baggage (W3C and Jaeger `uberctx-*`) and unrelated headers, hostile or not. */
export const extraHeaders = (headerSafe: boolean): fc.Arbitrary<Record<string, string>> => {
  const value = garbageValue({ headerSafe, big: false });
  const token = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz0123456789-_.~!*'), minLength: 1, maxLength: 12 });
  const pctOrRaw = fc.oneof(
    token,
    value.map((v) => encodeURIComponent(wellFormed(v))),
    value.filter((v) => !/[,;=]/.test(v)),
  );
  const baggageEntry = fc
    .tuple(
      pctOrRaw,
      pctOrRaw,
      fc.option(
        fc.oneof(
          token,
          value.filter((v) => !v.includes(',')),
        ),
        { nil: undefined },
      ),
    )
    .map(([k, v, prop]) => `${k}=${v}${prop === undefined ? '' : `;${prop}`}`);
  const baggage = fc.oneof(
    fc.array(baggageEntry, { maxLength: 8 }).map((e) => e.join(',')),
    value,
    oversize(
      baggageEntry.map((e) => `${e},`),
      4000,
      9000,
    ),
  );
  const stateMember = fc.oneof(
    fc.tuple(token, token).map(([k, v]) => `${k}=${v}`),
    fc.tuple(token, token, token).map(([a, b, v]) => `${a}@${b}=${v}`),
    value,
  );
  const tracestate = fc.oneof(
    fc.array(stateMember, { maxLength: 10 }).map((m) => m.join(',')),
    oversize(
      stateMember.map((m) => `${m},`),
      600,
      3000,
    ),
  );
  const traced = new Set<string>(Object.values(FORMAT_HEADERS).flat());
  const headerName = fc
    .oneof(
      token.map((t) => `x-${t}`),
      token.map((t) => `uberctx-${t}`),
      fc.constantFrom('uberctx-', 'x-b3-unknown', 'traceparent-x'),
    )
    .filter((name) => !traced.has(name));
  const safe = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    headerSafe ? arb.map(trimBlanks).filter(isHeaderSafe) : arb;
  const other = fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: garbageValue({ headerSafe }) });
  return fc
    .record(
      {
        tracestate: safe(tracestate),
        baggage: safe(baggage),
        others: fc.dictionary(headerName, safe(other), { maxKeys: 3, noNullPrototype: true }),
      },
      { requiredKeys: [] },
    )
    .map(({ tracestate: ts, baggage: bg, others }) => ({
      ...(others ?? {}),
      ...(ts === undefined ? {} : { tracestate: ts }),
      ...(bg === undefined ? {} : { baggage: bg }),
    }));
};

// ---------------------------------------------------------------------------------------------
// What a writer may put on the wire

const TRACESTATE_MEMBER =
  /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * Problems with the trace-context headers a propagator wrote (traceparent, tracestate,
 * uber-trace-id, b3, x-b3-*), given the context it wrote from; [] when all are well-formed.
 */
export function traceHeaderProblems(
  written: Record<string, string>,
  ids: { traceId: string; spanId: string; traceFlags: number } | undefined,
): string[] {
  const problems: string[] = [];
  const expectIds = (what: string, traceId: string | undefined, spanId: string | undefined): void => {
    if (!ids) problems.push(`${what} written without a context to write`);
    else if (traceId !== ids.traceId || spanId !== ids.spanId)
      problems.push(`${what} carries ${traceId}/${spanId}, not ${ids.traceId}/${ids.spanId}`);
  };
  const sampled = ids ? (ids.traceFlags & 1) === 1 : false;
  for (const [name, value] of Object.entries(written)) {
    switch (name) {
      case 'traceparent': {
        const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
        if (!m) problems.push(`malformed traceparent ${JSON.stringify(value)}`);
        else {
          expectIds('traceparent', m[1], m[2]);
          if (((parseInt(m[3]!, 16) & 1) === 1) !== sampled) problems.push(`traceparent sampled bit ${m[3]} disagrees`);
        }
        break;
      }
      case 'tracestate': {
        // Empty is allowed (receivers must accept it; senders should avoid it).
        const members = value === '' ? [] : value.split(',');
        if (value.length > 512 || members.length > 32 || !members.every((mb) => TRACESTATE_MEMBER.test(mb)))
          problems.push(`malformed tracestate ${JSON.stringify(value)}`);
        break;
      }
      case 'uber-trace-id': {
        const m = /^([0-9a-f]{32}):([0-9a-f]{16}):0:([01])$/.exec(value);
        if (!m) problems.push(`malformed uber-trace-id ${JSON.stringify(value)}`);
        else {
          expectIds('uber-trace-id', m[1], m[2]);
          if ((m[3] === '1') !== sampled) problems.push('uber-trace-id sampled flag disagrees');
        }
        break;
      }
      case 'b3': {
        const m = /^([0-9a-f]{32})-([0-9a-f]{16})-([01d])$/.exec(value);
        if (!m) problems.push(`malformed b3 ${JSON.stringify(value)}`);
        else expectIds('b3', m[1], m[2]);
        break;
      }
      case 'x-b3-traceid':
      case 'x-b3-spanid':
        if (!(name === 'x-b3-traceid' ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{16}$/).test(value))
          problems.push(`malformed ${name} ${JSON.stringify(value)}`);
        break;
      case 'x-b3-sampled':
      case 'x-b3-flags':
        if (!(name === 'x-b3-flags' ? /^1$/ : /^[01]$/).test(value))
          problems.push(`malformed ${name} ${JSON.stringify(value)}`);
        break;
      default:
        break;
    }
  }
  if ('x-b3-traceid' in written || 'x-b3-spanid' in written)
    expectIds('x-b3-*', written['x-b3-traceid'], written['x-b3-spanid']);
  return problems;
}
