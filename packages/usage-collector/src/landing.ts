import type { Database, DatabaseSession } from './database';
import type { EndpointRow, InstanceRow, StoreBatch } from './internal-types';
import { concatLiterals, STORE_TABLES, storeParamsIn, tableLiterals, type StoreCounts, type Table } from './store';

/**
 * The landing table (`migrations/002_landing.sql`, `003_landing_columns.sql`): a request
 * appends one row, the rows it turns into (after the privacy filter), and commits before the
 * collector answers 200. The roll-up below moves many landed rows at once into the analytical
 * tables.
 *
 * A landed row carries its rows in the form the roll-up's statement takes them, so that
 * rolling up neither parses JSON nor formats a number again: `columns`, one array literal per
 * column of each table the statement only inserts into or fills once (`STORE_ARRAYS_SQL`'s
 * parameters; those of many landed rows are concatenated as text), and `batch`, the small JSON
 * of what must be merged across requests (installations and instances: one each per report)
 * with the endpoint series' periods (see `LandedSmall`). Rows landed by an older collector
 * (`columns` NULL, `batch` the whole StoreBatch as JSON) are converted when rolled up.
 */

/** Key of the advisory lock the landing roll-up takes: one roll-up at a time per database. */
export const LANDING_LOCK_KEY = 0x7472_6c64; // 'trld'

/** Landed rows merged and stored per roll-up transaction (bounds its memory and its lock time). */
export const DEFAULT_ROLLUP_BATCH = 200;

const LAND_SQL = 'INSERT INTO landed_reports (batch, columns) VALUES ($1, $2)';

/** The tables merged in Node across landed rows (an upsert may not touch one row twice in a statement). */
const MERGED = ['installations', 'instances'] as const satisfies readonly Table[];
/** The tables whose literals are landed and concatenated as they are, in STORE_ARRAYS_SQL's order. */
const CONCATENATED = STORE_TABLES.slice(MERGED.length);
if (MERGED.some((t, i) => STORE_TABLES[i] !== t)) throw new Error('STORE_ARRAYS_SQL must take the merged tables first');
/** Literals in a landed row's `columns`: one per column of the concatenated tables. */
const CONCATENATED_PARAMS = CONCATENATED.reduce((n, t) => n + tableLiterals({}, t).length, 0);

/**
 * The `batch` JSON of a landed row. `periods`: the (instance, period) of its endpoint series:
 * endpoint_usage is upserted (a series' second histogram fills in), so two landed rows sharing
 * one go into separate statements; every other concatenated table is insert-only (ON CONFLICT
 * DO NOTHING: a duplicate within a statement is skipped, the first copy wins as in turn).
 */
interface LandedSmall {
  installations: StoreBatch['installations'];
  instances: StoreBatch['instances'];
  periods: string[];
}

/** Whether a batch holds anything to store (a request of unknown metrics only still counts them). */
function isEmpty(batch: StoreBatch): boolean {
  for (const rows of Object.values(batch) as unknown[][]) if (rows.length > 0) return false;
  return true;
}

function periodsOf(batch: StoreBatch): string[] {
  const out = new Set<string>();
  for (const e of batch.endpoint_usage) out.add(`${e.instance_id}|${e.period_start}|${e.period_end}`);
  return [...out];
}

/** A batch as what a landed row carries: the small JSON part and the array literals. */
function landedParts(batch: StoreBatch): { small: LandedSmall; literals: string[] } {
  const literals: string[] = [];
  for (const table of CONCATENATED) literals.push(...tableLiterals(batch, table));
  return {
    small: { installations: batch.installations, instances: batch.instances, periods: periodsOf(batch) },
    literals,
  };
}

/** A batch as a landed row's two columns (`batch`, `columns`). */
export function landedColumns(batch: StoreBatch): [string, string] {
  const { small, literals } = landedParts(batch);
  return [JSON.stringify(small), joinLiterals(literals)];
}

/**
 * The literals of `columns`, each as its length, `:`, and itself: read back by slicing, with
 * nothing escaped or unescaped (as a JSON array, their many quotes made escaping and parsing
 * it cost more than anything else the roll-up did in Node).
 */
export function joinLiterals(literals: readonly string[]): string {
  let out = '';
  for (const l of literals) out += `${l.length}:${l}`;
  return out;
}

/** The literals of `columns` (`joinLiterals()`), or an error naming where they stop making sense. */
export function splitLiterals(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length;) {
    const colon = text.indexOf(':', at);
    const length = Number(text.slice(at, colon));
    if (colon === -1 || colon === at || !Number.isInteger(length) || colon + 1 + length > text.length)
      throw new Error(`@tracepack/usage-collector: a landed row's columns are malformed at ${at}`);
    out.push(text.slice(colon + 1, colon + 1 + length));
    at = colon + 1 + length;
  }
  return out;
}

/**
 * Lands a request's rows: one INSERT of one row, committed when it returns. Both columns are
 * text, not parsed by PostgreSQL here (the roll-up's statement parses the array literals),
 * which is what makes the request cheap.
 */
export async function landBatch(db: Database, batch: StoreBatch): Promise<void> {
  if (isEmpty(batch)) return;
  await db.query(LAND_SQL, landedColumns(batch), 'tracepack_usage_land');
}

export interface RollUpLandedOptions {
  /**
   * Wait for the roll-up another collector is running, then roll up what is left (a report
   * needs every acknowledged report in the tables); unset: return at once when another
   * collector holds the lock (a timer: that one is doing the work). @default false
   */
  wait?: boolean | undefined;
  /** Landed rows per transaction. @default 200 */
  batchSize?: number | undefined;
  /** Stops between two transactions when aborted (a collector closing). */
  signal?: AbortSignal | undefined;
}

export interface RollUpLandedResult {
  /** Landed rows (requests) rolled up. */
  landed: number;
  /** Rows the analytical tables gained (0 for a retry stored before). */
  stored: StoreCounts | undefined;
  /** False when another collector held the lock and `wait` was not set. */
  ran: boolean;
}

/**
 * Rolls every landed row into the analytical tables: per transaction, up to `batchSize` rows in
 * arrival order are merged into one batch (as the sequential statements would have left them:
 * the first copy of a row wins, first / last seen widen, an instance's traits fill in), stored
 * with the one statement of `store.ts` (same keys, so a report delivered twice, to two
 * collectors or twice in a row, is stored once), and deleted, all in one transaction: a roll-up
 * killed midway leaves its rows landed for the next. Only the holder of the advisory lock rolls
 * up, so collectors behind a load balancer keep no state and never write the same rows at once.
 */
export async function rollUpLanded(db: Database, options: RollUpLandedOptions = {}): Promise<RollUpLandedResult> {
  const batchSize = options.batchSize ?? DEFAULT_ROLLUP_BATCH;
  const out: RollUpLandedResult = { landed: 0, stored: undefined, ran: false };
  for (;;) {
    if (options.signal?.aborted) return out;
    const step = await db.transaction(async (s) => {
      if (options.wait) await s.query('SELECT pg_advisory_xact_lock($1)', [LANDING_LOCK_KEY]);
      else {
        const { rows: locked } = await s.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
          LANDING_LOCK_KEY,
        ]);
        if (locked[0]?.ok !== true) return undefined;
      }
      const { rows } = await s.query<LandedRow>('SELECT id, batch, columns FROM landed_reports ORDER BY id LIMIT $1', [
        batchSize,
      ]);
      if (rows.length === 0) return { landed: 0, stored: undefined };
      const stored = await storeLanded(s, rows);
      // The ids read, not a range: a request that took a smaller id may commit after the read.
      await s.query('DELETE FROM landed_reports WHERE id = ANY($1::bigint[])', [rows.map((r) => String(r.id))]);
      return { landed: rows.length, stored };
    });
    if (step === undefined) return out;
    out.ran = true;
    if (step.landed === 0) return out;
    out.landed += step.landed;
    out.stored = addCounts(out.stored, step.stored!);
    if (step.landed < batchSize || options.signal?.aborted) return out;
  }
}

/** A landed row as the roll-up reads it (`columns` NULL: landed before migration 003). */
export interface LandedRow {
  id: string | number;
  batch: string;
  columns: string | null;
}

/**
 * The parameters of the statements that store landed rows, in arrival order: as few
 * statements as keep every upserted key once per statement (one, unless two rows carry series
 * of one instance and period: a retry, or a series' two histograms sent apart), each fed the
 * rows' literals concatenated and their installations and instances merged. Run in turn, they
 * leave the tables as storing each request in turn would: within one, insert-only rows keep
 * the first copy (ON CONFLICT DO NOTHING, in the order given), and the upserted ones are merged
 * as in turn (`mergeBatches`). Pure: the bench times it as the roll-up's Node work.
 */
export function landedStatements(rows: readonly LandedRow[]): string[][] {
  const statements: string[][] = [];
  let smalls: LandedSmall[] = [];
  let literals: string[][] = [];
  let seen = new Set<string>();
  const flush = (): void => {
    if (smalls.length === 0) return;
    const merged = mergeBatches(smalls as unknown as StoreBatch[]);
    // The merged tables are STORE_ARRAYS_SQL's first parameters, the landed literals the rest.
    const params = MERGED.flatMap((table) => tableLiterals(merged, table));
    for (let c = 0; c < CONCATENATED_PARAMS; c++) params.push(concatLiterals(literals.map((l) => l[c]!)));
    statements.push(params);
    smalls = [];
    literals = [];
    seen = new Set();
  };
  for (const row of rows) {
    // columns NULL: landed by a collector of the previous version, the whole batch as JSON.
    const { small, literals: columns } =
      row.columns === null
        ? landedParts(JSON.parse(row.batch) as StoreBatch)
        : { small: JSON.parse(row.batch) as LandedSmall, literals: splitLiterals(row.columns) };
    if (columns.length !== CONCATENATED_PARAMS) {
      throw new Error(
        `@tracepack/usage-collector: landed row ${row.id} holds ${columns.length} column literals, not ${CONCATENATED_PARAMS}`,
      );
    }
    if (small.periods.some((p) => seen.has(p))) flush();
    for (const p of small.periods) seen.add(p);
    smalls.push(small);
    literals.push(columns);
  }
  flush();
  return statements;
}

async function storeLanded(s: DatabaseSession, rows: readonly LandedRow[]): Promise<StoreCounts> {
  let total: StoreCounts | undefined;
  for (const params of landedStatements(rows)) total = addCounts(total, await storeParamsIn(s, params));
  return total!;
}

function addCounts(a: StoreCounts | undefined, b: StoreCounts): StoreCounts {
  if (a === undefined) return { ...b };
  const sum = { ...a };
  for (const k of Object.keys(b) as (keyof StoreCounts)[]) sum[k] += b[k];
  return sum;
}

/** The key columns of each table (its primary key): rows with equal keys are one row. */
const KEYS: { [T in keyof StoreBatch]: readonly (keyof StoreBatch[T][number])[] } = {
  installations: ['installation_id'],
  instances: ['instance_id'],
  reports: ['instance_id', 'period_start', 'period_end'],
  endpoint_usage: ['instance_id', 'endpoint', 'method', 'status_code', 'period_start', 'period_end'],
  request_counts: ['instance_id', 'method', 'period_start', 'period_end'],
  feature_usage: ['instance_id', 'source', 'feature', 'period_start', 'period_end'],
  user_activity: ['instance_id', 'activity', 'user_hash', 'org_hash', 'overflow', 'period_start', 'period_end'],
  runtime_stats: ['instance_id', 'metric', 'gc_kind', 'period_start', 'period_end'],
  keepalives: ['instance_id', 'at'],
  privacy_drops: ['instance_id', 'period_start', 'period_end', 'kind', 'attribute'],
  ignored_metrics: ['instance_id', 'period_start', 'period_end', 'metric'],
};

const DURATION = [
  'duration_count',
  'duration_sum_ms',
  'duration_min_ms',
  'duration_max_ms',
  'duration_bounds_ms',
  'duration_counts',
] as const;
const SIZE = [
  'size_count',
  'size_sum_bytes',
  'size_min_bytes',
  'size_max_bytes',
  'size_bounds_bytes',
  'size_counts',
] as const;

/**
 * Several requests' batches as one, in arrival order, such that storing the result once leaves
 * the tables as storing each in turn would (`STORE_SQL`), and no key appears twice (an upsert
 * may not touch one row twice in a statement):
 * - insert-only tables: the first row of a key wins (ON CONFLICT DO NOTHING in turn);
 * - installations: the earliest first seen, the latest last seen;
 * - instances: identified once any says so, test reason the latest given (none once
 *   identified), every other trait the first given, first / last seen widened;
 * - endpoint_usage: the latency and the size histogram each from the first row carrying it.
 */
export function mergeBatches(batches: readonly StoreBatch[]): StoreBatch {
  if (batches.length === 1) return batches[0]!;
  const out = {} as Record<keyof StoreBatch, unknown[]>;
  for (const table of Object.keys(KEYS) as (keyof StoreBatch)[]) {
    const keys = KEYS[table] as readonly string[];
    const merged = new Map<string, Record<string, unknown>>();
    for (const batch of batches) {
      for (const row of (batch[table] ?? []) as unknown as Record<string, unknown>[]) {
        const key = keys.length === 1 ? String(row[keys[0]!]) : keys.map((k) => String(row[k])).join('\u0000');
        const first = merged.get(key);
        if (first === undefined)
          merged.set(
            key,
            table === 'endpoint_usage' || table === 'instances' || table === 'installations' ? { ...row } : row,
          );
        else if (table === 'installations') widen(first, row);
        else if (table === 'instances') mergeInstance(first as unknown as InstanceRow, row as unknown as InstanceRow);
        else if (table === 'endpoint_usage')
          fillHistograms(first as unknown as EndpointRow, row as unknown as EndpointRow);
      }
    }
    out[table] = [...merged.values()];
  }
  return out as unknown as StoreBatch;
}

/** ISO times of one width compare as the times do. */
function widen(into: Record<string, unknown>, row: Record<string, unknown>): void {
  if ((row['first_seen'] as string) < (into['first_seen'] as string)) into['first_seen'] = row['first_seen'];
  if ((row['last_seen'] as string) > (into['last_seen'] as string)) into['last_seen'] = row['last_seen'];
}

function mergeInstance(into: InstanceRow, row: InstanceRow): void {
  const target = into as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(row)) if (target[k] === null && v !== null) target[k] = v;
  into.identified = into.identified || row.identified;
  into.test_reason = into.identified ? null : (row.test_reason ?? into.test_reason);
  widen(target, row as unknown as Record<string, unknown>);
}

function fillHistograms(into: EndpointRow, row: EndpointRow): void {
  const target = into as unknown as Record<string, unknown>;
  const source = row as unknown as Record<string, unknown>;
  if (into.duration_count === null && row.duration_count !== null) for (const c of DURATION) target[c] = source[c];
  if (into.size_count === null && row.size_count !== null) for (const c of SIZE) target[c] = source[c];
}
