import type { Database, DatabaseSession } from '../database';

/** Rows of a query, typed by the caller. */
export type Sql = <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

function sqlOf(session: DatabaseSession): Sql {
  return async <R>(text: string, params: unknown[] = []) => (await session.query<R>(text, params)).rows;
}

/** Thrown inside a transaction to roll it back with a result. */
class RollBack<T> extends Error {
  constructor(readonly result: T) {
    super('rolled back on purpose');
  }
}

/**
 * Runs `fn` in a transaction of the usage database (`openDatabase()`): committed when it
 * resolves, or rolled back, its result kept, when `rollback` is set.
 */
export async function inTransaction<T>(db: Database, fn: (q: Sql) => Promise<T>, rollback = false): Promise<T> {
  try {
    return await db.transaction(async (session) => {
      const result = await fn(sqlOf(session));
      if (rollback) throw new RollBack(result);
      return result;
    });
  } catch (err) {
    if (err instanceof RollBack) return err.result as T;
    throw err;
  }
}

/** Numbers come back as numbers (PGlite), strings (pg's int8 and numeric) or null. */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : Number(v);
}

export function numOrUndefined(v: unknown): number | undefined {
  return v === null || v === undefined ? undefined : num(v);
}

export function numbers(v: unknown): number[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(num);
  // an array type without a parser: '{1,2,3}'
  const s = String(v).replace(/^\{|\}$/g, '');
  return s === '' ? [] : s.split(',').map(Number);
}
