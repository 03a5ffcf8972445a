import type { Database, DatabaseSession } from './database';
import type { StoreBatch } from './internal-types';

/** Rows a request added (0 everywhere: everything was stored before, a retry or a duplicate). */
export interface StoreCounts {
  installations: number;
  instances: number;
  reports: number;
  endpoint_usage: number;
  request_counts: number;
  feature_usage: number;
  user_activity: number;
  runtime_stats: number;
  keepalives: number;
  privacy_drops: number;
  ignored_metrics: number;
}

/** `x(col type, ...)` of jsonb_to_recordset for each table: the JSON keys are the column names. */
const RECORD = {
  installations: 'installation_id text, first_seen timestamptz, last_seen timestamptz',
  instances:
    'instance_id uuid, installation_id text, identified boolean, test_reason text, ci_name text, usage_version text, service_name text, service_version text, ' +
    'git_revision text, build_time timestamptz, deployment_environment text, os_type text, host_arch text, cpu_count integer, runtime_name text, runtime_version text, ' +
    'first_seen timestamptz, last_seen timestamptz',
  reports:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, identified boolean, test_reason text, installation_id text, service_version text, data_points integer',
  endpoint_usage:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, endpoint text, overflow boolean, method text, status_code integer, ' +
    'duration_count bigint, duration_sum_ms double precision, duration_min_ms double precision, duration_max_ms double precision, duration_bounds_ms double precision[], duration_counts bigint[], ' +
    'size_count bigint, size_sum_bytes double precision, size_min_bytes double precision, size_max_bytes double precision, size_bounds_bytes double precision[], size_counts bigint[]',
  request_counts: 'instance_id uuid, period_start timestamptz, period_end timestamptz, method text, requests bigint',
  feature_usage:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, source text, feature text, value double precision',
  user_activity:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, activity text, user_hash text, org_hash text, overflow boolean, events bigint',
  runtime_stats:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, metric text, gc_kind text, value double precision',
  keepalives: 'instance_id uuid, at timestamptz',
  privacy_drops:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, kind text, attribute text, dropped integer',
  ignored_metrics:
    'instance_id uuid, period_start timestamptz, period_end timestamptz, metric text, data_points integer',
} as const;

export type Table = keyof typeof RECORD;

const columns = (table: Table): string =>
  RECORD[table]
    .split(', ')
    .map((c) => c.split(' ')[0])
    .join(', ');
const jsonRows = (table: Table): string => `jsonb_to_recordset($1::jsonb -> '${table}') AS x(${RECORD[table]})`;

/** [column, type] of each table, in RECORD's order. */
const COLUMN_TYPES = Object.fromEntries(
  (Object.keys(RECORD) as Table[]).map((t) => [
    t,
    RECORD[t].split(', ').map((c) => [c.slice(0, c.indexOf(' ')), c.slice(c.indexOf(' ') + 1)] as const),
  ]),
) as Record<Table, (readonly [string, string])[]>;

/** The parameter number of each table's first column in STORE_ARRAYS_SQL (one per column). */
const FIRST_PARAM = (() => {
  const out = {} as Record<Table, number>;
  let n = 1;
  for (const t of Object.keys(RECORD) as Table[]) {
    out[t] = n;
    n += COLUMN_TYPES[t].length;
  }
  return out;
})();

const arrayRows = (table: Table): string => {
  const cols = COLUMN_TYPES[table];
  const unnest = cols
    .map(([, type], i) => `$${FIRST_PARAM[table] + i}::${type.endsWith('[]') ? 'text' : type}[]`)
    .join(', ');
  const select = cols.map(([c, type]) => (type.endsWith('[]') ? `u.${c}::${type} AS ${c}` : `u.${c}`)).join(', ');
  return `(SELECT ${select} FROM unnest(${unnest}) AS u(${cols.map(([c]) => c).join(', ')})) AS x`;
};

/** How a column's values are written into its array literal. */
const enum Kind {
  /** Numbers, booleans, ISO times, UUIDs: no quoting needed. */
  Scalar,
  /** Quoted, `"` and `\\` escaped. */
  Text,
  /** A number array, as a quoted array literal (cast per row). */
  Numbers,
}

const KINDS = Object.fromEntries(
  (Object.keys(RECORD) as Table[]).map((t) => [
    t,
    COLUMN_TYPES[t].map(
      ([c, type]) => [c, type.endsWith('[]') ? Kind.Numbers : type === 'text' ? Kind.Text : Kind.Scalar] as const,
    ),
  ]),
) as Record<Table, (readonly [string, Kind])[]>;

/** One column of `rows` as a PostgreSQL array literal (a hot loop of the roll-up: plain concatenation). */
function literal(rows: readonly Record<string, unknown>[], column: string, kind: Kind): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) out += ',';
    const v = rows[i]![column];
    if (v === null || v === undefined) out += 'NULL';
    else if (kind === Kind.Numbers) out += `"{${(v as number[]).join(',')}}"`;
    else if (kind === Kind.Text) {
      const t = v as string;
      out += t.indexOf('"') === -1 && t.indexOf('\\') === -1 ? `"${t}"` : `"${t.replace(/[\\"]/g, '\\$&')}"`;
    } else out += String(v);
  }
  return `${out}}`;
}

/** The tables of a batch in the order of STORE_ARRAYS_SQL's parameters. */
export const STORE_TABLES = Object.keys(RECORD) as readonly Table[];

/** The array literals of one table's columns (its part of STORE_ARRAYS_SQL's parameters). */
export function tableLiterals(batch: Partial<StoreBatch>, table: Table): string[] {
  const rowsOf = (batch[table] ?? []) as unknown as Record<string, unknown>[];
  return KINDS[table].map(([c, kind]) => literal(rowsOf, c, kind));
}

/**
 * Array literals of the same column from several batches, as one literal holding their
 * elements in order (`{a,b}` and `{c}` make `{a,b,c}`): the element text is the same wherever
 * it appears, so no value is parsed or formatted again.
 */
export function concatLiterals(literals: readonly string[]): string {
  let out = '';
  for (const l of literals) {
    if (l.length <= 2) continue; // '{}'
    out += out === '' ? l.slice(1, -1) : `,${l.slice(1, -1)}`;
  }
  return `{${out}}`;
}

/** An insert of every row of `table` in the batch that is not stored yet. */
const insertNew = (src: (table: Table) => string, table: Table, key: string): string =>
  `INSERT INTO ${table} (${columns(table)}) SELECT ${columns(table)} FROM ${src(table)} ON CONFLICT (${key}) DO NOTHING RETURNING 1`;

const HISTOGRAM_COLUMNS = {
  duration: [
    'duration_count',
    'duration_sum_ms',
    'duration_min_ms',
    'duration_max_ms',
    'duration_bounds_ms',
    'duration_counts',
  ],
  size: ['size_count', 'size_sum_bytes', 'size_min_bytes', 'size_max_bytes', 'size_bounds_bytes', 'size_counts'],
};
/** Each histogram of a series is filled once, by the first copy that carries it. */
const fillOnce = (which: 'duration' | 'size'): string =>
  HISTOGRAM_COLUMNS[which]
    .map(
      (c) => `${c} = CASE WHEN endpoint_usage.${which}_count IS NULL THEN EXCLUDED.${c} ELSE endpoint_usage.${c} END`,
    )
    .join(', ');

/**
 * The one statement that stores a request: every table's rows from one JSON parameter
 * (`jsonb_to_recordset`), in data-modifying CTEs. One statement is atomic on its own, so the
 * request is stored entirely or not at all, and committed when the statement returns (the
 * collector answers 200 only then). Rows already stored are left alone (ON CONFLICT DO
 * NOTHING); the only updates are idempotent ones: first / last seen (LEAST / GREATEST), an
 * instance becoming identified, traits filled in, and the histogram columns of a series filled
 * by the first copy that carries them.
 *
 * Values only ever travel as the parameter: attribute strings holding SQL are data.
 */
const storeSql = (src: (table: Table) => string): string => `WITH
installations_added AS (
  INSERT INTO installations (${columns('installations')}) SELECT ${columns('installations')} FROM ${src('installations')}
  ON CONFLICT (installation_id) DO UPDATE SET first_seen = LEAST(installations.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(installations.last_seen, EXCLUDED.last_seen)
  WHERE installations.first_seen > EXCLUDED.first_seen OR installations.last_seen < EXCLUDED.last_seen
  RETURNING (xmax = 0) AS inserted
),
instances_added AS (
  INSERT INTO instances (${columns('instances')}) SELECT ${columns('instances')} FROM ${src('instances')}
  ON CONFLICT (instance_id) DO UPDATE SET
    installation_id = COALESCE(instances.installation_id, EXCLUDED.installation_id),
    identified = instances.identified OR EXCLUDED.identified,
    test_reason = CASE WHEN instances.identified OR EXCLUDED.identified THEN NULL ELSE COALESCE(EXCLUDED.test_reason, instances.test_reason) END,
    ci_name = COALESCE(instances.ci_name, EXCLUDED.ci_name),
    usage_version = COALESCE(instances.usage_version, EXCLUDED.usage_version),
    service_name = COALESCE(instances.service_name, EXCLUDED.service_name),
    service_version = COALESCE(instances.service_version, EXCLUDED.service_version),
    git_revision = COALESCE(instances.git_revision, EXCLUDED.git_revision),
    build_time = COALESCE(instances.build_time, EXCLUDED.build_time),
    deployment_environment = COALESCE(instances.deployment_environment, EXCLUDED.deployment_environment),
    os_type = COALESCE(instances.os_type, EXCLUDED.os_type),
    host_arch = COALESCE(instances.host_arch, EXCLUDED.host_arch),
    cpu_count = COALESCE(instances.cpu_count, EXCLUDED.cpu_count),
    runtime_name = COALESCE(instances.runtime_name, EXCLUDED.runtime_name),
    runtime_version = COALESCE(instances.runtime_version, EXCLUDED.runtime_version),
    first_seen = LEAST(instances.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(instances.last_seen, EXCLUDED.last_seen),
    last_received_at = now()
  RETURNING (xmax = 0) AS inserted
),
reports_added AS (${insertNew(src, 'reports', 'instance_id, period_start, period_end')}),
endpoint_usage_added AS (
  INSERT INTO endpoint_usage (${columns('endpoint_usage')}) SELECT ${columns('endpoint_usage')} FROM ${src('endpoint_usage')}
  ON CONFLICT (instance_id, endpoint, method, status_code, period_start, period_end) DO UPDATE SET ${fillOnce('duration')}, ${fillOnce('size')}
  WHERE (endpoint_usage.duration_count IS NULL AND EXCLUDED.duration_count IS NOT NULL) OR (endpoint_usage.size_count IS NULL AND EXCLUDED.size_count IS NOT NULL)
  RETURNING (xmax = 0) AS inserted
),
request_counts_added AS (${insertNew(src, 'request_counts', 'instance_id, method, period_start, period_end')}),
feature_usage_added AS (${insertNew(src, 'feature_usage', 'instance_id, source, feature, period_start, period_end')}),
user_activity_added AS (${insertNew(src, 'user_activity', 'instance_id, activity, user_hash, org_hash, overflow, period_start, period_end')}),
runtime_stats_added AS (${insertNew(src, 'runtime_stats', 'instance_id, metric, gc_kind, period_start, period_end')}),
keepalives_added AS (${insertNew(src, 'keepalives', 'instance_id, at')}),
privacy_drops_added AS (${insertNew(src, 'privacy_drops', 'instance_id, period_start, period_end, kind, attribute')}),
ignored_metrics_added AS (${insertNew(src, 'ignored_metrics', 'instance_id, period_start, period_end, metric')})
SELECT
  (SELECT count(*) FROM installations_added WHERE inserted)::int AS installations,
  (SELECT count(*) FROM instances_added WHERE inserted)::int AS instances,
  (SELECT count(*) FROM reports_added)::int AS reports,
  (SELECT count(*) FROM endpoint_usage_added WHERE inserted)::int AS endpoint_usage,
  (SELECT count(*) FROM request_counts_added)::int AS request_counts,
  (SELECT count(*) FROM feature_usage_added)::int AS feature_usage,
  (SELECT count(*) FROM user_activity_added)::int AS user_activity,
  (SELECT count(*) FROM runtime_stats_added)::int AS runtime_stats,
  (SELECT count(*) FROM keepalives_added)::int AS keepalives,
  (SELECT count(*) FROM privacy_drops_added)::int AS privacy_drops,
  (SELECT count(*) FROM ignored_metrics_added)::int AS ignored_metrics`;

export const STORE_SQL = storeSql(jsonRows);

/**
 * The same statement, with each column of each table as one array parameter (`unnest`) instead
 * of one JSON document: PostgreSQL parses arrays of scalars several times faster than a JSON
 * document of objects (1.1 ms of a 2.4 ms statement per report was jsonb parsing). Histogram
 * columns travel as text arrays of array literals (a row may have none), cast per row.
 */
export const STORE_ARRAYS_SQL = storeSql(arrayRows);

/** PostgreSQL error codes worth one more try: the statement did nothing, and is idempotent. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Stores the parameters of STORE_ARRAYS_SQL (one array literal per table column, in the order
 * of STORE_TABLES) inside a transaction the caller holds (the roll-up of landed reports: one
 * writer at a time, under its advisory lock, so no retry is needed).
 */
export async function storeParamsIn(session: DatabaseSession, params: readonly string[]): Promise<StoreCounts> {
  const result = await session.query<StoreCounts>(STORE_ARRAYS_SQL, params as string[]);
  return result.rows[0]!;
}

/**
 * Stores a batch in one statement, straight into the analytical tables (retried on a deadlock
 * or serialization failure). The collector lands reports instead (`landBatch()`) and rolls them
 * up in bulk; this is the direct path, for tools that load rows themselves.
 */
export async function storeBatch(db: Database, batch: StoreBatch): Promise<StoreCounts> {
  const param = JSON.stringify(batch);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.query<StoreCounts>(STORE_SQL, [param], 'tracepack_usage_store');
      return result.rows[0]!;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= 3 || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
    }
  }
}
