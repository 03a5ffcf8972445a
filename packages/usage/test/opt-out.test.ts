// Opted out means nothing at all: checked on the wire for every switch. The receiver counts
// TCP connections (not decoded reports), so a report that failed to decode, a keep-alive or a
// bare connect would all show. The endpoint is named by host name (localhost), so a DNS lookup
// would show too. One control run with no switch proves the same setup does connect.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOtlpMetricsReceiver, type OtlpMetricsReceiver } from '@tracepack/testing';
import { startUsage, type StartUsageOptions } from '../src';
import { delay, helloApp, hit, lines, spyOnDnsLookups, startApp } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'tracepack-usage-optout-'));

/** Runs a reporter with `options` through requests, report and keep-alive periods, a flush and shutdown. */
async function exercise(
  receiver: OtlpMetricsReceiver,
  options: StartUsageOptions,
): Promise<{ started: string[]; dnsHosts: string[] }> {
  const endpoint = receiver.url.replace('127.0.0.1', 'localhost');
  const logs = lines();
  const dns = spyOnDnsLookups();
  const app = await startApp(helloApp);
  try {
    const usage = startUsage({
      handleSignals: false,
      logger: logs.log,
      ...options,
      env: { SQA_ENDPOINT: endpoint, SQA_REPORT_INTERVAL: '1s', SQA_KEEPALIVE_INTERVAL: '1s', ...options.env },
    });
    await hit(app.url, ['/clients/1', '/clients/2?q=x']);
    usage.feature('client.created');
    usage.activity('login', { userId: 'u1' });
    await delay(1300); // past one report and one keep-alive period
    await usage.flush();
    await usage.shutdown();
    await delay(100);
    return { started: logs.lines, dnsHosts: dns.hosts.filter((h) => h === 'localhost') };
  } finally {
    dns.restore();
    await app.close();
  }
}

const switches: [string, StartUsageOptions][] = [
  ['flag --sqa-opt-out', { argv: ['--sqa-opt-out'] }],
  ['flag --sqa.opt_out=true', { argv: ['--sqa.opt_out=true'] }],
  ['flag --disable-telemetry', { argv: ['--disable-telemetry'] }],
  ['flag --enable-telemetry=false', { argv: ['--enable-telemetry=false'] }],
  ['environment SQA_OPT_OUT=true', { env: { SQA_OPT_OUT: 'true' } }],
  ['environment DISABLE_TELEMETRY=1', { env: { DISABLE_TELEMETRY: '1' } }],
  ['environment TRACEPACK_ENABLE_TELEMETRY=false', { env: { TRACEPACK_ENABLE_TELEMETRY: 'false' } }],
  ['environment DO_NOT_TRACK=1', { env: { DO_NOT_TRACK: '1' } }],
  ['environment DO_NOT_TRACK=True', { env: { DO_NOT_TRACK: 'True' } }],
  ['config file sqa.opt_out: true', { configFile: '' }],
  ['code opt_out: true', { config: { opt_out: true } }],
];

describe('opt-out: every switch sends zero bytes', { concurrency: true }, () => {
  let fileWithOptOut: string;
  before(() => {
    fileWithOptOut = join(dir, 'opted-out.yml');
    writeFileSync(fileWithOptOut, 'tracing:\n  provider: ""\nsqa:\n  opt_out: true\n  report_interval: 1s\n');
  });

  for (const [name, options] of switches) {
    it(`${name}: no connection, no DNS lookup, one start line naming the switch`, async (t) => {
      const receiver = await startOtlpMetricsReceiver();
      t.after(() => receiver.stop());
      const run = await exercise(
        receiver,
        options.configFile === '' ? { ...options, configFile: fileWithOptOut } : options,
      );
      assert.equal(receiver.connections, 0, 'the receiver saw a connection');
      assert.deepEqual(run.dnsHosts, [], 'the endpoint host was looked up');
      assert.equal(run.started.length, 1, run.started.join('\n'));
      const shown = name.replace(/^(flag|environment|config file|code) /, '');
      assert.match(run.started[0]!, /^usage statistics off: opted out by /);
      assert.ok(
        run.started[0]!.includes(shown.split(': ')[0]!.split('=')[0]!),
        `${run.started[0]} does not name ${shown}`,
      );
      assert.match(run.started[0]!, /nothing is sent/);
    });
  }

  it('no endpoint set: nothing is sent, there is no built-in address', async (t) => {
    const receiver = await startOtlpMetricsReceiver();
    t.after(() => receiver.stop());
    const logs = lines();
    const usage = startUsage({ handleSignals: false, logger: logs.log, env: { SQA_REPORT_INTERVAL: '1s' }, argv: [] });
    assert.equal(usage.enabled, false);
    await usage.flush();
    await usage.shutdown();
    assert.equal(receiver.connections, 0);
    assert.match(logs.lines[0]!, /^usage statistics off: no sqa\.endpoint set, nothing is sent$/);
  });
});

describe('opt-out: the control run', () => {
  let receiver: OtlpMetricsReceiver;
  before(async () => {
    receiver = await startOtlpMetricsReceiver();
  });
  after(() => receiver.stop());

  it('with no switch (and every switch written "off") the same run connects, looks the host up and reports', async () => {
    const run = await exercise(receiver, {
      argv: ['--enable-telemetry', '--sqa-opt-out=false'],
      env: { DO_NOT_TRACK: '0', SQA_OPT_OUT: 'false', TRACEPACK_ENABLE_TELEMETRY: 'true', DISABLE_TELEMETRY: 'no' },
    });
    assert.ok(receiver.connections > 0, 'no connection: the zero-byte checks above could not fail');
    assert.ok(run.dnsHosts.length > 0, 'no lookup of localhost: the DNS checks above could not fail');
    assert.ok(receiver.reports.length >= 2, `reports: ${receiver.reports.length}`);
    assert.match(
      run.started[0]!,
      /^usage statistics on \(anonymous\): every 1s to http:\/\/localhost:\d+\/v1\/metrics/,
    );
  });
});
