import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { EndpointAnonymizer } from './anonymize';
import { METRIC } from './metric-names';

/** Methods sent by name; any other is `_OTHER` (as the HTTP semantic conventions do). */
export const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  '_OTHER',
] as const;
const OTHER_METHOD = METHODS.length - 1;

export function methodIndex(method: string | undefined): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'CONNECT':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'TRACE':
      return 7;
    case 'PATCH':
      return 8;
    default:
      return OTHER_METHOD;
  }
}

/** Bucket bounds of the latency histogram, in milliseconds: p50/p90/p99 from sub-ms to 10 s. */
export const DURATION_BOUNDS_MS = [
  0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
];
/** Bucket bounds of the response-size histogram, in bytes. */
export const SIZE_BOUNDS_BYTES = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

/** (method, status) slots an endpoint keeps; beyond, they share one slot (method _OTHER, status 0). */
const SLOTS_PER_ENDPOINT = 64;

/**
 * The counters of one (endpoint, method, status) series: preallocated, reset after each report.
 * `count` is the responses; `timed` those of them whose latency was measured (one in N, see
 * http-observer.ts), the count of the latency histogram.
 */
class Slot {
  count = 0;
  timed = 0;
  durationSum = 0;
  durationMin = Infinity;
  durationMax = -Infinity;
  readonly durationCounts = new Float64Array(DURATION_BOUNDS_MS.length + 1);
  sizeSum = 0;
  sizeMin = Infinity;
  sizeMax = -Infinity;
  readonly sizeCounts = new Float64Array(SIZE_BOUNDS_BYTES.length + 1);

  constructor(
    readonly method: number,
    readonly status: number,
  ) {}

  /** One response; `ms` is negative when it was not timed. */
  add(ms: number, bytes: number): void {
    this.count++;
    if (ms >= 0) {
      this.timed++;
      this.durationSum += ms;
      if (ms < this.durationMin) this.durationMin = ms;
      if (ms > this.durationMax) this.durationMax = ms;
      this.durationCounts[bucketOf(DURATION_BOUNDS_MS, ms)]!++;
    }
    this.sizeSum += bytes;
    if (bytes < this.sizeMin) this.sizeMin = bytes;
    if (bytes > this.sizeMax) this.sizeMax = bytes;
    this.sizeCounts[bucketOf(SIZE_BOUNDS_BYTES, bytes)]!++;
  }

  mergeInto(other: Slot): void {
    other.count += this.count;
    other.timed += this.timed;
    other.durationSum += this.durationSum;
    other.durationMin = Math.min(other.durationMin, this.durationMin);
    other.durationMax = Math.max(other.durationMax, this.durationMax);
    other.sizeSum += this.sizeSum;
    other.sizeMin = Math.min(other.sizeMin, this.sizeMin);
    other.sizeMax = Math.max(other.sizeMax, this.sizeMax);
    for (let i = 0; i < this.durationCounts.length; i++) other.durationCounts[i]! += this.durationCounts[i]!;
    for (let i = 0; i < this.sizeCounts.length; i++) other.sizeCounts[i]! += this.sizeCounts[i]!;
  }

  reset(): void {
    this.count = this.timed = 0;
    this.durationSum = this.sizeSum = 0;
    this.durationMin = this.sizeMin = Infinity;
    this.durationMax = this.sizeMax = -Infinity;
    this.durationCounts.fill(0);
    this.sizeCounts.fill(0);
  }
}

function bucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return i;
}

/** One anonymized endpoint (or the overflow series) and its (method, status) slots. */
export class Endpoint {
  readonly slots = new Map<number, Slot>();
  used = false;

  constructor(
    /** What is sent: the template, or the anonymized path; '' for the overflow series. */
    readonly name: string,
    readonly template: boolean,
    /**
     * For an anonymized endpoint: the raw URL it came from, kept in memory only, so that a
     * template learned later in the period (from a traced request) can still claim it.
     */
    readonly rawUrl?: string,
  ) {}

  /** The slot of the last request: a route answers mostly one (method, status). */
  private _last: Slot | undefined;

  /** One response; `ms` is negative when it was not timed. */
  record(method: number, status: number, ms: number, bytes: number): void {
    let slot = this._last;
    if (slot === undefined || slot.method !== method || slot.status !== status) {
      const key = method * 1000 + status;
      slot = this.slots.get(key) ?? this.addSlot(key, method, status);
      this._last = slot;
    }
    slot.add(ms, bytes);
    this.used = true;
  }

  /** A new slot, or the shared spare one when the endpoint has too many. */
  addSlot(key: number, method: number, status: number): Slot {
    if (this.slots.size >= SLOTS_PER_ENDPOINT) {
      const spare = OTHER_METHOD * 1000;
      let slot = this.slots.get(spare);
      if (slot === undefined) this.slots.set(spare, (slot = new Slot(OTHER_METHOD, 0)));
      return slot;
    }
    const slot = new Slot(method, status);
    this.slots.set(key, slot);
    return slot;
  }

  mergeInto(other: Endpoint): void {
    for (const slot of this.slots.values()) {
      if (slot.count === 0) continue;
      const key = slot.method * 1000 + slot.status;
      let target = other.slots.get(key);
      if (target === undefined) target = other.addSlot(key, slot.method, slot.status);
      slot.mergeInto(target);
      other.used = true;
    }
  }
}

/** The route template of a request, from the route channel (fastify, hapi, koa). */
const kRoute = Symbol('tracepack.usage.route');

/** What the hot path reads from a request: express leaves its route on the node request. */
export interface RequestLike {
  url?: string;
  method?: string;
  route?: { path?: unknown } | null;
  baseUrl?: unknown;
  [kRoute]?: string;
}

/** Raw URLs remembered with their endpoint; beyond this the cache starts over (memory stays bounded). */
const CACHE_SIZE = 4096;

/**
 * Request telemetry, aggregated per report: requests per method, and for each (endpoint,
 * method, status) a latency and a response-size histogram, whose counts are the responses.
 * The hot path (`requestStarted`, `responseFinished`) only increments preallocated counters;
 * anonymizing (hashing) happens once per distinct raw URL. At most `maxEndpoints` endpoints
 * are kept per report; the requests to any further one go to one overflow series, which
 * keeps method and status, so totals per method and per status stay exact.
 */
export class RequestAggregator {
  readonly requests = new Float64Array(METHODS.length);
  private readonly _endpoints = new Map<string, Endpoint>();
  private readonly _overflow = new Endpoint('', false);
  private readonly _byUrl = new Map<string, Endpoint>();
  private readonly _byBase = new Map<string, string>();
  private _lastUrl: string | undefined;
  private _lastEndpoint: Endpoint | undefined;
  private _lastRoute: string | undefined;
  private _lastRouteEndpoint: Endpoint | undefined;
  overflowed = 0;

  constructor(
    private readonly _anonymizer: EndpointAnonymizer,
    private readonly _maxEndpoints: number,
  ) {}

  /** A template learned while running (a traced request's route): matching URLs use it from now on. */
  learnTemplate(template: string): void {
    if (this._anonymizer.templates.add(template)) this._forgetUrls();
  }

  /** Every URL is resolved again (a template was learned, endpoints were forgotten). */
  private _forgetUrls(): void {
    this._byUrl.clear();
    this._lastUrl = undefined;
    this._lastEndpoint = undefined;
    this._lastRoute = undefined;
    this._lastRouteEndpoint = undefined;
  }

  /**
   * The route template of a request, as the http instrumentation resolved it (fastify, hapi,
   * koa, whatever tracing sampled): its response is counted under it, and URLs that match it
   * from now on too.
   */
  routeOf(req: RequestLike, template: string): void {
    if (!template.startsWith('/')) return;
    req[kRoute] = template;
    if (!this._anonymizer.templates.has(template)) this.learnTemplate(template);
  }

  /** The endpoint of a finished request: express's route, else the cached result for its URL. */
  endpointOf(req: RequestLike): Endpoint {
    const template = req[kRoute];
    if (template !== undefined) {
      if (template === this._lastRoute && this._lastRouteEndpoint !== undefined) return this._lastRouteEndpoint;
      this._lastRoute = template;
      return (this._lastRouteEndpoint = this._endpoint(template, true, undefined));
    }
    const route = req.route;
    if (route !== undefined && route !== null && typeof route.path === 'string') {
      const base = req.baseUrl;
      const name =
        typeof base === 'string' && base !== ''
          ? this._anonymizedBase(base) + (route.path === '/' ? '' : route.path)
          : route.path;
      return this._endpoint(name, true, undefined);
    }
    const url = req.url ?? '/';
    // The same URL as the last request (a client polling, a benchmark): no hashing of the string.
    if (url === this._lastUrl && this._lastEndpoint !== undefined) return this._lastEndpoint;
    let endpoint = this._byUrl.get(url);
    if (endpoint === undefined) {
      const { endpoint: name, template } = this._anonymizer.anonymize(url);
      endpoint = this._endpoint(name, template, template ? undefined : url);
      if (this._byUrl.size >= CACHE_SIZE) this._byUrl.clear();
      this._byUrl.set(url, endpoint);
    }
    this._lastUrl = url;
    this._lastEndpoint = endpoint;
    return endpoint;
  }

  /**
   * express keeps the matched mount path (`/tenants/42`), not its template: it is a raw path
   * like any other, sent as a template when declared, else hashed segment by segment.
   */
  private _anonymizedBase(base: string): string {
    let name = this._byBase.get(base);
    if (name === undefined) {
      name = this._anonymizer.anonymize(base).endpoint;
      if (this._byBase.size >= CACHE_SIZE) this._byBase.clear();
      this._byBase.set(base, name);
    }
    return name;
  }

  private _endpoint(name: string, template: boolean, rawUrl: string | undefined): Endpoint {
    let e = this._endpoints.get(name);
    if (e !== undefined) return e;
    if (this._endpoints.size >= this._maxEndpoints) {
      this.overflowed++;
      return this._overflow;
    }
    e = new Endpoint(name, template, rawUrl);
    this._endpoints.set(name, e);
    return e;
  }

  /** Names of the endpoints of the current period (for tests and the preview). */
  endpointNames(): string[] {
    return [...this._endpoints.keys()];
  }

  /**
   * The metrics of the period since the last call, as DELTA data points; counters start over.
   * Endpoints that saw no request are forgotten, so a report holds the endpoints of its period.
   */
  collect(startTime: HrTime, endTime: HrTime): MetricData[] {
    this._claimForLearnedTemplates();
    const requests: DataPoint<number>[] = [];
    for (let m = 0; m < METHODS.length; m++) {
      if (this.requests[m] === 0) continue;
      requests.push({
        startTime,
        endTime,
        attributes: { 'http.request.method': METHODS[m]! },
        value: this.requests[m]!,
      });
      this.requests[m] = 0;
    }
    const durations: DataPoint<Histogram>[] = [];
    const sizes: DataPoint<Histogram>[] = [];
    let pruned = false;
    for (const endpoint of [...this._endpoints.values(), this._overflow]) {
      if (!endpoint.used && endpoint !== this._overflow) {
        this._endpoints.delete(endpoint.name);
        pruned = true;
        continue;
      }
      endpoint.used = false;
      for (const slot of endpoint.slots.values()) {
        if (slot.count === 0) continue;
        const attributes: Attributes =
          endpoint === this._overflow
            ? {
                'otel.metric.overflow': true,
                'http.request.method': METHODS[slot.method]!,
                'http.response.status_code': slot.status,
              }
            : {
                'tracepack.usage.endpoint': endpoint.name,
                'http.request.method': METHODS[slot.method]!,
                'http.response.status_code': slot.status,
              };
        if (slot.timed > 0)
          durations.push({
            startTime,
            endTime,
            attributes,
            value: histogram(
              DURATION_BOUNDS_MS,
              slot.durationCounts,
              slot.timed,
              slot.durationSum,
              slot.durationMin,
              slot.durationMax,
            ),
          });
        sizes.push({
          startTime,
          endTime,
          attributes,
          value: histogram(SIZE_BOUNDS_BYTES, slot.sizeCounts, slot.count, slot.sizeSum, slot.sizeMin, slot.sizeMax),
        });
        slot.reset();
      }
    }
    // The cache may point at forgotten endpoints: start it over (one hash per URL again).
    if (pruned) this._forgetUrls();
    this.overflowed = 0;
    return [
      {
        descriptor: {
          name: METRIC.requests,
          description: 'HTTP requests received, by method (requests minus responses: requests the client gave up on).',
          unit: '{request}',
          valueType: ValueType.INT,
        },
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: requests,
      },
      {
        descriptor: {
          name: METRIC.duration,
          description:
            'Time from request to the end of the response, per anonymized endpoint, method and status code: a sample, one response in N timed (N a power of two from 1 to 64, chosen from the request rate: about 256 timed a second); its count is the timed responses, the responses are the count of tracepack.usage.http.response.size.',
          unit: 'ms',
          valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: durations,
      },
      {
        descriptor: {
          name: METRIC.responseSize,
          description:
            'Bytes written for the response (status line, headers and body), per anonymized endpoint, method and status code; its count is the responses.',
          unit: 'By',
          valueType: ValueType.INT,
        },
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: sizes,
      },
    ];
  }

  /** Anonymized endpoints whose URL matches a template learned since: counted under the template. */
  private _claimForLearnedTemplates(): void {
    for (const endpoint of [...this._endpoints.values()]) {
      if (endpoint.template || endpoint.rawUrl === undefined) continue;
      const q = endpoint.rawUrl.indexOf('?');
      const template = this._anonymizer.templates.match(q === -1 ? endpoint.rawUrl : endpoint.rawUrl.slice(0, q));
      if (template === undefined) continue;
      this._endpoints.delete(endpoint.name);
      endpoint.mergeInto(this._endpoint(template, true, undefined));
      this._forgetUrls();
    }
  }
}

function histogram(
  bounds: number[],
  counts: Float64Array,
  count: number,
  sum: number,
  min: number,
  max: number,
): Histogram {
  return { buckets: { boundaries: bounds, counts: Array.from(counts) }, count, sum, min, max };
}
