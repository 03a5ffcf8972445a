import type { UsageReport } from './model';

type Value = string | number | boolean | undefined;

/** One field, RFC 4180: quoted when it holds a comma, a quote, CR or LF (quotes doubled). */
export function csvField(v: Value): string {
  if (v === undefined) return '';
  const s =
    typeof v === 'number'
      ? Number.isFinite(v)
        ? String(Number.isInteger(v) ? v : Number(v.toPrecision(12)))
        : ''
      : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function section(name: string, headers: string[], rows: Value[][]): string {
  return [[`# ${name}`], headers, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n');
}

/**
 * The report as CSV for spreadsheets: one section per question, each a `# name` line, a
 * header row and the rows, sections apart by an empty line; RFC 4180 quoting, CRLF line ends.
 * Numbers are plain (no thousands separators), shares and rates are fractions (0..1), times ms.
 */
export function renderUsageReportCsv(r: UsageReport): string {
  const sections = [
    section(
      'report',
      ['key', 'value'],
      [
        ['services', r.services.join(' ')],
        ['since', r.window.asked],
        ['first_day', r.window.firstDay],
        ['last_day', r.window.lastDay],
        ['days', r.window.days],
        ['made_at', r.window.until],
        ['include_test', r.includeTest ? 'true' : 'false'],
        ['installations', r.totals.installations],
        ['production_instances', r.totals.productionInstances],
        ['test_instances', r.totals.testInstances],
        ['responses', r.totals.responses],
        ['server_errors', r.totals.serverErrors],
      ],
    ),
    section(
      'deployments over time',
      ['day', 'installations', 'production_instances', 'test_ci', 'test_local', 'test_warming_up', 'test_other'],
      r.deployments.map((d) => [
        d.day,
        d.installations,
        d.productionInstances,
        d.ci,
        d.local,
        d.warmingUp,
        d.otherTest,
      ]),
    ),
    section(
      'test instances',
      ['reason', 'ci_name', 'instances'],
      r.testInstances.map((k) => [k.reason, k.ciName, k.instances]),
    ),
    section(
      'versions',
      ['version', 'installations', 'share', 'installations_ever', 'instances', 'older_than_reference', 'vulnerable'],
      r.versions.map((v) => [
        v.version,
        v.installations,
        v.share,
        v.installationsEver,
        v.instances,
        v.olderThanReference,
        v.vulnerable,
      ]),
    ),
    section(
      'version check',
      ['key', 'value'],
      [
        ['reference', r.versionCheck.reference],
        ['older_installations', r.versionCheck.olderInstallations],
        ['vulnerable_ranges', r.versionCheck.vulnerableRanges.join(' || ')],
        ['vulnerable_installations', r.versionCheck.vulnerableInstallations],
        ['vulnerable_versions', r.versionCheck.vulnerableVersions.join(' ')],
      ],
    ),
    section(
      'versions over time',
      ['day', 'version', 'installations'],
      r.versionsOverTime.map((v) => [v.day, v.version, v.installations]),
    ),
    section(
      'features',
      ['source', 'feature', 'installations', 'share', 'uses'],
      r.features.map((f) => [f.source, f.feature, f.installations, f.share, f.uses]),
    ),
    section(
      'endpoints',
      [
        'endpoint',
        'method',
        'responses',
        'share',
        'per_day',
        'per_second',
        'installations',
        'server_errors',
        'error_rate',
        'client_errors',
        'client_error_rate',
        'p50_ms',
        'p99_ms',
        'rarely_used',
      ],
      r.endpoints.map((e) => [
        e.endpoint,
        e.method,
        e.responses,
        e.share,
        e.perDay,
        e.perSecond,
        e.installations,
        e.serverErrors,
        e.errorRate,
        e.clientErrors,
        e.clientErrorRate,
        e.p50Ms,
        e.p99Ms,
        e.rare,
      ]),
    ),
    section(
      'unused endpoints',
      ['endpoint', 'method', 'last_used', 'source'],
      r.unusedEndpoints.map((u) => [u.endpoint, u.method, u.lastUsed, u.source]),
    ),
    section(
      'latency by version',
      ['endpoint', 'method', 'version', 'responses', 'server_errors', 'error_rate', 'p50_ms', 'p99_ms'],
      r.latencyByVersion.map((l) => [
        l.endpoint,
        l.method,
        l.version,
        l.responses,
        l.serverErrors,
        l.errorRate,
        l.p50Ms,
        l.p99Ms,
      ]),
    ),
    section(
      'regressions',
      [
        'endpoint',
        'method',
        'metric',
        'from_version',
        'to_version',
        'before',
        'after',
        'responses_before',
        'responses_after',
      ],
      r.regressions.map((g) => [
        g.endpoint,
        g.method,
        g.metric,
        g.fromVersion,
        g.toVersion,
        g.before,
        g.after,
        g.responsesBefore,
        g.responsesAfter,
      ]),
    ),
    section(
      'thresholds',
      ['key', 'value'],
      Object.entries(r.thresholds).map(([k, v]) => [k, v as number]),
    ),
    section(
      'runtimes',
      ['runtime', 'runtime_version', 'os', 'arch', 'installations'],
      r.runtimes.map((x) => [x.runtime, x.runtimeVersion, x.os, x.arch, x.installations]),
    ),
    section(
      'runtime lines',
      ['runtime', 'line', 'installations'],
      r.runtimeLines.map((x) => [x.runtime, x.line, x.installations]),
    ),
    section(
      'privacy drops',
      ['kind', 'attribute', 'dropped'],
      r.privacyDrops.map((d) => [d.kind, d.attribute, d.dropped]),
    ),
    section(
      'ignored metrics',
      ['metric', 'data_points'],
      r.ignoredMetrics.map((m) => [m.metric, m.dataPoints]),
    ),
  ];
  return `${sections.join('\r\n\r\n')}\r\n`;
}

/** Parses CSV text (RFC 4180) into rows of fields: for tests and for reading a report back. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
