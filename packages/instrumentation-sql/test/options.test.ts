import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SUPPORTED_VERSIONS, SqlInstrumentationErrorCode, createSqlInstrumentations } from '../src';
import type { SqlInstrumentationConfig } from '../src';

test('a non-boolean option throws a TypeError naming the package, the path, the code and the allowed values', () => {
  assert.throws(() => createSqlInstrumentations({ connectionSpans: 'yes' } as unknown as SqlInstrumentationConfig), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.equal((err as TypeError & { code: string }).code, SqlInstrumentationErrorCode.INVALID_OPTION);
    assert.match(err.message, /^@tracepack\/instrumentation-sql: config\.connectionSpans expects a boolean \(true or false\), instead got a 'string'/);
    return true;
  });
});

test('an unknown option throws, listing the options', () => {
  assert.throws(() => createSqlInstrumentations({ enhancedDatabaseReporting: true } as unknown as SqlInstrumentationConfig), {
    name: 'TypeError',
    code: 'TRACEPACK_SQL_UNKNOWN_OPTION',
    message: /config\.enhancedDatabaseReporting is not an option; allowed: connectionSpans, requireParentSpan/,
  });
});

test('a config that is not an object throws', () => {
  assert.throws(() => createSqlInstrumentations('on' as unknown as SqlInstrumentationConfig), { code: 'TRACEPACK_SQL_INVALID_OPTION' });
});

test('the installed pg and mysql2 are inside the supported ranges', () => {
  const major = (name: string): number => Number(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version.split('.')[0]);
  assert.equal(SUPPORTED_VERSIONS.pg, '>=8 <9');
  assert.equal(major('pg'), 8);
  assert.equal(SUPPORTED_VERSIONS.mysql2, '>=3 <4');
  assert.equal(major('mysql2'), 3);
});
