import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arrayOf,
  booleanOption,
  checkOption,
  functionOption,
  numberOption,
  oneOf,
  stringMatching,
  stringOption,
  TracepackTypeError,
  validateOptions,
} from '../src/index';

const RULES = {
  enabled: booleanOption,
  name: stringOption,
  limit: numberOption,
  hook: functionOption,
  color: oneOf(['auto', 'always', 'never']),
  paths: arrayOf(stringMatching(/^\//, 'a path starting with "/"'), 'an array of paths'),
};
const CONTEXT = { code: 'TRACEPACK_SQL_INVALID_OPTION', unknownCode: 'TRACEPACK_SQL_UNKNOWN_OPTION' } as const;

function thrown(fn: () => unknown): TracepackTypeError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TracepackTypeError, String(err));
    return err;
  }
  assert.fail('did not throw');
}

describe('validateOptions', () => {
  it('accepts undefined (no options) and good values, returning them untouched for the defaults', () => {
    assert.deepEqual(validateOptions(undefined, RULES, 'config', CONTEXT), {});
    const good = { enabled: false, name: 'n', limit: 3, hook: () => {}, color: 'never', paths: ['/a'] };
    assert.equal(validateOptions(good, RULES, 'config', CONTEXT), good);
  });

  const cases: Array<[string, unknown, string, string]> = [
    ['a boolean', { enabled: 'yes' }, 'config.enabled', "expects a boolean (true or false), instead got a 'string'"],
    ['a string', { name: 42 }, 'config.name', "expects a string, instead got a 'number'"],
    ['a finite number', { limit: Number.NaN }, 'config.limit', "expects a finite number, instead got a 'number'"],
    ['a function', { hook: 'stdout' }, 'config.hook', "expects a function, instead got a 'string'"],
    ['one of', { color: 'sometimes' }, 'config.color', "expects one of auto, always, never, instead got 'sometimes'"],
    ['an array', { paths: '/a' }, 'config.paths', "expects an array of paths, instead got a 'string'"],
    ['each item', { paths: ['/a', 'b'] }, 'config.paths[1]', `expects a path starting with "/", instead got 'b'`],
    ['an object', [], 'config', 'expects an object, instead got an array'],
    ['not null', null, 'config', 'expects an object, instead got null'],
  ];
  for (const [what, value, path, detail] of cases) {
    it(`${what}: throws the catalogue's TypeError with the package, path, expected and got`, () => {
      const err = thrown(() => validateOptions(value, RULES, 'config', CONTEXT));
      assert.equal(err.code, 'TRACEPACK_SQL_INVALID_OPTION');
      assert.equal(err.path, path);
      assert.equal(err.message, `@tracepack/instrumentation-sql: ${path} ${detail} [TRACEPACK_SQL_INVALID_OPTION]`);
    });
  }

  it('an unknown key: its own code, listing the allowed options; allowUnknown lets it pass', () => {
    const err = thrown(() => validateOptions({ enabld: true }, RULES, 'config', CONTEXT));
    assert.equal(err.code, 'TRACEPACK_SQL_UNKNOWN_OPTION');
    assert.equal(err.path, 'config.enabld');
    assert.equal(
      err.message,
      '@tracepack/instrumentation-sql: config.enabld is not an option; allowed: enabled, name, limit, hook, color, paths [TRACEPACK_SQL_UNKNOWN_OPTION]',
    );
    assert.equal(
      thrown(() => validateOptions({ x: 1 }, RULES, 'config', { code: 'TRACEPACK_BCRYPT_INVALID_OPTION' })).code,
      'TRACEPACK_BCRYPT_INVALID_OPTION',
      'without unknownCode: code',
    );
    assert.deepEqual(validateOptions({ x: 1 }, RULES, 'config', { ...CONTEXT, allowUnknown: true }), { x: 1 });
  });

  it('a key of Object.prototype is unknown too; a long string is cut in the message', () => {
    assert.equal(
      thrown(() => validateOptions(JSON.parse('{"toString": 1}'), RULES, 'config', CONTEXT)).path,
      'config.toString',
    );
    const err = thrown(() => checkOption('x'.repeat(100), RULES.color, 'o.color', CONTEXT));
    assert.match(err.message, /instead got 'x{40}\.\.\.' /);
  });

  it('packageName names the package that throws', () => {
    const err = thrown(() =>
      checkOption(1, booleanOption, 'options.x', {
        code: 'TRACEPACK_CONSOLE_INVALID_OPTION',
        packageName: '@tracepack/other',
      }),
    );
    assert.match(err.message, /^@tracepack\/other: options\.x expects/);
  });
});
