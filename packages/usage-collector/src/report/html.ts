import {
  deploymentsSpec,
  errorRateSpec,
  p99Spec,
  renderChartSvg,
  versionsOverTimeSpec,
  versionsSpec,
  CHART_FONT,
} from './charts';
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
  TEST_REASON_NAMES,
  title,
  versionCheckLines,
  windowLine,
} from './format';
import type { UsageReport } from './model';

export interface HtmlOptions {
  /** Rows of the slowest-endpoints table shown before "all rows". @default 25 */
  top?: number;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

type Cell = string | number | { html: string } | undefined;

function td(c: Cell, numeric: boolean): string {
  const content = c === undefined ? '' : typeof c === 'object' ? c.html : escapeHtml(String(c));
  return numeric ? `<td class="num">${content}</td>` : `<td>${content}</td>`;
}

/** A table; `align` per column: 'l' or 'r' (numbers). */
function table(headers: string[], align: string, rows: Cell[][], className = ''): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  const head = headers.map((h, i) => `<th${align[i] === 'r' ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => td(c, align[i] === 'r')).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table${className ? ` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function tag(text: string, kind: 'bad' | 'warn' | 'muted' | 'ok'): { html: string } {
  return { html: `<span class="tag ${kind}">${escapeHtml(text)}</span>` };
}

function endpointCell(endpoint: string, method: string): { html: string } {
  return { html: `<span class="method">${escapeHtml(method)}</span> <code>${escapeHtml(endpoint)}</code>` };
}

function figure(svg: string, caption: string): string {
  return `<figure class="chart">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

const CSS = `
:root { color-scheme: light; --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; --accent: #2563eb; --bad: #dc2626; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 ${CHART_FONT}; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 28px 64px; }
header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
header p { margin: 0; color: var(--muted); }
nav { margin: 18px 0 8px; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(124px, 1fr)); gap: 10px; margin: 20px 0 8px; }
.card { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; }
.card.bad .value { color: var(--bad); }
section { background: white; border: 1px solid var(--line); border-radius: 12px; padding: 20px 22px; margin: 20px 0; }
section h2 { font-size: 18px; margin: 0 0 6px; }
section h3 { font-size: 15px; margin: 18px 0 6px; }
section > p, .note { color: #374151; margin: 6px 0 12px; }
.callout { border-left: 4px solid var(--accent); background: #eff6ff; padding: 8px 12px; border-radius: 4px; margin: 8px 0; }
.callout.bad { border-color: var(--bad); background: #fef2f2; }
figure.chart { margin: 12px 0 18px; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 2px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f3f4f6; font-weight: 600; position: sticky; top: 0; }
tbody tr:nth-child(even) td { background: #fafafa; }
td.num, th.num { text-align: right; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.method { display: inline-block; min-width: 52px; font: 600 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #4b5563; }
.tag { display: inline-block; padding: 0 7px; border-radius: 999px; font-size: 11.5px; font-weight: 600; }
.tag.bad { background: #fee2e2; color: var(--bad); }
.tag.warn { background: #fef3c7; color: var(--warn); }
.tag.muted { background: #f3f4f6; color: #4b5563; }
.tag.ok { background: #dbeafe; color: #1d4ed8; }
details { margin: 10px 0; }
summary { cursor: pointer; color: var(--accent); font-weight: 500; }
.none { color: var(--muted); font-style: italic; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
@media (max-width: 900px) { .two { grid-template-columns: 1fr; } }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 28px; }
`;

/**
 * The report as one self-contained HTML page: inline CSS, charts as inline SVG rendered in Node
 * by vega-lite (deployments over time, versions, p99 per endpoint and version, 5xx rates), the
 * tables of every section; no script, no request: it opens offline.
 */
export async function renderUsageReportHtml(r: UsageReport, options: HtmlOptions = {}): Promise<string> {
  const top = options.top ?? 25;
  const charts = {
    deployments: await renderChartSvg(deploymentsSpec(r)),
    versions: r.versions.length > 0 ? await renderChartSvg(versionsSpec(r)) : '',
    versionsOverTime: r.versionsOverTime.length > 0 ? await renderChartSvg(versionsOverTimeSpec(r)) : '',
    p99: r.latencyByVersion.length > 0 ? await renderChartSvg(p99Spec(r)) : '',
    errors: r.latencyByVersion.length > 0 ? await renderChartSvg(errorRateSpec(r)) : '',
  };
  const t = r.totals;
  const dropped = r.privacyDrops.reduce((n, d) => n + d.dropped, 0);
  const cards: [string, string, boolean][] = [
    [r.includeTest ? 'installations (test included)' : 'production installations', int(t.installations), false],
    [r.includeTest ? 'instances (test included)' : 'production instances', int(t.productionInstances), false],
    ['test instances', int(t.testInstances), false],
    ['responses', int(t.responses), false],
    ['5xx rate', pct(t.responses > 0 ? t.serverErrors / t.responses : 0), false],
    ...(r.versionCheck.vulnerableRanges.length > 0
      ? [
          [
            'on vulnerable versions',
            int(r.versionCheck.vulnerableInstallations),
            r.versionCheck.vulnerableInstallations > 0,
          ] as [string, string, boolean],
        ]
      : []),
    ['regressions', int(r.regressions.length), r.regressions.length > 0],
    ['privacy drops', int(dropped), false],
  ];
  const sections: string[] = [];

  const tests = r.testInstances.map(
    (k) => [TEST_REASON_NAMES[k.reason] ?? k.reason, k.ciName || '', int(k.instances)] as Cell[],
  );
  sections.push(`<section id="deployments"><h2>Deployments over time</h2>
<p>Production installations (deployments, as each service declares them) and their instances (process starts) running each day; test instances (CI, local runs, instances not up long enough to count yet) apart.</p>
${figure(charts.deployments, 'An instance counts on every UTC day from its first to its last report or keep-alive.')}
<div class="two"><div><h3>Test instances in the window</h3>${table(['kind', 'CI', 'instances'], 'llr', tests)}</div>
<div><h3>Services</h3>${r.services.length > 0 ? `<p>${r.services.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}</p>` : '<p class="none">No service name was reported.</p>'}</div></div>
<details><summary>Daily numbers</summary>${table(
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
  )}</details></section>`);

  const checks = versionCheckLines(r)
    .map(
      (l, i) =>
        `<p class="callout${i > 0 && r.versionCheck.vulnerableInstallations > 0 ? ' bad' : ''}">${escapeHtml(l)}</p>`,
    )
    .join('\n');
  sections.push(`<section id="versions"><h2>Versions</h2>
${checks}
${charts.versions ? figure(charts.versions, 'Each installation counts under the version of its latest instance. Red: in a flagged range; grey: older than the reference.') : ''}
${charts.versionsOverTime ? figure(charts.versionsOverTime, 'Installations running each version per day (an installation upgrading that day counts under both).') : ''}
${table(
  ['version', 'installations', 'share', 'ran it in the window', 'instances', ''],
  'lrrrrl',
  r.versions.map((v) => [
    { html: `<strong>${escapeHtml(v.version)}</strong>` },
    int(v.installations),
    pct(v.share),
    int(v.installationsEver),
    int(v.instances),
    {
      html: [
        v.vulnerable ? tag('vulnerable', 'bad').html : '',
        v.version === r.versionCheck.reference
          ? tag('reference', 'ok').html
          : v.olderThanReference
            ? tag('older', 'muted').html
            : '',
      ].join(' '),
    },
  ]),
)}</section>`);

  const featureTable = (source: 'tracepack' | 'service'): string => {
    const rows = r.features.filter((f) => f.source === source);
    return source === 'service'
      ? table(
          ['feature', 'installations', 'share', 'uses'],
          'lrrr',
          rows.map((f) => [
            { html: `<code>${escapeHtml(f.feature)}</code>` },
            int(f.installations),
            pct(f.share),
            int(f.uses),
          ]),
        )
      : table(
          ['feature', 'installations', 'share'],
          'lrr',
          rows.map((f) => [{ html: `<code>${escapeHtml(f.feature)}</code>` }, int(f.installations), pct(f.share)]),
        );
  };
  sections.push(`<section id="features"><h2>Features</h2>
<p>Production installations that reported each feature in the window (a count feature at 0, no captured headers say, is not counted).</p>
<div class="two"><div><h3>tracepack's features</h3>${featureTable('tracepack')}</div><div><h3>The service's features</h3>${featureTable('service')}</div></div></section>`);

  const rare = r.endpoints.filter((e) => e.rare);
  sections.push(`<section id="endpoints"><h2>Endpoints</h2>
<p>Throughput, errors and latency of production traffic, busiest first; ${escapeHtml(rareRule(r.thresholds))}.</p>
${table(
  ['endpoint', 'responses', 'share', 'per day', 'req/s', 'installations', '5xx rate', '4xx rate', 'p50 ms', 'p99 ms'],
  'lrrrrrrrrr',
  r.endpoints.map((e) => [
    { html: `${endpointCell(e.endpoint, e.method).html}${e.rare ? ` ${tag('rarely used', 'warn').html}` : ''}` },
    int(e.responses),
    pct(e.share),
    rate(e.perDay),
    rate(e.perSecond),
    int(e.installations),
    pct(e.errorRate),
    pct(e.clientErrorRate),
    ms(e.p50Ms),
    ms(e.p99Ms),
  ]),
)}
<h3>Rarely and never used</h3>
${table(['endpoint', 'installations', 'responses', 'last used'], 'lrrl', [
  ...rare.map(
    (e) => [endpointCell(e.endpoint, e.method), int(e.installations), int(e.responses), 'in the window'] as Cell[],
  ),
  ...r.unusedEndpoints.map(
    (u) =>
      [
        endpointCell(u.endpoint, u.method),
        '0',
        '0',
        {
          html: u.lastUsed
            ? escapeHtml(u.lastUsed)
            : tag(u.source === 'declared' ? 'never (declared)' : 'never', 'bad').html,
        },
      ] as Cell[],
  ),
])}</section>`);

  const latencyRows = r.latencyByVersion.map(
    (l) =>
      [
        endpointCell(l.endpoint, l.method),
        l.version,
        int(l.responses),
        ms(l.p50Ms),
        { html: `<strong>${ms(l.p99Ms)}</strong>` },
      ] as Cell[],
  );
  sections.push(`<section id="latency"><h2>Slowest endpoints by p99, per version</h2>
<p>p99 and p50 from the stored latency histograms (merged buckets, linear inside the bucket); outlined cells are regressions.</p>
${charts.p99 ? figure(charts.p99, 'Busiest endpoints (up to 20), one column per version; an empty cell: no responses in that version.') : ''}
${table(['endpoint', 'version', 'responses', 'p50 ms', 'p99 ms'], 'llrrr', latencyRows.slice(0, top))}
${latencyRows.length > top ? `<details><summary>All ${latencyRows.length} rows</summary>${table(['endpoint', 'version', 'responses', 'p50 ms', 'p99 ms'], 'llrrr', latencyRows.slice(top))}</details>` : ''}
</section>`);

  sections.push(`<section id="errors"><h2>Error rates</h2>
${charts.errors ? figure(charts.errors, 'Busiest endpoints (up to 20); outlined cells are error-rate regressions.') : ''}
${table(
  ['endpoint', 'responses', '5xx', '5xx rate', '4xx', '4xx rate'],
  'lrrrrr',
  byErrorRate(r).map((e) => [
    endpointCell(e.endpoint, e.method),
    int(e.responses),
    int(e.serverErrors),
    pct(e.errorRate),
    int(e.clientErrors),
    pct(e.clientErrorRate),
  ]),
)}</section>`);

  sections.push(`<section id="regressions"><h2>Regressions</h2>
<p>${escapeHtml(regressionRule(r.thresholds))}</p>
${
  r.regressions.length === 0
    ? '<p class="none">None found.</p>'
    : table(
        ['endpoint', 'what', 'from', 'to', 'before', 'after', 'responses before', 'responses after'],
        'llllrrrr',
        r.regressions.map((g) => {
          const c = regressionChange(g);
          return [
            endpointCell(g.endpoint, g.method),
            g.metric === 'p99' ? 'p99' : '5xx rate',
            g.fromVersion,
            g.toVersion,
            c.before,
            { html: `<strong class="bad">${escapeHtml(c.after)}</strong>` },
            int(g.responsesBefore),
            int(g.responsesAfter),
          ];
        }),
      )
}</section>`);

  sections.push(`<section id="runtimes"><h2>Runtimes</h2>
<p>The runtime, OS and architecture of each installation's latest instance.</p>
${r.runtimeLines.length > 0 ? `<p class="callout">${r.runtimeLines.map((l) => `${escapeHtml(l.runtime || '?')} <strong>${escapeHtml(l.line || '?')}</strong>: ${int(l.installations)}`).join(' · ')} installations</p>` : ''}
${table(
  ['runtime', 'version', 'os', 'arch', 'installations'],
  'llllr',
  r.runtimes.map((x) => [x.runtime || '-', x.runtimeVersion || '-', x.os || '-', x.arch || '-', int(x.installations)]),
)}</section>`);

  sections.push(`<section id="privacy"><h2>Privacy filter</h2>
<p>Values and endpoint segments that looked personal (e-mail addresses, tokens, IP addresses, long random strings) were dropped by the collector before storing: ${int(dropped)} in the window. Only the counts are kept.</p>
${table(
  ['kind', 'attribute', 'dropped'],
  'llr',
  r.privacyDrops.map((d) => [d.kind, { html: `<code>${escapeHtml(d.attribute)}</code>` }, int(d.dropped)]),
)}
${
  r.ignoredMetrics.length > 0
    ? `<h3>Unknown metrics, ignored</h3>${table(
        ['metric', 'data points'],
        'lr',
        r.ignoredMetrics.map((m) => [{ html: `<code>${escapeHtml(m.metric)}</code>` }, int(m.dataPoints)]),
      )}`
    : ''
}
</section>`);

  const nav = [
    ['deployments', 'Deployments'],
    ['versions', 'Versions'],
    ['features', 'Features'],
    ['endpoints', 'Endpoints'],
    ['latency', 'Latency'],
    ['errors', 'Error rates'],
    ['regressions', 'Regressions'],
    ['runtimes', 'Runtimes'],
    ['privacy', 'Privacy filter'],
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title(r))}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title(r))}</h1><p>${escapeHtml(windowLine(r))}</p>${r.includeTest ? `<p class="note">${escapeHtml(INCLUDE_TEST_NOTE)}</p>` : ''}</header>
<div class="cards">${cards.map(([label, value, bad]) => `<div class="card${bad ? ' bad' : ''}"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`).join('')}</div>
<nav>${nav.map(([id, name]) => `<a href="#${id}">${name}</a>`).join('')}</nav>
${sections.join('\n')}
<footer>Made by @tracepack/usage-collector from anonymous usage reports. ${r.includeTest ? 'Numbers count production and test instances (--include-test).' : 'Numbers count production instances only, unless said otherwise.'}</footer>
</main>
</body>
</html>
`;
}
