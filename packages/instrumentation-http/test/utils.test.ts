// Unit tests of the path scrubber, the matchers, the option checks and the problem reporter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { TracepackError, TracepackTypeError } from '@tracepack/core';
import {
  createHttpInstrumentations,
  HttpInstrumentationConfigError,
  httpInstrumentationProblems,
  isIdLike,
  scrubPath,
} from '../src/index';
import type { HttpInstrumentationConfig } from '../src/index';
import {
  compileIgnorePaths,
  compileRoutes,
  inMajorRange,
  normalizeMethod,
  parseHost,
  pathOf,
  reportProblem,
  resolveConfig,
} from '../src/utils';

describe('scrubPath', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['/clients', '/clients'],
    ['/clients/', '/clients/'],
    ['/clients/42', '/clients/{id}'],
    ['/clients/42/invoices/7', '/clients/{id}/invoices/{id}'],
    ['/orders/550e8400-e29b-41d4-a716-446655440000', '/orders/{id}'],
    ['/orders/550E8400E29B41D4A716446655440000', '/orders/{id}'],
    ['/blobs/5f2b9c0e7a1d4e3f', '/blobs/{id}'],
    ['/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709', '/commits/{id}'],
    ['/users/ada@example.com', '/users/{id}'],
    ['/users/ada%40example.com/settings', '/users/{id}/settings'],
    ['/tokens/AbCdEfGhIjKlMnOpQrSt', '/tokens/{id}'],
    ['/tokens/dGhpcyBpcyBhIHNlY3JldA==', '/tokens/{id}'],
    ['/s/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', '/s/{id}'],
    ['/invoices/inv_8f2k9x', '/invoices/{id}'],
    ['/reports/2024-01-31', '/reports/{id}'],
    ['/files/my%20secret%20plan', '/files/{id}'],
    ['/api/v1/clients', '/api/v1/clients'],
    ['/api/v2.1/clients', '/api/v2.1/clients'],
    ['/oauth2/token', '/oauth2/token'],
    ['/user-preferences/notification-settings', '/user-preferences/notification-settings'],
    ['/internationalization', '/internationalization'],
    ['//double//slash', '//double//slash'],
    // Not what pathOf returns, but scrubPath is exported: the first segment counts too.
    ['', ''],
    ['42', '{id}'],
    ['1a2/clients/ada@example.com', '{id}/clients/{id}'],
    ['clients/42', 'clients/{id}'],
    ['clients', 'clients'],
    ['*', '*'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => assert.equal(scrubPath(input), expected));
  }
  it('keeps a path without ids as the same string', () => {
    const p = '/a/b/c';
    assert.equal(scrubPath(p), p);
  });
  it('isIdLike: empty segment is not an id', () => assert.equal(isIdLike(''), false));
});

describe('pathOf', () => {
  for (const [input, expected] of [
    ['/a?b=c', '/a'],
    ['/a#frag', '/a'],
    ['/a?b=c#d', '/a'],
    ['http://proxy.example:8080/a/b?c', '/a/b'],
    ['http://proxy.example', '/'],
    ['*', '*'],
    ['', '/'],
  ] as const) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(pathOf(input), expected));
  }
});

describe('compileIgnorePaths', () => {
  const ignored = compileIgnorePaths(['/health/alive', '/internal/*']);
  for (const [path, expected] of [
    ['/health/alive', true],
    ['/health/alive/x', false],
    ['/health/aliveX', false],
    ['/internal/', true],
    ['/internal/metrics', true],
    ['/internal', false],
    ['/clients', false],
  ] as const) {
    it(`${path}: ${expected}`, () => assert.equal(ignored(path), expected));
  }
});

describe('compileRoutes', () => {
  const match = compileRoutes(['/clients/:id', '/clients/search', '/files/*', '/clients/:id/invoices/:invoiceId', '/']);
  for (const [path, expected] of [
    ['/clients/42', '/clients/:id'],
    ['/clients/42/', '/clients/:id'],
    ['/clients/search', '/clients/search'],
    ['/clients/42/invoices/7', '/clients/:id/invoices/:invoiceId'],
    ['/files/a/b', '/files/*'],
    ['/files', '/files/*'],
    ['/', '/'],
    ['/clients', undefined],
    ['/clients//invoices/7', undefined],
    ['/other', undefined],
  ] as const) {
    it(`${path} -> ${String(expected)}`, () => assert.equal(match(path), expected));
  }
});

describe('small helpers', () => {
  it('normalizeMethod', () => {
    assert.equal(normalizeMethod('GET'), 'GET');
    assert.equal(normalizeMethod('get'), 'GET');
    assert.equal(normalizeMethod('PURGE'), '_OTHER');
    assert.equal(normalizeMethod(undefined), 'GET');
  });
  it('parseHost', () => {
    assert.deepEqual(parseHost('example.com:8080', 80), { address: 'example.com', port: 8080 });
    assert.deepEqual(parseHost('example.com', 443), { address: 'example.com', port: 443 });
    assert.deepEqual(parseHost('[::1]:3000', 80), { address: '::1', port: 3000 });
    assert.deepEqual(parseHost('example.com:notaport', 80), { address: 'example.com', port: 80 });
    assert.deepEqual(parseHost(undefined, 80), { address: undefined, port: 80 });
  });
  it('OTEL_SEMCONV_STABILITY_OPT_IN', () => {
    const emitOld = (value: string | undefined): boolean =>
      resolveConfig({}, value === undefined ? {} : { OTEL_SEMCONV_STABILITY_OPT_IN: value }).emitOldSemconv;
    assert.equal(emitOld(undefined), false);
    assert.equal(emitOld('http'), false);
    assert.equal(emitOld('database, http/dup'), true);
  });
});

describe('options', () => {
  it('defaults', () => {
    assert.deepEqual(resolveConfig(undefined, {}), {
      enabled: true,
      ignorePaths: ['/health/alive', '/health/ready', '/metrics'],
      routes: [],
      captureRequestHeaders: [],
      captureUserAgent: true,
      outgoing: true,
      emitOldSemconv: false,
    });
  });
  it('header names are lower-cased', () => {
    assert.deepEqual(resolveConfig({ captureRequestHeaders: ['X-Request-Id'] }, {}).captureRequestHeaders, [
      'x-request-id',
    ]);
  });
  // The message of @tracepack/core's options helper: package, path, what was expected, what was
  // given (the string itself only when its type was right), and the code last.
  const bad: [string, unknown, string, string][] = [
    [
      'ignorePaths',
      { ignorePaths: ['health'] },
      'instrumentations.http.ignorePaths[0]',
      `expects a path starting with "/", instead got 'health'`,
    ],
    [
      'ignorePaths',
      { ignorePaths: '/health' },
      'instrumentations.http.ignorePaths',
      `expects an array of paths starting with "/", instead got a 'string'`,
    ],
    [
      'routes',
      { routes: [42] },
      'instrumentations.http.routes[0]',
      `expects a path starting with "/", instead got a 'number'`,
    ],
    [
      'captureRequestHeaders',
      { captureRequestHeaders: ['bad header'] },
      'instrumentations.http.captureRequestHeaders[0]',
      `expects a header name (letters, digits, -), instead got 'bad header'`,
    ],
    [
      'captureUserAgent',
      { captureUserAgent: 'yes' },
      'instrumentations.http.captureUserAgent',
      `expects a boolean (true or false), instead got a 'string'`,
    ],
    [
      'outgoing',
      { outgoing: 1 },
      'instrumentations.http.outgoing',
      `expects a boolean (true or false), instead got a 'number'`,
    ],
    ['config', 'on', 'instrumentations.http', `expects an object, instead got a 'string'`],
  ];
  for (const [key, config, path, problem] of bad) {
    it(`a wrong ${key} throws at set-up with the package name, a code and the path`, () => {
      assert.throws(
        () => createHttpInstrumentations(config as HttpInstrumentationConfig),
        (err: unknown) => {
          assert.ok(err instanceof HttpInstrumentationConfigError);
          assert.ok(err instanceof TracepackTypeError && err instanceof TracepackError && err instanceof TypeError);
          assert.equal(err.code, 'TRACEPACK_HTTP_INVALID_OPTION');
          assert.equal(err.path, path);
          assert.equal(
            err.message,
            `@tracepack/instrumentation-http: ${path} ${problem} [TRACEPACK_HTTP_INVALID_OPTION]`,
          );
          return true;
        },
      );
    });
  }
  it('enabled: false returns no instrumentation', () => {
    assert.deepEqual(createHttpInstrumentations({ enabled: false }), []);
  });
});

describe('inMajorRange', () => {
  const cases: [unknown, string, boolean][] = [
    ['4.0.0', '>=4 <6', true],
    ['5.12.8', '>=4 <6', true],
    ['3.29.5', '>=4 <6', false],
    ['6.0.0-rc.1', '>=4 <6', false],
    ['21.4.10', '>=21 <22', true],
    ['22.0.0', '>=21 <22', false],
    [undefined, '>=4 <6', false], // an instance that does not say its version
    ['5', '>=4 <6', false],
    ['5.1.0', '^5.0.0', false], // not a range of the form SUPPORTED_VERSIONS use
  ];
  for (const [version, range, expected] of cases) {
    it(`${String(version)} in ${range}: ${expected}`, () => assert.equal(inMajorRange(version, range), expected));
  }
});

describe('reportProblem', () => {
  it('logs each kind of problem once through diag, with the error class only, and counts every occurrence', () => {
    const warnings: string[] = [];
    const logger = { error() {}, warn: (m: string) => void warnings.push(m), info() {}, debug() {}, verbose() {} };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      const before = httpInstrumentationProblems()['a test probe'] ?? 0;
      for (let i = 0; i < 3; i++) reportProblem('a test probe', new RangeError('secret request data'));
      reportProblem('another test probe', 'thrown string');
      assert.deepEqual(warnings, [
        '@tracepack/instrumentation-http: a test probe failed (RangeError); the request continues untraced or partly traced. Further occurrences are counted, see httpInstrumentationProblems().',
        '@tracepack/instrumentation-http: another test probe failed (string); the request continues untraced or partly traced. Further occurrences are counted, see httpInstrumentationProblems().',
      ]);
      assert.equal(httpInstrumentationProblems()['a test probe'], before + 3);
      assert.equal(httpInstrumentationProblems()['another test probe'], 1);
    } finally {
      diag.disable();
    }
  });
});
