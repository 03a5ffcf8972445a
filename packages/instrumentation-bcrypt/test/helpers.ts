import { trace } from '@opentelemetry/api';
import type { SpanCapture } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { BcryptModule } from '../src/internal-types';
import type { BcryptLibrary } from '../src/types';

/** The monorepo root (this file runs from packages/instrumentation-bcrypt/dist/test). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const PACKAGE_DIR = resolve(__dirname, '..', '..');

/** The supported ranges, stated once more here: the tests check code and README against them. */
export const EXPECTED_RANGES: Record<BcryptLibrary, string> = { bcrypt: '>=5 <7', bcryptjs: '>=2 <4' };

/** One installed copy of a library, resolved from a workspace directory. */
export interface LibraryUnderTest {
  readonly library: BcryptLibrary;
  readonly label: string;
  /** The workspace the module is resolved from (its package.json names the dependency). */
  readonly from: string;
  readonly major: number;
}

export const CURRENT_LIBRARIES: readonly LibraryUnderTest[] = [
  { library: 'bcrypt', label: 'bcrypt 6 (root workspace)', from: PACKAGE_DIR, major: 6 },
  { library: 'bcryptjs', label: 'bcryptjs 3 (root workspace)', from: PACKAGE_DIR, major: 3 },
];

export const OLDER_LIBRARIES: readonly LibraryUnderTest[] = [
  { library: 'bcrypt', label: 'bcrypt 5 (compat/bcrypt-5)', from: join(REPO_ROOT, 'compat/bcrypt-5'), major: 5 },
  {
    library: 'bcryptjs',
    label: 'bcryptjs 2 (compat/bcryptjs-2)',
    from: join(REPO_ROOT, 'compat/bcryptjs-2'),
    major: 2,
  },
];

export interface LoadedLibrary {
  readonly module: BcryptModule;
  readonly version: string;
  readonly path: string;
}

/** `require(library)` as seen from `lut.from`, plus the version actually loaded. */
export function loadLibrary(lut: LibraryUnderTest): LoadedLibrary {
  const req = createRequire(join(lut.from, 'package.json'));
  const path = req.resolve(lut.library);
  const module = req(lut.library) as BcryptModule;
  // bcryptjs 3 does not export ./package.json: walk up from the entry point instead.
  let dir = dirname(path);
  while (!(basename(dir) === lut.library && existsSync(join(dir, 'package.json')))) {
    const up = dirname(dir);
    assert.notEqual(up, dir, `package.json of ${lut.library} not found above ${path}`);
    dir = up;
  }
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { module, version, path };
}

/** `true` when `version` is inside a `>=A <B` range of majors (the only shape this package uses). */
export function inMajorRange(version: string, range: string): boolean {
  const m = /^>=(\d+) <(\d+)$/.exec(range);
  assert.ok(m, `unexpected range shape ${range}`);
  const major = Number(version.split('.')[0]);
  return major >= Number(m[1]) && major < Number(m[2]);
}

/** Everything of a span that an exporter would send, as JSON (a ReadableSpan itself is circular). */
export function serializeSpans(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({
      name: s.name,
      kind: s.kind,
      attributes: s.attributes,
      events: s.events,
      status: s.status,
      links: s.links,
      scope: s.instrumentationScope,
    })),
  );
}

/** The secrets of one test: a fresh password and every hash and salt the test saw. */
export class Secrets {
  readonly password = `pw-${randomUUID()}`;
  private readonly _values = new Set<string>([this.password]);

  /** Remembers a hash or salt (and its salt and checksum parts) as secret; returns it. */
  add<T>(value: T): T {
    if (typeof value === 'string' && value.length > 0) {
      this._values.add(value);
      const m = /^\$2[abxy]?\$\d{2}\$(.{22})(.*)$/.exec(value);
      if (m?.[1]) this._values.add(m[1]);
      if (m?.[2]) this._values.add(m[2]);
    }
    return value;
  }

  /** No secret appears anywhere in the serialized spans. */
  assertAbsentFrom(spans: readonly ReadableSpan[]): void {
    const json = serializeSpans(spans);
    for (const secret of this._values) {
      assert.ok(!json.includes(secret), `a secret (${secret.length} chars) leaked into a span: ${json}`);
    }
  }
}

/** A finished span, as the capture returns it. */
export type ReadableSpan = ReturnType<SpanCapture['spans']>[number];

const tracer = trace.getTracer('bcrypt-tests');

/** Runs `fn` inside an active parent span; returns its result and the parent's finished span. */
export async function underParent<T>(
  capture: SpanCapture,
  fn: () => T | Promise<T>,
): Promise<{ result: T; parent: ReadableSpan }> {
  const name = `test-parent-${randomUUID()}`;
  const result = await tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn();
    } finally {
      span.end();
    }
  });
  const parent = capture.spans().find((s) => s.name === name);
  assert.ok(parent, 'parent span not captured');
  return { result, parent };
}

/** The spans of this package among `spans` (everything but the test's parent spans). */
export function bcryptSpans(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((s) => s.name.startsWith('bcrypt.'));
}

type NodeCallback<T> = (err: Error | null | undefined, value?: T) => void;

/**
 * Promise for a callback-form call; also reports the span that was active inside the callback,
 * so tests can check the callback runs in the caller's context.
 */
export function viaCallback<T>(
  start: (cb: NodeCallback<T>) => void,
): Promise<{ value: T; activeInCallback: string | undefined }> {
  return new Promise((resolvePromise, reject) => {
    start((err, value) => {
      const activeInCallback = trace.getActiveSpan()?.spanContext().spanId;
      if (err) reject(err);
      else resolvePromise({ value: value as T, activeInCallback });
    });
  });
}

/** The error a call throws or rejects with (fails the test if it succeeds). */
export async function errorOf(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof Error, 'expected an Error');
    return err;
  }
  assert.fail('expected the call to fail');
}
