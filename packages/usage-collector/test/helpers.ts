// Reports as @tracepack/usage sends them, built by hand where a test needs exact control
// (times, duplicates, planted canaries), encoded with the collector's own OTLP types; posting
// them over real HTTP; reading every table back.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { otlpMetricsTypes, type Database } from '../src/index';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

type AttrValue = string | number | boolean;
type JsonKv = { key: string; value: Record<string, unknown> };

export function kv(attrs: Record<string, AttrValue>): JsonKv[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }));
}

export const DURATION_BOUNDS = [
  0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
];
export const SIZE_BOUNDS = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

export interface EndpointSpec {
  endpoint?: string;
  method?: string;
  status?: number;
  /** Response times; the count is their number. */
  durations: number[];
  bytes?: number;
  /** Extra attributes on the data points. */
  attributes?: Record<string, AttrValue>;
  overflow?: boolean;
}

export interface ReportSpec {
  instanceId?: string;
  /** Undefined: a test instance (warming_up); set: identified with these traits. */
  installationId?: string;
  serviceVersion?: string;
  /** Period, in ms since the epoch. */
  startMs: number;
  endMs: number;
  endpoints?: EndpointSpec[];
  features?: Record<string, number>;
  tracepackFeatures?: Record<string, number>;
  activities?: { name: string; user?: string; org?: string; count: number; attributes?: Record<string, AttrValue> }[];
  /** Extra resource attributes (may override the traits). */
  resource?: Record<string, AttrValue>;
  /** Metrics appended as they are (OTLP/JSON objects). */
  extraMetrics?: Record<string, unknown>[];
  heapUsed?: number;
}

const ns = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

function histogram(
  bounds: number[],
  values: number[],
): { count: string; sum: number; min: number; max: number; bucketCounts: string[]; explicitBounds: number[] } {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    counts[i]!++;
  }
  return {
    count: String(values.length),
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values),
    bucketCounts: counts.map(String),
    explicitBounds: bounds,
  };
}

/** One ResourceMetrics as OTLP/JSON (the shape @tracepack/usage's report has). */
export function resourceMetrics(spec: ReportSpec): Record<string, unknown> {
  const instanceId = spec.instanceId ?? randomUUID();
  const resource: Record<string, AttrValue> =
    spec.installationId === undefined
      ? {
          'service.instance.id': instanceId,
          'tracepack.usage.version': '0.1.0',
          'tracepack.usage.identified': false,
          'tracepack.usage.test_reason': 'warming_up',
        }
      : {
          'service.instance.id': instanceId,
          'tracepack.usage.version': '0.1.0',
          'tracepack.usage.identified': true,
          'tracepack.usage.installation.id': spec.installationId,
          'os.type': 'linux',
          'host.arch': 'amd64',
          'tracepack.usage.cpu.count': 2,
          'process.runtime.name': 'nodejs',
          'process.runtime.version': '24.22.3',
          'service.name': 'clients-service',
          'service.version': spec.serviceVersion ?? '1.4.2',
        };
  Object.assign(resource, spec.resource ?? {});
  const start = ns(spec.startMs);
  const end = ns(spec.endMs);
  const point = (attributes: Record<string, AttrValue>, rest: Record<string, unknown>): Record<string, unknown> => ({
    attributes: kv(attributes),
    startTimeUnixNano: start,
    timeUnixNano: end,
    ...rest,
  });
  const http: Record<string, unknown>[] = [];
  const eps = spec.endpoints ?? [];
  if (eps.length > 0) {
    const attrsOf = (e: EndpointSpec): Record<string, AttrValue> => ({
      ...(e.overflow ? { 'otel.metric.overflow': true } : { 'tracepack.usage.endpoint': e.endpoint ?? '/' }),
      'http.request.method': e.method ?? 'GET',
      'http.response.status_code': e.status ?? 200,
      ...(e.attributes ?? {}),
    });
    const byMethod = new Map<string, number>();
    for (const e of eps) byMethod.set(e.method ?? 'GET', (byMethod.get(e.method ?? 'GET') ?? 0) + e.durations.length);
    http.push(
      {
        name: 'tracepack.usage.http.requests',
        unit: '{request}',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: [...byMethod].map(([m, n]) => point({ 'http.request.method': m }, { asInt: String(n) })),
        },
      },
      {
        name: 'tracepack.usage.http.duration',
        unit: 'ms',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: eps.map((e) => point(attrsOf(e), histogram(DURATION_BOUNDS, e.durations))),
        },
      },
      {
        name: 'tracepack.usage.http.response.size',
        unit: 'By',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: eps.map((e) =>
            point(
              attrsOf(e),
              histogram(
                SIZE_BOUNDS,
                e.durations.map(() => e.bytes ?? 200),
              ),
            ),
          ),
        },
      },
    );
  }
  const sdk: Record<string, unknown>[] = [
    {
      name: 'tracepack.usage.process.memory.heap_used',
      unit: 'By',
      gauge: { dataPoints: [point({}, { asDouble: spec.heapUsed ?? 12_345_678 })] },
    },
    {
      name: 'tracepack.usage.nodejs.gc.rate',
      unit: '{collection}/s',
      gauge: { dataPoints: [point({ 'nodejs.gc.kind': 'minor' }, { asDouble: 3 })] },
    },
  ];
  if (spec.tracepackFeatures) {
    sdk.push({
      name: 'tracepack.usage.tracepack.features',
      unit: '1',
      gauge: {
        dataPoints: Object.entries(spec.tracepackFeatures).map(([f, n]) =>
          point({ 'tracepack.feature': f }, { asInt: String(n) }),
        ),
      },
    });
  }
  if (spec.features) {
    sdk.push({
      name: 'tracepack.usage.service.features',
      sum: {
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: Object.entries(spec.features).map(([f, n]) => point({ 'tracepack.feature': f }, { asDouble: n })),
      },
    });
  }
  if (spec.activities) {
    sdk.push({
      name: 'tracepack.usage.activity',
      sum: {
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: spec.activities.map((a) =>
          point(
            {
              'tracepack.activity': a.name,
              ...(a.user ? { 'enduser.id.sha256': a.user } : {}),
              ...(a.org ? { 'org.id.sha256': a.org } : {}),
              ...(a.attributes ?? {}),
            },
            { asDouble: a.count },
          ),
        ),
      },
    });
  }
  sdk.push(...(spec.extraMetrics ?? []));
  return {
    resource: { attributes: kv(resource) },
    scopeMetrics: [
      { scope: { name: '@tracepack/usage', version: '0.1.0' }, metrics: sdk },
      ...(http.length > 0 ? [{ scope: { name: '@tracepack/usage/http', version: '0.1.0' }, metrics: http }] : []),
    ],
  };
}

/** A keep-alive as @tracepack/usage sends it. */
export function keepAlive(instanceId: string, atMs: number): Record<string, unknown> {
  return {
    resource: { attributes: kv({ 'service.instance.id': instanceId }) },
    scopeMetrics: [
      {
        scope: { name: '@tracepack/usage' },
        metrics: [
          {
            name: 'tracepack.usage.keepalive',
            unit: '1',
            gauge: { dataPoints: [{ startTimeUnixNano: ns(atMs), timeUnixNano: ns(atMs), asInt: '1' }] },
          },
        ],
      },
    ],
  };
}

export function exportRequest(...resources: Record<string, unknown>[]): Record<string, unknown> {
  return { resourceMetrics: resources };
}

export type Wire = 'protobuf' | 'json';

export function encode(request: Record<string, unknown>, wire: Wire): Buffer {
  if (wire === 'json') return Buffer.from(JSON.stringify(request));
  const { request: type } = otlpMetricsTypes();
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The decoded ExportMetricsServiceResponse or google.rpc.Status. */
  decoded: Record<string, unknown>;
}

/** POSTs a body to the collector over real HTTP and decodes the answer by its content type. */
export async function post(
  url: string,
  body: Buffer | string,
  options: { contentType?: string; headers?: Record<string, string>; path?: string; method?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${url}${options.path ?? '/v1/metrics'}`, {
    method: options.method ?? 'POST',
    headers: { 'content-type': options.contentType ?? 'application/x-protobuf', ...(options.headers ?? {}) },
    ...(options.method === 'GET' ? {} : { body }),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  let decoded: Record<string, unknown> = {};
  if (type.includes('protobuf')) {
    const { response, status } = otlpMetricsTypes();
    const t = res.status === 200 ? response : status;
    decoded = t.toObject(t.decode(buf), { longs: Number, defaults: false }) as Record<string, unknown>;
  } else if (buf.length > 0) {
    decoded = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  }
  return { status: res.status, headers: res.headers, body: buf, decoded };
}

/** Sends an export request encoded as `wire`. */
export function send(
  url: string,
  request: Record<string, unknown>,
  wire: Wire = 'protobuf',
  headers: Record<string, string> = {},
): Promise<Answer> {
  return post(url, encode(request, wire), {
    contentType: wire === 'json' ? 'application/json' : 'application/x-protobuf',
    headers,
  });
}

/** Every table of the database (migrations' bookkeeping included), as text: what privacy tests search. */
export async function dumpTables(db: Database): Promise<Record<string, string>> {
  const { rows } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const out: Record<string, string> = {};
  for (const { table_name } of rows) {
    const data = await db.query(`SELECT * FROM "${table_name.replace(/"/g, '""')}"`);
    out[table_name] = JSON.stringify(data.rows);
  }
  return out;
}

export async function count(db: Database, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return rows[0]!.n;
}

/** A temp dir removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The `tracepack` command of the workspace. */
export const BIN = join(__dirname, '..', '..', '..', 'tracepack', 'bin', 'tracepack.js');

/** `tracepack usage serve` on a free port; resolves with its metrics URL once it listens. */
export function serve(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'usage', 'serve', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/\S+)\/v1\/metrics$/m.exec(out);
      if (m) resolve({ child, url: m[1]!, stderr: () => err });
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`tracepack usage serve exited (${code ?? signal}) before listening:\n${err}`)),
    );
  });
}
