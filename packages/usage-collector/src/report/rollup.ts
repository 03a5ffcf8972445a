import type { Database } from '../database';
import { rollUpLanded } from '../landing';
import { inTransaction, type Sql } from './db';
import { HASHED_ENDPOINT, OVERFLOW_ENDPOINT } from './model';

/** Keys every roll-up transaction takes (pg_advisory_xact_lock): reports and roll-ups run one at a time. */
export const ROLLUP_LOCK_KEY = 0x7472_6163; // 'trac'

/** work_mem of the roll-up and report transactions (SET LOCAL: theirs only). */
export const ROLLUP_WORK_MEM = '64MB';

/** Bucket counts summed by position in one pass; longer histograms take the (slower) unnest path. */
const FAST_BUCKETS = 24;

/** The endpoint as the report shows it: templates as sent, hashed paths and the overflow series each as one. */
const ENDPOINT_EXPR = `CASE WHEN e.overflow OR e.endpoint = '' THEN '${OVERFLOW_ENDPOINT}' WHEN e.endpoint ~ '[0-9a-f]{64}' THEN '${HASHED_ENDPOINT}' ELSE e.endpoint END`;
const DAY_EXPR = `(e.period_end AT TIME ZONE 'UTC')::date`;

/**
 * Responses of a series: the count of the response-size histogram (every response; the latency
 * histogram is a sample, one response in N timed, and absent when none was), else of the
 * latency histogram (an older reporter timed every response).
 */
const RESPONSES = `coalesce(e.size_count, e.duration_count, 0)`;

/**
 * Production or test (`--include-test` reads both): what the default report filtered on when
 * only production was rolled up. Per day: the instance is identified. Per installation: it is
 * identified with an installation; otherwise it stands for an installation of its own.
 */
const DAILY_PRODUCTION = `i.identified`;
const INSTALLATION_PRODUCTION = `(i.identified AND i.installation_id IS NOT NULL)`;
export const TEST_INSTALLATION_PREFIX = 'instance:';
const INSTALLATION_KEY = `CASE WHEN i.identified AND i.installation_id IS NOT NULL THEN i.installation_id ELSE '${TEST_INSTALLATION_PREFIX}' || i.instance_id::text END`;

/** Raw rows received in [$1, $2), production and test instances alike. */
const RECEIVED = `e.received_at >= $1 AND e.received_at < $2`;

function bucketSums(column: string, n: number): string {
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) parts.push(`coalesce(sum(${column}[${i}]), 0)`);
  return `ARRAY[${parts.join(', ')}]::bigint[]`;
}

/** Adds two count arrays element by element (the conflict path of the upserts). */
const ADD_COUNTS = `(SELECT coalesce(array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY n), '{}') FROM unnest(r.duration_counts, excluded.duration_counts) WITH ORDINALITY AS t(a, b, n))`;

const ENDPOINT_DAILY_CONFLICT = `ON CONFLICT (day, production, service_version, endpoint, method, status_code, duration_bounds_ms) DO UPDATE SET
  responses = r.responses + excluded.responses,
  duration_sum_ms = r.duration_sum_ms + excluded.duration_sum_ms,
  duration_max_ms = greatest(r.duration_max_ms, excluded.duration_max_ms),
  duration_counts = ${ADD_COUNTS}`;

/**
 * The first and last day per key, for keys that are new or move out of the stored span: a key
 * whose stored span already covers the new rows is left alone (no row lock, no new version).
 */
function spanUpsert(table: string, keys: string[], select: string): string {
  const k = keys.join(', ');
  const match = keys.map((c) => `r.${c} = g.${c}`).join(' AND ');
  return `INSERT INTO ${table} AS r (${k}, first_day, last_day)
     SELECT ${k}, g.first_day, g.last_day FROM (${select}) AS g
     WHERE NOT EXISTS (SELECT 1 FROM ${table} AS r WHERE ${match} AND r.first_day <= g.first_day AND r.last_day >= g.last_day)
     ON CONFLICT (${k}) DO UPDATE SET first_day = least(r.first_day, excluded.first_day), last_day = greatest(r.last_day, excluded.last_day)`;
}

/** The statements that roll raw rows received in [$1, $2) into the report's tables. */
export function rollupStatements(): string[] {
  const columns = `(day, production, service_version, endpoint, method, status_code, duration_bounds_ms, responses, duration_sum_ms, duration_max_ms, duration_counts)`;
  const keys = `day, p, v, ep, m, s, b`;
  return [
    // Histograms of up to FAST_BUCKETS bounds (the usage reporter sends 18): summed by position
    // in one pass.
    `INSERT INTO report_endpoint_daily AS r ${columns}
     SELECT day, p, v, ep, m, s, b, n, total, mx, counts[1:cardinality(b) + 1] FROM (
       SELECT ${DAY_EXPR} AS day, ${DAILY_PRODUCTION} AS p, coalesce(i.service_version, '') AS v, ${ENDPOINT_EXPR} AS ep, e.method AS m, e.status_code AS s, coalesce(e.duration_bounds_ms, '{}') AS b,
         sum(${RESPONSES}) AS n, sum(coalesce(e.duration_sum_ms, 0)) AS total, max(e.duration_max_ms) AS mx, ${bucketSums('e.duration_counts', FAST_BUCKETS + 1)} AS counts
       FROM endpoint_usage e JOIN instances i ON i.instance_id = e.instance_id
       WHERE ${RECEIVED} AND coalesce(cardinality(e.duration_bounds_ms), 0) <= ${FAST_BUCKETS}
       GROUP BY 1, 2, 3, 4, 5, 6, 7
     ) AS g
     ${ENDPOINT_DAILY_CONFLICT}`,
    // Longer histograms (another reporter): through unnest. The bounds are part of the key, so
    // the two statements never write the same row; the partial index finds these rows only.
    `WITH long_rows AS (
       SELECT ${DAY_EXPR} AS day, ${DAILY_PRODUCTION} AS p, coalesce(i.service_version, '') AS v, ${ENDPOINT_EXPR} AS ep, e.method AS m, e.status_code AS s, e.duration_bounds_ms AS b,
         ${RESPONSES} AS n, coalesce(e.duration_sum_ms, 0) AS total, e.duration_max_ms AS mx, coalesce(e.duration_counts, '{}') AS c
       FROM endpoint_usage e JOIN instances i ON i.instance_id = e.instance_id
       WHERE ${RECEIVED} AND cardinality(e.duration_bounds_ms) > ${FAST_BUCKETS}
     )
     INSERT INTO report_endpoint_daily AS r ${columns}
     SELECT g.day, g.p, g.v, g.ep, g.m, g.s, g.b, g.n, g.total, g.mx,
       (SELECT array_agg(x ORDER BY k) FROM (
          SELECT k, sum(x)::bigint AS x FROM long_rows AS l, unnest(l.c) WITH ORDINALITY AS u(x, k)
          WHERE l.day = g.day AND l.p = g.p AND l.v = g.v AND l.ep = g.ep AND l.m = g.m AND l.s = g.s AND l.b = g.b GROUP BY k) AS sums)
     FROM (SELECT ${keys}, sum(n) AS n, sum(total) AS total, max(mx) AS mx FROM long_rows GROUP BY ${keys}) AS g
     ${ENDPOINT_DAILY_CONFLICT}`,
    spanUpsert(
      'report_endpoint_installations',
      ['endpoint', 'method', 'installation_id', 'production'],
      `SELECT ${ENDPOINT_EXPR} AS endpoint, e.method, ${INSTALLATION_KEY} AS installation_id, ${INSTALLATION_PRODUCTION} AS production, min(${DAY_EXPR}) AS first_day, max(${DAY_EXPR}) AS last_day
       FROM endpoint_usage e JOIN instances i ON i.instance_id = e.instance_id
       WHERE ${RESPONSES} > 0 AND ${RECEIVED}
       GROUP BY 1, 2, 3, 4`,
    ),
    `INSERT INTO report_feature_daily AS r (day, production, source, feature, uses, reports)
     SELECT ${DAY_EXPR}, ${DAILY_PRODUCTION}, e.source, CASE WHEN e.feature = '' THEN '${OVERFLOW_ENDPOINT}' ELSE e.feature END, sum(e.value), count(*)
     FROM feature_usage e JOIN instances i ON i.instance_id = e.instance_id
     WHERE e.value > 0 AND ${RECEIVED}
     GROUP BY 1, 2, 3, 4
     ON CONFLICT (day, production, source, feature) DO UPDATE SET uses = r.uses + excluded.uses, reports = r.reports + excluded.reports`,
    spanUpsert(
      'report_feature_installations',
      ['source', 'feature', 'installation_id', 'production'],
      `SELECT e.source, CASE WHEN e.feature = '' THEN '${OVERFLOW_ENDPOINT}' ELSE e.feature END AS feature, ${INSTALLATION_KEY} AS installation_id, ${INSTALLATION_PRODUCTION} AS production,
         min(${DAY_EXPR}) AS first_day, max(${DAY_EXPR}) AS last_day
       FROM feature_usage e JOIN instances i ON i.instance_id = e.instance_id
       WHERE e.value > 0 AND ${RECEIVED}
       GROUP BY 1, 2, 3, 4`,
    ),
  ];
}

/**
 * Settings of the roll-up and report transactions (SET LOCAL: theirs only). Sorts and hashes of a
 * few hundred thousand rows stay in memory (the default 4 MB spills to disk). Statistics of the
 * raw tables lag behind what just arrived (the planner takes a day of new rows for a handful)
 * and those of the roll-ups are empty at first: a nested loop chosen on such estimates runs for
 * minutes where a hash join takes a second, so nested loops are off. JIT compilation costs more
 * than it saves on these statements.
 */
export async function setRollupPlanner(q: Sql): Promise<void> {
  await q(`SET LOCAL work_mem = '${ROLLUP_WORK_MEM}'`);
  await q('SET LOCAL enable_nestloop = off');
  await q('SET LOCAL jit = off');
}

/** Rolls raw rows received in [from, to) (ISO times or SQL expressions' values) into the report's tables. */
export async function rollUpRange(q: Sql, from: string, to: string): Promise<void> {
  await setRollupPlanner(q);
  for (const statement of rollupStatements()) await q(statement, [from, to]);
}

export interface RollUpResult {
  /** Raw rows with `received_at` before this time are in the roll-ups. */
  rolledUntil: string;
  /** Milliseconds it took. */
  ms: number;
}

/** Arrival time covered by one roll-up transaction: a month to catch up goes a week at a time. */
const CHUNK = '7 days';

/**
 * Rolls the landed reports into the raw tables (`rollUpLanded()`), then the raw rows received since the last roll-up, up to `lagMs` before the database's
 * now(), into the report's daily tables: one transaction per week of arrivals at most (a first
 * roll-up of a month goes week by week, each committed, so memory stays bounded and an interrupted
 * one resumes). Reports do it first; a collector or a cron job may call it more often (it costs
 * what arrived since).
 */
export async function rollUpUsage(db: Database, options: { lagMs?: number } = {}): Promise<RollUpResult> {
  const lagMs = options.lagMs ?? 600_000;
  const started = Date.now();
  // Every acknowledged report first: the landed ones go into the raw tables (waiting for a
  // collector's roll-up that is running), so that the report counts all of them.
  await rollUpLanded(db, { wait: true });
  for (;;) {
    const step = await inTransaction(db, async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK_KEY]);
      const [state] = await q<{ from: string; target: string; first: string | null }>(
        `SELECT to_json(rolled_until)#>>'{}' AS "from",
           to_json(greatest(rolled_until, now() - make_interval(secs => $1::float8 / 1000)))#>>'{}' AS target,
           CASE WHEN rolled_until = '-infinity' THEN to_json(least((SELECT min(received_at) FROM endpoint_usage), (SELECT min(received_at) FROM feature_usage)))#>>'{}' END AS first
         FROM report_rollup_state FOR UPDATE`,
        [lagMs],
      );
      if (!state) throw new Error('@tracepack/usage-collector: report_rollup_state has no row: run the migrations');
      if (state.target === state.from) return { to: state.target, more: false };
      const [chunk] = await q<{ to: string }>(
        `SELECT to_json(CASE WHEN $1::timestamptz = '-infinity' AND $3::timestamptz IS NULL THEN $2::timestamptz
           ELSE least($2::timestamptz, CASE WHEN $1::timestamptz = '-infinity' THEN $3::timestamptz ELSE $1::timestamptz END + interval '${CHUNK}') END)#>>'{}' AS "to"`,
        [state.from, state.target, state.first],
      );
      await rollUpRange(q, state.from, chunk!.to);
      await q('UPDATE report_rollup_state SET rolled_until = $1', [chunk!.to]);
      return { to: chunk!.to, more: chunk!.to !== state.target };
    });
    if (!step.more) return { rolledUntil: step.to, ms: Date.now() - started };
  }
}
