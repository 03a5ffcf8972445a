import { compareVersions } from './semver';
import type { UsageReport } from './model';

/** A Vega-Lite spec (kept loose: the JSON the library takes). */
export type VegaLiteSpec = Record<string, unknown>;

export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelColor: '#374151',
    titleColor: '#111827',
    gridColor: '#e5e7eb',
    domainColor: '#9ca3af',
    tickColor: '#9ca3af',
  },
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelColor: '#374151',
    titleColor: '#111827',
    orient: 'bottom',
    direction: 'horizontal',
    columns: 6,
    symbolType: 'square',
    labelLimit: 320,
  },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', color: '#111827', offset: 12 },
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDE = 940;

/** Production installations, their instances and test instances per day. */
export function deploymentsSpec(r: UsageReport): VegaLiteSpec {
  const series = ['production installations', 'production instances', 'test instances'];
  const values = r.deployments.flatMap((d) => [
    { day: d.day, series: series[0], n: d.installations },
    { day: d.day, series: series[1], n: d.productionInstances },
    { day: d.day, series: series[2], n: d.ci + d.local + d.warmingUp + d.otherTest },
  ]);
  return {
    $schema: SCHEMA,
    title: 'Deployments over time',
    width: WIDE,
    height: 240,
    data: { values },
    mark: { type: 'line', point: { size: 28 }, strokeWidth: 2, interpolate: 'monotone' },
    encoding: {
      x: {
        field: 'day',
        type: 'temporal',
        title: 'day (UTC)',
        timeUnit: 'utcyearmonthdate',
        axis: { format: '%b %d', labelAngle: 0, tickCount: 10 },
      },
      y: { field: 'n', type: 'quantitative', title: 'running that day' },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: series,
        scale: { domain: series, range: ['#2563eb', '#93c5fd', '#f59e0b'] },
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: series,
        scale: {
          domain: series,
          range: [
            [1, 0],
            [1, 0],
            [5, 3],
          ],
        },
      },
    },
    config: CONFIG,
  };
}

/** Installations per version and day, stacked (oldest version at the bottom). */
export function versionsOverTimeSpec(r: UsageReport): VegaLiteSpec {
  const versions = [...new Set(r.versionsOverTime.map((v) => v.version))].sort(compareVersions);
  return {
    $schema: SCHEMA,
    title: 'Installations by version over time',
    width: WIDE,
    height: 220,
    data: { values: r.versionsOverTime },
    mark: { type: 'area', interpolate: 'monotone', opacity: 0.9 },
    encoding: {
      x: {
        field: 'day',
        type: 'temporal',
        title: 'day (UTC)',
        timeUnit: 'utcyearmonthdate',
        axis: { format: '%b %d', labelAngle: 0, tickCount: 10 },
      },
      y: { field: 'installations', type: 'quantitative', stack: 'zero', title: 'installations' },
      color: {
        field: 'version',
        type: 'ordinal',
        title: 'version',
        sort: versions,
        scale: { domain: versions, scheme: 'viridis' },
      },
      order: { field: 'versionOrder', type: 'quantitative' },
    },
    transform: [{ calculate: `indexof(${JSON.stringify(versions)}, datum.version)`, as: 'versionOrder' }],
    config: CONFIG,
  };
}

/** Installations on each version now: vulnerable ones red, older than the reference grey. */
export function versionsSpec(r: UsageReport): VegaLiteSpec {
  const older = r.versionCheck.reference === undefined ? 'older' : `older than ${r.versionCheck.reference}`;
  const status = ['vulnerable', older, 'up to date'];
  const values = r.versions.map((v) => ({
    version: v.version,
    installations: v.installations,
    status: v.vulnerable ? 'vulnerable' : v.olderThanReference ? older : 'up to date',
    label: `${v.installations} (${(v.share * 100).toFixed(0)}%)`,
  }));
  const order = r.versions.map((v) => v.version);
  const y = { field: 'version', type: 'ordinal', sort: order, title: 'version', axis: { labelFontWeight: 600 } };
  return {
    $schema: SCHEMA,
    title: 'Installations per version (latest instance)',
    width: WIDE - 120,
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3 },
        encoding: {
          y,
          x: { field: 'installations', type: 'quantitative', title: 'installations' },
          color: {
            field: 'status',
            type: 'nominal',
            title: null,
            scale: { domain: status, range: ['#dc2626', '#9ca3af', '#2563eb'] },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 12, color: '#111827' },
        encoding: { y, x: { field: 'installations', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
    config: CONFIG,
  };
}

/** The endpoints the latency chart shows: the busiest real ones. */
function chartEndpoints(r: UsageReport, max: number): string[] {
  return r.endpoints
    .filter((e) => !e.endpoint.startsWith('('))
    .slice(0, max)
    .map((e) => `${e.method} ${e.endpoint}`);
}

/**
 * p99 per endpoint (rows) and version (columns), as a heat map: the value in each cell, the
 * colour its ratio to the endpoint's median p99 over the versions (blue faster, red slower), so
 * that a jump stands out whatever the endpoint's usual latency; regressions outlined.
 */
export function p99Spec(r: UsageReport, maxEndpoints = 20): VegaLiteSpec {
  const endpoints = chartEndpoints(r, maxEndpoints);
  const shown = new Set(endpoints);
  const regressed = new Set(
    r.regressions.filter((g) => g.metric === 'p99').map((g) => `${g.method} ${g.endpoint}\u0000${g.toVersion}`),
  );
  const cells = r.latencyByVersion.filter((l) => shown.has(`${l.method} ${l.endpoint}`) && l.p99Ms !== undefined);
  const medians = new Map<string, number>();
  for (const e of endpoints)
    medians.set(e, medianOf(cells.filter((l) => `${l.method} ${l.endpoint}` === e).map((l) => l.p99Ms!)));
  const values = cells.map((l) => {
    const endpoint = `${l.method} ${l.endpoint}`;
    const ratio = Math.min(8, Math.max(1 / 8, l.p99Ms! / Math.max(1e-6, medians.get(endpoint)!)));
    return {
      endpoint,
      version: l.version,
      ratio,
      label: l.p99Ms! < 10 ? l.p99Ms!.toFixed(1) : Math.round(l.p99Ms!).toLocaleString('en-US'),
      regression: regressed.has(`${endpoint}\u0000${l.version}`),
    };
  });
  const versions = [...new Set(values.map((v) => v.version))].sort(compareVersions);
  const { x, y, width, height } = versionEndpointGrid(versions, endpoints);
  return {
    $schema: SCHEMA,
    title: {
      text: 'p99 latency (ms) per endpoint and version',
      subtitle: "colour: the p99 against the endpoint's median p99 over the versions",
    },
    width,
    height,
    data: { values },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'ratio',
            type: 'quantitative',
            title: 'vs median',
            scale: {
              type: 'log',
              domain: [0.25, 1, 4],
              range: ['#2563eb', '#f3f4f6', '#dc2626'],
              interpolate: 'lab',
              clamp: true,
            },
            legend: {
              orient: 'right',
              direction: 'vertical',
              gradientLength: 140,
              values: [0.25, 0.5, 1, 2, 4],
              labelExpr: "datum.value < 1 ? '1/' + format(1 / datum.value, 'd') + 'x' : format(datum.value, 'd') + 'x'",
            },
          },
        },
      },
      {
        transform: [{ filter: 'datum.regression' }],
        mark: { type: 'rect', fill: null, stroke: '#111827', strokeWidth: 2.5 },
        encoding: { x, y },
      },
      {
        mark: { type: 'text', fontSize: 11, fontWeight: 500 },
        encoding: {
          x,
          y,
          text: { field: 'label' },
          color: { condition: { test: 'datum.ratio > 2.5 || datum.ratio < 0.4', value: 'white' }, value: '#111827' },
        },
      },
    ],
    config: CONFIG,
  };
}

/** The column of the error chart that holds every version together. */
const ALL_VERSIONS = 'all versions';

/**
 * 5xx rate per endpoint (rows) and version (columns, then all versions together), as a heat map
 * with the rate in each cell; error-rate regressions outlined.
 */
export function errorRateSpec(r: UsageReport, maxEndpoints = 20): VegaLiteSpec {
  const endpoints = chartEndpoints(r, maxEndpoints);
  const shown = new Set(endpoints);
  const regressed = new Set(
    r.regressions.filter((g) => g.metric === 'error_rate').map((g) => `${g.method} ${g.endpoint}\u0000${g.toVersion}`),
  );
  const label = (rate: number): string => (rate === 0 ? '0' : `${(rate * 100).toFixed(rate < 0.1 ? 2 : 1)}%`);
  const values = [
    ...r.latencyByVersion
      .filter((l) => shown.has(`${l.method} ${l.endpoint}`))
      .map((l) => ({
        endpoint: `${l.method} ${l.endpoint}`,
        version: l.version,
        rate: l.errorRate,
        label: label(l.errorRate),
        regression: regressed.has(`${l.method} ${l.endpoint}\u0000${l.version}`),
      })),
    ...r.endpoints
      .filter((e) => shown.has(`${e.method} ${e.endpoint}`))
      .map((e) => ({
        endpoint: `${e.method} ${e.endpoint}`,
        version: ALL_VERSIONS,
        rate: e.errorRate,
        label: label(e.errorRate),
        regression: false,
      })),
  ];
  const versions = [
    ...[...new Set(values.map((v) => v.version))].filter((v) => v !== ALL_VERSIONS).sort(compareVersions),
    ALL_VERSIONS,
  ];
  const max = Math.max(0.02, ...values.map((v) => v.rate));
  const { x, y, width, height } = versionEndpointGrid(versions, endpoints);
  return {
    $schema: SCHEMA,
    title: {
      text: '5xx rate per endpoint and version',
      subtitle: '5xx responses / responses; the last column: every version together',
    },
    width,
    height,
    data: { values },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'rate',
            type: 'quantitative',
            title: '5xx rate',
            scale: { type: 'sqrt', domain: [0, max], range: ['#f8fafc', '#b91c1c'], interpolate: 'lab' },
            legend: { orient: 'right', direction: 'vertical', gradientLength: 140, format: '.1%' },
          },
        },
      },
      {
        transform: [{ filter: 'datum.regression' }],
        mark: { type: 'rect', fill: null, stroke: '#111827', strokeWidth: 2.5 },
        encoding: { x, y },
      },
      {
        mark: { type: 'text', fontSize: 11, fontWeight: 500 },
        encoding: {
          x,
          y,
          text: { field: 'label' },
          color: { condition: { test: `datum.rate > ${max * 0.45}`, value: 'white' }, value: '#111827' },
        },
      },
    ],
    config: CONFIG,
  };
}

function medianOf(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface VegaModules {
  vega: typeof import('vega', { with: { 'resolution-mode': 'import' } });
  vegaLite: typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });
}

let modules: Promise<VegaModules> | undefined;

/** vega and vega-lite are ESM only: loaded once, on the first chart. */
function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return modules;
}

/** Renders a Vega-Lite spec to an SVG string in Node (no browser, no canvas, no network). */
export async function renderChartSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The grid of the two heat maps: versions across the top, endpoints down the side, one cell each. */
function versionEndpointGrid(versions: string[], endpoints: string[]) {
  return {
    x: {
      field: 'version',
      type: 'ordinal',
      sort: versions,
      title: 'version',
      axis: { orient: 'top', labelAngle: 0, labelFontWeight: 600, domain: false, ticks: false },
    },
    y: {
      field: 'endpoint',
      type: 'nominal',
      sort: endpoints,
      title: null,
      axis: { labelLimit: 320, domain: false, ticks: false },
    },
    width: { step: Math.max(64, Math.min(110, Math.floor((WIDE - 420) / Math.max(1, versions.length)))) },
    height: { step: 26 },
  };
}
