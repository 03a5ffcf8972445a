// The usage report over a generated month: a fleet of a few hundred installations sends its
// reports (OTLP protobuf and JSON, batched and single, retried, duplicated, to two collectors on
// one database) through the collector's real HTTP ingest; the report's numbers are checked
// against numbers computed from the generator's own records (generator-truth.ts), not by SQL.
// Then the three renderers, and the html page in headless Chromium (a screenshot lands in
// test/e2e/output/usage-report.png).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, beforeEach, describe, it, type TestContext } from 'node:test';
import {
  chromiumPath,
  isCI,
  isFixtureUnavailable,
  launchBrowser,
  otlpMetricsTypes,
  startPostgres,
  type DatabaseServer,
} from '@tracepack/testing';
import {
  buildUsageReport,
  openDatabase,
  rollUpUsage,
  renderUsageReportCsv,
  renderUsageReportHtml,
  renderUsageReportMarkdown,
  startUsageCollector,
  type Database,
  type UsageCollector,
  type UsageReport,
} from '../src/index';
import { parseCsv } from '../src/report/csv';
import {
  DECLARED_ENDPOINTS,
  encodeDelivery,
  generateFleet,
  PLANTED_REGRESSIONS,
  RARE_ENDPOINT,
  VULNERABLE_RANGE,
  VULNERABLE_VERSIONS,
  type Fleet,
} from './generator';
import { quantileBucket, truthOf, type Truth } from './generator-truth';

const OUTPUT = resolve(__dirname, '..', '..', '..', '..', 'test', 'e2e', 'output');

async function deliver(
  fleet: Fleet,
  collectors: readonly UsageCollector[],
  log: readonly string[],
  concurrency = 4,
): Promise<{ requests: number; copies: number }> {
  const types = otlpMetricsTypes();
  let next = 0;
  let copies = 0;
  const worker = async (): Promise<void> => {
    while (next < fleet.deliveries.length) {
      const d = fleet.deliveries[next++]!;
      const { body, contentType } = encodeDelivery(d, types);
      const res = await fetch(collectors[d.target]!.metricsUrl, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      const text = contentType === 'application/json' ? await res.text() : '';
      if (contentType !== 'application/json') await res.arrayBuffer();
      assert.equal(res.status, 200, `delivery answered ${res.status} ${text}; collector: ${log.join('\n')}`);
      copies += d.repeats;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: fleet.deliveries.length, copies };
}

interface Setup {
  collectors: UsageCollector[];
  /** The database the report reads. */
  db: Database;
  close(): Promise<void>;
}

/** The embedded database (PGlite in a data directory): one collector takes every delivery. */
async function pgliteSetup(options: object): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracepack-usage-report-'));
  const collector = await startUsageCollector({ ...options, dataDir });
  return {
    collectors: [collector, collector],
    db: collector.database,
    close: async () => {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A real PostgreSQL: two collectors behind a "load balancer" (deliveries alternate), the report on its own pool. */
async function postgresSetup(options: object): Promise<Setup | string> {
  let server: DatabaseServer;
  try {
    server = await startPostgres();
  } catch (err) {
    if (isFixtureUnavailable(err) && !isCI()) {
      return err.message;
    }
    throw err;
  }
  const collectors = [
    await startUsageCollector({ ...options, databaseUrl: server.url }),
    await startUsageCollector({ ...options, databaseUrl: server.url }),
  ];
  const db = await openDatabase({ databaseUrl: server.url });
  return {
    collectors,
    db,
    close: async () => {
      await db.close();
      for (const c of collectors) await c.close();
      await server.stop();
    },
  };
}

for (const kind of ['pglite', 'postgresql'] as const) {
  describe(`tracepack usage report over a generated month (${kind === 'pglite' ? 'embedded PGlite, one collector' : 'PostgreSQL, two collectors'}; real HTTP ingest)`, () => {
    let setup: Setup | undefined;
    let skipped = '';
    let db: Database;
    let fleet: Fleet;
    let truth: Truth;
    let report: UsageReport;
    /** The same report with test instances counted (includeTest), and what it must say. */
    let withTest: UsageReport;
    let truthWithTest: Truth;
    const now = new Date();
    const since = new Date(now.getTime() - 30 * 86_400_000);
    const log: string[] = [];

    before(async () => {
      const options = {
        port: 0,
        logger: (line: string) => void log.push(line),
        env: {},
      };
      const made = kind === 'pglite' ? await pgliteSetup(options) : await postgresSetup(options);
      if (typeof made === 'string') {
        skipped = made;
        return;
      }
      setup = made;
      db = setup.db;
      fleet = generateFleet({ now, seed: 13 });
      truth = truthOf(fleet, since);
      const sent = await deliver(fleet, setup.collectors, log);
      assert.ok(sent.copies > 100, `the generator sends duplicates (${sent.copies})`);
      report = await buildUsageReport(db, {
        since: '30d',
        now,
        vulnerable: VULNERABLE_RANGE,
        olderThan: '1.5.0',
        endpoints: DECLARED_ENDPOINTS,
      });
      truthWithTest = truthOf(fleet, since, { includeTest: true });
      withTest = await buildUsageReport(db, {
        since: '30d',
        now,
        vulnerable: VULNERABLE_RANGE,
        olderThan: '1.5.0',
        endpoints: DECLARED_ENDPOINTS,
        includeTest: true,
      });
    });

    after(async () => {
      await setup?.close();
    });

    beforeEach((t) => {
      if (!setup) (t as TestContext).skip(skipped);
    });

    it('the fleet has the shape asked for: hundreds of installations, several versions, test instances, duplicates', () => {
      assert.ok(truth.installations >= 150 && truth.installations < 1000, `${truth.installations} installations`);
      assert.ok(truth.currentVersions.size >= 4, `versions: ${[...truth.currentVersions.keys()].join(' ')}`);
      assert.ok(truth.testInstances > 100, `${truth.testInstances} test instances`);
      assert.ok(fleet.reports.length > 3000, `${fleet.reports.length} reports`);
    });

    it('every report is stored once, whatever the retries and duplicates', async () => {
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM reports');
      assert.equal(Number(rows[0]!.n), fleet.reports.length);
    });

    it('the window and the totals', () => {
      assert.equal(report.window.firstDay, truth.firstDay);
      assert.equal(report.window.lastDay, truth.lastDay);
      assert.equal(report.window.days, 31);
      assert.deepEqual(report.services, ['clients-service']);
      assert.equal(report.totals.installations, truth.installations);
      assert.equal(report.totals.productionInstances, truth.productionInstances);
      assert.equal(report.totals.testInstances, truth.testInstances);
    });

    it('production installations and instances over time, test instances apart', () => {
      assert.equal(report.deployments.length, report.window.days);
      for (const d of report.deployments) {
        assert.equal(d.installations, truth.installationsByDay.get(d.day) ?? 0, `installations on ${d.day}`);
        assert.equal(
          d.productionInstances,
          truth.productionInstancesByDay.get(d.day) ?? 0,
          `production instances on ${d.day}`,
        );
        const t = truth.testByDay.get(d.day) ?? {
          ci: 0,
          local: 0,
          warmingUp: 0,
        };
        assert.deepEqual(
          {
            ci: d.ci,
            local: d.local,
            warmingUp: d.warmingUp,
            other: d.otherTest,
          },
          { ...t, other: 0 },
          `test instances on ${d.day}`,
        );
      }
      // The fleet grows over the month.
      const first = report.deployments.find((d) => d.installations > 0)!;
      assert.ok(report.deployments[report.deployments.length - 1]!.installations > first.installations);
      const start = Date.parse(`${truth.firstDay}T00:00:00Z`);
      for (const reason of ['ci', 'local', 'warming_up'] as const) {
        const got = report.testInstances.filter((k) => k.reason === reason).reduce((n, k) => n + k.instances, 0);
        assert.equal(got, fleet.instances.filter((i) => i.testReason === reason && i.lastSeen >= start).length, reason);
      }
      assert.ok(report.testInstances.some((k) => k.reason === 'ci' && k.ciName === 'github_actions'));
    });

    it('versions deployed: installations per current version, ever, older than 1.5.0, in the vulnerable range', () => {
      const got = new Map(report.versions.map((v) => [v.version, v]));
      assert.deepEqual(new Set(got.keys()), new Set(truth.everVersions.keys()));
      for (const [version, n] of truth.everVersions) {
        assert.equal(got.get(version)!.installationsEver, n, `ran ${version}`);
        assert.equal(got.get(version)!.installations, truth.currentVersions.get(version) ?? 0, `on ${version} now`);
      }
      assert.equal(report.versions[0]!.version, '1.5.0', 'newest first');
      const older = [...truth.currentOf.values()].filter((v) => v !== '1.5.0').length;
      assert.equal(report.versionCheck.reference, '1.5.0');
      assert.equal(report.versionCheck.olderInstallations, older);
      const vulnerable = [...truth.currentOf.values()].filter((v) => VULNERABLE_VERSIONS.includes(v)).length;
      assert.ok(vulnerable > 0, 'the planted vulnerable version is still deployed');
      assert.equal(report.versionCheck.vulnerableInstallations, vulnerable);
      assert.deepEqual(
        [...report.versionCheck.vulnerableVersions].sort(),
        VULNERABLE_VERSIONS.filter((v) => truth.everVersions.has(v)).sort(),
      );
    });

    it('runtimes: installations per Node.js line of their latest instance', () => {
      assert.deepEqual(new Map(report.runtimeLines.map((l) => [l.line, l.installations])), truth.nodeLines);
      assert.ok(report.runtimeLines.every((l) => l.runtime === 'nodejs'));
      assert.equal(
        report.runtimes.reduce((n, r) => n + r.installations, 0),
        truth.installations,
      );
    });

    it('features: installations per feature, uses of the service features', () => {
      const got = new Map(report.features.map((f) => [`${f.source}|${f.feature}`, f]));
      assert.deepEqual([...got.keys()].sort(), [...truth.features.keys()].sort());
      for (const [key, t] of truth.features) {
        assert.equal(got.get(key)!.installations, t.installations, key);
        assert.equal(got.get(key)!.uses, t.uses, `${key} uses`);
      }
      assert.equal(
        got.get('service|export.csv')!.installations < got.get('service|client.created')!.installations,
        true,
      );
    });

    it('endpoints: responses, 5xx and 4xx, installations, throughput; rarely and never used', () => {
      const got = new Map(report.endpoints.map((e) => [`${e.method} ${e.endpoint}`, e]));
      assert.deepEqual([...got.keys()].sort(), [...truth.endpoints.keys()].sort());
      const seconds = (now.getTime() - Date.parse(`${truth.firstDay}T00:00:00Z`)) / 1000;
      for (const [key, t] of truth.endpoints) {
        const e = got.get(key)!;
        assert.equal(e.responses, t.responses, `${key} responses`);
        assert.equal(e.serverErrors, t.serverErrors, `${key} 5xx`);
        assert.equal(e.clientErrors, t.clientErrors, `${key} 4xx`);
        assert.equal(e.installations, t.installations, `${key} installations`);
        assert.ok(Math.abs(e.perSecond - t.responses / seconds) < 1e-9 * t.responses + 1e-12, `${key} per second`);
      }
      assert.ok(
        got.has('GET (hashed paths)') && got.has('GET (overflow)'),
        'hashed paths and the overflow series, each as one row',
      );
      const rare = [...truth.endpoints]
        .filter(([key, t]) => !key.includes(' (') && t.installations < 0.05 * truth.installationsWithRequests)
        .map(([key]) => key)
        .sort();
      assert.ok(rare.includes(RARE_ENDPOINT));
      assert.deepEqual(
        report.endpoints
          .filter((e) => e.rare)
          .map((e) => `${e.method} ${e.endpoint}`)
          .sort(),
        rare,
      );
      const unused = report.unusedEndpoints.map((u) => `${u.method} ${u.endpoint} ${u.lastUsed ?? 'never'}`).sort();
      assert.deepEqual(unused, [
        `GET /v1/clients ${truth.lastUsed.get('GET /v1/clients')}`,
        'POST /legacy/import never',
      ]);
    });

    it('p99 per endpoint and version, within the bucket of the true p99 of the raw samples', () => {
      let checked = 0;
      for (const l of report.latencyByVersion) {
        assert.equal(
          l.responses,
          truth.responsesByVersion.get(`${l.method} ${l.endpoint}|${l.version}`),
          `${l.method} ${l.endpoint} ${l.version} responses`,
        );
        const sorted = truth.samples.get(`${l.method} ${l.endpoint}|${l.version}`);
        if (sorted === undefined) {
          assert.equal(l.p99Ms, undefined, `${l.method} ${l.endpoint} ${l.version}: no response timed, no p99`);
          continue;
        }
        for (const [q, got] of [
          [0.99, l.p99Ms],
          [0.5, l.p50Ms],
        ] as const) {
          const b = quantileBucket(sorted, q);
          assert.ok(
            got !== undefined && got >= b.lower - 1e-9 && got <= b.upper + 1e-9,
            `${l.method} ${l.endpoint} ${l.version} p${q * 100}: ${got} not in (${b.lower}, ${b.upper}] of the true ${b.value}`,
          );
        }
        checked++;
      }
      assert.equal(checked, truth.samples.size);
      assert.equal(report.latencyByVersion.length, truth.responsesByVersion.size);
      // Slowest first.
      for (let i = 1; i < report.latencyByVersion.length; i++)
        assert.ok((report.latencyByVersion[i - 1]!.p99Ms ?? 0) >= (report.latencyByVersion[i]!.p99Ms ?? 0));
    });

    it('error rates per endpoint match the records exactly', () => {
      for (const e of report.endpoints) {
        const t = truth.endpoints.get(`${e.method} ${e.endpoint}`)!;
        assert.equal(e.errorRate, t.serverErrors / t.responses);
        assert.equal(e.clientErrorRate, t.clientErrors / t.responses);
      }
    });

    it('with test instances included (includeTest): every count takes them, each as an installation of its own', async () => {
      const t = truthWithTest;
      assert.equal(withTest.includeTest, true);
      assert.equal(report.includeTest, false);
      assert.ok(
        t.installations > truth.installations + 100,
        `${t.installations} installations with test instances, ${truth.installations} without`,
      );
      assert.equal(withTest.totals.installations, t.installations);
      assert.equal(withTest.totals.productionInstances, t.productionInstances);
      assert.equal(withTest.totals.testInstances, truth.testInstances, 'test instances still counted apart');
      for (const d of withTest.deployments) {
        assert.equal(d.installations, t.installationsByDay.get(d.day) ?? 0, `installations on ${d.day}`);
        assert.equal(d.productionInstances, t.productionInstancesByDay.get(d.day) ?? 0, `instances on ${d.day}`);
        const apart = report.deployments.find((p) => p.day === d.day)!;
        assert.deepEqual(
          [d.ci, d.local, d.warmingUp],
          [apart.ci, apart.local, apart.warmingUp],
          `test instances on ${d.day}, apart as without`,
        );
      }
      // Versions: test instances send none, '(unknown)'.
      const shown = (v: string): string => (v === '' ? '(unknown)' : v);
      const versions = new Map(withTest.versions.map((v) => [v.version, v]));
      assert.deepEqual(new Set(versions.keys()), new Set([...t.everVersions.keys()].map(shown)));
      for (const [version, n] of t.everVersions) {
        assert.equal(versions.get(shown(version))!.installationsEver, n, `ran ${shown(version)}`);
        assert.equal(
          versions.get(shown(version))!.installations,
          t.currentVersions.get(version) ?? 0,
          `on ${shown(version)} now`,
        );
      }
      const features = new Map(withTest.features.map((f) => [`${f.source}|${f.feature}`, f]));
      assert.deepEqual([...features.keys()].sort(), [...t.features.keys()].sort());
      for (const [key, f] of t.features)
        assert.deepEqual([features.get(key)!.installations, features.get(key)!.uses], [f.installations, f.uses], key);
      const endpoints = new Map(withTest.endpoints.map((e) => [`${e.method} ${e.endpoint}`, e]));
      assert.deepEqual([...endpoints.keys()].sort(), [...t.endpoints.keys()].sort());
      let more = 0;
      for (const [key, e] of t.endpoints) {
        const got = endpoints.get(key)!;
        assert.deepEqual(
          [got.responses, got.serverErrors, got.clientErrors, got.installations],
          [e.responses, e.serverErrors, e.clientErrors, e.installations],
          key,
        );
        more += e.responses - (truth.endpoints.get(key)?.responses ?? 0);
      }
      assert.ok(more > 0, 'test instances add traffic');
      for (const l of withTest.latencyByVersion) {
        const version = l.version === '(unknown)' ? '' : l.version;
        assert.equal(
          l.responses,
          t.responsesByVersion.get(`${l.method} ${l.endpoint}|${version}`),
          `${l.method} ${l.endpoint} ${l.version} responses`,
        );
      }
      assert.equal(withTest.latencyByVersion.length, t.responsesByVersion.size);
      // Every format says so.
      assert.match(renderUsageReportMarkdown(withTest), /Test instances included \(--include-test\)/);
      assert.match(
        renderUsageReportMarkdown(withTest),
        new RegExp(`${withTest.totals.installations.toLocaleString('en-US')} installations, test instances included`),
      );
      assert.doesNotMatch(renderUsageReportMarkdown(report), /--include-test/);
      assert.match(renderUsageReportCsv(withTest), /\r\ninclude_test,true\r\n/);
      assert.match(renderUsageReportCsv(report), /\r\ninclude_test,false\r\n/);
      const html = await renderUsageReportHtml(withTest);
      assert.match(html, /installations \(test included\)/);
      assert.match(html, /Test instances included \(--include-test\)/);
    });

    it('regressions: the planted ones are found, and nothing else', () => {
      const found = report.regressions
        .map((g) => `${g.method} ${g.endpoint} ${g.metric} ${g.fromVersion}->${g.toVersion}`)
        .sort();
      const planted = PLANTED_REGRESSIONS.map(
        (g) => `${g.method} ${g.endpoint} ${g.metric} ${g.fromVersion}->${g.toVersion}`,
      ).sort();
      assert.deepEqual(found, planted);
      const p99 = report.regressions.find((g) => g.metric === 'p99')!;
      assert.ok(p99.after > 3 * p99.before, `p99 ${p99.before} -> ${p99.after}`);
      // The true p99 jumps too (independent of the histogram).
      const before = quantileBucket(truth.samples.get(`GET /clients/:id|${p99.fromVersion}`)!, 0.99).value;
      const afterTrue = quantileBucket(truth.samples.get(`GET /clients/:id|${p99.toVersion}`)!, 0.99).value;
      assert.ok(afterTrue > 3 * before);
    });

    it('what the privacy filter dropped, by kind and attribute', () => {
      const got = new Map(report.privacyDrops.map((d) => [`${d.kind}|${d.attribute}`, d.dropped]));
      assert.ok(truth.drops.size >= 3, `canaries planted: ${[...truth.drops.keys()].join(', ')}`);
      assert.deepEqual(got, truth.drops);
    });

    it('no metric of @tracepack/usage is ignored by the collector', () => {
      assert.deepEqual(report.ignoredMetrics, []);
    });

    it('the roll-up path and the live path give the same report, however the roll-up is cut', async () => {
      const options = {
        since: '30d',
        now,
        vulnerable: VULNERABLE_RANGE,
        olderThan: '1.5.0',
        endpoints: DECLARED_ENDPOINTS,
      };
      const persisted = await buildUsageReport(db, { ...options, rollupLagMs: 0 });
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM report_endpoint_daily');
      assert.ok(Number(rows[0]!.n) > 100, 'rolled up for good');
      assert.deepEqual(persisted, report);
      // Rolling up again adds nothing.
      assert.deepEqual(await buildUsageReport(db, { ...options, rollupLagMs: 0 }), report);
      // As if each report had arrived when it was made: a first roll-up then takes the month a
      // week at a time; one with a 3-day lag leaves the last days to the live path.
      await db.query(`UPDATE endpoint_usage SET received_at = period_end + interval '1 minute'`);
      await db.query(`UPDATE feature_usage SET received_at = period_end + interval '1 minute'`);
      for (const lag of [3 * 86_400_000, 0]) {
        await db.query(
          'TRUNCATE report_endpoint_daily, report_endpoint_installations, report_feature_daily, report_feature_installations',
        );
        await db.query(`UPDATE report_rollup_state SET rolled_until = '-infinity'`);
        const rolled = await rollUpUsage(db, { lagMs: lag });
        assert.ok(Date.parse(rolled.rolledUntil) <= Date.now() - lag + 60_000);
        assert.deepEqual(await buildUsageReport(db, { ...options, rollupLagMs: lag }), report, `roll-up lag ${lag} ms`);
      }
    });

    // The renderers and the browser once, on the embedded database's report (the same numbers).
    if (kind === 'postgresql') return;

    it('csv: one section per question, RFC 4180, numbers as in the report', () => {
      const csv = renderUsageReportCsv(report);
      assert.ok(csv.includes('\r\n') && !/[^\r]\n/.test(csv), 'CRLF line ends');
      const rows = parseCsv(csv);
      const sections = new Map<string, string[][]>();
      let current: string[][] | undefined;
      for (const r of rows) {
        if (r.length === 1 && r[0]!.startsWith('# ')) sections.set(r[0]!.slice(2), (current = []));
        else if (!(r.length === 1 && r[0] === '')) current!.push(r);
      }
      for (const name of [
        'deployments over time',
        'versions',
        'features',
        'endpoints',
        'latency by version',
        'regressions',
        'privacy drops',
        'unused endpoints',
      ])
        assert.ok(sections.has(name), name);
      const endpoints = sections.get('endpoints')!;
      const header = endpoints[0]!;
      for (const r of endpoints.slice(1)) {
        assert.equal(r.length, header.length);
        const t = truth.endpoints.get(`${r[1]} ${r[0]}`)!;
        assert.equal(Number(r[header.indexOf('responses')]), t.responses);
        assert.equal(Number(r[header.indexOf('installations')]), t.installations);
      }
      const days = sections.get('deployments over time')!;
      assert.equal(days.length - 1, report.window.days);
      assert.equal(Number(days[days.length - 1]![1]), truth.installationsByDay.get(truth.lastDay));
    });

    it('markdown: a table per question, the planted findings in it', () => {
      const md = renderUsageReportMarkdown(report);
      for (const h of [
        '## Deployments over time',
        '## Versions',
        '## Features',
        '## Endpoints',
        '## Slowest endpoints by p99, per version',
        '## Error rates',
        '## Regressions',
        '## Privacy filter',
      ])
        assert.ok(md.includes(`\n${h}\n`), h);
      // Every table: the same number of cells in each row.
      for (const block of md.split('\n\n')) {
        const lines = block.split('\n').filter((l) => l.startsWith('|'));
        if (lines.length === 0) continue;
        const cells = (l: string): number => l.replace(/\\\|/g, '').split('|').length;
        for (const l of lines) assert.equal(cells(l), cells(lines[0]!), l);
      }
      assert.match(md, /\| \/clients\/:id \| GET \| p99 \| 1\.4\.1 \| 1\.5\.0 \|/);
      assert.match(md, /\| \/clients \| POST \| 5xx rate \| 1\.3\.1 \| 1\.4\.0 \|/);
      assert.match(
        md,
        new RegExp(
          `In the flagged range "${VULNERABLE_RANGE}": ${report.versionCheck.vulnerableInstallations} installations`,
        ),
      );
      assert.match(md, /\| \/legacy\/import \| POST \| 0 \| 0 \| never \(declared\) \|/);
    });

    it('html: one self-contained page, charts as inline SVG; in headless Chromium they render, readable, no console errors', async (t) => {
      const html = await renderUsageReportHtml(report);
      assert.ok(!/<script/i.test(html), 'no script');
      assert.ok(
        !/(?:src|href)="(?:https?:)?\/\//i.test(html) && !/url\(\s*['"]?https?:/i.test(html),
        'nothing loaded from the network',
      );
      assert.equal((html.match(/<svg /g) ?? []).length, 5, 'five charts');
      await mkdir(OUTPUT, { recursive: true });
      const file = join(OUTPUT, 'usage-report.html');
      await writeFile(file, html);
      await writeFile(join(OUTPUT, 'usage-report.json'), JSON.stringify(report, null, 2));
      if (!existsSync(chromiumPath())) {
        if (isCI()) assert.fail(`chromium is not installed at ${chromiumPath()}: bash test/e2e/install-servers.sh`);
        t.skip(`chromium not installed (${chromiumPath()}): bash test/e2e/install-servers.sh`);
        return;
      }
      const browser = await launchBrowser({
        viewport: { width: 1280, height: 900 },
        args: ['--blink-settings=imagesEnabled=true'],
      });
      t.after(() => browser.close());
      const page = await browser.open(`file://${file}`);
      const charts = await page.waitFor<{ marks: number; labels: string[]; width: number; height: number }[]>(
        `(() => {
        const svgs = [...document.querySelectorAll('figure.chart svg')];
        if (svgs.length !== 5) return false;
        return svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = svg.querySelectorAll('.mark-line path, .mark-area path, .mark-rect path, .mark-symbol path, .mark-text text').length;
          const labels = [...svg.querySelectorAll('.role-axis-label text')].map((t) => t.textContent);
          return { marks, labels, width: box.width, height: box.height };
        });
      })()`,
        { what: 'five rendered charts' },
      );
      for (const c of charts) {
        assert.ok(c.marks > 5, `marks drawn: ${c.marks}`);
        assert.ok(c.width > 300 && c.height > 100, `chart size ${c.width}x${c.height}`);
        assert.ok(
          c.labels.length > 2 && c.labels.every((l) => l && l.trim() !== ''),
          `axis labels: ${c.labels.join(', ')}`,
        );
      }
      // The p99 chart names the endpoints and the versions.
      assert.ok(
        charts[3]!.labels.includes('GET /clients/:id') && charts[3]!.labels.includes('1.5.0'),
        charts[3]!.labels.join(', '),
      );
      // Axis labels do not overlap each other (readable).
      const overlaps = await page.evaluate<number>(`(() => {
      let n = 0;
      for (const svg of document.querySelectorAll('figure.chart svg')) {
        for (const axis of svg.querySelectorAll('.role-axis')) {
          const boxes = [...axis.querySelectorAll('.role-axis-label text')].filter((t) => getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0').map((t) => t.getBoundingClientRect()).filter((b) => b.width > 0);
          for (let i = 1; i < boxes.length; i++) {
            const a = boxes[i - 1], b = boxes[i];
            const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (ox > 1 && oy > 1) n++;
          }
        }
      }
      return n;
    })()`);
      assert.equal(overlaps, 0, 'overlapping axis labels');
      const regressions = await page.evaluate<string>(`document.querySelector('#regressions table').innerText`);
      assert.match(regressions, /\/clients\/:id/);
      await page.screenshot(join(OUTPUT, 'usage-report.png'), {
        fullPage: true,
      });
      await page.evaluate(`document.querySelector('#latency').scrollIntoView()`);
      await page.screenshot(join(OUTPUT, 'usage-report-latency.png'));
      assert.deepEqual(page.consoleErrors, []);
    });
  });
}
