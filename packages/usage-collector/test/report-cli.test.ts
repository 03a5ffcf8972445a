// `tracepack usage report`, run as a user runs it: the tracepack bin in a child process, on the
// embedded database a collector filled (through its HTTP ingest) and closed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { otlpMetricsTypes } from '@tracepack/testing';
import { startUsageCollector } from '../src/index';
import { parseCsv } from '../src/report/csv';
import { encodeDelivery, generateFleet, VULNERABLE_RANGE, VULNERABLE_VERSIONS } from './generator';
import { truthOf, type Truth } from './generator-truth';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'packages', 'tracepack', 'bin', 'tracepack.js');

function tracepack(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'TRACEPACK_USAGE_DATA_DIR'),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...clean, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('tracepack usage report (the command, on the embedded database)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracepack-usage-report-cli-'));
  const dataDir = join(dir, 'data');
  const now = new Date();
  let truth: Truth;
  let truthWithTest: Truth;

  before(async () => {
    const fleet = generateFleet({ now, seed: 7, initialInstallations: 12, newInstallations: 4, leaving: 1 });
    truth = truthOf(fleet, new Date(now.getTime() - 30 * 86_400_000));
    truthWithTest = truthOf(fleet, new Date(now.getTime() - 30 * 86_400_000), { includeTest: true });
    const collector = await startUsageCollector({ port: 0, dataDir, logger: () => undefined, env: {} });
    try {
      const types = otlpMetricsTypes();
      for (const d of fleet.deliveries) {
        const { body, contentType } = encodeDelivery(d, types);
        const res = await fetch(collector.metricsUrl, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        });
        await res.arrayBuffer();
        assert.equal(res.status, 200);
      }
    } finally {
      await collector.close();
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('markdown on stdout by default: the summary and every section', async () => {
    const { code, stdout, stderr } = await tracepack([
      'usage',
      'report',
      '--data-dir',
      dataDir,
      '--vulnerable',
      VULNERABLE_RANGE,
      '--endpoints',
      'GET /clients, POST /legacy/import',
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^# Usage report: clients-service\n/);
    assert.match(
      stdout,
      new RegExp(
        `\\*\\*${truth.installations} production installations \\(${truth.productionInstances} instances\\); ${truth.testInstances} test instances`,
      ),
    );
    const vulnerable = [...truth.currentOf.values()].filter((v) => VULNERABLE_VERSIONS.includes(v)).length;
    assert.match(stdout, new RegExp(`In the flagged range "${VULNERABLE_RANGE}": ${vulnerable} installations`));
    assert.match(stdout, /\| \/legacy\/import \| POST \| 0 \| 0 \| never \(declared\) \|/);
    for (const h of ['Deployments over time', 'Versions', 'Features', 'Endpoints', 'Regressions', 'Privacy filter'])
      assert.ok(stdout.includes(`\n## ${h}\n`), h);
  });

  it('--include-test counts test instances everywhere (md and csv say so)', async () => {
    const md = await tracepack(['usage', 'report', '--data-dir', dataDir, '--include-test']);
    assert.equal(md.code, 0, md.stderr);
    assert.ok(truthWithTest.installations > truth.installations, 'the fleet has test instances');
    assert.match(
      md.stdout,
      new RegExp(
        `\\*\\*${truthWithTest.installations} installations, test instances included \\(${truthWithTest.productionInstances} instances\\); of them ${truth.testInstances} test instances`,
      ),
    );
    assert.match(md.stdout, /> Test instances included \(--include-test\)/);
    const csv = await tracepack(['usage', 'report', '--data-dir', dataDir, '--include-test', '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = parseCsv(csv.stdout);
    assert.deepEqual(
      rows.find((r) => r[0] === 'include_test'),
      ['include_test', 'true'],
    );
    assert.deepEqual(
      rows.find((r) => r[0] === 'installations'),
      ['installations', String(truthWithTest.installations)],
    );
    const bad = await tracepack(['usage', 'report', '--data-dir', dataDir, '--include-test=yes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--include-test takes no value/);
  });

  it('--format csv --out FILE writes the file and says so on stderr', async () => {
    const out = join(dir, 'report.csv');
    const { code, stdout, stderr } = await tracepack([
      'usage',
      'report',
      `--data-dir=${dataDir}`,
      '--since',
      '30d',
      '--format',
      'csv',
      '--out',
      out,
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      new RegExp(
        `wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(csv, \\d+ KiB\\): ${truth.installations} installations`,
      ),
    );
    const rows = parseCsv(readFileSync(out, 'utf8'));
    const at = rows.findIndex((r) => r[0] === '# deployments over time');
    assert.deepEqual(rows[at + 1], [
      'day',
      'installations',
      'production_instances',
      'test_ci',
      'test_local',
      'test_warming_up',
      'test_other',
    ]);
    assert.equal(rows[at + 2]![0], truth.firstDay);
  });

  it('--format html writes one page with its charts', async () => {
    const out = join(dir, 'report.html');
    const { code, stderr } = await tracepack([
      'usage',
      'report',
      '--data-dir',
      dataDir,
      '--format',
      'html',
      '--out',
      out,
    ]);
    assert.equal(code, 0, stderr);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 5);
  });

  it('usage errors exit 2 and say what is allowed; a database that cannot be opened exits 1', async () => {
    const format = await tracepack(['usage', 'report', '--data-dir', dataDir, '--format', 'pdf']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format expects md, csv or html, instead got "pdf"/);
    const range = await tracepack(['usage', 'report', '--data-dir', dataDir, '--vulnerable', '<1.4 banana']);
    assert.equal(range.code, 2);
    assert.match(range.stderr, /version range "<1.4 banana" is not understood at "banana"/);
    const since = await tracepack(['usage', 'report', '--data-dir', dataDir, '--since', 'yesterday']);
    assert.equal(since.code, 2);
    assert.match(since.stderr, /since "yesterday" is not understood/);
    const flag = await tracepack(['usage', 'report', '--colour']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown argument "--colour"/);
    const db = await tracepack(['usage', 'report', '--database-url', 'postgresql://nobody@127.0.0.1:1/none']);
    assert.equal(db.code, 1);
    assert.match(db.stderr, /cannot open the usage database/);
  });

  it('--help, and `tracepack usage` lists the command', async () => {
    const help = await tracepack(['usage', 'report', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: tracepack usage report \[--since 30d\]/);
    const usage = await tracepack(['usage', '--help']);
    assert.match(usage.stdout, /tracepack usage report \[--since 30d\]/);
  });
});
