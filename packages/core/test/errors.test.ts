import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createError, formatErrorMessage, isTracepackError, TracepackError, TracepackTypeError } from '../src/index';

describe('createError: the one way to build a catalogued error', () => {
  it('an option code gives a TracepackTypeError: a TypeError, a TracepackError, code, path, the package first and the code last', () => {
    const err = createError('TRACEPACK_SQL_INVALID_OPTION', {
      path: 'config.enabled',
      detail: "expects a boolean, instead got a 'string'",
    });
    assert.ok(err instanceof TracepackTypeError);
    assert.ok(err instanceof TypeError);
    assert.ok(err instanceof TracepackError, 'instanceof TracepackError holds for both kinds');
    assert.ok(isTracepackError(err));
    assert.equal(err.name, 'TracepackTypeError');
    assert.equal(err.code, 'TRACEPACK_SQL_INVALID_OPTION');
    assert.equal(err.path, 'config.enabled');
    assert.equal(
      err.message,
      "@tracepack/instrumentation-sql: config.enabled expects a boolean, instead got a 'string' [TRACEPACK_SQL_INVALID_OPTION]",
    );
  });

  it('a config code gives a TracepackError that is not a TypeError; the cause is kept', () => {
    const cause = new Error('EACCES');
    const err = createError(
      'TRACEPACK_CONFIG_FILE_UNREADABLE',
      { path: 'tracing.yml', detail: 'not readable' },
      { cause },
    );
    assert.ok(err instanceof TracepackError);
    assert.ok(!(err instanceof TypeError));
    assert.equal(err.name, 'TracepackError');
    assert.equal(err.cause, cause);
    assert.equal(err.message, '@tracepack/config: tracing.yml: not readable [TRACEPACK_CONFIG_FILE_UNREADABLE]');
  });

  it('another package may throw a code it does not own, under its own name', () => {
    const message = formatErrorMessage(
      'TRACEPACK_CONFIG_INVALID_URL',
      { path: 'options.serverUrl', detail: 'expects an http:// URL' },
      { packageName: '@tracepack/provider-jaeger' },
    );
    assert.equal(
      message,
      '@tracepack/provider-jaeger: options.serverUrl: expects an http:// URL [TRACEPACK_CONFIG_INVALID_URL]',
    );
  });

  it('a missing parameter shows as its placeholder, not as undefined', () => {
    assert.equal(
      createError('TRACEPACK_SQL_UNKNOWN_OPTION', { path: 'config.x' }).message,
      '@tracepack/instrumentation-sql: config.x is not an option; allowed: {allowed} [TRACEPACK_SQL_UNKNOWN_OPTION]',
    );
  });

  it('subclasses keep the ordinary instanceof; plain errors are not TracepackErrors', () => {
    class OwnError extends TracepackError {}
    const own = new OwnError('TRACEPACK_CONFIG_BAD_FLAG', 'x');
    assert.ok(own instanceof OwnError && own instanceof TracepackError);
    assert.equal(own.name, 'OwnError');
    assert.equal(createError('TRACEPACK_CONFIG_BAD_FLAG') instanceof OwnError, false);
    assert.equal(new TypeError('x') instanceof TracepackError, false);
    assert.equal(
      isTracepackError({ code: 'TRACEPACK_CONFIG_BAD_FLAG', message: 'x' }),
      false,
      'a look-alike object is not one',
    );
  });
});
