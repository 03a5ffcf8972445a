/**
 * A month of usage reports from a fleet of service deployments, as @tracepack/usage sends them:
 * OTLP metric export requests (the resource, scopes, metric names, units, types, temporality and
 * attributes of packages/usage/src/reporter.ts, request-aggregator.ts, features.ts,
 * runtime-stats.ts and identity.ts), one per report period of each instance, plus keep-alives.
 *
 * The fleet: a few hundred installations (one to three replicas each) arriving over the month,
 * some leaving, upgrading through the releases as they come out (some never), restarting now and
 * then; CI runs, local runs and instances that die while warming up; a few installations only
 * before the window. Planted: a p99 regression (GET /clients/:id in 1.5.0), an error-rate
 * regression (POST /clients in 1.4.0, fixed in 1.4.1), a vulnerable version (1.4.1), a rarely
 * used endpoint (GET /admin/export), an endpoint only used before the window (GET /v1/clients),
 * hashed paths, an overflow series, privacy canaries (e-mail addresses, IP addresses, tokens,
 * JWTs) and retries and duplicates of reports, also to a second collector and inside one batch.
 *
 * Everything is drawn from a seeded generator: the same seed and `now` give the same fleet.
 * Besides the requests, it keeps its own records (instances, reports with every latency sample)
 * from which a test computes what a report must say, without SQL.
 */
import { createHash } from 'node:crypto';

// ------------------------------------------------------------------ the fleet's shape

export const SERVICE_NAME = 'clients-service';
/** The @tracepack/usage version the fleet reports with (`tracepack.usage.version`). */
export const USAGE_VERSION = '0.1.0';
/** Bucket bounds of @tracepack/usage (request-aggregator.ts). */
export const DURATION_BOUNDS_MS = [
  0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
];
export const SIZE_BOUNDS_BYTES = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

/** Releases, by the day (0 = first day of the month) they come out. */
export const RELEASES: readonly { version: string; day: number }[] = [
  { version: '1.1.0', day: -90 },
  { version: '1.2.0', day: -60 },
  { version: '1.3.0', day: -35 },
  { version: '1.3.1', day: -15 },
  { version: '1.4.0', day: 3 },
  { version: '1.4.1', day: 9 },
  { version: '1.5.0', day: 17 },
];

/** The planted vulnerable version, and a range that flags it (and 1.4.0 with it). */
export const VULNERABLE_VERSION = '1.4.1';
export const VULNERABLE_RANGE = '>=1.4.0 <1.4.2';
export const VULNERABLE_VERSIONS: readonly string[] = ['1.4.0', '1.4.1'];

export const PLANTED_REGRESSIONS: readonly {
  endpoint: string;
  method: string;
  metric: 'p99' | 'error_rate';
  fromVersion: string;
  toVersion: string;
}[] = [
  { endpoint: '/clients', method: 'POST', metric: 'error_rate', fromVersion: '1.3.1', toVersion: '1.4.0' },
  { endpoint: '/clients/:id', method: 'GET', metric: 'p99', fromVersion: '1.4.1', toVersion: '1.5.0' },
];

interface EndpointModel {
  method: string;
  template: string;
  /** Requests per instance and day, for an installation of size 1. */
  perDay: number;
  /** Latency: median ms and log-normal sigma. */
  medianMs: number;
  sigma: number;
  okStatus: number;
  /** Client error statuses and their rates. */
  clientErrors: [number, number][];
  /** 5xx rate. */
  serverErrorRate: number;
  bytes: number;
}

export const ENDPOINTS: readonly EndpointModel[] = [
  {
    method: 'GET',
    template: '/clients/:id',
    perDay: 60,
    medianMs: 9,
    sigma: 0.45,
    okStatus: 200,
    clientErrors: [[404, 0.03]],
    serverErrorRate: 0.002,
    bytes: 700,
  },
  {
    method: 'GET',
    template: '/clients',
    perDay: 30,
    medianMs: 22,
    sigma: 0.4,
    okStatus: 200,
    clientErrors: [],
    serverErrorRate: 0.003,
    bytes: 9000,
  },
  {
    method: 'POST',
    template: '/clients',
    perDay: 14,
    medianMs: 70,
    sigma: 0.3,
    okStatus: 201,
    clientErrors: [
      [409, 0.02],
      [400, 0.01],
    ],
    serverErrorRate: 0.004,
    bytes: 400,
  },
  {
    method: 'PUT',
    template: '/clients/:id',
    perDay: 6,
    medianMs: 14,
    sigma: 0.4,
    okStatus: 200,
    clientErrors: [[404, 0.02]],
    serverErrorRate: 0.003,
    bytes: 500,
  },
  {
    method: 'DELETE',
    template: '/clients/:id',
    perDay: 3,
    medianMs: 8,
    sigma: 0.4,
    okStatus: 204,
    clientErrors: [[404, 0.05]],
    serverErrorRate: 0.002,
    bytes: 150,
  },
  {
    method: 'POST',
    template: '/clients/:id/secret',
    perDay: 4,
    medianMs: 75,
    sigma: 0.25,
    okStatus: 200,
    clientErrors: [[404, 0.02]],
    serverErrorRate: 0.003,
    bytes: 300,
  },
  {
    method: 'GET',
    template: '/policies',
    perDay: 18,
    medianMs: 16,
    sigma: 0.4,
    okStatus: 200,
    clientErrors: [],
    serverErrorRate: 0.002,
    bytes: 5000,
  },
  {
    method: 'GET',
    template: '/policies/:id',
    perDay: 24,
    medianMs: 6,
    sigma: 0.4,
    okStatus: 200,
    clientErrors: [[404, 0.04]],
    serverErrorRate: 0.002,
    bytes: 800,
  },
  {
    method: 'POST',
    template: '/policies',
    perDay: 5,
    medianMs: 30,
    sigma: 0.35,
    okStatus: 201,
    clientErrors: [[400, 0.03]],
    serverErrorRate: 0.003,
    bytes: 400,
  },
  {
    method: 'GET',
    template: '/admin/export',
    perDay: 2,
    medianMs: 400,
    sigma: 0.2,
    okStatus: 200,
    clientErrors: [],
    serverErrorRate: 0,
    bytes: 200_000,
  },
];
/** Used only by the installations before the window. */
export const OLD_ENDPOINT: EndpointModel = {
  method: 'GET',
  template: '/v1/clients',
  perDay: 20,
  medianMs: 25,
  sigma: 0.4,
  okStatus: 200,
  clientErrors: [],
  serverErrorRate: 0.003,
  bytes: 9000,
};
/** The endpoints the service declares (for the never-used list): ENDPOINTS, the old one, and one nobody calls. */
export const DECLARED_ENDPOINTS: readonly string[] = [
  ...ENDPOINTS.map((e) => `${e.method} ${e.template}`),
  `${OLD_ENDPOINT.method} ${OLD_ENDPOINT.template}`,
  'POST /legacy/import',
];
export const RARE_ENDPOINT = 'GET /admin/export';

/** The latency and errors of an endpoint in a version: where the regressions are planted. */
function behaviour(
  e: EndpointModel,
  version: string,
): { medianMs: number; sigma: number; serverErrorRate: number; slowShare: number; slowMedianMs: number } {
  let serverErrorRate = e.serverErrorRate;
  let slowShare = 0;
  if (e.method === 'POST' && e.template === '/clients' && version === '1.4.0') serverErrorRate = 0.06;
  // 1.5.0: a cache bypass makes 4% of GET /clients/:id wait on the database.
  if (e.method === 'GET' && e.template === '/clients/:id' && version === '1.5.0') slowShare = 0.04;
  return { medianMs: e.medianMs, sigma: e.sigma, serverErrorRate, slowShare, slowMedianMs: 420 };
}

const TRACEPACK_FEATURE_SETS: readonly { weight: number; features: [string, number][] }[] = [
  {
    weight: 45,
    features: [
      ['tracing.provider.jaeger', 1],
      ['tracing.sampler.jaeger_remote', 1],
      ['tracing.propagator.tracecontext', 1],
      ['tracing.propagator.jaeger', 1],
      ['tracing.instrumentation.http', 1],
      ['tracing.http.routes', 9],
      ['tracing.http.ignore_paths', 2],
      ['tracing.http.capture_request_headers', 0],
      ['tracing.instrumentation.sql', 1],
      ['tracing.instrumentation.bcrypt', 1],
    ],
  },
  {
    weight: 30,
    features: [
      ['tracing.provider.otlp', 1],
      ['tracing.sampler.ratio', 1],
      ['tracing.propagator.tracecontext', 1],
      ['tracing.propagator.baggage', 1],
      ['tracing.instrumentation.http', 1],
      ['tracing.http.routes', 9],
      ['tracing.http.ignore_paths', 1],
      ['tracing.http.capture_request_headers', 2],
      ['tracing.http.outgoing', 1],
      ['tracing.instrumentation.sql', 1],
    ],
  },
  {
    weight: 15,
    features: [
      ['tracing.provider.zipkin', 1],
      ['tracing.sampler.always_on', 1],
      ['tracing.propagator.b3', 1],
      ['tracing.instrumentation.http', 1],
      ['tracing.http.routes', 9],
      ['tracing.http.ignore_paths', 0],
      ['tracing.http.capture_request_headers', 0],
    ],
  },
  { weight: 10, features: [['tracing.off', 1]] },
];
const SERVICE_FEATURES: readonly { name: string; perDay: number; share: number }[] = [
  { name: 'client.created', perDay: 12, share: 1 },
  { name: 'client.secret_rotated', perDay: 3, share: 0.7 },
  { name: 'policy.evaluated', perDay: 40, share: 0.55 },
  { name: 'export.csv', perDay: 1, share: 0.08 },
];
const CI_NAMES = ['github_actions', 'gitlab', 'circleci', 'jenkins'];
const RUNTIMES: readonly [string, number][] = [
  ['22.15.0', 15],
  ['22.21.1', 30],
  ['24.11.0', 40],
  ['26.0.0', 15],
];
const PLATFORMS: readonly [[string, string], number][] = [
  [['linux', 'amd64'], 75],
  [['linux', 'arm64'], 20],
  [['darwin', 'arm64'], 3],
  [['windows', 'amd64'], 2],
];

// ------------------------------------------------------------------ records

export type TestReason = 'ci' | 'local' | 'warming_up';

export interface GenInstance {
  id: string;
  /** The installation; undefined for test instances that never identify. */
  installationId: string | undefined;
  /** It sends at least one identified report: a production instance. */
  production: boolean;
  testReason: TestReason | undefined;
  ciName: string | undefined;
  version: string;
  runtimeVersion: string;
  os: string;
  arch: string;
  /** First period start, and the end of its last report or keep-alive (ms): first and last seen. */
  firstSeen: number;
  lastSeen: number;
}

export interface GenSeries {
  /** The endpoint as the collector stores it (after its privacy filter), '' for the overflow series. */
  endpoint: string;
  overflow: boolean;
  method: string;
  status: number;
  /** Responses: the count of the response-size histogram. */
  responses: number;
  /**
   * The latencies timed: every response's at the fleet's low rates, one in N on the busy
   * instances that sample (as @tracepack/usage does above 512 requests a second); empty: the
   * report carries no duration point for the series.
   */
  durations: number[];
}

export interface GenReport {
  instance: GenInstance;
  periodStart: number;
  periodEnd: number;
  identified: boolean;
  series: GenSeries[];
  /** Features stored (after the filter): tracepack gauges and service counts. */
  features: { source: 'tracepack' | 'service'; feature: string; value: number }[];
  /** Values the collector's privacy filter must drop, by `kind|attribute`. */
  canaries: Map<string, number>;
  /** The export request, OTLP/JSON shape (as the OTLP JSON serializer writes it). */
  resourceMetrics: OtlpResourceMetrics;
}

export interface GenKeepalive {
  instance: GenInstance;
  at: number;
  resourceMetrics: OtlpResourceMetrics;
}

/** One HTTP request to a collector: one or more ResourceMetrics, in one encoding. */
export interface Delivery {
  resourceMetrics: OtlpResourceMetrics[];
  encoding: 'protobuf' | 'json';
  /** Which collector (0 or 1: two behind a load balancer). */
  target: 0 | 1;
  /** Report copies it carries that are not their first delivery. */
  repeats: number;
}

export interface Fleet {
  now: Date;
  /** First day of the month (UTC midnight, ms). */
  day0: number;
  days: number;
  instances: GenInstance[];
  /** Every report once (what the database must hold), chronological. */
  reports: GenReport[];
  keepalives: GenKeepalive[];
  /** What is sent, in order: every report and keep-alive at least once, some twice or three times. */
  deliveries: Delivery[];
}

// ------------------------------------------------------------------ OTLP/JSON shapes

export interface OtlpKeyValue {
  key: string;
  value: { stringValue: string } | { intValue: number } | { doubleValue: number } | { boolValue: boolean };
}
interface OtlpNumberPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asInt?: number;
  asDouble?: number;
}
interface OtlpHistogramPoint {
  attributes: OtlpKeyValue[];
  bucketCounts: number[];
  explicitBounds: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
  startTimeUnixNano: string;
  timeUnixNano: string;
}
export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  sum?: { aggregationTemporality: 1; isMonotonic: boolean; dataPoints: OtlpNumberPoint[] };
  gauge?: { dataPoints: OtlpNumberPoint[] };
  histogram?: { aggregationTemporality: 1; dataPoints: OtlpHistogramPoint[] };
}
export interface OtlpResourceMetrics {
  resource: { attributes: OtlpKeyValue[]; droppedAttributesCount: number };
  scopeMetrics: { scope: { name: string; version: string }; metrics: OtlpMetric[] }[];
}

function kv(key: string, v: string | number | boolean): OtlpKeyValue {
  if (typeof v === 'string') return { key, value: { stringValue: v } };
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  return Number.isInteger(v) ? { key, value: { intValue: v } } : { key, value: { doubleValue: v } };
}

function attrs(o: Record<string, string | number | boolean | undefined>): OtlpKeyValue[] {
  return Object.entries(o)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => kv(k, v));
}

function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

// ------------------------------------------------------------------ randomness

/** mulberry32: small, fast, seeded. */
class Random {
  private _s: number;
  constructor(seed: number) {
    this._s = seed >>> 0;
  }
  next(): number {
    this._s = (this._s + 0x6d2b79f5) >>> 0;
    let t = this._s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((n, [, w]) => n + w, 0);
    let r = this.next() * total;
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1]![0];
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }
  uuid(): string {
    const h = Array.from({ length: 32 }, () => this.int(16).toString(16));
    h[12] = '4';
    h[16] = ((this.int(4) + 8) as number).toString(16);
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
  hex(n: number): string {
    return Array.from({ length: n }, () => this.int(16).toString(16)).join('');
  }
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

// ------------------------------------------------------------------ the generator

export interface FleetOptions {
  seed?: number;
  /** End of the month: nothing after it is sent. */
  now: Date;
  /** Installations running on the first day. @default 150 */
  initialInstallations?: number;
  /** Installations arriving during the month. @default 60 */
  newInstallations?: number;
  /** Installations that stop during the month. @default 12 */
  leaving?: number;
  /** Days, the last one today. @default 31 (what `--since 30d` covers) */
  days?: number;
}

interface Installation {
  id: string;
  size: number;
  replicas: number;
  /** Days after a release it upgrades; Infinity: never this month. */
  upgradeLag: number;
  arrive: number;
  leave: number;
  features: [string, number][];
  serviceFeatures: { name: string; perDay: number }[];
  runtimeVersion: string;
  platform: [string, string];
  usesAdminExport: boolean;
  sendsHashedPaths: boolean;
  overflows: boolean;
  /** Samples its latencies (one response in 4 timed). */
  busy: boolean;
  old: boolean;
}

function bucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return i;
}

export function generateFleet(options: FleetOptions): Fleet {
  const rnd = new Random(options.seed ?? 13);
  const now = Math.floor(options.now.getTime() / 1000) * 1000;
  const days = options.days ?? 31;
  const day0 = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
  const fleet: Fleet = { now: new Date(now), day0, days, instances: [], reports: [], keepalives: [], deliveries: [] };

  const versionAt = (day: number): string => RELEASES.filter((r) => r.day <= day).pop()!.version;

  const installations: Installation[] = [];
  const makeInstallation = (arrive: number, leave: number, old: boolean): Installation => ({
    id: sha256(`installation|https://clients-${installations.length}.example.com`),
    size: Math.exp(rnd.normal() * 0.6 - 0.18),
    replicas: rnd.weighted([
      [1, 70],
      [2, 25],
      [3, 5],
    ]),
    upgradeLag: rnd.chance(0.2) ? Infinity : 0.2 + -Math.log(1 - rnd.next()) * 5,
    arrive,
    leave,
    features: rnd.weighted(TRACEPACK_FEATURE_SETS.map((f) => [f.features, f.weight] as const)),
    serviceFeatures: SERVICE_FEATURES.filter((f) => rnd.chance(f.share)).map((f) => ({
      name: f.name,
      perDay: f.perDay,
    })),
    runtimeVersion: rnd.weighted(RUNTIMES),
    platform: rnd.weighted(PLATFORMS),
    usesAdminExport: false,
    sendsHashedPaths: rnd.chance(0.15),
    overflows: false,
    busy: false,
    old,
  });
  const initial = options.initialInstallations ?? 150;
  for (let i = 0; i < initial; i++) installations.push(makeInstallation(rnd.next() * 0.3, Infinity, false));
  for (let i = 0; i < (options.newInstallations ?? 60); i++)
    installations.push(makeInstallation(1 + rnd.next() * (days - 2), Infinity, false));
  for (let i = 0; i < (options.leaving ?? 12); i++) {
    const inst = installations[rnd.int(initial)]!;
    if (inst.leave === Infinity) inst.leave = 4 + rnd.next() * (days - 8);
  }
  // The rarely used endpoint: four installations; one overflowing its max_endpoints.
  for (const i of [3, 17, 29, 41]) if (installations[i]) installations[i].usesAdminExport = true;
  if (installations[7]) installations[7].overflows = true;
  // A few busy installations sample their latencies.
  for (const i of [2, 11, 23, 35, 47]) if (installations[i]) installations[i].busy = true;
  // Before the window: a few installations on 1.1.0 with the old endpoint, gone since.
  for (let i = 0; i < 5; i++) installations.push(makeInstallation(-46 + rnd.next(), -39 + rnd.next(), true));

  const reports: GenReport[] = [];
  const instances: GenInstance[] = [];

  /** One instance: its reports every 24 h from its start, a last one when it stops before now. */
  const runInstance = (
    inst: Installation | undefined,
    start: number,
    end: number,
    version: string,
    test: { reason: TestReason; ci?: string } | undefined,
    warmupReport: boolean,
  ): void => {
    const periods: [number, number, boolean][] = [];
    let t = start;
    if (warmupReport && start + 5 * MINUTE <= now) {
      periods.push([start, start + 5 * MINUTE, false]);
      t = start + 5 * MINUTE;
    }
    while (t < end) {
      const e = Math.min(t + DAY, end);
      if (e > now) break; // the current period: not reported yet
      periods.push([t, e, !test]);
      t = e;
    }
    if (periods.length === 0) return; // nothing sent yet: the collector does not know it
    const production = periods.some((p) => p[2]);
    const platform = inst?.platform ?? rnd.weighted(PLATFORMS);
    const instance: GenInstance = {
      id: rnd.uuid(),
      installationId: production ? inst!.id : undefined,
      production,
      testReason: production ? undefined : (test?.reason ?? 'warming_up'),
      ciName: test?.ci,
      version,
      runtimeVersion: inst?.runtimeVersion ?? rnd.weighted(RUNTIMES),
      os: platform[0],
      arch: platform[1],
      firstSeen: start,
      lastSeen: start,
    };
    instances.push(instance);
    for (const [ps, pe, identified] of periods) {
      reports.push(makeReport(instance, inst, ps, pe, identified, test));
      instance.lastSeen = Math.max(instance.lastSeen, pe);
    }
    if (end > now && production) {
      // Still running: a keep-alive within the last minutes.
      const at = now - rnd.int(4 * MINUTE) - 1000;
      if (at > instance.lastSeen) {
        fleet.keepalives.push({ instance, at, resourceMetrics: keepaliveResource(instance.id, at) });
        instance.lastSeen = at;
      }
    }
  };

  const makeReport = (
    instance: GenInstance,
    inst: Installation | undefined,
    ps: number,
    pe: number,
    identified: boolean,
    test: { reason: TestReason; ci?: string } | undefined,
  ): GenReport => {
    const fraction = (pe - ps) / DAY;
    const size = inst?.size ?? 0.3;
    const series = new Map<string, GenSeries & { sent: string; sizes: number[] }>();
    // A busy instance times one response in 4 (a counter, as the reporter does).
    const timedEvery = inst?.busy === true ? 4 : 1;
    let seq = 0;
    const canaries = new Map<string, number>();
    const add = (
      sent: string,
      stored: string,
      overflow: boolean,
      method: string,
      status: number,
      ms: number,
      bytes: number,
    ): void => {
      const key = `${sent}|${method}|${status}|${overflow}`;
      let s = series.get(key);
      if (!s)
        series.set(
          key,
          (s = { endpoint: stored, sent, overflow, method, status, responses: 0, durations: [], sizes: [] }),
        );
      s.responses++;
      if (seq++ % timedEvery === 0) s.durations.push(ms);
      s.sizes.push(bytes);
    };
    const models = [
      ...ENDPOINTS.filter((e) => e.template !== '/admin/export' || inst?.usesAdminExport),
      ...(inst?.old ? [OLD_ENDPOINT] : []),
    ];
    for (const e of models) {
      const n = rnd.poisson(e.perDay * size * fraction * (test?.reason === 'ci' ? 0.3 : 1));
      const b = behaviour(e, instance.version);
      for (let i = 0; i < n; i++) {
        const r = rnd.next();
        let status = e.okStatus;
        let acc = b.serverErrorRate;
        if (r < acc) status = rnd.chance(0.8) ? 500 : 503;
        else
          for (const [code, rate] of e.clientErrors) {
            acc += rate;
            if (r < acc) {
              status = code;
              break;
            }
          }
        const slow = b.slowShare > 0 && rnd.chance(b.slowShare);
        const ms = (slow ? b.slowMedianMs : b.medianMs) * Math.exp((slow ? 0.25 : b.sigma) * rnd.normal());
        const bytes = Math.max(60, e.bytes * Math.exp(0.3 * rnd.normal()));
        const overflowed = inst?.overflows === true && e.template === '/policies/:id';
        add(overflowed ? '' : e.template, overflowed ? '' : e.template, overflowed, e.method, status, ms, bytes);
      }
    }
    if (inst?.sendsHashedPaths) {
      // Paths no route matched: hashed per segment with the instance's salt.
      for (let i = 0, n = rnd.poisson(3 * fraction); i < n; i++) {
        const path = rnd.chance(0.5) ? `/${rnd.hex(64)}` : `/clients/${rnd.hex(64)}/${rnd.hex(64)}`;
        add(path, path, false, 'GET', 404, 2 * Math.exp(0.3 * rnd.normal()), 200);
      }
    }
    // Privacy canaries: a service that sends what it must not (an older or modified reporter).
    let deploymentEnvironment: string | undefined = 'production';
    const canaryDataPoints: OtlpKeyValue[] = [];
    if (identified && rnd.chance(0.015)) {
      const which = rnd.int(5);
      const count = (k: string, n: number): void => void canaries.set(k, (canaries.get(k) ?? 0) + n);
      if (which === 0) {
        add('/clients/jane.doe@example.com', '/clients/:dropped', false, 'GET', 200, 8, 700);
        count('email|tracepack.usage.endpoint', timedEvery === 1 || (seq - 1) % timedEvery === 0 ? 2 : 1); // the size point, and the duration point when timed
      } else if (which === 1) {
        add('/hosts/10.20.30.40/status', '/hosts/:dropped/status', false, 'GET', 200, 3, 300);
        count('ipv4|tracepack.usage.endpoint', timedEvery === 1 || (seq - 1) % timedEvery === 0 ? 2 : 1);
      } else if (which === 2) {
        deploymentEnvironment = 'ops-team@example.org';
        count('email|deployment.environment.name', 1);
      } else if (which === 3) {
        canaryDataPoints.push(kv('session', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl'));
        count('jwt|(other)', 1);
      } else {
        canaryDataPoints.push(kv('authorization', 'Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0'));
        count('bearer_token|(other)', 1);
      }
    }

    const features: GenReport['features'] = [];
    if (inst && !test) {
      for (const [f, v] of inst.features) features.push({ source: 'tracepack', feature: f, value: v });
      features.push({ source: 'tracepack', feature: 'usage.endpoint_whitelist', value: 0 });
      for (const f of inst.serviceFeatures) {
        const n = rnd.poisson(f.perDay * size * fraction);
        if (n > 0) features.push({ source: 'service', feature: f.name, value: n });
      }
    }

    const start = nanos(ps);
    const end = nanos(pe);
    const httpMetrics: OtlpMetric[] = [];
    const list = [...series.values()];
    const requestsByMethod = new Map<string, number>();
    for (const s of list)
      requestsByMethod.set(s.method, (requestsByMethod.get(s.method) ?? 0) + s.responses + (rnd.chance(0.02) ? 1 : 0));
    httpMetrics.push({
      name: 'tracepack.usage.http.requests',
      description: 'HTTP requests received, by method (requests minus responses: requests the client gave up on).',
      unit: '{request}',
      sum: {
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: [...requestsByMethod].map(([m, n]) => ({
          attributes: attrs({ 'http.request.method': m }),
          startTimeUnixNano: start,
          timeUnixNano: end,
          asInt: n,
        })),
      },
    });
    const histogramPoint = (s: (typeof list)[number], values: number[], bounds: number[]): OtlpHistogramPoint => {
      const counts = new Array<number>(bounds.length + 1).fill(0);
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        counts[bucketOf(bounds, v)]!++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const a = s.overflow
        ? attrs({
            'otel.metric.overflow': true,
            'http.request.method': s.method,
            'http.response.status_code': s.status,
          })
        : attrs({
            'tracepack.usage.endpoint': s.sent,
            'http.request.method': s.method,
            'http.response.status_code': s.status,
          });
      return {
        attributes: [...a, ...canaryDataPoints],
        bucketCounts: counts,
        explicitBounds: bounds,
        count: values.length,
        sum,
        min,
        max,
        startTimeUnixNano: start,
        timeUnixNano: end,
      };
    };
    if (list.length > 0) {
      httpMetrics.push({
        name: 'tracepack.usage.http.duration',
        description:
          'Time from request to the end of the response, per anonymized endpoint, method and status code: a sample, one response in N timed (N a power of two from 1 to 64, chosen from the request rate: about 256 timed a second); its count is the timed responses, the responses are the count of tracepack.usage.http.response.size.',
        unit: 'ms',
        // A series without a timed response has no duration point.
        histogram: {
          aggregationTemporality: 1,
          dataPoints: list
            .filter((s) => s.durations.length > 0)
            .map((s) => histogramPoint(s, s.durations, DURATION_BOUNDS_MS)),
        },
      });
      httpMetrics.push({
        name: 'tracepack.usage.http.response.size',
        description:
          'Bytes written for the response (status line, headers and body), per anonymized endpoint, method and status code; its count is the responses.',
        unit: 'By',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: list.map((s) => histogramPoint(s, s.sizes.map(Math.round), SIZE_BOUNDS_BYTES)),
        },
      });
    }
    // A canary attribute rides on every duration and size point: one drop per point.
    for (const k of [...canaries.keys()]) {
      if (!k.endsWith('(other)')) continue;
      const points = list.length + list.filter((x) => x.durations.length > 0).length;
      if (points > 0) canaries.set(k, points);
      else canaries.delete(k);
    }
    const point = (
      attributes: Record<string, string | number | boolean>,
      value: number,
      int = true,
    ): OtlpNumberPoint =>
      int
        ? { attributes: attrs(attributes), startTimeUnixNano: start, timeUnixNano: end, asInt: value }
        : { attributes: attrs(attributes), startTimeUnixNano: start, timeUnixNano: end, asDouble: value };
    const sdkMetrics: OtlpMetric[] = [];
    const service = features.filter((f) => f.source === 'service');
    if (service.length > 0) {
      sdkMetrics.push({
        name: 'tracepack.usage.service.features',
        description: "Uses of the service's own features, by name.",
        unit: '{use}',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: service.map((f) => point({ 'tracepack.feature': f.feature }, f.value, false)),
        },
      });
    }
    sdkMetrics.push(
      {
        name: 'tracepack.usage.process.memory.heap_used',
        description: 'V8 heap in use when the report was made.',
        unit: 'By',
        gauge: { dataPoints: [point({}, 30e6 + rnd.int(60e6), false)] },
      },
      {
        name: 'tracepack.usage.process.memory.rss',
        description: 'Resident set size when the report was made.',
        unit: 'By',
        gauge: { dataPoints: [point({}, 90e6 + rnd.int(120e6), false)] },
      },
      {
        name: 'tracepack.usage.nodejs.gc.rate',
        description: 'Garbage collections per second, by kind, over the sampling window at the end of the period.',
        unit: '{collection}/s',
        gauge: {
          dataPoints: [
            point({ 'nodejs.gc.kind': 'minor' }, 0.5 + rnd.next() * 20, false),
            point({ 'nodejs.gc.kind': 'major' }, rnd.next() * 0.5, false),
          ],
        },
      },
      {
        name: 'tracepack.usage.nodejs.gc.time',
        description:
          'Milliseconds of garbage collection per second, by kind, over the sampling window at the end of the period.',
        unit: 'ms/s',
        gauge: {
          dataPoints: [
            point({ 'nodejs.gc.kind': 'minor' }, rnd.next() * 15, false),
            point({ 'nodejs.gc.kind': 'major' }, rnd.next() * 5, false),
          ],
        },
      },
      {
        name: 'tracepack.usage.nodejs.eventloop.delay.p99',
        description: 'p99 of the event loop delay over the period.',
        unit: 'ms',
        gauge: { dataPoints: [point({}, 10 + rnd.next() * 30, false)] },
      },
    );
    const tracepackFeatures = features.filter((f) => f.source === 'tracepack');
    if (tracepackFeatures.length > 0) {
      sdkMetrics.push({
        name: 'tracepack.usage.tracepack.features',
        description:
          "tracepack's own features in use, by name; the value is 1, or how many (routes, ignored paths, captured headers).",
        unit: '1',
        gauge: { dataPoints: tracepackFeatures.map((f) => point({ 'tracepack.feature': f.feature }, f.value)) },
      });
    }
    if (identified && rnd.chance(0.5)) {
      const logins = 1 + rnd.int(5);
      sdkMetrics.push({
        name: 'tracepack.usage.activity',
        description: 'User activity, by name, with the SHA-256 of user and organization ids (salted).',
        unit: '{event}',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: Array.from({ length: logins }, () =>
            point({ 'tracepack.activity': 'login', 'enduser.id.sha256': rnd.hex(64) }, 1 + rnd.int(5), false),
          ),
        },
      });
    }

    const resource = identified
      ? attrs({
          'service.instance.id': instance.id,
          'tracepack.usage.version': USAGE_VERSION,
          'tracepack.usage.identified': true,
          'tracepack.usage.installation.id': instance.installationId,
          'os.type': instance.os,
          'host.arch': instance.arch,
          'tracepack.usage.cpu.count': 2 + 2 * rnd.int(4),
          'process.runtime.name': 'nodejs',
          'process.runtime.version': instance.runtimeVersion,
          'service.name': SERVICE_NAME,
          'service.version': instance.version,
          'vcs.ref.head.revision': sha256(instance.version).slice(0, 40),
          'tracepack.usage.build_time': new Date(fleet.day0 - DAY).toISOString(),
          'deployment.environment.name': deploymentEnvironment,
        })
      : attrs({
          'service.instance.id': instance.id,
          'tracepack.usage.version': USAGE_VERSION,
          'tracepack.usage.identified': false,
          'tracepack.usage.test_reason': test?.reason ?? 'warming_up',
          'tracepack.usage.ci.name': test?.ci,
        });
    const resourceMetrics: OtlpResourceMetrics = {
      resource: { attributes: resource, droppedAttributesCount: 0 },
      scopeMetrics: [
        { scope: { name: '@tracepack/usage', version: USAGE_VERSION }, metrics: sdkMetrics },
        ...(httpMetrics.length > 0
          ? [{ scope: { name: '@tracepack/usage/http', version: USAGE_VERSION }, metrics: httpMetrics }]
          : []),
      ],
    };
    return {
      instance,
      periodStart: ps,
      periodEnd: pe,
      identified,
      series: list.map(({ endpoint, overflow, method, status, responses, durations }) => ({
        endpoint,
        overflow,
        method,
        status,
        responses,
        durations,
      })),
      features,
      canaries,
      resourceMetrics,
    };
  };

  // Production instances: each installation's replicas, from its arrival (or the month's start)
  // until it leaves; a new set of instances at each upgrade and at each restart.
  for (const inst of installations) {
    const startDay = inst.arrive;
    const endDay = Math.min(inst.leave, days + 1);
    // Its versions over time: the version out at arrival (old installations: an older mix), then upgrades.
    const changes: { day: number; version: string }[] = [];
    let first: string;
    if (inst.old) first = '1.1.0';
    else if (startDay < 1)
      first = rnd.weighted([
        ['1.2.0', 15],
        ['1.3.0', 25],
        ['1.3.1', 60],
      ] as const);
    else first = versionAt(startDay);
    changes.push({ day: startDay, version: first });
    if (!inst.old && inst.upgradeLag !== Infinity) {
      for (const r of RELEASES) {
        const at = r.day + inst.upgradeLag;
        if (
          r.day > 0 &&
          at > startDay &&
          at < endDay &&
          RELEASES.findIndex((x) => x.version === r.version) >
            RELEASES.findIndex((x) => x.version === changes[changes.length - 1]!.version)
        ) {
          changes.push({ day: at, version: r.version });
        }
      }
    }
    for (let c = 0; c < changes.length; c++) {
      const from = day0 + changes[c]!.day * DAY;
      const to = c + 1 < changes.length ? day0 + changes[c + 1]!.day * DAY : day0 + endDay * DAY;
      for (let r = 0; r < inst.replicas; r++) {
        // Restarts: now and then a replica starts over (a new instance id, same version).
        let s = from + rnd.int(20 * MINUTE);
        while (s < to) {
          const restart = rnd.chance(0.25) ? s + (2 + rnd.next() * 12) * DAY : Infinity;
          const e = Math.min(to, restart);
          runInstance(
            inst,
            s,
            inst.leave === Infinity && c === changes.length - 1 && e === to ? Infinity : e,
            changes[c]!.version,
            undefined,
            rnd.chance(0.08),
          );
          s = e;
        }
      }
    }
  }

  // Test instances: CI runs, local runs, and starts that died while warming up.
  for (let d = 0; d < days; d++) {
    for (let i = 0, n = 3 + rnd.int(8); i < n; i++) {
      const s = day0 + d * DAY + rnd.int(DAY - HOUR);
      if (s + 10 * MINUTE > now) continue;
      runInstance(
        undefined,
        s,
        s + (2 + rnd.int(8)) * MINUTE,
        versionAt(d),
        { reason: 'ci', ci: rnd.pick(CI_NAMES) },
        false,
      );
    }
    for (let i = 0, n = rnd.int(3); i < n; i++) {
      const s = day0 + d * DAY + rnd.int(DAY - 2 * HOUR);
      if (s + HOUR > now) continue;
      runInstance(undefined, s, s + (5 + rnd.int(50)) * MINUTE, versionAt(d), { reason: 'local' }, false);
    }
    if (rnd.chance(0.7)) {
      const s = day0 + d * DAY + rnd.int(DAY - HOUR);
      if (s + HOUR <= now)
        runInstance(undefined, s, s + (1 + rnd.int(10)) * MINUTE, versionAt(d), { reason: 'warming_up' }, false);
    }
  }

  reports.sort((a, b) => a.periodEnd - b.periodEnd);
  fleet.reports = reports;
  fleet.instances = instances;

  // Deliveries: mostly batches (an OpenTelemetry Collector tier in front), some single reports
  // straight from the services; retries (the same report again, later, maybe to the other
  // collector), a batch carrying a report twice, keep-alives.
  const queue: { rm: OtlpResourceMetrics; t: number }[] = [
    ...reports.map((r) => ({ rm: r.resourceMetrics, t: r.periodEnd })),
    ...fleet.keepalives.map((k) => ({ rm: k.resourceMetrics, t: k.at })),
    // Mid-day keep-alives of some production instances (they change nothing: inside their span).
    ...reports
      .filter((r, i) => r.identified && i % 7 === 0)
      .map((r) => {
        const at = Math.round((r.periodStart + r.periodEnd) / 2);
        return { rm: keepaliveResource(r.instance.id, at), t: at };
      }),
  ].sort((a, b) => a.t - b.t);
  const retries: { rm: OtlpResourceMetrics; due: number }[] = [];
  let i = 0;
  while (i < queue.length || retries.length > 0) {
    const single = rnd.chance(0.25);
    const size = single ? 1 : 10 + rnd.int(30);
    const batch: OtlpResourceMetrics[] = [];
    let repeats = 0;
    while (batch.length < size && i < queue.length) {
      const item = queue[i++]!;
      batch.push(item.rm);
      const r = rnd.next();
      if (r < 0.05) retries.push({ rm: item.rm, due: i + 5 + rnd.int(200) });
      else if (r < 0.06) {
        retries.push({ rm: item.rm, due: i + 5 + rnd.int(200) }, { rm: item.rm, due: i + 50 + rnd.int(400) });
      } else if (r < 0.065 && !single) {
        batch.push(item.rm);
        repeats++;
      }
    }
    for (let k = retries.length - 1; k >= 0; k--) {
      if (retries[k]!.due <= i || i >= queue.length) {
        batch.push(retries[k]!.rm);
        repeats++;
        retries.splice(k, 1);
      }
    }
    if (batch.length === 0) continue;
    fleet.deliveries.push({
      resourceMetrics: batch,
      encoding: rnd.chance(single ? 0.3 : 0.1) ? 'json' : 'protobuf',
      target: rnd.chance(0.5) ? 1 : 0,
      repeats,
    });
  }
  return fleet;
}

function keepaliveResource(instanceId: string, at: number): OtlpResourceMetrics {
  const t = nanos(at);
  return {
    resource: { attributes: attrs({ 'service.instance.id': instanceId }), droppedAttributesCount: 0 },
    scopeMetrics: [
      {
        scope: { name: '@tracepack/usage', version: USAGE_VERSION },
        metrics: [
          {
            name: 'tracepack.usage.keepalive',
            description: 'The instance is running.',
            unit: '1',
            gauge: { dataPoints: [{ attributes: [], startTimeUnixNano: t, timeUnixNano: t, asInt: 1 }] },
          },
        ],
      },
    ],
  };
}

/** The export request body of a delivery: OTLP/JSON, or protobuf through the OTLP metrics proto of @tracepack/testing. */
export function encodeDelivery(
  d: Delivery,
  types: { request: { fromObject(o: object): unknown; encode(m: unknown): { finish(): Uint8Array } } },
): { body: Buffer; contentType: string } {
  const request = { resourceMetrics: d.resourceMetrics };
  if (d.encoding === 'json') return { body: Buffer.from(JSON.stringify(request)), contentType: 'application/json' };
  return {
    body: Buffer.from(types.request.encode(types.request.fromObject(request)).finish()),
    contentType: 'application/x-protobuf',
  };
}
