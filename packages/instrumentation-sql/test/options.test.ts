import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MySQL2Instrumentation,
  PgInstrumentation,
  SUPPORTED_VERSIONS,
  SqlInstrumentationErrorCode,
  createSqlInstrumentations,
} from '../src';
import type { SqlInstrumentationConfig } from '../src';
import { TracepackTypeError } from '@tracepack/core';

test('a non-boolean option throws a TypeError naming the package, the path, the code and the allowed values', () => {
  assert.throws(
    () => createSqlInstrumentations({ connectionSpans: 'yes' } as unknown as SqlInstrumentationConfig),
    (err: unknown) => {
      assert.ok(err instanceof TypeError && err instanceof TracepackTypeError);
      assert.equal(err.code, SqlInstrumentationErrorCode.INVALID_OPTION);
      assert.equal(err.path, 'config.connectionSpans');
      assert.equal(
        err.message,
        "@tracepack/instrumentation-sql: config.connectionSpans expects a boolean (true or false), instead got a 'string' [TRACEPACK_SQL_INVALID_OPTION]",
      );
      return true;
    },
  );
});

test('an unknown option throws, listing the options', () => {
  assert.throws(
    () => createSqlInstrumentations({ enhancedDatabaseReporting: true } as unknown as SqlInstrumentationConfig),
    {
      name: 'TracepackTypeError',
      code: 'TRACEPACK_SQL_UNKNOWN_OPTION',
      path: 'config.enhancedDatabaseReporting',
      message:
        /config\.enhancedDatabaseReporting is not an option; allowed: connectionSpans, requireParentSpan, enabled \[TRACEPACK_SQL_UNKNOWN_OPTION\]$/,
    },
  );
});

test('a config that is not an object throws', () => {
  assert.throws(() => createSqlInstrumentations('on' as unknown as SqlInstrumentationConfig), {
    code: 'TRACEPACK_SQL_INVALID_OPTION',
  });
});

/** `1.2.3` satisfies `>=A <B` style ranges (space-separated comparators, `||` between alternatives). */
function satisfies(version: string, range: string): boolean {
  const parse = (v: string): number[] => v.split('.').map((n) => Number(n));
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const match = /^(>=|<)(\d+(?:\.\d+){0,2})$/.exec(comparator);
        assert.ok(match, `comparator ${comparator}`);
        const c = compare(parse(version), parse(match[2]!));
        return match[1] === '>=' ? c >= 0 : c < 0;
      }),
  );
}

test('SUPPORTED_VERSIONS: pg, pg-pool and mysql2, each a major', () => {
  assert.deepEqual(SUPPORTED_VERSIONS, { pg: '>=8 <9', 'pg-pool': '>=3 <4', mysql2: '>=3 <4' });
  assert.ok(
    satisfies('8.0.0', '>=8 <9') && !satisfies('9.0.0', '>=8 <9') && !satisfies('7.18.2', '>=8 <9'),
    'the range check itself',
  );
});

/** The package.json of an installed package (pg-pool's "exports" does not list it). */
function packageJsonOf(name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name) return file;
  }
  throw new Error(`no package.json of ${name}`);
}

test('the pg, pg-pool and mysql2 these tests run against are inside the supported ranges', () => {
  for (const [name, range] of Object.entries(SUPPORTED_VERSIONS)) {
    const { version } = JSON.parse(readFileSync(packageJsonOf(name), 'utf8')) as { version: string };
    assert.ok(satisfies(version, range), `${name} ${version} is outside ${range}`);
  }
});

test('the README states the same ranges as the code', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = /^## Supported versions\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
  const stated: Record<string, string> = {};
  for (const [, name, range] of section.matchAll(/^\| `([a-z0-9-]+)`\s*\| `([^`]+)`\s*\|/gm)) stated[name!] = range!;
  assert.deepEqual(stated, { ...SUPPORTED_VERSIONS });
});

test('defaults, applied in one place: enabled, no connection spans, a parent span required (as bcrypt)', () => {
  const instrumentation = new PgInstrumentation({ enabled: false });
  assert.deepEqual(instrumentation.getConfig(), { enabled: false, connectionSpans: false, requireParentSpan: true });
  instrumentation.setConfig({ requireParentSpan: false, enabled: false });
  assert.deepEqual(instrumentation.getConfig(), { enabled: false, connectionSpans: false, requireParentSpan: false });
});

test('constructor and setConfig validate too; a refused setConfig keeps the previous options', () => {
  assert.throws(() => new MySQL2Instrumentation({ requireParentSpan: 'yes' } as unknown as SqlInstrumentationConfig), {
    code: 'TRACEPACK_SQL_INVALID_OPTION',
  });
  const instrumentation = new MySQL2Instrumentation({ enabled: false, connectionSpans: true });
  const before = instrumentation.getConfig();
  assert.throws(() => instrumentation.setConfig({ maskStatement: false } as unknown as SqlInstrumentationConfig), {
    code: 'TRACEPACK_SQL_UNKNOWN_OPTION',
  });
  assert.equal(instrumentation.getConfig(), before);
});
