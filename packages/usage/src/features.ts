import type { Counter, Meter } from '@opentelemetry/api';
import type { ResolvedTracingConfig } from '@tracepack/config';
import { METRIC } from './metric-names';
import { isSafeName, saltedHash } from './utils';

/**
 * Which of tracepack's own features the service runs, as names and counts, never values:
 * provider and sampler kind, instrumentations, propagators, and how many routes, ignored paths
 * and captured headers are configured (not which).
 */
export function tracepackFeatures(
  tracing: ResolvedTracingConfig | undefined,
  enabled: boolean,
  whitelistSize: number,
): Map<string, number> {
  const f = new Map<string, number>();
  f.set('usage.endpoint_whitelist', whitelistSize);
  if (!tracing || !enabled) {
    f.set('tracing.off', 1);
    return f;
  }
  f.set(`tracing.provider.${tracing.provider}`, 1);
  f.set(`tracing.sampler.${samplerKind(tracing)}`, 1);
  for (const p of tracing.propagators) f.set(`tracing.propagator.${p}`, 1);
  const { http, bcrypt, sql } = tracing.instrumentations;
  if (http.enabled) {
    f.set('tracing.instrumentation.http', 1);
    f.set('tracing.http.routes', http.routes?.length ?? 0);
    f.set('tracing.http.ignore_paths', http.ignore_paths.length);
    f.set('tracing.http.capture_request_headers', http.capture_request_headers?.length ?? 0);
    if (http.outgoing) f.set('tracing.http.outgoing', 1);
  }
  if (bcrypt.enabled) f.set('tracing.instrumentation.bcrypt', 1);
  if (sql.enabled) f.set('tracing.instrumentation.sql', 1);
  return f;
}

function samplerKind(t: ResolvedTracingConfig): string {
  // A sampler named for every provider (as OTEL_TRACES_SAMPLER names them) wins when set.
  const named = (t as { sampler?: { type?: unknown } }).sampler?.type;
  if (typeof named === 'string' && named !== '') return named;
  switch (t.provider) {
    case 'jaeger':
      return t.providers.jaeger.sampling.server_url
        ? 'jaeger_remote'
        : ratioKind(t.providers.jaeger.sampling.trace_id_ratio);
    case 'zipkin':
      return ratioKind(t.providers.zipkin.sampling.sampling_ratio);
    case 'otlp':
      return ratioKind(t.providers.otlp.sampling.sampling_ratio);
    default:
      return 'always_on';
  }
}

function ratioKind(ratio: number): string {
  return ratio >= 1 ? 'always_on' : ratio <= 0 ? 'always_off' : 'ratio';
}

/** Ids of `usage.activity()`. */
export interface ActivityIds {
  userId?: string | number;
  orgId?: string | number;
}

/**
 * The service's own counts: features it used (`usage.feature('client.created')`) and user
 * activity (`usage.activity('login', { userId, orgId })`). Names are sent as they are, so only
 * identifier-like names are taken; ids only as SHA-256 of `id|salt`, the installation's salt.
 */
export class ServiceCounts {
  private readonly _features: Counter;
  private readonly _activities: Counter;
  private _refused = 0;

  constructor(
    meter: Meter,
    private readonly _salt: string,
    private readonly _onRefused: (what: string) => void,
  ) {
    this._features = meter.createCounter(METRIC.serviceFeatures, {
      description: "Uses of the service's own features, by name.",
      unit: '{use}',
    });
    this._activities = meter.createCounter(METRIC.activity, {
      description: 'User activity, by name, with the SHA-256 of user and organization ids (salted).',
      unit: '{event}',
    });
  }

  feature(name: string, count = 1): void {
    if (!isSafeName(name) || !(count > 0) || !Number.isFinite(count))
      return this._refuse(`usage.feature(${typeof name === 'string' ? 'name' : typeof name}, ${typeof count})`);
    this._features.add(count, { 'tracepack.feature': name });
  }

  activity(name: string, ids: ActivityIds = {}): void {
    if (!isSafeName(name)) return this._refuse(`usage.activity(${typeof name === 'string' ? 'name' : typeof name})`);
    const attributes: Record<string, string> = { 'tracepack.activity': name };
    if (ids.userId !== undefined && ids.userId !== null && ids.userId !== '')
      attributes['enduser.id.sha256'] = saltedHash(String(ids.userId), this._salt);
    if (ids.orgId !== undefined && ids.orgId !== null && ids.orgId !== '')
      attributes['org.id.sha256'] = saltedHash(String(ids.orgId), this._salt);
    this._activities.add(1, attributes);
  }

  /** Refusals are reported once (a name is never echoed: it might be the data it must not carry). */
  private _refuse(what: string): void {
    if (this._refused++ === 0)
      this._onRefused(
        `${what} ignored: names are 1 to 64 characters of A-Z a-z 0-9 _ . : - starting with a letter, counts positive; further ones are dropped silently`,
      );
  }
}
