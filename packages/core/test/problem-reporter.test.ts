// The one runtime problem reporter, through the real global diag logger.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { ProblemReporter } from '../src/index';

let lines: Array<[string, string]>;
beforeEach(() => {
  lines = [];
  const logger: DiagLogger = {
    error: (m) => void lines.push(['error', m]),
    warn: (m) => void lines.push(['warn', m]),
    info: (m) => void lines.push(['info', m]),
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
});
afterEach(() => diag.disable());

describe('ProblemReporter', () => {
  it('one line when a streak starts, silence while it goes on (counted), one line with the count when it recovers', () => {
    const reporter = new ProblemReporter({ packageName: '@tracepack/x', level: 'error' });
    reporter.success('export'); // nothing to recover from: no line
    reporter.failure('export', { count: 3, detail: 'ECONNREFUSED' });
    reporter.failure('export', { count: 4, error: new Error('quoting user data') });
    reporter.failure('export', { count: 5 });
    assert.equal(reporter.isFailing('export'), true);
    assert.equal(reporter.streakCount('export'), 12);
    reporter.success('export');
    reporter.success('export');
    assert.deepEqual(lines, [
      [
        'error',
        '@tracepack/x: export failed (ECONNREFUSED); the application is not affected. Further occurrences are counted, not logged.',
      ],
      ['info', '@tracepack/x: export works again; 12 failure(s) were counted while it failed.'],
    ]);
    assert.equal(reporter.total, 12);
    assert.equal(reporter.isFailing('export'), false);
    reporter.failure('export', { count: 1, detail: 'HTTP 503' });
    assert.equal(lines.length, 3, 'a new streak is reported again');
    assert.equal(reporter.total, 13);
    assert.deepEqual(reporter.counts(), { export: 13 });
  });

  it('each problem key has its own streak; an error is named by its class, never its message', () => {
    const reporter = new ProblemReporter({ packageName: '@tracepack/x' });
    for (let i = 0; i < 5; i++) reporter.failure('starting a span', { error: new RangeError('secret@example.com') });
    reporter.failure('ending a span', { error: 'a thrown string' });
    assert.deepEqual(
      lines.map(([level, m]) => `${level} ${m}`),
      [
        'warn @tracepack/x: starting a span failed (RangeError); the application is not affected. Further occurrences are counted, not logged.',
        'warn @tracepack/x: ending a span failed (string); the application is not affected. Further occurrences are counted, not logged.',
      ],
    );
    assert.deepEqual(reporter.counts(), { 'starting a span': 5, 'ending a span': 1 });
    assert.equal(reporter.total, 6);
  });

  it("the lines can be the caller's own; log: false counts without logging", () => {
    const named = new ProblemReporter({
      packageName: '@tracepack/node',
      recoveryLevel: 'warn',
      startLine: ({ detail, count }) => `cannot export spans to X (${detail}); ${count} dropped`,
      recoveryLine: ({ count }) => `X works again; ${count} dropped`,
    });
    named.failure('export', { count: 2, detail: 'timeout' });
    named.failure('export', { count: 2 });
    named.success('export');
    assert.deepEqual(lines, [
      ['warn', '@tracepack/node: cannot export spans to X (timeout); 2 dropped'],
      ['warn', '@tracepack/node: X works again; 4 dropped'],
    ]);
    const quiet = new ProblemReporter({ packageName: '@tracepack/x', log: false });
    quiet.failure('export', { count: 7 });
    quiet.success('export');
    assert.equal(lines.length, 2);
    assert.equal(quiet.total, 7);
  });

  it('never throws, even when the logger or the line does', () => {
    const reporter = new ProblemReporter({
      packageName: '@tracepack/x',
      logger: () => {
        throw new Error('logger broken');
      },
    });
    assert.doesNotThrow(() => reporter.failure('p'));
    assert.doesNotThrow(() => reporter.success('p'));
    const badLine = new ProblemReporter({
      packageName: '@tracepack/x',
      startLine: () => {
        throw new Error('line broken');
      },
    });
    assert.doesNotThrow(() => badLine.failure('p'));
    assert.equal(badLine.total, 1, 'still counted');
  });
});
