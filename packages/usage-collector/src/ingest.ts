import type {
  ActivityRow,
  DropRow,
  EndpointRow,
  FeatureRow,
  HistogramColumns,
  IgnoredMetricRow,
  InstallationRow,
  InstanceRow,
  Int64,
  KeepaliveRow,
  OtlpAnyValue,
  OtlpExportRequest,
  OtlpHistogramPoint,
  OtlpKeyValue,
  OtlpMetric,
  OtlpNumberPoint,
  OtlpResourceMetrics,
  ReportRow,
  RequestCountRow,
  RuntimeRow,
  StoreBatch,
  Timestamp,
} from './internal-types';
import { ATTR, KNOWN_ATTRIBUTES, METRIC, METRIC_KIND, METRIC_PREFIX, type MetricKind } from './metric-names';
import { classify, filterEndpoint, type DropKind, type FilteredEndpoint } from './privacy-filter';

/** What one export request turns into: the rows to store, and what was not taken. */
export interface IngestResult {
  batch: StoreBatch;
  /** Data points stored (or already stored: a retry). */
  accepted: number;
  /** Data points not stored: unknown metrics, wrong type or temporality, no instance id, a key attribute dropped. */
  rejected: number;
  /** One phrase per reason, for the response's partialSuccess.error_message. */
  problems: string[];
}

type Scalar = string | number | boolean;
type Attrs = Map<string, Scalar>;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const GIT_REVISION = /^[0-9a-f]{7,40}$/;
/** Names stored as they are (features, activities, metric names of ignored metrics). */
const NAME = /^[A-Za-z][A-Za-z0-9_.:/-]{0,127}$/;
const METHOD = /^(?:[A-Z]{1,16}|_OTHER)$/;
/** Longest endpoint stored; a longer one is no template and no hashed path of a sane URL. */
const MAX_ENDPOINT = 2048;
const MAX_TEXT = 256;
/** Latest time accepted: year 9999 (PostgreSQL takes more, ISO 8601 strings do not). */
const MAX_MS = 253402300799999n;
const NS_PER_MS = 1_000_000n;

/**
 * Turns an OTLP export request into the rows of the tables, after the privacy filter: every
 * string attribute value (resource and data points, read or not) is checked, the ones that
 * look like personal data or secrets are never stored and are counted per report in
 * `privacy_drops`; endpoints are filtered segment by segment.
 *
 * Exactly-once storage rests on the keys: each row is keyed by instance, series and the delta
 * point's start and end time, so a request delivered twice yields the same keys. Within one
 * request, a data point repeated as it is (a retry the Collector tier batched with the first
 * copy) is taken once; distinct series the filter made equal (two endpoints whose dropped
 * segment was the only difference) are added up.
 *
 * Pure: no I/O; the only state kept between calls is a bounded memo of the privacy filter's
 * verdicts (pure functions of a string), which changes no result.
 */
export function ingest(request: OtlpExportRequest): IngestResult {
  const builder = new BatchBuilder();
  for (const rm of request.resourceMetrics ?? []) builder.addResource(rm);
  return builder.result();
}

// ------------------------------------------------------------------ values

/** A 64-bit unsigned integer (times, counts) as a BigInt. */
export function toBigInt(v: Int64 | undefined | null): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'string') {
    try {
      return BigInt(v);
    } catch {
      return 0n;
    }
  }
  return BigInt.asUintN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0));
}

/** A 64-bit integer as a JavaScript number (counts, int values). */
export function toNumber(v: Int64 | undefined | null): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v.toNumber === 'function') return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

/** Nanoseconds since the epoch as ISO 8601 with microseconds; undefined when 0 or out of range. */
export function nanosToTimestamp(ns: bigint): Timestamp | undefined {
  if (ns <= 0n) return undefined;
  const ms = ns / NS_PER_MS;
  if (ms > MAX_MS) return undefined;
  const iso = new Date(Number(ms)).toISOString(); // 2026-01-01T00:00:00.123Z
  const micros = ((ns / 1000n) % 1000n).toString().padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function anyValue(v: OtlpAnyValue | null | undefined): Scalar | undefined {
  if (v === null || v === undefined) return undefined;
  if (own(v, 'stringValue') && typeof v.stringValue === 'string') return v.stringValue;
  if (own(v, 'boolValue') && typeof v.boolValue === 'boolean') return v.boolValue;
  if (own(v, 'intValue') && v.intValue !== undefined && v.intValue !== null) return toNumber(v.intValue);
  if (own(v, 'doubleValue') && typeof v.doubleValue === 'number') return v.doubleValue;
  return undefined;
}

function numberValue(p: OtlpNumberPoint): number | undefined {
  if (own(p, 'asDouble') && typeof p.asDouble === 'number') return p.asDouble;
  if (own(p, 'asInt') && p.asInt !== undefined && p.asInt !== null) return toNumber(p.asInt);
  return undefined;
}

function optionalNumber(p: object, key: 'sum' | 'min' | 'max'): number | null {
  if (!own(p, key)) return null;
  const v = (p as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Text PostgreSQL can store: no NUL or other control characters, no lone surrogates. */
function storable(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed() && !/[\u0000-\u001f\u007f]/.test(s);
}

/**
 * The privacy filter's verdicts, kept across requests: classify() and filterEndpoint() are pure,
 * and the same strings recur in every report of a service (endpoint templates, methods, feature
 * and activity names, runtime versions), so most requests never run the filter's expressions.
 * Bounded: a map is emptied when it reaches MAX_VERDICTS entries, and longer strings are not
 * kept, so odd values cannot grow it (at most a few MB).
 */
const MAX_VERDICTS = 4096;
const MAX_REMEMBERED_LENGTH = 512;
/** The verdict of a string classify() finds nothing in (undefined would read as "not cached"). */
const CLEAN = 'clean';
const verdicts = new Map<string, DropKind | typeof CLEAN>();
const endpointVerdicts = new Map<string, FilteredEndpoint>();

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (key.length > MAX_REMEMBERED_LENGTH) return;
  if (cache.size >= MAX_VERDICTS) cache.clear();
  cache.set(key, value);
}

const GAUGE = 'gauge';
const NO_EXEMPTIONS: ReadonlySet<string> = new Set();
const DELTA = 1;

// ------------------------------------------------------------------ the builder

interface Period {
  start: Timestamp;
  end: Timestamp;
}

interface InstanceAcc {
  row: InstanceRow;
}

/** The rows of one request, merged by key. */
class BatchBuilder {
  private readonly _installations = new Map<string, InstallationRow>();
  private readonly _instances = new Map<string, InstanceAcc>();
  private readonly _reports = new Map<string, ReportRow>();
  private readonly _endpoints = new Map<string, EndpointRow>();
  private readonly _requestCounts = new Map<string, RequestCountRow>();
  private readonly _features = new Map<string, FeatureRow>();
  private readonly _activities = new Map<string, ActivityRow>();
  private readonly _runtime = new Map<string, RuntimeRow>();
  private readonly _keepalives = new Map<string, KeepaliveRow>();
  private readonly _drops = new Map<string, DropRow>();
  private readonly _ignored = new Map<string, IgnoredMetricRow>();
  /** Raw identities of the data points taken: a point repeated as it is is taken once. */
  private readonly _seen = new Set<string>();
  /** Timestamps of this request's times (the points of a report share a few), by high and low word. */
  private readonly _times = new Map<number, Map<number, Timestamp | undefined>>();
  private readonly _otherTimes = new Map<string, Timestamp | undefined>();
  /** The resources of each instance so far: a second one may repeat the first (a retry batched with it). */
  private readonly _resourcesOf = new Map<string, OtlpResourceMetrics[]>();
  /** Instances whose points are checked for repeats (those with more than one resource here). */
  private readonly _checked = new Set<string>();
  private _accepted = 0;
  private readonly _rejections = new Map<string, number>();

  result(): IngestResult {
    const byKey = <T>(m: Map<string, T>): T[] =>
      [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    let rejected = 0;
    const problems: string[] = [];
    for (const [reason, n] of this._rejections) {
      rejected += n;
      problems.push(`${n} data point${n === 1 ? '' : 's'} ${reason}`);
    }
    return {
      // Sorted by key: concurrent statements lock shared rows (installations, instances) in
      // the same order, so they cannot deadlock.
      batch: {
        installations: byKey(this._installations),
        instances: byKey(this._instances).map((a) => a.row),
        reports: byKey(this._reports),
        endpoint_usage: byKey(this._endpoints),
        request_counts: byKey(this._requestCounts),
        feature_usage: byKey(this._features),
        user_activity: byKey(this._activities),
        runtime_stats: byKey(this._runtime),
        keepalives: byKey(this._keepalives),
        privacy_drops: byKey(this._drops),
        ignored_metrics: byKey(this._ignored),
      },
      accepted: this._accepted,
      rejected,
      problems,
    };
  }

  private _reject(reason: string, n = 1): void {
    if (n > 0) this._rejections.set(reason, (this._rejections.get(reason) ?? 0) + n);
  }

  /** A point's time as a timestamp; undefined when unset (0) or out of range. */
  private _time(v: Int64 | undefined | null): Timestamp | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'object') {
      let byLow = this._times.get(v.high);
      if (byLow === undefined) this._times.set(v.high, (byLow = new Map()));
      if (byLow.has(v.low)) return byLow.get(v.low);
      const ts = nanosToTimestamp(toBigInt(v));
      byLow.set(v.low, ts);
      return ts;
    }
    const key = String(v);
    if (this._otherTimes.has(key)) return this._otherTimes.get(key);
    const ts = nanosToTimestamp(toBigInt(v));
    this._otherTimes.set(key, ts);
    return ts;
  }

  /** A data point's identity as received (before any filtering): a repeat has the same. */
  private _identity(instanceId: string, metric: string, p: OtlpNumberPoint | OtlpHistogramPoint): string {
    const end = this._time(p.timeUnixNano);
    const start = this._time(p.startTimeUnixNano) ?? end;
    const raw = (p.attributes ?? []).map((kv) => {
      const v = anyValue(kv.value);
      return `${kv.key ?? ''}=${typeof v}:${String(v)}`;
    });
    return `${instanceId}|${metric}|${start}|${end}|${raw.join('\u0000')}`;
  }

  /**
   * Called for each resource: when the instance already had one in this request, the points of
   * its earlier resources are remembered by identity, so that repeats are skipped. The usual
   * request (one resource per instance) pays nothing for this.
   */
  private _watchRepeats(instanceId: string, rm: OtlpResourceMetrics): void {
    const earlier = this._resourcesOf.get(instanceId);
    if (earlier === undefined) {
      this._resourcesOf.set(instanceId, [rm]);
      return;
    }
    if (!this._checked.has(instanceId)) {
      this._checked.add(instanceId);
      for (const e of earlier) {
        for (const sm of e.scopeMetrics ?? [])
          for (const m of sm.metrics ?? [])
            for (const p of pointsOf(m)) this._seen.add(this._identity(instanceId, m.name ?? '', p));
      }
    }
    earlier.push(rm);
  }

  private _endpointVerdict(endpoint: string): FilteredEndpoint {
    let f = endpointVerdicts.get(endpoint);
    if (f === undefined) {
      f = filterEndpoint(endpoint);
      remember(endpointVerdicts, endpoint, f);
    }
    return f;
  }

  private _verdict(value: string): DropKind | undefined {
    const known = verdicts.get(value);
    if (known !== undefined) return known === CLEAN ? undefined : known;
    const kind = classify(value);
    remember(verdicts, value, kind ?? CLEAN);
    return kind;
  }

  addResource(rm: OtlpResourceMetrics): void {
    const metrics = (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []);
    const pointCount = metrics.reduce((n, m) => n + pointsOf(m).length, 0);
    const drops = new Map<string, number>(); // `${kind}\u0000${attribute}` -> count
    const resource = this._readAttributes(
      rm.resource?.attributes,
      drops,
      new Set([ATTR.instanceId, ATTR.installationId, ATTR.gitRevision]),
    );

    const rawInstance = resource.get(ATTR.instanceId);
    if (typeof rawInstance !== 'string' || !UUID.test(rawInstance)) {
      this._reject('without a service.instance.id (UUID) in their resource, rejected', pointCount);
      return;
    }
    const instanceId = rawInstance.toLowerCase();

    // The report's period: from the earliest start to the latest end of its points (ISO
    // strings of one width compare as the times do).
    let minStart: Timestamp | undefined;
    let maxEnd: Timestamp | undefined;
    let reportPoints = 0;
    let keepaliveAt: Timestamp | undefined;
    for (const m of metrics) {
      const keepalive = m.name === METRIC.keepalive;
      for (const p of pointsOf(m)) {
        const end = this._time(p.timeUnixNano);
        if (end === undefined) continue;
        if (keepalive) {
          if (keepaliveAt === undefined || end > keepaliveAt) keepaliveAt = end;
          continue;
        }
        const start = this._time(p.startTimeUnixNano) ?? end;
        if (minStart === undefined || start < minStart) minStart = start;
        if (maxEnd === undefined || end > maxEnd) maxEnd = end;
        reportPoints++;
      }
    }
    const first = minStart ?? keepaliveAt;
    const last = maxEnd ?? keepaliveAt;
    if (first === undefined || last === undefined) {
      this._reject('without a valid time, rejected', pointCount);
      return;
    }
    const report: Period = { start: first, end: last };

    const instance = this._instanceRow(instanceId, resource, report);
    this._mergeInstance(instance);
    if (reportPoints > 0) {
      const key = `${instanceId}|${report.start}|${report.end}`;
      if (!this._reports.has(key)) {
        this._reports.set(key, {
          instance_id: instanceId,
          period_start: report.start,
          period_end: report.end,
          identified: instance.identified,
          test_reason: instance.test_reason,
          installation_id: instance.installation_id,
          service_version: instance.identified ? instance.service_version : null,
          data_points: pointCount,
        });
      }
    }

    this._watchRepeats(instanceId, rm);
    for (const m of metrics) this._addMetric(instanceId, m, drops, report);

    for (const [key, dropped] of drops) {
      const [kind, attribute] = key.split('\u0000') as [string, string];
      const k = `${instanceId}|${report.start}|${report.end}|${kind}|${attribute}`;
      // The same report twice in one request: counted once, as it is stored once.
      if (!this._drops.has(k))
        this._drops.set(k, {
          instance_id: instanceId,
          period_start: report.start,
          period_end: report.end,
          kind,
          attribute,
          dropped,
        });
    }
  }

  /**
   * The attributes as scalars, after the privacy filter: a string value that looks like
   * personal data or a secret is left out and counted under its key (known keys by name,
   * others as `(other)`). `exempt` keys are checked by their own shape instead.
   */
  private _readAttributes(
    list: OtlpKeyValue[] | undefined,
    drops: Map<string, number>,
    exempt: ReadonlySet<string> = NO_EXEMPTIONS,
  ): Attrs {
    const out: Attrs = new Map();
    for (const kv of list ?? []) {
      const key = kv.key;
      if (typeof key !== 'string') continue;
      const value = anyValue(kv.value);
      if (value === undefined) continue;
      if (typeof value === 'string') {
        if (!storable(value)) continue;
        if (key === ATTR.endpoint) {
          out.set(key, value); // filtered segment by segment where it is used
          continue;
        }
        if (exempt.has(key) && exemptShape(key, value)) {
          out.set(key, value);
          continue;
        }
        const kind = this._verdict(value);
        if (kind !== undefined) {
          const attribute = KNOWN_ATTRIBUTES.has(key) ? key : '(other)';
          const k = `${kind}\u0000${attribute}`;
          drops.set(k, (drops.get(k) ?? 0) + 1);
          continue;
        }
      }
      out.set(key, value);
    }
    return out;
  }

  private _instanceRow(instanceId: string, r: Attrs, report: Period): InstanceRow {
    const installation = str(r, ATTR.installationId);
    const installationId = installation !== null && SHA256_HEX.test(installation) ? installation : null;
    const identifiedAttr = r.get(ATTR.identified);
    const identified = identifiedAttr === true || (identifiedAttr === undefined && installationId !== null);
    const git = str(r, ATTR.gitRevision);
    const cpu = r.get(ATTR.cpuCount);
    const built = str(r, ATTR.buildTime);
    const builtMs = built === null ? NaN : Date.parse(built);
    return {
      instance_id: instanceId,
      installation_id: identified ? installationId : null,
      identified,
      test_reason: identified ? null : str(r, ATTR.testReason),
      ci_name: str(r, ATTR.ciName),
      usage_version: str(r, ATTR.usageVersion),
      service_name: str(r, ATTR.serviceName),
      service_version: str(r, ATTR.serviceVersion),
      git_revision: git !== null && GIT_REVISION.test(git) ? git : null,
      build_time:
        Number.isFinite(builtMs) && builtMs > 0 && builtMs <= Number(MAX_MS) ? new Date(builtMs).toISOString() : null,
      deployment_environment: str(r, ATTR.deploymentEnvironment),
      os_type: str(r, ATTR.osType),
      host_arch: str(r, ATTR.hostArch),
      cpu_count: typeof cpu === 'number' && Number.isInteger(cpu) && cpu > 0 && cpu < 1_000_000 ? cpu : null,
      runtime_name: str(r, ATTR.runtimeName),
      runtime_version: str(r, ATTR.runtimeVersion),
      first_seen: report.start,
      last_seen: report.end,
    };
  }

  /** Several resources of one instance in a request: one row, identified when any says so. */
  private _mergeInstance(row: InstanceRow): void {
    if (row.installation_id !== null) {
      const inst = this._installations.get(row.installation_id);
      if (inst === undefined)
        this._installations.set(row.installation_id, {
          installation_id: row.installation_id,
          first_seen: row.first_seen,
          last_seen: row.last_seen,
        });
      else {
        if (row.first_seen < inst.first_seen) inst.first_seen = row.first_seen;
        if (row.last_seen > inst.last_seen) inst.last_seen = row.last_seen;
      }
    }
    const acc = this._instances.get(row.instance_id);
    if (acc === undefined) {
      this._instances.set(row.instance_id, { row });
      return;
    }
    const a = acc.row;
    const first = a.first_seen < row.first_seen ? a.first_seen : row.first_seen;
    const last = a.last_seen > row.last_seen ? a.last_seen : row.last_seen;
    // The identified resource's traits win; otherwise the first non-null value.
    const [win, other] = row.identified && !a.identified ? [row, a] : [a, row];
    const merged = { ...win } as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(other)) if (merged[k] === null) merged[k] = v;
    const m = merged as unknown as InstanceRow;
    m.identified = a.identified || row.identified;
    if (m.identified) m.test_reason = null;
    m.first_seen = first;
    m.last_seen = last;
    acc.row = m;
  }

  private _addMetric(instanceId: string, m: OtlpMetric, drops: Map<string, number>, report: Period): void {
    const name = m.name ?? '';
    const points = pointsOf(m);
    if (points.length === 0) return;
    const expected: MetricKind | undefined = METRIC_KIND[name];
    if (expected === undefined) {
      const label = storable(name) && NAME.test(name) && this._verdict(name) === undefined ? name : '(invalid)';
      const k = `${instanceId}|${report.start}|${report.end}|${label}`;
      const row = this._ignored.get(k);
      if (row === undefined)
        this._ignored.set(k, {
          instance_id: instanceId,
          period_start: report.start,
          period_end: report.end,
          metric: label,
          data_points: points.length,
        });
      else if (!this._seen.has(`ignored|${k}|${name}`)) row.data_points += points.length;
      this._seen.add(`ignored|${k}|${name}`);
      this._reject('of unknown metrics ignored', points.length);
      return;
    }
    const kind: MetricKind | undefined = m.histogram ? 'histogram' : m.sum ? 'sum' : m.gauge ? GAUGE : undefined;
    if (kind !== expected) {
      this._reject(`of ${name} rejected: a ${expected} was expected`, points.length);
      return;
    }
    const temporality =
      kind === 'sum'
        ? m.sum?.aggregationTemporality
        : kind === 'histogram'
          ? m.histogram?.aggregationTemporality
          : DELTA;
    if (temporality !== DELTA) {
      this._reject(`of ${name} rejected: only delta temporality is stored`, points.length);
      return;
    }
    for (const p of points) this._addPoint(instanceId, name, kind, p, drops);
  }

  private _addPoint(
    instanceId: string,
    metric: string,
    kind: MetricKind,
    p: OtlpNumberPoint | OtlpHistogramPoint,
    drops: Map<string, number>,
  ): void {
    const end = this._time(p.timeUnixNano);
    if (end === undefined) return this._reject('without a valid time, rejected');
    const start = this._time(p.startTimeUnixNano) ?? end;
    // A point repeated as it is (the same report twice in one request) is taken once.
    if (this._checked.has(instanceId)) {
      const identity = this._identity(instanceId, metric, p);
      if (this._seen.has(identity)) {
        this._accepted++;
        return;
      }
      this._seen.add(identity);
    }
    const attrs = this._readAttributes(p.attributes, drops);
    const period = { instance_id: instanceId, period_start: start, period_end: end };

    switch (metric) {
      case METRIC.duration:
      case METRIC.responseSize: {
        const h = histogramOf(p as OtlpHistogramPoint);
        if (h === undefined) return this._reject(`of ${metric} rejected: bucket counts do not match the bounds`);
        const overflow = attrs.get(ATTR.overflow) === true;
        let endpoint = '';
        if (!overflow) {
          const raw = attrs.get(ATTR.endpoint);
          if (typeof raw !== 'string' || raw === '' || raw.length > MAX_ENDPOINT)
            return this._reject(`of ${metric} rejected: no ${ATTR.endpoint}`);
          const filtered = this._endpointVerdict(raw);
          for (const k of filtered.dropped) {
            const key = `${k}\u0000${ATTR.endpoint}`;
            drops.set(key, (drops.get(key) ?? 0) + 1);
          }
          endpoint = filtered.endpoint;
        }
        const method = methodOf(attrs);
        const status = statusOf(attrs);
        const key = `${instanceId}|${endpoint}|${method}|${status}|${start}|${end}`;
        let row = this._endpoints.get(key);
        if (row === undefined) {
          // Spelled out, not spread ({ ...period, ...EMPTY_HISTOGRAMS }): one object shape, built
          // without copying (100 rows per usual report).
          row = {
            instance_id: instanceId,
            period_start: start,
            period_end: end,
            endpoint,
            overflow,
            method,
            status_code: status,
            duration_count: null,
            duration_sum_ms: null,
            duration_min_ms: null,
            duration_max_ms: null,
            duration_bounds_ms: null,
            duration_counts: null,
            size_count: null,
            size_sum_bytes: null,
            size_min_bytes: null,
            size_max_bytes: null,
            size_bounds_bytes: null,
            size_counts: null,
          };
          this._endpoints.set(key, row);
        }
        const ok = metric === METRIC.duration ? mergeDuration(row, h) : mergeSize(row, h);
        if (!ok) return this._reject(`of ${metric} rejected: bucket bounds differ within one series`);
        break;
      }
      case METRIC.requests: {
        const value = numberValue(p as OtlpNumberPoint);
        if (value === undefined || !(value >= 0)) return this._reject(`of ${metric} rejected: no value`);
        const method = methodOf(attrs);
        const key = `${instanceId}|${method}|${start}|${end}`;
        const row = this._requestCounts.get(key);
        if (row === undefined) this._requestCounts.set(key, { ...period, method, requests: value });
        else row.requests += value;
        break;
      }
      case METRIC.tracepackFeatures:
      case METRIC.serviceFeatures: {
        const value = numberValue(p as OtlpNumberPoint);
        if (value === undefined || !Number.isFinite(value)) return this._reject(`of ${metric} rejected: no value`);
        const overflow = attrs.get(ATTR.overflow) === true;
        const name = attrs.get(ATTR.feature);
        const feature = overflow ? '' : typeof name === 'string' && NAME.test(name) ? name : undefined;
        if (feature === undefined)
          return this._reject(`of ${metric} rejected: no ${ATTR.feature} name that could be stored`);
        const source = metric === METRIC.tracepackFeatures ? 'tracepack' : 'service';
        const key = `${instanceId}|${source}|${feature}|${start}|${end}`;
        const row = this._features.get(key);
        if (row === undefined) this._features.set(key, { ...period, source, feature, value });
        else row.value += value;
        break;
      }
      case METRIC.activity: {
        const value = numberValue(p as OtlpNumberPoint);
        if (value === undefined || !(value >= 0)) return this._reject(`of ${metric} rejected: no value`);
        const overflow = attrs.get(ATTR.overflow) === true;
        const name = attrs.get(ATTR.activity);
        const activity = overflow ? '' : typeof name === 'string' && NAME.test(name) ? name : undefined;
        if (activity === undefined)
          return this._reject(`of ${metric} rejected: no ${ATTR.activity} name that could be stored`);
        const userHash = hashOf(attrs, ATTR.userHash);
        const orgHash = hashOf(attrs, ATTR.orgHash);
        const key = `${instanceId}|${activity}|${userHash}|${orgHash}|${overflow}|${start}|${end}`;
        const row = this._activities.get(key);
        if (row === undefined)
          this._activities.set(key, {
            ...period,
            activity,
            user_hash: userHash,
            org_hash: orgHash,
            overflow,
            events: value,
          });
        else row.events += value;
        break;
      }
      case METRIC.keepalive: {
        const key = `${instanceId}|${end}`;
        if (!this._keepalives.has(key)) this._keepalives.set(key, { instance_id: instanceId, at: end });
        break;
      }
      default: {
        // The runtime stats.
        const value = numberValue(p as OtlpNumberPoint);
        if (value === undefined || !Number.isFinite(value)) return this._reject(`of ${metric} rejected: no value`);
        const gcKind =
          metric === METRIC.gcRate || metric === METRIC.gcTime ? (textOf(attrs, ATTR.gcKind, 32) ?? 'other') : '';
        const name = metric.slice(METRIC_PREFIX.length);
        const key = `${instanceId}|${name}|${gcKind}|${start}|${end}`;
        const row = this._runtime.get(key);
        if (row === undefined) this._runtime.set(key, { ...period, metric: name, gc_kind: gcKind, value });
        else if (kind === 'sum') row.value += value;
      }
    }
    this._accepted++;
  }
}

function pointsOf(m: OtlpMetric): (OtlpNumberPoint | OtlpHistogramPoint)[] {
  return m.histogram?.dataPoints ?? m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [];
}

/** The vetted keys whose own shape is checked instead of the privacy filter's heuristics. */
function exemptShape(key: string, value: string): boolean {
  if (key === ATTR.instanceId) return UUID.test(value);
  if (key === ATTR.installationId) return SHA256_HEX.test(value);
  if (key === ATTR.gitRevision) return GIT_REVISION.test(value);
  return false;
}

function str(a: Attrs, key: string): string | null {
  return textOf(a, key, MAX_TEXT) ?? null;
}

function textOf(a: Attrs, key: string, max: number): string | undefined {
  const v = a.get(key);
  return typeof v === 'string' && v !== '' && v.length <= max ? v : undefined;
}

function methodOf(a: Attrs): string {
  const m = a.get(ATTR.method);
  return typeof m === 'string' && METHOD.test(m) ? m : '_OTHER';
}

function statusOf(a: Attrs): number {
  const s = a.get(ATTR.statusCode);
  const n = typeof s === 'number' ? s : typeof s === 'string' ? Number(s) : 0;
  return Number.isInteger(n) && n >= 0 && n <= 999 ? n : 0;
}

function hashOf(a: Attrs, key: string): string {
  const v = a.get(key);
  return typeof v === 'string' && SHA256_HEX.test(v) ? v : '';
}

/**
 * A histogram point's columns; undefined when its counts do not match its bounds or a value is
 * not finite. One pass over each list: the protobuf reader gives numbers already (used as
 * they are), protobufjs' JSON path gives Longs, strings or numbers (converted).
 */
function histogramOf(p: OtlpHistogramPoint): HistogramColumns | undefined {
  const rawBounds = p.explicitBounds ?? [];
  const rawCounts = p.bucketCounts ?? [];
  if (rawBounds.length !== 0 && rawCounts.length !== rawBounds.length + 1) return undefined;
  let bounds = rawBounds;
  for (let i = 0; i < rawBounds.length; i++) {
    const raw = rawBounds[i];
    const b = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(b)) return undefined;
    if (b !== raw) {
      if (bounds === rawBounds) bounds = rawBounds.slice(0, i);
      bounds.push(b);
    } else if (bounds !== rawBounds) bounds.push(b);
  }
  let counts = rawCounts as number[];
  for (let i = 0; i < rawCounts.length; i++) {
    const raw = rawCounts[i];
    const c = typeof raw === 'number' ? raw : toNumber(raw);
    if (!(Number.isFinite(c) && c >= 0)) return undefined;
    if (c !== raw) {
      if (counts === rawCounts) counts = (rawCounts as number[]).slice(0, i);
      counts.push(c);
    } else if (counts !== rawCounts) counts.push(c);
  }
  return {
    count: toNumber(p.count),
    sum: optionalNumber(p, 'sum'),
    min: optionalNumber(p, 'min'),
    max: optionalNumber(p, 'max'),
    bounds,
    counts,
  };
}

function mergeInto(
  current: {
    count: number | null;
    sum: number | null;
    min: number | null;
    max: number | null;
    bounds: number[] | null;
    counts: number[] | null;
  },
  h: HistogramColumns,
): typeof current | undefined {
  if (current.count === null)
    return { count: h.count, sum: h.sum, min: h.min, max: h.max, bounds: h.bounds, counts: h.counts };
  const bounds = current.bounds ?? [];
  if (bounds.length !== h.bounds.length || bounds.some((b, i) => b !== h.bounds[i])) return undefined;
  const counts = (current.counts ?? []).map((c, i) => c + (h.counts[i] ?? 0));
  return {
    count: current.count + h.count,
    sum: current.sum === null || h.sum === null ? null : current.sum + h.sum,
    min: current.min === null || h.min === null ? null : Math.min(current.min, h.min),
    max: current.max === null || h.max === null ? null : Math.max(current.max, h.max),
    bounds,
    counts,
  };
}

function mergeDuration(row: EndpointRow, h: HistogramColumns): boolean {
  const m = mergeInto(
    {
      count: row.duration_count,
      sum: row.duration_sum_ms,
      min: row.duration_min_ms,
      max: row.duration_max_ms,
      bounds: row.duration_bounds_ms,
      counts: row.duration_counts,
    },
    h,
  );
  if (m === undefined) return false;
  row.duration_count = m.count;
  row.duration_sum_ms = m.sum;
  row.duration_min_ms = m.min;
  row.duration_max_ms = m.max;
  row.duration_bounds_ms = m.bounds;
  row.duration_counts = m.counts;
  return true;
}

function mergeSize(row: EndpointRow, h: HistogramColumns): boolean {
  const m = mergeInto(
    {
      count: row.size_count,
      sum: row.size_sum_bytes,
      min: row.size_min_bytes,
      max: row.size_max_bytes,
      bounds: row.size_bounds_bytes,
      counts: row.size_counts,
    },
    h,
  );
  if (m === undefined) return false;
  row.size_count = m.count;
  row.size_sum_bytes = m.sum;
  row.size_min_bytes = m.min;
  row.size_max_bytes = m.max;
  row.size_bounds_bytes = m.bounds;
  row.size_counts = m.counts;
  return true;
}
