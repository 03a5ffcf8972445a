import {
  byErrorRate,
  INCLUDE_TEST_NOTE,
  int,
  ms,
  pct,
  rareRule,
  rate,
  regressionChange,
  regressionRule,
  summaryLine,
  TEST_REASON_NAMES,
  title,
  versionCheckLines,
  windowLine,
} from './format';
import type { UsageReport } from './model';

export interface MarkdownOptions {
  /** Rows of the slowest-endpoints and error-rate tables. @default 15 */
  top?: number;
}

function cell(v: string | number): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured table; `align` per column: 'l' or 'r'. */
function table(headers: string[], align: string, rows: (string | number)[][]): string {
  const sep = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows]
    .map((r) => `| ${r.map((c) => (r === sep ? c : cell(c ?? ''))).join(' | ')} |`)
    .join('\n');
}

/**
 * The report as markdown, for terminals and issues: a summary, then one section per question,
 * each a table.
 */
export function renderUsageReportMarkdown(r: UsageReport, options: MarkdownOptions = {}): string {
  const top = options.top ?? 15;
  const out: string[] = [];
  out.push(`# ${title(r)}`, '', windowLine(r), '', `**${summaryLine(r)}**`, '');
  if (r.includeTest) out.push(`> ${INCLUDE_TEST_NOTE}`, '');

  out.push('## Deployments over time', '');
  out.push(
    'Production installations and instances running each day; test instances (CI, local runs, instances not yet up long enough to count) apart.',
    '',
  );
  out.push(
    table(
      ['day', 'installations', 'instances', 'test: CI', 'local', 'warming up'],
      'lrrrrr',
      r.deployments.map((d) => [
        d.day,
        int(d.installations),
        int(d.productionInstances),
        int(d.ci),
        int(d.local),
        int(d.warmingUp + d.otherTest),
      ]),
    ),
    '',
  );
  if (r.testInstances.length > 0) {
    out.push(
      table(
        ['test instances', 'CI', 'instances'],
        'llr',
        r.testInstances.map((k) => [TEST_REASON_NAMES[k.reason] ?? k.reason, k.ciName || '-', int(k.instances)]),
      ),
      '',
    );
  }

  out.push('## Versions', '');
  out.push(...versionCheckLines(r).map((l) => `**${l}**`), '');
  out.push(
    table(
      ['version', 'installations', 'share', 'ran it in the window', 'instances', 'flags'],
      'lrrrrl',
      r.versions.map((v) => [
        v.version,
        int(v.installations),
        pct(v.share),
        int(v.installationsEver),
        int(v.instances),
        [
          v.vulnerable ? '**vulnerable**' : '',
          v.version === r.versionCheck.reference ? 'reference' : v.olderThanReference ? 'older' : '',
        ]
          .filter(Boolean)
          .join(', '),
      ]),
    ),
    '',
    'Installations count under the version of their latest instance.',
    '',
  );

  out.push('## Features', '');
  for (const source of ['tracepack', 'service'] as const) {
    const rows = r.features.filter((f) => f.source === source);
    if (rows.length === 0) continue;
    out.push(`### ${source === 'tracepack' ? "tracepack's features" : "The service's features (usage.feature())"}`, '');
    out.push(
      source === 'service'
        ? table(
            ['feature', 'installations', 'share', 'uses'],
            'lrrr',
            rows.map((f) => [f.feature, int(f.installations), pct(f.share), int(f.uses)]),
          )
        : table(
            ['feature', 'installations', 'share'],
            'lrr',
            rows.map((f) => [f.feature, int(f.installations), pct(f.share)]),
          ),
      '',
    );
  }
  if (r.features.length === 0) out.push('No feature was reported.', '');

  out.push('## Endpoints', '');
  out.push(`Throughput, errors and latency of production traffic, busiest first; ${rareRule(r.thresholds)}.`, '');
  out.push(
    table(
      [
        'endpoint',
        'method',
        'responses',
        'share',
        'per day',
        'req/s',
        'installations',
        '5xx rate',
        '4xx rate',
        'p50 ms',
        'p99 ms',
        'flags',
      ],
      'llrrrrrrrrrl',
      r.endpoints.map((e) => [
        e.endpoint,
        e.method,
        int(e.responses),
        pct(e.share),
        rate(e.perDay),
        rate(e.perSecond),
        int(e.installations),
        pct(e.errorRate),
        pct(e.clientErrorRate),
        ms(e.p50Ms),
        ms(e.p99Ms),
        e.rare ? 'rarely used' : '',
      ]),
    ),
    '',
  );
  const rare = r.endpoints.filter((e) => e.rare);
  out.push('### Rarely and never used', '');
  if (rare.length === 0 && r.unusedEndpoints.length === 0) out.push('None.', '');
  else
    out.push(
      table(['endpoint', 'method', 'installations', 'responses', 'last used'], 'llrrl', [
        ...rare.map((e) => [e.endpoint, e.method, int(e.installations), int(e.responses), 'in the window']),
        ...r.unusedEndpoints.map((u) => [
          u.endpoint,
          u.method,
          '0',
          '0',
          u.lastUsed ?? (u.source === 'declared' ? 'never (declared)' : 'never'),
        ]),
      ]),
      '',
    );

  out.push('## Slowest endpoints by p99, per version', '');
  out.push(
    table(
      ['endpoint', 'method', 'version', 'responses', 'p50 ms', 'p99 ms'],
      'lllrrr',
      r.latencyByVersion
        .slice(0, top)
        .map((l) => [l.endpoint, l.method, l.version, int(l.responses), ms(l.p50Ms), ms(l.p99Ms)]),
    ),
    '',
  );
  if (r.latencyByVersion.length > top)
    out.push(`${r.latencyByVersion.length - top} more in the csv and html reports.`, '');

  out.push('## Error rates', '');
  out.push(
    table(
      ['endpoint', 'method', 'responses', '5xx', '5xx rate', '4xx', '4xx rate'],
      'llrrrrr',
      byErrorRate(r)
        .slice(0, top)
        .map((e) => [
          e.endpoint,
          e.method,
          int(e.responses),
          int(e.serverErrors),
          pct(e.errorRate),
          int(e.clientErrors),
          pct(e.clientErrorRate),
        ]),
    ),
    '',
  );

  out.push('## Regressions', '', regressionRule(r.thresholds), '');
  if (r.regressions.length === 0) out.push('None found.', '');
  else
    out.push(
      table(
        ['endpoint', 'method', 'what', 'from', 'to', 'before', 'after', 'responses (before / after)'],
        'llllllrr',
        r.regressions.map((g) => {
          const c = regressionChange(g);
          return [
            g.endpoint,
            g.method,
            g.metric === 'p99' ? 'p99' : '5xx rate',
            g.fromVersion,
            g.toVersion,
            c.before,
            `**${c.after}**`,
            `${int(g.responsesBefore)} / ${int(g.responsesAfter)}`,
          ];
        }),
      ),
      '',
    );

  if (r.runtimes.length > 0) {
    out.push('## Runtimes', '');
    out.push(
      `**Lines: ${r.runtimeLines.map((l) => `${l.runtime || '?'} ${l.line || '?'} ${int(l.installations)}`).join(', ')} installations.**`,
      '',
    );
    out.push(
      table(
        ['runtime', 'version', 'os', 'arch', 'installations'],
        'llllr',
        r.runtimes.map((x) => [
          x.runtime || '-',
          x.runtimeVersion || '-',
          x.os || '-',
          x.arch || '-',
          int(x.installations),
        ]),
      ),
      '',
    );
  }

  out.push('## Privacy filter', '');
  const dropped = r.privacyDrops.reduce((n, d) => n + d.dropped, 0);
  out.push(
    `The collector dropped ${int(dropped)} value(s) or endpoint segment(s) that looked personal before storing them.`,
    '',
  );
  if (r.privacyDrops.length > 0)
    out.push(
      table(
        ['kind', 'attribute', 'dropped'],
        'llr',
        r.privacyDrops.map((d) => [d.kind, d.attribute, int(d.dropped)]),
      ),
      '',
    );
  if (r.ignoredMetrics.length > 0) {
    out.push('Unknown metrics, ignored:', '');
    out.push(
      table(
        ['metric', 'data points'],
        'lr',
        r.ignoredMetrics.map((m) => [m.metric, int(m.dataPoints)]),
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
