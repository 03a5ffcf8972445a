import type * as Api from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';

let api: typeof Api | undefined;

/**
 * The global `diag`, loaded at the first report: @tracepack/config loads this package at every
 * start, tracing off included, and the OpenTelemetry API has no business loading then.
 */
function globalDiag(): DiagLogger {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  api ??= require('@opentelemetry/api') as typeof Api;
  return api.diag;
}

/** What a report line is built from. */
export interface ProblemLine {
  /** The problem's key, as given to `failure()`: `export`, `starting the server span`, ... */
  readonly problem: string;
  /** The caller's secret-free reason (`ECONNREFUSED`), else the error's class name, else ''. */
  readonly detail: string;
  /** Failures counted in the streak so far (the first line: the first failure's count). */
  readonly count: number;
}

/** The diag levels a report can use. */
export type ProblemLevel = 'error' | 'warn' | 'info';

export interface ProblemReporterOptions {
  /** Starts every line: `@tracepack/node: ...`. */
  packageName: string;
  /** Level of the line that opens a streak. @default 'warn' */
  level?: ProblemLevel;
  /** Level of the line that closes it. @default 'info' */
  recoveryLevel?: ProblemLevel;
  /** Where lines go; read at each report, so a logger set later is used. @default the global `diag` */
  logger?: () => DiagLogger;
  /** False: count only, never log (an exporter whose owner reports by itself). @default true */
  log?: boolean;
  /** The text after `<package>: ` of the line that opens a streak. @default {@link defaultStartLine} */
  startLine?: (line: ProblemLine) => string;
  /** The text after `<package>: ` of the line that closes it. @default {@link defaultRecoveryLine} */
  recoveryLine?: (line: ProblemLine) => string;
}

/**
 * `<problem> failed (<detail>); the application is not affected. Further occurrences are counted,
 * not logged.` Name problems as activities: `starting a statement span`.
 */
export function defaultStartLine(line: ProblemLine): string {
  const detail = line.detail ? ` (${line.detail})` : '';
  return `${line.problem} failed${detail}; the application is not affected. Further occurrences are counted, not logged.`;
}

/** `<problem> works again; <n> failure(s) were counted while it failed.` */
export function defaultRecoveryLine(line: ProblemLine): string {
  return `${line.problem} works again; ${line.count} failure(s) were counted while it failed.`;
}

/** What `failure()` may say about the failure. */
export interface FailureDetail {
  /** How many things failed at once (spans of a batch). @default 1 */
  count?: number;
  /** A secret-free reason for the line; when absent the error's class name is used. */
  detail?: string;
  /** The error: only its class name is ever read (messages can quote user data). */
  error?: unknown;
}

/**
 * The runtime problem reporter of every tracepack package. Tracing problems never reach the
 * application and never flood its log: the first failure of a streak is logged once through
 * `diag`, the streak's further failures are only counted, and when the work succeeds again
 * (`success()`) one line says so with the streak's count. Streaks are kept per problem key, so
 * two different problems are each reported once. Counts stay readable for stats.
 *
 * A key that never calls `success()` (an instrumentation's hook that threw) stays in its streak:
 * it is logged once and counted for the life of the process, as a bug in a hook is not an outage
 * that ends. Reporting itself never throws. Keys are a fixed set written in code (`export`,
 * `starting a statement span`), never built from data: they are kept, and they are logged.
 */
export class ProblemReporter {
  private readonly _options: ProblemReporterOptions;
  /** Failures of each key since the reporter was created. */
  private readonly _totals = new Map<string, number>();
  /** Failures of each key in its current streak; a key is present while it is failing. */
  private readonly _streaks = new Map<string, number>();
  private _total = 0;

  constructor(options: ProblemReporterOptions) {
    this._options = options;
  }

  /** Counts a failure of `problem`; logs it when it starts a streak. */
  failure(problem: string, detail: FailureDetail = {}): void {
    try {
      const count = detail.count ?? 1;
      this._total += count;
      this._totals.set(problem, (this._totals.get(problem) ?? 0) + count);
      const streak = this._streaks.get(problem);
      this._streaks.set(problem, (streak ?? 0) + count);
      if (streak !== undefined) return;
      const line: ProblemLine = { problem, detail: detail.detail ?? errorKind(detail.error), count };
      this._log(this._options.level ?? 'warn', (this._options.startLine ?? defaultStartLine)(line));
    } catch {
      // Reporting must never throw into the application either.
    }
  }

  /** Ends the streak of `problem` (logging the line with its count); nothing when it was not failing. */
  success(problem: string): void {
    if (this._streaks.size === 0) return; // the common case, on every successful export
    const count = this._streaks.get(problem);
    if (count === undefined) return;
    this._streaks.delete(problem);
    try {
      const line: ProblemLine = { problem, detail: '', count };
      this._log(this._options.recoveryLevel ?? 'info', (this._options.recoveryLine ?? defaultRecoveryLine)(line));
    } catch {
      // as above
    }
  }

  /** Failures counted since the reporter was created, all keys together. */
  get total(): number {
    return this._total;
  }

  /** Failures of each key since the reporter was created. */
  counts(): Record<string, number> {
    return Object.fromEntries(this._totals);
  }

  /** Whether `problem` is in a streak (failed, and has not succeeded since). */
  isFailing(problem: string): boolean {
    return this._streaks.has(problem);
  }

  /** Failures counted in the current streak of `problem` (0 when it is not failing). */
  streakCount(problem: string): number {
    return this._streaks.get(problem) ?? 0;
  }

  private _log(level: ProblemLevel, text: string): void {
    if (this._options.log === false) return;
    const logger = this._options.logger?.() ?? globalDiag();
    logger[level](`${this._options.packageName}: ${text}`);
  }
}

/** The class name of an error (`TypeError`), or the type of a thrown non-error; never a message. */
export function errorKind(error: unknown): string {
  if (error === undefined) return '';
  if (error instanceof Error) return /^[A-Za-z_$][\w$]{0,63}$/.test(error.name) ? error.name : 'Error';
  return error === null ? 'null' : typeof error;
}
