/**
 * What a report over a generated fleet must say, computed from the generator's own records
 * (instances with their first and last sighting, reports with every latency sample), in plain
 * JavaScript: no SQL, no code of the report. The definitions are the report's documented ones:
 *
 * - an instance runs on every UTC day from its first to its last sighting; it is production when
 *   it sent an identified report, and its installation is the one that report named;
 * - an installation's current version is the one of its instance seen last;
 * - traffic and features count for production instances, on the UTC day their report's period
 *   ends; p99 is the nearest-rank 99th percentile of the raw samples;
 * - with `includeTest`, test instances count as production ones do, each an installation of its
 *   own, on no known version ('': they never send one) and no known runtime.
 */
import { DURATION_BOUNDS_MS, type Fleet, type GenInstance, type GenReport } from './generator';

const DAY = 86_400_000;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export interface Truth {
  firstDay: string;
  lastDay: string;
  installationsByDay: Map<string, number>;
  productionInstancesByDay: Map<string, number>;
  testByDay: Map<string, { ci: number; local: number; warmingUp: number }>;
  installations: number;
  productionInstances: number;
  testInstances: number;
  /** Installations per current version. */
  currentVersions: Map<string, number>;
  /** Installations that ran each version in the window. */
  everVersions: Map<string, number>;
  /** Current version of each installation. */
  currentOf: Map<string, string>;
  /** Installations per Node.js major line of their latest instance. */
  nodeLines: Map<string, number>;
  /** `source|feature` -> installations, uses. */
  features: Map<string, { installations: number; uses: number }>;
  /** `METHOD endpoint` -> responses, 5xx, 4xx, installations. */
  endpoints: Map<string, { responses: number; serverErrors: number; clientErrors: number; installations: number }>;
  /** Installations that sent any request. */
  installationsWithRequests: number;
  /** `METHOD endpoint|version` -> sorted durations (the timed responses). */
  samples: Map<string, Float64Array>;
  /** `METHOD endpoint|version` -> responses. */
  responsesByVersion: Map<string, number>;
  /** `kind|attribute` -> values dropped. */
  drops: Map<string, number>;
  /** Last day an endpoint was used by anyone (old data included). */
  lastUsed: Map<string, string>;
}

export function displayEndpoint(endpoint: string, overflow: boolean): string {
  if (overflow || endpoint === '') return '(overflow)';
  return /[0-9a-f]{64}/.test(endpoint) ? '(hashed paths)' : endpoint;
}

export function truthOf(fleet: Fleet, since: Date, options: { includeTest?: boolean } = {}): Truth {
  const counted = (i: GenInstance): boolean => i.production || options.includeTest === true;
  const keyOf = (i: GenInstance): string => (i.production ? i.installationId! : `instance:${i.id}`);
  const versionOf = (i: GenInstance): string => (i.production ? i.version : '');
  const runtimeOf = (i: GenInstance): string => (i.production ? i.runtimeVersion : '');
  const firstDay = day(since.getTime());
  const lastDay = day(fleet.now.getTime());
  const windowStart = Date.parse(`${firstDay}T00:00:00Z`);
  const inWindow = (r: GenReport): boolean => r.periodEnd >= windowStart && r.periodEnd <= fleet.now.getTime();

  const installationsByDay = new Map<string, Set<string>>();
  const productionInstancesByDay = new Map<string, number>();
  const testByDay = new Map<string, { ci: number; local: number; warmingUp: number }>();
  const alive = fleet.instances.filter((i) => i.lastSeen >= windowStart && i.firstSeen <= fleet.now.getTime());
  for (const i of alive) {
    for (
      let t = Math.max(Date.parse(`${day(i.firstSeen)}T00:00:00Z`), windowStart);
      day(t) <= day(i.lastSeen) && day(t) <= lastDay;
      t += DAY
    ) {
      const d = day(t);
      if (counted(i)) {
        const set = installationsByDay.get(d) ?? new Set<string>();
        set.add(keyOf(i));
        installationsByDay.set(d, set);
        productionInstancesByDay.set(d, (productionInstancesByDay.get(d) ?? 0) + 1);
      }
      if (!i.production) {
        const c = testByDay.get(d) ?? { ci: 0, local: 0, warmingUp: 0 };
        if (i.testReason === 'ci') c.ci++;
        else if (i.testReason === 'local') c.local++;
        else c.warmingUp++;
        testByDay.set(d, c);
      }
    }
  }

  const production = alive.filter(counted);
  const latest = new Map<string, { seen: number; version: string; runtime: string }>();
  const ever = new Map<string, Set<string>>();
  for (const i of production) {
    const l = latest.get(keyOf(i));
    if (!l || i.lastSeen > l.seen)
      latest.set(keyOf(i), { seen: i.lastSeen, version: versionOf(i), runtime: runtimeOf(i) });
    const set = ever.get(versionOf(i)) ?? new Set<string>();
    set.add(keyOf(i));
    ever.set(versionOf(i), set);
  }
  const currentVersions = new Map<string, number>();
  const currentOf = new Map<string, string>();
  const nodeLines = new Map<string, number>();
  for (const { runtime } of latest.values())
    nodeLines.set(runtime.split('.')[0]!, (nodeLines.get(runtime.split('.')[0]!) ?? 0) + 1);
  for (const [installation, { version }] of latest) {
    currentOf.set(installation, version);
    currentVersions.set(version, (currentVersions.get(version) ?? 0) + 1);
  }

  const features = new Map<string, { installations: Set<string>; uses: number }>();
  const endpoints = new Map<
    string,
    { responses: number; serverErrors: number; clientErrors: number; installations: Set<string> }
  >();
  const withRequests = new Set<string>();
  const samples = new Map<string, number[]>();
  const drops = new Map<string, number>();
  const lastUsed = new Map<string, string>();
  const responsesByVersion = new Map<string, number>();
  for (const r of fleet.reports) {
    if (!counted(r.instance)) continue;
    for (const s of r.series) {
      const key = `${s.method} ${displayEndpoint(s.endpoint, s.overflow)}`;
      if (s.responses > 0 && (lastUsed.get(key) ?? '') < day(r.periodEnd)) lastUsed.set(key, day(r.periodEnd));
    }
    if (!inWindow(r)) continue;
    const installation = keyOf(r.instance);
    for (const f of r.features) {
      if (f.value <= 0) continue; // a count feature at 0: configured off
      const key = `${f.source}|${f.feature}`;
      const agg = features.get(key) ?? { installations: new Set<string>(), uses: 0 };
      agg.installations.add(installation);
      agg.uses += f.source === 'service' ? f.value : 1;
      features.set(key, agg);
    }
    for (const s of r.series) {
      if (s.responses === 0) continue;
      const key = `${s.method} ${displayEndpoint(s.endpoint, s.overflow)}`;
      const agg = endpoints.get(key) ?? {
        responses: 0,
        serverErrors: 0,
        clientErrors: 0,
        installations: new Set<string>(),
      };
      agg.responses += s.responses;
      if (s.status >= 500) agg.serverErrors += s.responses;
      else if (s.status >= 400) agg.clientErrors += s.responses;
      agg.installations.add(installation);
      endpoints.set(key, agg);
      withRequests.add(installation);
      const sk = `${key}|${versionOf(r.instance)}`;
      const list = samples.get(sk) ?? [];
      for (const d of s.durations) list.push(d);
      samples.set(sk, list);
      const rk = `${key}|${versionOf(r.instance)}`;
      responsesByVersion.set(rk, (responsesByVersion.get(rk) ?? 0) + s.responses);
    }
    for (const [k, n] of r.canaries) drops.set(k, (drops.get(k) ?? 0) + n);
  }

  return {
    firstDay,
    lastDay,
    installationsByDay: new Map([...installationsByDay].map(([d, s]) => [d, s.size])),
    productionInstancesByDay,
    testByDay,
    installations: latest.size,
    productionInstances: production.length,
    testInstances: alive.filter((i) => !i.production).length,
    currentVersions,
    everVersions: new Map([...ever].map(([v, s]) => [v, s.size])),
    currentOf,
    nodeLines,
    features: new Map([...features].map(([k, v]) => [k, { installations: v.installations.size, uses: v.uses }])),
    endpoints: new Map(
      [...endpoints].map(([k, v]) => [
        k,
        {
          responses: v.responses,
          serverErrors: v.serverErrors,
          clientErrors: v.clientErrors,
          installations: v.installations.size,
        },
      ]),
    ),
    installationsWithRequests: withRequests.size,
    samples: new Map([...samples].filter(([, v]) => v.length > 0).map(([k, v]) => [k, Float64Array.from(v).sort()])),
    responsesByVersion,
    drops,
    lastUsed,
  };
}

/** The nearest-rank q-quantile of sorted samples, and the histogram bucket [lower, upper] it falls in. */
export function quantileBucket(
  sorted: Float64Array,
  q: number,
  bounds: readonly number[] = DURATION_BOUNDS_MS,
): { value: number; lower: number; upper: number } {
  const value = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return { value, lower: i === 0 ? 0 : bounds[i - 1]!, upper: i < bounds.length ? bounds[i]! : Infinity };
}
