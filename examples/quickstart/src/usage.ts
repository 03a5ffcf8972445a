import {
  buildUsageReport,
  renderUsageReportMarkdown,
  startUsageCollector,
  type UsageCollector,
} from '@tracepack/usage-collector';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapWords } from './output';

/**
 * How often clients-service reports during the tour: short, so that a report is stored a few
 * seconds after the tour (a service's default is 15m).
 */
export const TOUR_REPORT_INTERVAL = '2s';

export interface TourCollector {
  collector: UsageCollector;
  /** The variables that point clients-service's reporter at the collector. */
  serviceEnv: NodeJS.ProcessEnv;
  /** Responses (tour steps) stored so far, whatever the instance. */
  storedResponses(): Promise<number>;
  /** The endpoints the tour's instance reported (a test instance), as a markdown table. */
  tourTrafficMarkdown(): Promise<string>;
  /** The report of everything stored, as `tracepack usage report --format md` prints it. */
  reportMarkdown(): Promise<string>;
  /** Closes the collector and removes its data directory. Idempotent. */
  close(): Promise<void>;
}

export interface StartTourCollectorOptions {
  /** The collector's start and failure lines. @default dropped */
  log?: (line: string) => void;
  /** Port; 0: a free one. @default 0 */
  port?: number;
}

/**
 * Starts `tracepack usage serve` in this process, on a free loopback port, with the embedded
 * database in a fresh temporary directory (removed by close()). The developer's DATABASE_URL
 * and TRACEPACK_USAGE_* variables are not read: the tour's statistics stay apart from any.
 */
export async function startTourCollector(options: StartTourCollectorOptions = {}): Promise<TourCollector> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tracepack-quickstart-usage-'));
  let collector: UsageCollector;
  try {
    collector = await startUsageCollector({
      port: options.port ?? 0,
      host: '127.0.0.1',
      dataDir,
      apiKey: [],
      env: {},
      logger: options.log ?? (() => {}),
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    collector,
    serviceEnv: { SQA_ENDPOINT: collector.url, SQA_REPORT_INTERVAL: TOUR_REPORT_INTERVAL },
    async storedResponses() {
      // Reports are acknowledged once landed and rolled up into the tables within a second; the
      // tour reads the tables at once, so it rolls up what has landed first.
      await collector.rollUp();
      const { rows } = await collector.database.query<{ n: string | number | null }>(
        'SELECT coalesce(sum(greatest(coalesce(size_count, 0), coalesce(duration_count, 0))), 0) AS n FROM endpoint_usage',
      );
      return Number(rows[0]?.n ?? 0);
    },
    async tourTrafficMarkdown() {
      await collector.rollUp();
      // The tour's instance is a test instance (a local run): the report counts it apart, and
      // its endpoint tables hold production traffic only. What it stored, straight from the table:
      const { rows } = await collector.database.query<{
        endpoint: string;
        method: string;
        status_code: number;
        responses: string | number;
      }>(
        `SELECT endpoint, method, status_code, sum(greatest(coalesce(size_count, 0), coalesce(duration_count, 0))) AS responses
           FROM endpoint_usage GROUP BY endpoint, method, status_code ORDER BY min(period_start), endpoint, method, status_code`,
      );
      if (rows.length === 0) return 'No request of the tour was stored.';
      const table = rows.map(
        (r) => `| ${r.method} ${r.endpoint || '(overflow)'} | ${r.status_code} | ${Number(r.responses)} |`,
      );
      return ['| endpoint | status | responses |', '| --- | ---: | ---: |', ...table].join('\n');
    },
    async reportMarkdown() {
      const report = await buildUsageReport(collector.database, { since: '1d' });
      return renderUsageReportMarkdown(report);
    },
    close: () =>
      (closing ??= (async () => {
        await collector.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** Resolves true once `count()` reaches `atLeast`; false after `timeoutMs`. */
export async function waitForCount(count: () => Promise<number>, atLeast: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await count().catch(() => 0)) >= atLeast) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The cells of a markdown table row (`| a | b |`), `\|` kept inside a cell. */
function cellsOf(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/**
 * The markdown report, fitted to `width` columns for a terminal: paragraphs wrapped (still the
 * same markdown), tables padded into aligned columns, and a table too wide even then written as
 * a list, one item per row (`- **POST /clients** responses 2, share 40%, ...`).
 */
export function fitToWidth(markdown: string, width: number): string[] {
  const lines = markdown.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('|')) {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) block.push(lines[i++]!);
      i--;
      out.push(...fitTable(block, width));
    } else if ([...line].length > width) {
      const indent = /^(\s*(?:[-*] |\d+\. )?)/.exec(line)![1]!.replace(/\S/g, ' ');
      out.push(...wrapWords(line, width, indent));
    } else {
      out.push(line);
    }
  }
  return out;
}

function fitTable(block: string[], width: number): string[] {
  const [head, sep, ...body] = block.map(cellsOf);
  if (!head || !sep) return block;
  const right = sep.map((c) => c.endsWith(':'));
  const widths = head.map((_, c) => Math.max(3, ...[head, ...body].map((r) => [...(r[c] ?? '')].length)));
  const row = (cells: string[]): string =>
    `| ${cells.map((v, c) => (right[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join(' | ')} |`;
  const aligned = [
    row(head),
    `| ${widths.map((w, c) => (right[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`,
    ...body.map(row),
  ];
  if (aligned.every((l) => [...l].length <= width)) return aligned;
  if (body.length === 0) return wrapWords(`(no rows: ${head.join(', ')})`, width, '  ');
  // Too wide: a list. The first cell (two when the second is short, as `POST` is) names the row.
  const named = head.length > 2 && body.every((r) => (r[1] ?? '').length <= 8) ? 2 : 1;
  return body.flatMap((r) => {
    const name = r.slice(0, named).join(' ');
    const rest = r.slice(named).map((v, k) => `${head[named + k]} ${v === '' ? '-' : v}`);
    return wrapWords(`- **${name}** ${rest.join(', ')}`, width, '  ');
  });
}
