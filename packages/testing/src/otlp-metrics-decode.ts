import type { DecodedAttributeValue } from './otlp-receiver';
import { decodeProtobufRequest } from './otlp-metrics-codec';

/** How a metric aggregates (OTLP's enum by name). */
export type DecodedTemporality = 'unspecified' | 'delta' | 'cumulative';
export type DecodedMetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'unknown';

export interface DecodedHistogram {
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  bounds: number[];
  counts: number[];
}

/** One data point, with the metric, scope and resource it belongs to. */
export interface DecodedMetricPoint {
  metric: string;
  unit: string;
  type: DecodedMetricType;
  /** Sums and histograms; undefined for gauges. */
  temporality: DecodedTemporality | undefined;
  monotonic: boolean | undefined;
  resource: Record<string, DecodedAttributeValue>;
  scope: { name: string; version: string };
  attributes: Record<string, DecodedAttributeValue>;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** Gauges and sums. */
  value: number | undefined;
  /** Histograms. */
  histogram: DecodedHistogram | undefined;
}

/** One export request, decoded. */
export interface DecodedMetricsReport {
  transport: 'http/protobuf' | 'http/json';
  /** The resource of each ResourceMetrics, in order. */
  resources: Record<string, DecodedAttributeValue>[];
  /** Names of the metrics, in order, including those without data points. */
  metricNames: string[];
  points: DecodedMetricPoint[];
  /** The body as received (uncompressed): what privacy tests search for planted canaries. */
  body: Buffer;
}

/** Decodes an OTLP/HTTP metrics body, protobuf or JSON. Throws on a malformed one. */
export function decodeMetricsRequest(body: Buffer, json: boolean): DecodedMetricsReport {
  let request: LooseRequest;
  if (json) {
    request = JSON.parse(body.toString('utf8')) as LooseRequest;
  } else {
    // The collector's decoder, then the same plain shape as OTLP/JSON.
    request = decodeProtobufRequest(body) as LooseRequest;
  }
  const report: DecodedMetricsReport = {
    transport: json ? 'http/json' : 'http/protobuf',
    resources: [],
    metricNames: [],
    points: [],
    body,
  };
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attributes(rm.resource?.attributes);
    report.resources.push(resource);
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = { name: sm.scope?.name ?? '', version: sm.scope?.version ?? '' };
      for (const m of sm.metrics ?? []) {
        report.metricNames.push(m.name ?? '');
        const base = { metric: m.name ?? '', unit: m.unit ?? '', resource, scope };
        if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? [])
            report.points.push({
              ...base,
              ...numberPoint(p),
              type: 'gauge',
              temporality: undefined,
              monotonic: undefined,
            });
        } else if (m.sum) {
          const temporality = temporalityOf(m.sum.aggregationTemporality);
          for (const p of m.sum.dataPoints ?? [])
            report.points.push({
              ...base,
              ...numberPoint(p),
              type: 'sum',
              temporality,
              monotonic: m.sum.isMonotonic === true,
            });
        } else if (m.histogram) {
          const temporality = temporalityOf(m.histogram.aggregationTemporality);
          for (const p of m.histogram.dataPoints ?? []) {
            report.points.push({
              ...base,
              type: 'histogram',
              temporality,
              monotonic: undefined,
              attributes: attributes(p.attributes),
              startTimeUnixNano: BigInt(p.startTimeUnixNano ?? 0),
              timeUnixNano: BigInt(p.timeUnixNano ?? 0),
              value: undefined,
              histogram: {
                count: Number(p.count ?? 0),
                sum: p.sum === undefined ? undefined : Number(p.sum),
                min: p.min === undefined ? undefined : Number(p.min),
                max: p.max === undefined ? undefined : Number(p.max),
                bounds: (p.explicitBounds ?? []).map(Number),
                counts: (p.bucketCounts ?? []).map(Number),
              },
            });
          }
        }
      }
    }
  }
  return report;
}

/** The data points of one metric (by name) in some reports. */
export function pointsOf(reports: readonly DecodedMetricsReport[], metric: string): DecodedMetricPoint[] {
  return reports.flatMap((r) => r.points.filter((p) => p.metric === metric));
}

// ---------------------------------------------------------------- loose OTLP shapes

type Num = number | string;
interface LooseRequest {
  resourceMetrics?: { resource?: { attributes?: LooseKeyValue[] }; scopeMetrics?: LooseScopeMetrics[] }[];
}
interface LooseScopeMetrics {
  scope?: { name?: string; version?: string };
  metrics?: LooseMetric[];
}
interface LooseMetric {
  name?: string;
  unit?: string;
  gauge?: { dataPoints?: LooseNumberPoint[] };
  sum?: { dataPoints?: LooseNumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: LooseHistogramPoint[]; aggregationTemporality?: number };
}
interface LooseNumberPoint {
  attributes?: LooseKeyValue[];
  startTimeUnixNano?: Num;
  timeUnixNano?: Num;
  asDouble?: Num;
  asInt?: Num;
}
interface LooseHistogramPoint {
  attributes?: LooseKeyValue[];
  startTimeUnixNano?: Num;
  timeUnixNano?: Num;
  count?: Num;
  sum?: Num;
  min?: Num;
  max?: Num;
  bucketCounts?: Num[];
  explicitBounds?: Num[];
}
interface LooseKeyValue {
  key: string;
  value?: Record<string, unknown>;
}

function numberPoint(
  p: LooseNumberPoint,
): Pick<DecodedMetricPoint, 'attributes' | 'startTimeUnixNano' | 'timeUnixNano' | 'value' | 'histogram'> {
  return {
    attributes: attributes(p.attributes),
    startTimeUnixNano: BigInt(p.startTimeUnixNano ?? 0),
    timeUnixNano: BigInt(p.timeUnixNano ?? 0),
    value: p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : undefined,
    histogram: undefined,
  };
}

function temporalityOf(t: number | string | undefined): DecodedTemporality {
  if (t === 1 || t === 'AGGREGATION_TEMPORALITY_DELTA') return 'delta';
  if (t === 2 || t === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 'cumulative';
  return 'unspecified';
}

function attributes(list: LooseKeyValue[] | undefined): Record<string, DecodedAttributeValue> {
  const out: Record<string, DecodedAttributeValue> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function anyValue(v: Record<string, unknown> | undefined): DecodedAttributeValue {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributes((v.kvlistValue as { values?: LooseKeyValue[] }).values);
  if ('bytesValue' in v)
    return typeof v.bytesValue === 'string' ? Buffer.from(v.bytesValue, 'base64') : (v.bytesValue as Uint8Array);
  return null;
}
