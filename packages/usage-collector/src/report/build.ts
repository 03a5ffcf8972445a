import type { Database } from '../database';
import { inTransaction } from './db';
import { addBuckets, emptyBuckets, quantileOf, type Buckets } from './histogram';
import {
  DEFAULT_REPORT_THRESHOLDS,
  HASHED_ENDPOINT,
  OVERFLOW_ENDPOINT,
  type EndpointRow,
  type EndpointVersionLatency,
  type FeatureRow,
  type Regression,
  type ReportThresholds,
  type ReportWindow,
  type UnusedEndpoint,
  type UsageReport,
  type UsageReportOptions,
  type VersionCheck,
  type VersionRow,
} from './model';
import * as read from './queries';
import { ROLLUP_LOCK_KEY, rollUpRange, rollUpUsage } from './rollup';
import { compareVersions, isVersion, parseVersionRange } from './semver';

const DAY_MS = 86_400_000;

/** Thrown for options that cannot be read (`since`); the message says what is allowed. */
export class UsageReportOptionError extends Error {
  readonly code = 'TRACEPACK_USAGE_REPORT_BAD_OPTION';
  constructor(message: string) {
    super(`@tracepack/usage-collector: ${message}`);
    this.name = 'UsageReportOptionError';
  }
}

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** `30d`, `12h`, `2w`, `90m`, or a date / ISO time: the start of the window. */
export function parseSince(since: string | Date, now: Date): { start: Date; asked: string } {
  if (since instanceof Date) {
    if (Number.isNaN(since.getTime())) throw new UsageReportOptionError('since is an invalid Date');
    return { start: since, asked: since.toISOString() };
  }
  const text = since.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/i.exec(text);
  if (m) return { start: new Date(now.getTime() - Number(m[1]) * UNITS[m[2]!.toLowerCase()]!), asked: text };
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(d.getTime())) return { start: d, asked: text };
  }
  throw new UsageReportOptionError(
    `since "${since}" is not understood: use a duration back from now (30d, 12h, 2w, 90m) or a date (2026-11-01)`,
  );
}

function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function reportWindow(since: string | Date, now: Date, includeTest = false): ReportWindow & read.WindowParams {
  const { start, asked } = parseSince(since, now);
  if (start.getTime() > now.getTime())
    throw new UsageReportOptionError(`since "${asked}" is after the report time ${now.toISOString()}`);
  const firstDay = dayOf(start);
  const lastDay = dayOf(now);
  const days = Math.round((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / DAY_MS) + 1;
  return {
    asked,
    firstDay,
    lastDay,
    days,
    until: now.toISOString(),
    start: `${firstDay}T00:00:00.000Z`,
    end: now.toISOString(),
    includeTest,
  };
}

/** `GET /clients/:id` or `/clients/:id` (any method). */
function parseDeclared(endpoint: string): { method: string | undefined; endpoint: string } {
  const m = /^\s*([A-Za-z_]+)\s+(\S+)\s*$/.exec(endpoint);
  return m ? { method: m[1]!.toUpperCase(), endpoint: m[2]! } : { method: undefined, endpoint: endpoint.trim() };
}

function isRealEndpoint(endpoint: string): boolean {
  return endpoint !== HASHED_ENDPOINT && endpoint !== OVERFLOW_ENDPOINT;
}

/**
 * The usage report, from the database: deployments over time (test instances apart), versions
 * (older than a reference, in flagged ranges), features, endpoints (throughput, errors, latency,
 * rarely and never used), p99 per endpoint and version, regressions between consecutive
 * versions, runtimes, and what the privacy filter dropped. Rolls newly stored rows into the
 * report's daily tables first (see `rollupLagMs`).
 */
export async function buildUsageReport(db: Database, options: UsageReportOptions = {}): Promise<UsageReport> {
  const now = options.now ?? new Date();
  const includeTest = options.includeTest ?? false;
  const window = reportWindow(options.since ?? '30d', now, includeTest);
  const thresholds: ReportThresholds = { ...DEFAULT_REPORT_THRESHOLDS, ...options.thresholds };
  const ranges = (typeof options.vulnerable === 'string' ? [options.vulnerable] : (options.vulnerable ?? [])).filter(
    (r) => r.trim() !== '',
  );
  const parsedRanges = ranges.map(parseVersionRange);
  if (options.olderThan !== undefined && !isVersion(options.olderThan))
    throw new UsageReportOptionError(`olderThan "${options.olderThan}" is not a version (1.4.2)`);
  const lagMs = options.rollupLagMs ?? 600_000;

  await rollUpUsage(db, { lagMs });
  // What arrived since the persisted roll-up: rolled up in this transaction only, then rolled back.
  return inTransaction(
    db,
    async (q) => {
      await q("SET LOCAL TimeZone = 'UTC'");
      await q('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK_KEY]);
      const [state] = await q<{ from: string }>(
        `SELECT to_json(rolled_until)#>>'{}' AS "from" FROM report_rollup_state`,
      );
      await rollUpRange(q, state!.from, 'infinity');
      await read.collectAlive(q, window);

      const [
        days,
        totals,
        kinds,
        versions,
        versionDays,
        runtimes,
        services,
        latency,
        endpointUse,
        seenBefore,
        features,
        drops,
        ignored,
      ] = [
        await read.deploymentDays(q, window),
        await read.aliveTotals(q),
        await read.testKinds(q),
        await read.versionCounts(q),
        await read.versionDays(q, window),
        await read.runtimeCounts(q),
        await read.serviceNames(q),
        await read.latencyRows(q, window),
        await read.endpointInstallations(q, window),
        await read.endpointsSeenBefore(q, window),
        await read.featureRows(q, window),
        await read.privacyDrops(q, window),
        await read.ignoredMetrics(q, window),
      ];

      // Deployments: every day of the window, zero when nothing ran.
      const byDay = new Map(days.map((d) => [d.day, d]));
      const deployments = [];
      for (let t = Date.parse(window.start); dayOf(new Date(t)) <= window.lastDay; t += DAY_MS) {
        const day = dayOf(new Date(t));
        const d = byDay.get(day);
        deployments.push({
          day,
          installations: d?.installations ?? 0,
          productionInstances: d?.production ?? 0,
          ci: d?.ci ?? 0,
          local: d?.local ?? 0,
          warmingUp: d?.warmingUp ?? 0,
          otherTest: d?.otherTest ?? 0,
        });
      }

      // Versions, newest first.
      const sortedVersions = versions.map((v) => v.version).sort(compareVersions);
      const semverVersions = sortedVersions.filter(isVersion);
      const reference = options.olderThan ?? semverVersions[semverVersions.length - 1];
      const versionRows: VersionRow[] = versions
        .map((v) => ({
          version: v.version === '' ? '(unknown)' : v.version,
          installations: v.current,
          share: totals.installations > 0 ? v.current / totals.installations : 0,
          installationsEver: v.ever,
          instances: v.instances,
          olderThanReference:
            reference !== undefined && isVersion(v.version) && compareVersions(v.version, reference) < 0,
          vulnerable: parsedRanges.some((r) => r.test(v.version)),
        }))
        .sort((a, b) => -compareVersions(a.version, b.version));
      const versionCheck: VersionCheck = {
        reference,
        olderInstallations: versionRows.filter((v) => v.olderThanReference).reduce((n, v) => n + v.installations, 0),
        vulnerableRanges: ranges,
        vulnerableInstallations: versionRows.filter((v) => v.vulnerable).reduce((n, v) => n + v.installations, 0),
        vulnerableVersions: versionRows.filter((v) => v.vulnerable).map((v) => v.version),
      };

      // Endpoints: per version (latency, regressions), then across versions.
      const perVersion = new Map<
        string,
        {
          endpoint: string;
          method: string;
          version: string;
          responses: number;
          serverErrors: number;
          clientErrors: number;
          buckets: Buckets;
        }
      >();
      // Rows with bounds first: the histogram of an endpoint and version takes the first bounds seen.
      for (const r of [...latency].sort((a, b) => b.buckets.bounds.length - a.buckets.bounds.length)) {
        const key = `${r.method} ${r.endpoint}\u0000${r.version}`;
        let agg = perVersion.get(key);
        if (!agg)
          perVersion.set(
            key,
            (agg = {
              endpoint: r.endpoint,
              method: r.method,
              version: r.version,
              responses: 0,
              serverErrors: 0,
              clientErrors: 0,
              buckets: emptyBuckets(r.buckets.bounds),
            }),
          );
        agg.responses += r.responses;
        agg.serverErrors += r.serverErrors;
        agg.clientErrors += r.clientErrors;
        // Series without a timed response carry no latency histogram.
        if (r.buckets.bounds.length > 0) addBuckets(agg.buckets, r.buckets);
      }
      const latencyByVersion: EndpointVersionLatency[] = [...perVersion.values()]
        .filter((v) => v.responses > 0)
        .map((v) => ({
          endpoint: v.endpoint,
          method: v.method,
          version: v.version === '' ? '(unknown)' : v.version,
          responses: v.responses,
          serverErrors: v.serverErrors,
          errorRate: v.serverErrors / v.responses,
          p50Ms: quantileOf(v.buckets, 0.5),
          p99Ms: quantileOf(v.buckets, 0.99),
        }))
        .sort(
          (a, b) =>
            (b.p99Ms ?? -1) - (a.p99Ms ?? -1) ||
            a.endpoint.localeCompare(b.endpoint) ||
            a.method.localeCompare(b.method) ||
            compareVersions(a.version, b.version),
        );

      const perEndpoint = new Map<
        string,
        {
          endpoint: string;
          method: string;
          responses: number;
          serverErrors: number;
          clientErrors: number;
          buckets: Buckets | undefined;
        }
      >();
      for (const v of perVersion.values()) {
        const key = `${v.method} ${v.endpoint}`;
        let agg = perEndpoint.get(key);
        if (!agg)
          perEndpoint.set(
            key,
            (agg = {
              endpoint: v.endpoint,
              method: v.method,
              responses: 0,
              serverErrors: 0,
              clientErrors: 0,
              buckets: undefined,
            }),
          );
        agg.responses += v.responses;
        agg.serverErrors += v.serverErrors;
        agg.clientErrors += v.clientErrors;
        if (v.buckets.bounds.length === 0) continue;
        if (!agg.buckets || agg.buckets.bounds.length === 0) agg.buckets = emptyBuckets(v.buckets.bounds);
        addBuckets(agg.buckets, v.buckets);
      }
      const totalResponses = [...perEndpoint.values()].reduce((n, e) => n + e.responses, 0);
      const seconds = Math.max(1, (now.getTime() - Date.parse(window.start)) / 1000);
      const endpoints: EndpointRow[] = [...perEndpoint.values()]
        .filter((e) => e.responses > 0)
        .map((e) => {
          const installations = endpointUse.perEndpoint.get(`${e.method} ${e.endpoint}`) ?? 0;
          return {
            endpoint: e.endpoint,
            method: e.method,
            responses: e.responses,
            share: totalResponses > 0 ? e.responses / totalResponses : 0,
            perDay: e.responses / (seconds / 86_400),
            perSecond: e.responses / seconds,
            installations,
            serverErrors: e.serverErrors,
            errorRate: e.serverErrors / e.responses,
            clientErrors: e.clientErrors,
            clientErrorRate: e.clientErrors / e.responses,
            p50Ms: e.buckets ? quantileOf(e.buckets, 0.5) : undefined,
            p99Ms: e.buckets ? quantileOf(e.buckets, 0.99) : undefined,
            rare: isRealEndpoint(e.endpoint) && installations < thresholds.rareInstallationShare * endpointUse.total,
          };
        })
        .sort(
          (a, b) =>
            b.responses - a.responses || a.endpoint.localeCompare(b.endpoint) || a.method.localeCompare(b.method),
        );

      const unusedEndpoints: UnusedEndpoint[] = [];
      const used = (method: string | undefined, endpoint: string): boolean =>
        endpoints.some((e) => e.endpoint === endpoint && (method === undefined || e.method === method));
      for (const declared of options.endpoints ?? []) {
        const { method, endpoint } = parseDeclared(declared);
        if (endpoint === '' || used(method, endpoint)) continue;
        const before = seenBefore.filter(
          (s) => s.endpoint === endpoint && (method === undefined || s.method === method),
        );
        const lastUsed = before
          .map((s) => s.lastUsed)
          .sort()
          .pop();
        unusedEndpoints.push({ endpoint, method: method ?? '*', lastUsed, source: 'declared' });
      }
      for (const s of seenBefore) {
        if (unusedEndpoints.some((u) => u.endpoint === s.endpoint && (u.method === s.method || u.method === '*')))
          continue;
        if (used(s.method, s.endpoint)) continue;
        unusedEndpoints.push({ endpoint: s.endpoint, method: s.method, lastUsed: s.lastUsed, source: 'seen before' });
      }

      const featureRows: FeatureRow[] = features
        .map((f) => ({ ...f, share: totals.installations > 0 ? f.installations / totals.installations : 0 }))
        .sort(
          (a, b) =>
            a.source.localeCompare(b.source) || b.installations - a.installations || a.feature.localeCompare(b.feature),
        );

      return {
        services,
        includeTest,
        window: {
          asked: window.asked,
          firstDay: window.firstDay,
          lastDay: window.lastDay,
          days: window.days,
          until: window.until,
        },
        thresholds,
        totals: {
          installations: totals.installations,
          productionInstances: totals.production,
          testInstances: totals.test,
          responses: totalResponses,
          serverErrors: [...perEndpoint.values()].reduce((n, e) => n + e.serverErrors, 0),
        },
        deployments,
        testInstances: kinds,
        versions: versionRows,
        versionCheck,
        versionsOverTime: versionDays.map((v) => ({ ...v, version: v.version === '' ? '(unknown)' : v.version })),
        features: featureRows,
        endpoints,
        unusedEndpoints,
        latencyByVersion,
        regressions: findRegressions([...perVersion.values()], thresholds),
        runtimes,
        runtimeLines: runtimeLinesOf(runtimes),
        privacyDrops: drops,
        ignoredMetrics: ignored,
      };
    },
    true,
  );
}

/** Installations per runtime and major version, most first. */
function runtimeLinesOf(
  runtimes: readonly { runtime: string; runtimeVersion: string; installations: number }[],
): { runtime: string; line: string; installations: number }[] {
  const lines = new Map<string, { runtime: string; line: string; installations: number }>();
  for (const r of runtimes) {
    const line = /^v?(\d+)\./.exec(r.runtimeVersion)?.[1] ?? r.runtimeVersion;
    const key = `${r.runtime}\u0000${line}`;
    const agg = lines.get(key) ?? { runtime: r.runtime, line, installations: 0 };
    agg.installations += r.installations;
    lines.set(key, agg);
  }
  return [...lines.values()].sort(
    (a, b) =>
      b.installations - a.installations || a.runtime.localeCompare(b.runtime) || compareVersions(a.line, b.line),
  );
}

/** Responses, 5xx and the merged latency histogram of one endpoint, method and version. */
export interface VersionAggregate {
  endpoint: string;
  method: string;
  version: string;
  responses: number;
  serverErrors: number;
  buckets: Buckets;
}

/**
 * Regressions between consecutive versions of an endpoint (semver order; versions with fewer
 * than `regressionMinResponses` responses left out): p99 up by `p99Factor` and by
 * `p99MinIncreaseMs`; 5xx rate up by `errorRateMinIncreasePoints` points, by `errorRateFactor`,
 * with a two-proportion z score of at least `errorRateMinZ`.
 */
export function findRegressions(rows: readonly VersionAggregate[], t: ReportThresholds): Regression[] {
  const byEndpoint = new Map<string, VersionAggregate[]>();
  for (const r of rows) {
    if (!isRealEndpoint(r.endpoint) || !isVersion(r.version) || r.responses < t.regressionMinResponses) continue;
    const key = `${r.method} ${r.endpoint}`;
    const list = byEndpoint.get(key) ?? [];
    list.push(r);
    byEndpoint.set(key, list);
  }
  const found: Regression[] = [];
  for (const list of byEndpoint.values()) {
    list.sort((a, b) => compareVersions(a.version, b.version));
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const p99a = quantileOf(a.buckets, 0.99);
      const p99b = quantileOf(b.buckets, 0.99);
      if (p99a !== undefined && p99b !== undefined && p99b >= p99a * t.p99Factor && p99b - p99a >= t.p99MinIncreaseMs) {
        found.push({
          endpoint: a.endpoint,
          method: a.method,
          metric: 'p99',
          fromVersion: a.version,
          toVersion: b.version,
          before: p99a,
          after: p99b,
          responsesBefore: a.responses,
          responsesAfter: b.responses,
        });
      }
      const ra = a.serverErrors / a.responses;
      const rb = b.serverErrors / b.responses;
      const pooled = (a.serverErrors + b.serverErrors) / (a.responses + b.responses);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.responses + 1 / b.responses));
      const z = se > 0 ? (rb - ra) / se : 0;
      if (rb - ra >= t.errorRateMinIncreasePoints / 100 && rb >= ra * t.errorRateFactor && z >= t.errorRateMinZ) {
        found.push({
          endpoint: a.endpoint,
          method: a.method,
          metric: 'error_rate',
          fromVersion: a.version,
          toVersion: b.version,
          before: ra,
          after: rb,
          responsesBefore: a.responses,
          responsesAfter: b.responses,
        });
      }
    }
  }
  return found.sort(
    (x, y) =>
      x.endpoint.localeCompare(y.endpoint) ||
      x.method.localeCompare(y.method) ||
      compareVersions(x.toVersion, y.toVersion) ||
      x.metric.localeCompare(y.metric),
  );
}
