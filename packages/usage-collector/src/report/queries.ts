import { num, numbers, numOrUndefined, type Sql } from './db';
import type { Buckets } from './histogram';
import { HASHED_ENDPOINT, OVERFLOW_ENDPOINT } from './model';
import { TEST_INSTALLATION_PREFIX } from './rollup';

/**
 * The report's reads, each one statement over the instances table (deployments, versions,
 * runtimes: one row per process start) or the roll-ups (endpoints, features), never over the
 * raw per-period tables, except for the privacy counters (a row only when something was dropped).
 * Parameters: the first and last UTC day, the window's start and end times.
 */
export interface WindowParams {
  firstDay: string;
  lastDay: string;
  /** firstDay at 00:00 UTC, ISO. */
  start: string;
  /** Report time, ISO. */
  end: string;
  /** Test instances count as production ones do (`--include-test`), each an installation of its own. */
  includeTest: boolean;
}

/** Instances that ran in the window, with the days they ran inside it: a temp table for the reads below. */
export async function collectAlive(q: Sql, w: WindowParams): Promise<void> {
  await q(
    `CREATE TEMP TABLE report_alive ON COMMIT DROP AS
     SELECT i.instance_id,
       (i.identified AND i.installation_id IS NOT NULL) AS production,
       -- What the counts below take: production, and test instances with --include-test, a
       -- test instance standing for an installation of its own (it has none).
       (i.identified AND i.installation_id IS NOT NULL) OR $5::boolean AS counted,
       CASE WHEN i.identified AND i.installation_id IS NOT NULL THEN i.installation_id ELSE '${TEST_INSTALLATION_PREFIX}' || i.instance_id::text END AS installation_id,
       coalesce(i.test_reason, '') AS reason, coalesce(i.ci_name, '') AS ci_name,
       coalesce(i.service_version, '') AS version, coalesce(i.service_name, '') AS service_name,
       coalesce(i.runtime_name, '') AS runtime_name, coalesce(i.runtime_version, '') AS runtime_version,
       coalesce(i.os_type, '') AS os, coalesce(i.host_arch, '') AS arch,
       greatest((i.first_seen AT TIME ZONE 'UTC')::date, $1::date) AS d0,
       least((i.last_seen AT TIME ZONE 'UTC')::date, $2::date) AS d1,
       i.last_seen
     FROM instances i
     WHERE i.last_seen >= $3::timestamptz AND i.first_seen <= $4::timestamptz`,
    [w.firstDay, w.lastDay, w.start, w.end, w.includeTest],
  );
  await q('ANALYZE report_alive');
}

export interface DeploymentDayRow {
  day: string;
  installations: number;
  production: number;
  ci: number;
  local: number;
  warmingUp: number;
  otherTest: number;
}

/**
 * The spans of days during which something (an installation, an installation on a version)
 * had at least one production instance running: the instances' spans merged where they
 * overlap or touch (gaps and islands), so that counting spans per day counts it once.
 */
function mergedSpans(keys: string): string {
  return `WITH s AS (
      SELECT ${keys}, d0, d1, max(d1) OVER (PARTITION BY ${keys} ORDER BY d0, d1 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
      FROM report_alive WHERE counted
    ), g AS (
      SELECT ${keys}, d0, d1, count(*) FILTER (WHERE prev_end IS NULL OR d0 > prev_end + 1) OVER (PARTITION BY ${keys} ORDER BY d0, d1 ROWS UNBOUNDED PRECEDING) AS grp
      FROM s
    )
    SELECT ${keys}, min(d0) AS d0, max(d1) AS d1 FROM g GROUP BY ${keys}, grp`;
}

/** Changes per day (+1 where a span starts, -1 the day after it ends), summed per day and `kind`. */
function sweep(spans: string, kind: string): string {
  return `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, sum(delta)::float8 AS delta FROM (
      SELECT d0 AS day, ${kind} AS kind, 1 AS delta FROM (${spans}) AS a
      UNION ALL
      SELECT d1 + 1, ${kind}, -1 FROM (${spans}) AS b
    ) AS e GROUP BY 1, 2`;
}

/** Running totals per day from the changes of `sweep()`: day -> kind -> count. */
function accumulate(rows: Record<string, unknown>[], w: WindowParams): Map<string, Map<string, number>> {
  const changes = new Map<string, { kind: string; delta: number }[]>();
  for (const r of rows) {
    const list = changes.get(String(r.day)) ?? [];
    list.push({ kind: String(r.kind), delta: num(r.delta) });
    changes.set(String(r.day), list);
  }
  const running = new Map<string, number>();
  const out = new Map<string, Map<string, number>>();
  for (let t = Date.parse(`${w.firstDay}T00:00:00Z`); ; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day > w.lastDay) break;
    for (const c of changes.get(day) ?? []) running.set(c.kind, (running.get(c.kind) ?? 0) + c.delta);
    out.set(day, new Map([...running].filter(([, n]) => n !== 0)));
  }
  return out;
}

/**
 * Per day of the window: production installations running (at least one instance), their
 * instances, and test instances by reason. Sweeps over the instances' spans of days (no row
 * per instance and day): the cost grows with the instances, not with their days.
 */
export async function deploymentDays(q: Sql, w: WindowParams): Promise<DeploymentDayRow[]> {
  const kind = `CASE WHEN reason IN ('ci', 'local', 'warming_up') THEN reason ELSE 'other' END`;
  const rows = [
    ...(await q<Record<string, unknown>>(sweep(mergedSpans('installation_id'), "'installations'"))),
    // Instances counted (production; test ones too with --include-test), and test ones by reason.
    ...(await q<Record<string, unknown>>(sweep('SELECT d0, d1 FROM report_alive WHERE counted', "'production'"))),
    ...(await q<Record<string, unknown>>(sweep('SELECT reason, d0, d1 FROM report_alive WHERE NOT production', kind))),
  ];
  return [...accumulate(rows, w)].map(([day, n]) => ({
    day,
    installations: n.get('installations') ?? 0,
    production: n.get('production') ?? 0,
    ci: n.get('ci') ?? 0,
    local: n.get('local') ?? 0,
    warmingUp: n.get('warming_up') ?? 0,
    otherTest: n.get('other') ?? 0,
  }));
}

export async function aliveTotals(q: Sql): Promise<{ installations: number; production: number; test: number }> {
  const [r] = await q<Record<string, unknown>>(
    `SELECT count(DISTINCT installation_id) FILTER (WHERE counted) AS installations,
       count(*) FILTER (WHERE counted) AS production, count(*) FILTER (WHERE NOT production) AS test
     FROM report_alive`,
  );
  return { installations: num(r?.installations), production: num(r?.production), test: num(r?.test) };
}

export async function testKinds(q: Sql): Promise<{ reason: string; ciName: string; instances: number }[]> {
  const rows = await q<Record<string, unknown>>(
    `SELECT reason, CASE WHEN reason = 'ci' THEN ci_name ELSE '' END AS ci_name, count(*) AS n
     FROM report_alive WHERE NOT production GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
  );
  return rows.map((r) => ({ reason: String(r.reason) || '(none)', ciName: String(r.ci_name), instances: num(r.n) }));
}

export interface VersionCounts {
  version: string;
  current: number;
  ever: number;
  instances: number;
}

/** Per version: installations whose latest instance runs it, installations that ran it, instances. */
export async function versionCounts(q: Sql): Promise<VersionCounts[]> {
  const rows = await q<Record<string, unknown>>(
    `WITH latest AS (
       SELECT DISTINCT ON (installation_id) installation_id, version
       FROM report_alive WHERE counted ORDER BY installation_id, last_seen DESC, version DESC
     ), current AS (SELECT version, count(*) AS n FROM latest GROUP BY 1),
     ever AS (SELECT version, count(DISTINCT installation_id) AS n, count(*) AS instances FROM report_alive WHERE counted GROUP BY 1)
     SELECT ever.version, coalesce(current.n, 0) AS current, ever.n AS ever, ever.instances
     FROM ever LEFT JOIN current USING (version)`,
  );
  return rows.map((r) => ({
    version: String(r.version),
    current: num(r.current),
    ever: num(r.ever),
    instances: num(r.instances),
  }));
}

/** Production installations per version and day (an installation on two versions that day counts under both). */
export async function versionDays(
  q: Sql,
  w: WindowParams,
): Promise<{ day: string; version: string; installations: number }[]> {
  const rows = await q<Record<string, unknown>>(sweep(mergedSpans('installation_id, version'), 'version'));
  const out: { day: string; version: string; installations: number }[] = [];
  for (const [day, n] of accumulate(rows, w))
    for (const [version, installations] of [...n].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      out.push({ day, version, installations });
  return out;
}

export async function runtimeCounts(
  q: Sql,
): Promise<{ runtime: string; runtimeVersion: string; os: string; arch: string; installations: number }[]> {
  const rows = await q<Record<string, unknown>>(
    `WITH latest AS (
       SELECT DISTINCT ON (installation_id) installation_id, runtime_name, runtime_version, os, arch
       FROM report_alive WHERE counted ORDER BY installation_id, last_seen DESC
     )
     SELECT runtime_name, runtime_version, os, arch, count(*) AS n FROM latest GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 1, 2, 3, 4`,
  );
  return rows.map((r) => ({
    runtime: String(r.runtime_name),
    runtimeVersion: String(r.runtime_version),
    os: String(r.os),
    arch: String(r.arch),
    installations: num(r.n),
  }));
}

export async function serviceNames(q: Sql): Promise<string[]> {
  const rows = await q<Record<string, unknown>>(
    `SELECT service_name, count(DISTINCT installation_id) AS n FROM report_alive WHERE counted AND service_name <> '' GROUP BY 1 ORDER BY 2 DESC, 1`,
  );
  return rows.map((r) => String(r.service_name));
}

export interface LatencyRow {
  version: string;
  endpoint: string;
  method: string;
  responses: number;
  serverErrors: number;
  clientErrors: number;
  buckets: Buckets;
}

/** Per version, endpoint, method and bucket layout: responses, errors and summed histograms over the window's days. */
export async function latencyRows(q: Sql, w: WindowParams): Promise<LatencyRow[]> {
  const sums: string[] = [];
  // Roll-up rows have cardinality(bounds) + 1 counts; summed by position up to the longest.
  const [len] = await q<{ n: unknown }>(
    `SELECT coalesce(max(cardinality(duration_counts)), 0) AS n FROM report_endpoint_daily WHERE day BETWEEN $1::date AND $2::date`,
    [w.firstDay, w.lastDay],
  );
  const n = num(len?.n);
  for (let i = 1; i <= n; i++) sums.push(`coalesce(sum(duration_counts[${i}]), 0)::float8`);
  const rows = await q<Record<string, unknown>>(
    `SELECT service_version, endpoint, method, duration_bounds_ms::float8[] AS bounds,
       sum(responses)::float8 AS responses,
       coalesce(sum(responses) FILTER (WHERE status_code >= 500), 0)::float8 AS server_errors,
       coalesce(sum(responses) FILTER (WHERE status_code >= 400 AND status_code < 500), 0)::float8 AS client_errors,
       max(duration_max_ms) AS max_ms
       ${n > 0 ? `, ARRAY[${sums.join(', ')}] AS counts` : ''}
     FROM report_endpoint_daily WHERE day BETWEEN $1::date AND $2::date AND (production OR $3::boolean)
     GROUP BY 1, 2, 3, 4`,
    [w.firstDay, w.lastDay, w.includeTest],
  );
  return rows.map((r) => {
    const bounds = numbers(r.bounds);
    return {
      version: String(r.service_version),
      endpoint: String(r.endpoint),
      method: String(r.method),
      responses: num(r.responses),
      serverErrors: num(r.server_errors),
      clientErrors: num(r.client_errors),
      buckets: { bounds, counts: numbers(r.counts).slice(0, bounds.length + 1), max: numOrUndefined(r.max_ms) },
    };
  });
}

/** Production installations per endpoint and method in the window, and how many used any endpoint. */
export async function endpointInstallations(
  q: Sql,
  w: WindowParams,
): Promise<{ perEndpoint: Map<string, number>; total: number }> {
  const counted = `last_day >= $1::date AND (production OR $2::boolean)`;
  const rows = await q<Record<string, unknown>>(
    `SELECT endpoint, method, count(*) AS n FROM report_endpoint_installations WHERE ${counted} GROUP BY 1, 2`,
    [w.firstDay, w.includeTest],
  );
  const [t] = await q<Record<string, unknown>>(
    `SELECT count(DISTINCT installation_id) AS n FROM report_endpoint_installations WHERE ${counted}`,
    [w.firstDay, w.includeTest],
  );
  return {
    perEndpoint: new Map(rows.map((r) => [`${String(r.method)} ${String(r.endpoint)}`, num(r.n)])),
    total: num(t?.n),
  };
}

/** Endpoints production installations used only before the window, with the last day used. */
export async function endpointsSeenBefore(
  q: Sql,
  w: WindowParams,
): Promise<{ endpoint: string; method: string; lastUsed: string }[]> {
  const rows = await q<Record<string, unknown>>(
    `SELECT endpoint, method, to_char(max(last_day), 'YYYY-MM-DD') AS last_used
     FROM report_endpoint_installations WHERE endpoint NOT IN ($2, $3) AND (production OR $4::boolean)
     GROUP BY 1, 2 HAVING max(last_day) < $1::date ORDER BY 3 DESC, 1, 2`,
    [w.firstDay, HASHED_ENDPOINT, OVERFLOW_ENDPOINT, w.includeTest],
  );
  return rows.map((r) => ({ endpoint: String(r.endpoint), method: String(r.method), lastUsed: String(r.last_used) }));
}

export async function featureRows(
  q: Sql,
  w: WindowParams,
): Promise<{ source: 'tracepack' | 'service'; feature: string; installations: number; uses: number }[]> {
  const rows = await q<Record<string, unknown>>(
    `WITH inst AS (
       SELECT source, feature, count(*) AS n FROM report_feature_installations WHERE last_day >= $1::date AND (production OR $3::boolean) GROUP BY 1, 2
     ), uses AS (
       SELECT source, feature, sum(uses) AS uses, sum(reports) AS reports FROM report_feature_daily WHERE day BETWEEN $1::date AND $2::date AND (production OR $3::boolean) GROUP BY 1, 2
     )
     SELECT source, feature, inst.n AS installations, CASE WHEN source = 'service' THEN uses.uses ELSE uses.reports END AS uses
     FROM inst JOIN uses USING (source, feature)`,
    [w.firstDay, w.lastDay, w.includeTest],
  );
  return rows.map((r) => ({
    source: String(r.source) as 'tracepack' | 'service',
    feature: String(r.feature),
    installations: num(r.installations),
    uses: num(r.uses),
  }));
}

export async function privacyDrops(
  q: Sql,
  w: WindowParams,
): Promise<{ kind: string; attribute: string; dropped: number }[]> {
  const rows = await q<Record<string, unknown>>(
    `SELECT kind, attribute, sum(dropped)::float8 AS n FROM privacy_drops
     WHERE period_end >= $1::timestamptz AND period_end <= $2::timestamptz GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    [w.start, w.end],
  );
  return rows.map((r) => ({ kind: String(r.kind), attribute: String(r.attribute), dropped: num(r.n) }));
}

export async function ignoredMetrics(q: Sql, w: WindowParams): Promise<{ metric: string; dataPoints: number }[]> {
  const rows = await q<Record<string, unknown>>(
    `SELECT metric, sum(data_points)::float8 AS n FROM ignored_metrics
     WHERE period_end >= $1::timestamptz AND period_end <= $2::timestamptz GROUP BY 1 ORDER BY 2 DESC, 1`,
    [w.start, w.end],
  );
  return rows.map((r) => ({ metric: String(r.metric), dataPoints: num(r.n) }));
}
