import { FixtureUnavailableError } from '@tracepack/testing';
import type { DatabaseServer, SpanCapture } from '@tracepack/testing';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';

/** A finished span as the capture hands it out. */
export type ReadableSpan = ReturnType<SpanCapture['spans']>[number];

/** A span that recorded a statement (not a connect or pool span). */
export const isQuery = (s: ReadableSpan): boolean => s.attributes['db.query.text'] !== undefined;

/**
 * Everything an exporter would send of these spans, as one string, to search for values that must
 * not be there: name, kind, attributes, status, events, links, scope and resource.
 */
export function dumpSpans(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({
      name: s.name,
      kind: s.kind,
      attributes: s.attributes,
      status: s.status,
      events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      links: s.links.map((l) => ({ context: l.context, attributes: l.attributes })),
      scope: s.instrumentationScope,
      resource: s.resource.attributes,
      droppedAttributes: s.droppedAttributesCount,
    })),
  );
}

/** Asserts that none of `secrets` appears anywhere in the spans. */
export function assertNoSecrets(spans: readonly ReadableSpan[], secrets: readonly string[]): void {
  const dump = dumpSpans(spans);
  for (const secret of secrets)
    assert.ok(!dump.includes(secret), `span data contains ${JSON.stringify(secret)}: ${dump}`);
}

/** Attribute keys that would carry statement text or values under another name. */
export function assertNoValueAttributes(spans: readonly ReadableSpan[]): void {
  for (const span of spans) {
    for (const key of Object.keys(span.attributes)) {
      assert.ok(
        key !== 'db.statement' && key !== 'db.postgresql.values' && !key.startsWith('db.query.parameter'),
        `${span.name} has attribute ${key}`,
      );
    }
  }
}

/**
 * Starts a real server for a suite. When the binaries are missing, skips the suite with one line
 * (returns undefined), unless CI=true: there the suite must run, so the error fails it.
 */
export async function startOrSkip(
  t: TestContext,
  start: () => Promise<DatabaseServer>,
): Promise<DatabaseServer | undefined> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof FixtureUnavailableError && process.env['CI'] !== 'true') {
      t.skip(err.message);
      return undefined;
    }
    throw err;
  }
}
