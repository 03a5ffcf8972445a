import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { DEFAULT_DATA_DIR, openDatabase, type Database } from '../database';
import { migrate } from '../migrations';
import { buildUsageReport, UsageReportOptionError } from './build';
import { renderUsageReportCsv } from './csv';
import { renderUsageReportHtml } from './html';
import { renderUsageReportMarkdown } from './markdown';
import { VersionRangeError } from './semver';

/** What the command needs of its surroundings (the `tracepack` CLI passes its own). */
export interface ReportCommandIo {
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
}

export const REPORT_USAGE = `usage: tracepack usage report [--since 30d] [--format md|csv|html] [--out FILE]
                              [--vulnerable RANGE ...] [--older-than VERSION] [--include-test]
                              [--endpoints "GET /a,POST /b" | --endpoints-file FILE]
                              [--database-url URL | --data-dir DIR]

  What the stored usage reports say: production installations over time (test and CI
  instances apart), versions deployed, features, endpoints (throughput, errors, p99 per
  version, rarely and never used), regressions between versions, what the privacy filter
  dropped.

  --since D            window back from now: 30d, 12h, 2w, or a date (2026-11-01); whole UTC days (default 30d)
  --format F           md (terminals and issues, the default), csv (spreadsheets: a section per
                       question) or html (one self-contained page with charts)
  --out FILE           write to FILE instead of stdout
  --vulnerable RANGE   versions flagged vulnerable, e.g. "<1.4.2" or ">=1.3.0 <1.4.2 || =1.5.0";
                       repeatable
  --older-than V       count installations on a version older than V (default: the newest deployed)
  --include-test       count test instances (CI, local, warming up) everywhere, each as an
                       installation of its own (default: apart, in the deployments over time only)
  --endpoints LIST     the service's endpoints ("GET /clients/:id", or a template for any method),
                       comma-separated: those nobody used are listed as never used
  --endpoints-file F   the same, one per line
  --database-url URL   the PostgreSQL the collector stores into (env DATABASE_URL); without one,
                       the embedded database in --data-dir
  --data-dir DIR       the embedded database's directory (env TRACEPACK_USAGE_DATA_DIR;
                       default ${DEFAULT_DATA_DIR}); a collector must not hold it at the same time
`;

const VALUE_FLAGS = new Set([
  'since',
  'format',
  'out',
  'vulnerable',
  'older-than',
  'endpoints',
  'endpoints-file',
  'database-url',
  'data-dir',
]);
/** Flags without a value. */
const SWITCHES = new Set(['include-test']);
const FORMATS = ['md', 'markdown', 'csv', 'html'];

class UsageError extends Error {}

/** `--flag value` and `--flag=value`; `--vulnerable` may repeat. */
export function parseReportArgs(argv: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || (!VALUE_FLAGS.has(m[1]!) && !SWITCHES.has(m[1]!))) {
      throw new UsageError(
        `unknown argument ${JSON.stringify(arg)}; allowed: ${[...VALUE_FLAGS, ...SWITCHES].map((f) => `--${f}`).join(', ')}`,
      );
    }
    if (SWITCHES.has(m[1]!)) {
      if (m[2] !== undefined) throw new UsageError(`--${m[1]} takes no value`);
      if (out.has(m[1]!)) throw new UsageError(`--${m[1]} is given twice`);
      out.set(m[1]!, ['true']);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2))
        throw new UsageError(`--${m[1]} needs a value`);
      i++;
    }
    const list = out.get(m[1]!) ?? [];
    if (list.length > 0 && m[1] !== 'vulnerable') throw new UsageError(`--${m[1]} is given twice`);
    list.push(value);
    out.set(m[1]!, list);
  }
  return out;
}

/**
 * `tracepack usage report`: opens the usage database (PostgreSQL or the embedded one; the
 * migrations are applied, the report's tables with them), builds the report and prints it, or
 * writes it to `--out`. Returns the exit code: 0, 1 when the database fails, 2 for a usage error.
 */
export async function reportCommand(argv: readonly string[], io: ReportCommandIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(REPORT_USAGE);
    return 0;
  }
  let flags: Map<string, string[]>;
  let endpoints: string[] = [];
  const one = (flag: string): string | undefined => flags.get(flag)?.[0];
  try {
    flags = parseReportArgs(argv);
    const format = one('format') ?? 'md';
    if (!FORMATS.includes(format))
      throw new UsageError(`--format expects md, csv or html, instead got ${JSON.stringify(format)}`);
    if (one('endpoints') !== undefined && one('endpoints-file') !== undefined)
      throw new UsageError('--endpoints and --endpoints-file: give one of them');
    if (one('endpoints') !== undefined) endpoints = one('endpoints')!.split(',');
    const file = one('endpoints-file');
    if (file !== undefined) {
      try {
        endpoints = readFileSync(file, 'utf8').split(/\r?\n/);
      } catch (err) {
        throw new UsageError(`--endpoints-file ${file}: ${(err as Error).message}`);
      }
    }
    endpoints = endpoints.map((e) => e.trim()).filter((e) => e !== '' && !e.startsWith('#'));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`tracepack usage report: ${err.message}\n\n${REPORT_USAGE}`);
    return 2;
  }

  const databaseUrl = one('database-url') ?? (io.env['DATABASE_URL'] || undefined);
  const dataDir = one('data-dir') ?? (io.env['TRACEPACK_USAGE_DATA_DIR'] || DEFAULT_DATA_DIR);
  let db: Database;
  try {
    db = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir });
  } catch (err) {
    io.err(`tracepack usage report: cannot open the usage database: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    await migrate(db);
    const report = await buildUsageReport(db, {
      since: one('since') ?? '30d',
      vulnerable: flags.get('vulnerable') ?? [],
      ...(one('older-than') !== undefined ? { olderThan: one('older-than')! } : {}),
      endpoints,
      includeTest: flags.has('include-test'),
    });
    const format = one('format') ?? 'md';
    const text =
      format === 'csv'
        ? renderUsageReportCsv(report)
        : format === 'html'
          ? await renderUsageReportHtml(report)
          : renderUsageReportMarkdown(report);
    const out = one('out');
    if (out === undefined) io.out(text);
    else {
      await writeFile(out, text);
      io.err(
        `tracepack usage report: wrote ${out} (${format === 'markdown' ? 'md' : format}, ${Math.max(1, Math.round(Buffer.byteLength(text) / 1024))} KiB): ${report.totals.installations} installations, ${report.window.firstDay} to ${report.window.lastDay}\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageReportOptionError || err instanceof VersionRangeError) {
      io.err(`tracepack usage report: ${err.message}\n`);
      return 2;
    }
    io.err(`tracepack usage report: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await db.close().catch(() => undefined);
  }
}
