import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

// Each case is a child process: the instrumentations must be in place before pino and winston
// are loaded, which happens once per process, and `--require`/`--import` of the register entry
// is how a service without tracing code gets them.
const fixtures = join(__dirname, '..', '..', 'test', 'fixtures');
const ID_FIELDS = ['trace_id', 'span_id', 'trace_flags'];

interface SpanIds {
  traceId: string;
  spanId: string;
  traceFlags: number;
}
type LogRecord = Record<string, unknown>;
interface Report {
  spans: { root: SpanIds; child: SpanIds; unsampled?: SpanIds };
  pino: LogRecord[];
  winston?: LogRecord[];
  /** Records the instrumentations handed to the Logs API (log sending). */
  sent: number;
  pinoStreamUntouched: boolean;
  winstonTransports?: number;
}
interface Run {
  report: Report;
  stdout: string;
  stderr: string;
}

/** Runs a fixture under the register entry with the given TRACING_* variables. */
function runApp(flag: '--require' | '--import', app: string, env: Record<string, string> = {}): Promise<Run> {
  // Only our variables: a TRACING_* or OTEL_* set where the tests run must not change the case.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TRACING_|OTEL_|NODE_OPTIONS$)/.test(k)),
  );
  const child = spawn(process.execPath, [flag, '@tracepack/node/register', join(fixtures, app)], {
    cwd: fixtures,
    env: { ...inherited, TRACING_PROVIDER: 'console', TRACING_PROVIDERS_CONSOLE_COLOR: 'never', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      if (code !== 0 || !line) return reject(new Error(`${app} exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`));
      resolve({ report: JSON.parse(line.slice('REPORT '.length)) as Report, stdout, stderr });
    });
  });
}

function written(records: LogRecord[] | undefined, where: string): LogRecord {
  const record = records?.find((r) => r.where === where);
  assert.ok(record, `no record written ${where}`);
  return record;
}

/** Asserts the record carries exactly this span's context under the given field names. */
function assertCorrelated(record: LogRecord, span: SpanIds, keys = ID_FIELDS): void {
  assert.equal(record[keys[0]!], span.traceId);
  assert.equal(record[keys[1]!], span.spanId);
  assert.equal(record[keys[2]!], `0${span.traceFlags.toString(16)}`);
}

function assertUncorrelated(record: LogRecord, keys = ID_FIELDS): void {
  for (const key of keys) assert.equal(record[key], undefined, `${key} added: ${JSON.stringify(record)}`);
}

/** The record without its timestamp and the field that names where it was written. */
function withoutTimeAndPlace(record: LogRecord): LogRecord {
  const { time: _time, where: _where, ...rest } = record;
  return rest;
}

describe('log correlation (on by default)', () => {
  let run: Run;
  before(async () => {
    run = await runApp('--require', 'log-app.cjs');
  });

  it('pino and winston records written in a span carry its trace_id, span_id and trace_flags', () => {
    const { spans, pino, winston } = run.report;
    assert.equal(spans.root.traceFlags, 1, 'the console provider samples every new trace');
    assertCorrelated(written(pino, 'root'), spans.root);
    assertCorrelated(written(winston, 'root'), spans.root);
    // The active span, not the root: a child span's records name the child.
    assertCorrelated(written(pino, 'child'), spans.child);
    assertCorrelated(written(winston, 'child'), spans.child);
    // The same trace the exporter saw: the console waterfall prints its id.
    assert.match(run.stdout, new RegExp(`log-correlation .* trace ${spans.root.traceId}\\n`));
  });

  it('adds the ids in an unsampled trace too, with trace_flags 00', () => {
    const { spans, pino, winston } = run.report;
    assert.ok(spans.unsampled);
    assert.equal(spans.unsampled.traceId, '4bf92f3577b34da6a3ce929d0e0e4736', "joined the caller's trace");
    assert.equal(spans.unsampled.traceFlags, 0);
    for (const records of [pino, winston]) {
      const record = written(records, 'unsampled');
      assertCorrelated(record, spans.unsampled);
      assert.equal(record.trace_flags, '00');
    }
  });

  it('adds nothing outside a span', () => {
    assertUncorrelated(written(run.report.pino, 'outside'));
    assertUncorrelated(written(run.report.winston, 'outside'));
  });

  it('adds nothing but the three fields: the rest of the record is what the app wrote', () => {
    for (const records of [run.report.pino, run.report.winston]) {
      const outside = withoutTimeAndPlace(written(records, 'outside'));
      const inside = withoutTimeAndPlace(written(records, 'root'));
      for (const key of ID_FIELDS) delete inside[key];
      assert.deepEqual(inside, outside);
    }
  });

  it('sends no log record anywhere, though the app registered a LoggerProvider', () => {
    assert.equal(run.report.sent, 0, 'records reached the Logs API');
    assert.equal(run.report.pinoStreamUntouched, true, 'pino writes to a stream the app did not give it');
    assert.equal(run.report.winstonTransports, 1, 'winston has a transport the app did not give it');
    // With log sending on, winston's instrumentation looks for @opentelemetry/winston-transport
    // (not installed here) and says so: silence means it never tried.
    assert.doesNotMatch(run.stderr, /winston-transport/);
  });
});

describe('log correlation switched off', () => {
  it('instrumentations.pino.enabled=false: pino records carry no ids, winston ones still do', async () => {
    const { report } = await runApp('--require', 'log-app.cjs', { TRACING_INSTRUMENTATIONS_PINO_ENABLED: 'false' });
    assertUncorrelated(written(report.pino, 'root'));
    assertUncorrelated(written(report.pino, 'child'));
    assertCorrelated(written(report.winston, 'root'), report.spans.root);
  });

  it('instrumentations.winston.enabled=false: winston records carry no ids, pino ones still do', async () => {
    const { report } = await runApp('--require', 'log-app.cjs', { TRACING_INSTRUMENTATIONS_WINSTON_ENABLED: 'false' });
    assertUncorrelated(written(report.winston, 'root'));
    assertUncorrelated(written(report.winston, 'child'));
    assertCorrelated(written(report.pino, 'root'), report.spans.root);
  });
});

describe('pino field names', () => {
  it('instrumentations.pino.log_keys names the three fields', async () => {
    const keys = ['trace.id', 'span.id', 'trace.flags'];
    const { report } = await runApp('--require', 'log-app.cjs', {
      TRACING_INSTRUMENTATIONS_PINO_LOG_KEYS_TRACE_ID: keys[0]!,
      TRACING_INSTRUMENTATIONS_PINO_LOG_KEYS_SPAN_ID: keys[1]!,
      TRACING_INSTRUMENTATIONS_PINO_LOG_KEYS_TRACE_FLAGS: keys[2]!,
    });
    const record = written(report.pino, 'root');
    assertCorrelated(record, report.spans.root, keys);
    assertUncorrelated(record);
  });
});

describe('log correlation in an ESM service', () => {
  it('node --import @tracepack/node/register: an imported pino gets the ids, and sends nothing', async () => {
    const { report } = await runApp('--import', 'log-app.mjs');
    assertCorrelated(written(report.pino, 'root'), report.spans.root);
    assertCorrelated(written(report.pino, 'child'), report.spans.child);
    assertUncorrelated(written(report.pino, 'outside'));
    assert.equal(report.sent, 0, 'records reached the Logs API');
    assert.equal(report.pinoStreamUntouched, true, 'pino writes to a stream the app did not give it');
  });
});
