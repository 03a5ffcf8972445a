import type { Database } from './database';
import type { RollUpLandedResult } from './landing';

/** Options of `startUsageCollector()`. Code beats the environment, which beats the default. */
export interface UsageCollectorOptions {
  /** TCP port of the OTLP/HTTP endpoint; 0 picks a free one. @default 4318 (OTLP/HTTP's port) */
  port?: number;
  /** Address to listen on; `0.0.0.0` or `::` to take reports from other machines. @default '127.0.0.1' */
  host?: string;
  /**
   * PostgreSQL URL (`postgresql://user:password@host:5432/db`) of the analytics database.
   * Unset: `DATABASE_URL`, else the embedded PGlite in `dataDir`.
   * @default env DATABASE_URL
   */
  databaseUrl?: string;
  /** Directory of the embedded database (used when no PostgreSQL URL is set). @default env TRACEPACK_USAGE_DATA_DIR, else './.tracepack-usage' */
  dataDir?: string;
  /**
   * Key the reports must carry (`x-api-key: KEY` as @tracepack/usage sends it, or
   * `Authorization: Bearer KEY`); several for a rotation. Unset: none asked.
   * @default env TRACEPACK_USAGE_API_KEY (comma-separated for several)
   */
  apiKey?: string | readonly string[];
  /** Largest request body taken, in bytes, compressed or not (413 above). @default 4194304 (4 MiB) */
  bodyLimit?: number;
  /** Connections to PostgreSQL (per collector). @default 10 */
  poolSize?: number;
  /**
   * Milliseconds between roll-ups of landed reports into the analytical tables (see
   * `rollUpLanded()`); each collector tries, the one holding the lock does it. 0: no timer (a
   * report, `collector.rollUp()` or another collector rolls up). @default 1000
   */
  rollupIntervalMs?: number;
  /** Variables read for unset options. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the start line and database trouble go (one line per streak). @default stderr, prefixed `@tracepack/usage-collector: ` */
  logger?: (line: string) => void;
}

/** A running collector. */
export interface UsageCollector {
  /** Base URL (`http://127.0.0.1:4318`): what `sqa.endpoint` or an `otlphttp` exporter's `endpoint` is set to. */
  readonly url: string;
  /** The OTLP/HTTP metrics URL: `${url}/v1/metrics`. */
  readonly metricsUrl: string;
  readonly port: number;
  /** The database it stores into (for tests and tools; the collector closes it). */
  readonly database: Database;
  /**
   * Rolls every landed report into the analytical tables now, waiting for a roll-up another
   * collector runs (what a test or a tool calls before reading the tables).
   */
  rollUp(): Promise<RollUpLandedResult>;
  /** Stops taking requests, waits for those in flight and a running roll-up, rolls up what landed, closes the database. Idempotent. */
  close(): Promise<void>;
}
