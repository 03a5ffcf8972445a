#!/usr/bin/env node
/**
 * `npm run bench -- --usage-report` (or `node bench/dist/src/usage-report.js`): the time of a
 * 30-day `tracepack usage report` over 10,000 installations, on a real PostgreSQL when one is
 * installed (BENCH_PG_URL, else `startPostgres()` of @tracepack/testing), else the embedded
 * PGlite. Not a timed test: it prints the figures and the target (under 5 s) with PASS/FAIL.
 *
 * The rows are generated in the database (generate_series), not sent through the collector
 * (the ingest has its own bench): per installation one or two replicas, 40% upgrading to the
 * newest version mid-month (a new set of instances), one report per instance and day with 16
 * endpoint series (12 endpoints, some 4xx and 5xx) and up to 10 features; 2,000 CI instances;
 * privacy drops. A month at the default 15-minute interval stores 96 times more raw rows; the
 * report reads roll-ups, so only the roll-up step (measured per row) depends on that.
 *
 * Measured: the load, the roll-up catch-up of the whole month (a one-time cost: a live
 * collector's roll-ups keep up report after report), the report (median of 3), an incremental
 * roll-up of one more hour of reports, and the report with 10 minutes of fresh reports not yet
 * rolled up (read raw, in the report's transaction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFixtureUnavailable, startPostgres, type DatabaseServer } from '@tracepack/testing';
import { buildUsageReport, migrate, openDatabase, rollUpUsage, type Database } from '@tracepack/usage-collector';

const TARGET_MS = 5000;
const DURATION_BOUNDS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** Endpoints: [method, template, median bucket index, statuses]. */
const ENDPOINTS: [string, string, number, number[]][] = [
  ['GET', '/clients/:id', 6, [200, 404, 500]],
  ['GET', '/clients', 7, [200]],
  ['POST', '/clients', 9, [201, 409, 500]],
  ['PUT', '/clients/:id', 6, [200]],
  ['DELETE', '/clients/:id', 5, [204]],
  ['POST', '/clients/:id/secret', 9, [200]],
  ['GET', '/policies', 6, [200]],
  ['GET', '/policies/:id', 5, [200, 404]],
  ['POST', '/policies', 7, [201]],
  ['GET', '/admin/export', 11, [200]],
  ['GET', '/health/deep', 3, [200]],
  ['GET', '/reports/:id', 8, [200]],
];
const FEATURES: [string, string, number][] = [
  ['tracepack', 'tracing.provider.jaeger', 1],
  ['tracepack', 'tracing.provider.otlp', 1],
  ['tracepack', 'tracing.instrumentation.http', 1],
  ['tracepack', 'tracing.instrumentation.sql', 1],
  ['tracepack', 'tracing.instrumentation.bcrypt', 1],
  ['tracepack', 'tracing.http.routes', 12],
  ['service', 'client.created', 40],
  ['service', 'client.secret_rotated', 4],
  ['service', 'policy.evaluated', 120],
  ['service', 'export.csv', 1],
];

export interface UsageReportBenchOptions {
  installations: number;
  days: number;
  /** Force the embedded PGlite even when PostgreSQL is installed. */
  pglite: boolean;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): UsageReportBenchOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(`--${flag}`);
    if (i !== -1) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  };
  const int = (flag: string, fallback: number): number => {
    const v = get(flag);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < 1)
      throw new Error(
        `bench --usage-report: --${flag} expects a positive whole number, instead got ${JSON.stringify(v)}`,
      );
    return Number(v);
  };
  return {
    installations: int('installations', Number(env.BENCH_USAGE_INSTALLATIONS ?? 10_000)),
    days: int('days', 30),
    pglite: argv.includes('--pglite'),
  };
}

export const USAGE_REPORT_HELP = `Usage: npm run bench -- --usage-report [--installations N] [--days D] [--pglite]
  A 30-day usage report over N installations (default 10000), rows generated in the database:
  PostgreSQL (BENCH_PG_URL, else the one test/e2e/install-servers.sh installs), else PGlite.
`;

/** Shapes of latency histograms: per endpoint, multiplier and slow flag, counts around the median bucket. */
function shapes(): {
  endpoint: number;
  k: number;
  slow: boolean;
  counts: number[];
  n: number;
  sum: number;
  max: number;
  errCounts: number[];
  errN: number;
  errSum: number;
}[] {
  const out = [];
  for (let e = 0; e < ENDPOINTS.length; e++) {
    for (let k = 1; k <= 8; k++) {
      for (const slow of [false, true]) {
        const m = ENDPOINTS[e]![2] + (slow ? 3 : 0);
        const counts = new Array<number>(DURATION_BOUNDS.length + 1).fill(0);
        const weights: [number, number][] = [
          [m - 2, 2],
          [m - 1, 10],
          [m, 20],
          [m + 1, 6],
          [m + 2, 1],
        ];
        for (const [i, w] of weights) if (i >= 0 && i < counts.length) counts[i]! += w * k;
        const n = counts.reduce((a, b) => a + b, 0);
        const sum = counts.reduce(
          (a, c, i) => a + c * (DURATION_BOUNDS[Math.min(i, DURATION_BOUNDS.length - 1)]! * 0.7),
          0,
        );
        // Error responses (4xx, 5xx): a few, in the median bucket.
        const errN = 1 + Math.floor(k / 4);
        const errCounts = new Array<number>(DURATION_BOUNDS.length + 1).fill(0);
        errCounts[Math.min(m, errCounts.length - 1)] = errN;
        const errSum = errN * DURATION_BOUNDS[Math.min(m, DURATION_BOUNDS.length - 1)]! * 0.7;
        out.push({
          endpoint: e,
          k,
          slow,
          counts,
          n,
          sum,
          max: DURATION_BOUNDS[Math.min(m + 2, DURATION_BOUNDS.length - 1)]!,
          errCounts,
          errN,
          errSum,
        });
      }
    }
  }
  return out;
}

async function q(db: Database, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await db.query(sql, params)).rows;
}

/** Generates the month in the database; returns rows written per table. */
export async function generate(
  db: Database,
  o: UsageReportBenchOptions,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  await q(db, `CREATE TABLE IF NOT EXISTS bench_endpoints (no integer, method text, endpoint text, status integer)`);
  await q(
    db,
    `CREATE TABLE IF NOT EXISTS bench_shapes (endpoint integer, k integer, slow boolean, counts bigint[], n bigint, total double precision, mx double precision, ecounts bigint[], en bigint, etotal double precision)`,
  );
  await q(
    db,
    `CREATE TABLE IF NOT EXISTS bench_features (no integer, source text, feature text, value double precision)`,
  );
  for (const t of ['bench_endpoints', 'bench_shapes', 'bench_features']) await q(db, `TRUNCATE ${t}`);
  let no = 0;
  for (const [method, endpoint, , statuses] of ENDPOINTS) {
    for (const status of statuses)
      await q(db, 'INSERT INTO bench_endpoints VALUES ($1, $2, $3, $4)', [no, method, endpoint, status]);
    no++;
  }
  for (const s of shapes())
    await q(db, 'INSERT INTO bench_shapes VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
      s.endpoint,
      s.k,
      s.slow,
      s.counts,
      s.n,
      s.sum,
      s.max,
      s.errCounts,
      s.errN,
      s.errSum,
    ]);
  for (let i = 0; i < FEATURES.length; i++)
    await q(db, 'INSERT INTO bench_features VALUES ($1, $2, $3, $4)', [i, ...FEATURES[i]!]);

  const params = [o.installations, o.days];
  const day0 = `(date_trunc('day', now()) - ($2::int - 1) * interval '1 day')`;
  const step = async (what: string, sql: string): Promise<void> => {
    const t = Date.now();
    await q(db, sql, params);
    log(`  ${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  await step(
    'installations and instances',
    `WITH base AS (
       SELECT i, encode(sha256(convert_to('bench-installation|' || i, 'UTF8')), 'hex') AS id,
         (ARRAY['1.2.0', '1.3.0', '1.3.1', '1.4.0', '1.4.1'])[1 + (i * 7919) % 5] AS v0,
         CASE WHEN (i * 104729) % 10 < 4 THEN 3 + (i * 31) % ($2::int - 6) END AS upgrade_day,
         CASE WHEN i % 5 = 0 THEN 2 ELSE 1 END AS replicas
       FROM generate_series(1, $1::int) AS i
     ), ins AS (
       INSERT INTO installations (installation_id, first_seen, last_seen) SELECT id, ${day0}, now() FROM base
     ), spans AS (
       SELECT i, id, v0 AS v, ${day0} + (i % 7) * interval '1 hour' AS s, coalesce(${day0} + upgrade_day * interval '1 day', now()) AS e, replicas FROM base
       UNION ALL
       SELECT i, id, '1.5.0', ${day0} + upgrade_day * interval '1 day', now(), replicas FROM base WHERE upgrade_day IS NOT NULL
     )
     INSERT INTO instances (instance_id, installation_id, identified, usage_version, service_name, service_version, os_type, host_arch, cpu_count, runtime_name, runtime_version, first_seen, last_seen)
     SELECT gen_random_uuid(), id, true, '0.1.0', 'bench-service', v, 'linux', CASE WHEN i % 4 = 0 THEN 'arm64' ELSE 'amd64' END, 2 + 2 * (i % 4),
       'nodejs', (ARRAY['22.15.0', '22.21.1', '24.11.0', '26.0.0'])[1 + i % 4], s, e
     FROM spans, generate_series(1, replicas) AS r`,
  );
  await step(
    'CI instances',
    `INSERT INTO instances (instance_id, identified, test_reason, ci_name, usage_version, first_seen, last_seen)
     SELECT gen_random_uuid(), false, 'ci', (ARRAY['github_actions', 'gitlab', 'jenkins'])[1 + j % 3], '0.1.0', t, t + interval '5 minutes'
     FROM generate_series(1, 2000) AS j, LATERAL (SELECT ${day0} + ((j * 7907) % ($2::int * 1440 - 60)) * interval '1 minute' AS t) AS x
     WHERE t + interval '5 minutes' < now() AND $1::int > 0`,
  );
  // One report per production instance and day (its period ends at most now).
  await q(
    db,
    `CREATE TEMP TABLE bench_periods AS
     SELECT i.instance_id, i.service_version AS v, d AS ps, least(d + interval '1 day', i.last_seen) AS pe,
       abs(hashtext(i.instance_id::text)) AS h
     FROM instances i, generate_series(i.first_seen, i.last_seen - interval '1 second', interval '1 day') AS d
     WHERE i.identified`,
  );
  const periodParams = `$1::int > 0 AND $2::int > 0`;
  await step(
    'reports',
    `INSERT INTO reports (instance_id, period_start, period_end, identified, installation_id, service_version, data_points, received_at)
     SELECT p.instance_id, p.ps, p.pe, true, i.installation_id, p.v, 60, p.pe + interval '1 minute' FROM bench_periods p JOIN instances i USING (instance_id) WHERE ${periodParams}`,
  );
  await step(
    'endpoint_usage',
    `INSERT INTO endpoint_usage (instance_id, period_start, period_end, endpoint, overflow, method, status_code, size_count,
       duration_count, duration_sum_ms, duration_min_ms, duration_max_ms, duration_bounds_ms, duration_counts, received_at)
     SELECT p.instance_id, p.ps, p.pe, e.endpoint, false, e.method, e.status, CASE WHEN e.status >= 400 THEN s.en ELSE s.n END,
       CASE WHEN e.status >= 400 THEN s.en ELSE s.n END,
       CASE WHEN e.status >= 400 THEN s.etotal ELSE s.total END,
       0.2, s.mx, '{${DURATION_BOUNDS.join(',')}}'::float8[],
       CASE WHEN e.status >= 400 THEN s.ecounts ELSE s.counts END,
       p.pe + interval '1 minute'
     FROM bench_periods p
     CROSS JOIN bench_endpoints e
     JOIN bench_shapes s ON s.endpoint = e.no AND s.k = 1 + (p.h + e.no) % 8 AND s.slow = (p.v = '1.5.0' AND e.no = 0)
     WHERE (e.no <> 9 OR p.h % 50 = 0) AND (e.status < 400 OR (p.h + e.status) % 3 = 0) AND ${periodParams}`,
  );
  await step(
    'feature_usage',
    `INSERT INTO feature_usage (instance_id, period_start, period_end, source, feature, value, received_at)
     SELECT p.instance_id, p.ps, p.pe, f.source, f.feature, f.value, p.pe + interval '1 minute'
     FROM bench_periods p CROSS JOIN bench_features f
     WHERE (p.h + f.no * 7) % 5 <> 0 AND NOT (f.no = 0 AND p.h % 2 = 1) AND NOT (f.no = 1 AND p.h % 2 = 0) AND ${periodParams}`,
  );
  await step(
    'privacy_drops',
    `INSERT INTO privacy_drops (instance_id, period_start, period_end, kind, attribute, dropped)
     SELECT instance_id, ps, pe, (ARRAY['email', 'ipv4', 'jwt', 'bearer_token'])[1 + h % 4], 'tracepack.usage.endpoint', 2
     FROM bench_periods WHERE h % 997 = 0 AND ${periodParams}`,
  );
  await q(db, 'DROP TABLE bench_periods');
  await q(db, 'ANALYZE');
  const counts: Record<string, number> = {};
  for (const t of ['installations', 'instances', 'reports', 'endpoint_usage', 'feature_usage', 'privacy_drops'])
    counts[t] = Number((await q(db, `SELECT count(*)::float8 AS n FROM ${t}`))[0]!.n);
  return counts;
}

/** Ten minutes of fresh reports (received now): two thirds of the running instances at a 15-minute interval. */
export async function freshReports(db: Database, minutes: number): Promise<number> {
  const rows = await q(
    db,
    `WITH live AS (
       SELECT instance_id, abs(hashtext(instance_id::text)) AS h FROM instances WHERE identified AND last_seen > now() - interval '1 hour'
     ), sent AS (SELECT instance_id, now() - ($1::int * interval '1 minute') + (h % ($1::int * 60)) * interval '1 second' AS pe FROM live WHERE h % 15 < $1::int)
     INSERT INTO endpoint_usage (instance_id, period_start, period_end, endpoint, overflow, method, status_code, size_count, duration_count, duration_sum_ms, duration_max_ms, duration_bounds_ms, duration_counts)
     SELECT s.instance_id, s.pe - interval '15 minutes', s.pe, e.endpoint, false, e.method, e.status, sh.n, sh.n, sh.total, sh.mx, '{${DURATION_BOUNDS.join(',')}}'::float8[], sh.counts
     FROM sent s CROSS JOIN bench_endpoints e JOIN bench_shapes sh ON sh.endpoint = e.no AND sh.k = 1 AND NOT sh.slow
     WHERE e.status < 400
     RETURNING 1`,
    [minutes],
  );
  return rows.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function usageReportMain(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE_REPORT_HELP);
    return;
  }
  const o = parseArgs(argv, process.env);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  let server: DatabaseServer | undefined;
  let dataDir: string | undefined;
  let db: Database;
  let kind: string;
  if (process.env.BENCH_PG_URL && !o.pglite) {
    db = await openDatabase({ databaseUrl: process.env.BENCH_PG_URL });
    kind = 'PostgreSQL (BENCH_PG_URL)';
  } else {
    try {
      if (o.pglite) throw Object.assign(new Error('--pglite'), { pglite: true });
      server = await startPostgres({ database: 'usage_report_bench' });
      db = await openDatabase({ databaseUrl: server.url });
      const version = String((await q(db, 'SHOW server_version'))[0]!.server_version);
      kind = `PostgreSQL ${version} (started for the bench)`;
    } catch (err) {
      if (!(err as { pglite?: boolean }).pglite && !isFixtureUnavailable(err)) throw err;
      dataDir = mkdtempSync(join(tmpdir(), 'tracepack-usage-report-bench-'));
      db = await openDatabase({ dataDir });
      kind = 'PGlite (embedded: no PostgreSQL installed, or --pglite)';
    }
  }
  try {
    log(`usage report bench: ${o.installations} installations, ${o.days} days, ${kind}`);
    await migrate(db);
    let t = Date.now();
    log('generating the month in the database:');
    const rows = await generate(db, o, log);
    const loadMs = Date.now() - t;

    t = Date.now();
    await rollUpUsage(db, { lagMs: 0 });
    const catchUpMs = Date.now() - t;
    log(`roll-up of the month: ${(catchUpMs / 1000).toFixed(1)} s`);

    const runs: number[] = [];
    let report = await buildUsageReport(db, { since: `${o.days}d`, vulnerable: '<1.4.2' });
    for (let i = 0; i < 3; i++) {
      t = Date.now();
      report = await buildUsageReport(db, { since: `${o.days}d`, vulnerable: '<1.4.2' });
      runs.push(Date.now() - t);
    }
    const reportMs = median(runs);

    const fresh = await freshReports(db, 10);
    t = Date.now();
    const withTail = await buildUsageReport(db, { since: `${o.days}d`, vulnerable: '<1.4.2' });
    const tailMs = Date.now() - t;
    t = Date.now();
    await rollUpUsage(db, { lagMs: 0 });
    const incrementalMs = Date.now() - t;

    const perRowUs = (catchUpMs * 1000) / Math.max(1, rows.endpoint_usage! + rows.feature_usage!);
    const lines = [
      `tracepack usage report bench: ${o.installations.toLocaleString('en-US')} installations, ${o.days} days, ${kind}, Node ${process.version}`,
      '',
      `rows generated in the database (${(loadMs / 1000).toFixed(1)} s): ${Object.entries(rows)
        .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
        .join(', ')}`,
      `roll-up of the whole month (once; then report by report): ${(catchUpMs / 1000).toFixed(2)} s, ${perRowUs.toFixed(2)} us per raw row`,
      `report (--since ${o.days}d, median of 3: ${runs.map((r) => (r / 1000).toFixed(2)).join(' / ')} s): ${(reportMs / 1000).toFixed(2)} s  ${reportMs < TARGET_MS ? 'PASS' : 'FAIL'} (target < ${TARGET_MS / 1000} s)`,
      `report with ${fresh.toLocaleString('en-US')} endpoint rows of the last 10 minutes not rolled up yet: ${(tailMs / 1000).toFixed(2)} s  ${tailMs < TARGET_MS ? 'PASS' : 'FAIL'}`,
      `roll-up of those rows afterwards: ${(incrementalMs / 1000).toFixed(2)} s`,
      `the report saw ${report.totals.installations.toLocaleString('en-US')} production installations (${withTail.totals.installations.toLocaleString('en-US')} with the fresh rows), ${report.totals.testInstances.toLocaleString('en-US')} test instances, ` +
        `${report.endpoints.length} endpoints, ${report.regressions.length} regression(s): ${report.regressions.map((g) => `${g.method} ${g.endpoint} ${g.metric} ${g.fromVersion}->${g.toVersion}`).join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (report.totals.installations !== o.installations)
      throw new Error(
        `the report counted ${report.totals.installations} installations, ${o.installations} were generated`,
      );
  } finally {
    await db.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  usageReportMain(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
