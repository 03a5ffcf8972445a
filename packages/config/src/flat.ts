import { getOwn, isPlainObject, setOwn } from './layers';

const PROVIDERS = ['jaeger', 'zipkin', 'otlp', 'console'] as const;

/**
 * Normalizes the older flat form that existing deployments use:
 *
 *     provider: jaeger
 *     service_name: ory:kratos
 *     jaeger:
 *       local_agent_address: jaeger:6831
 *       server_url: http://jaeger:5778/sampling      # the sampling server
 *       sampling: { type: probabilistic, value: 0.5 } # jaeger-client style
 *
 * into `providers.<name>` blocks. Returns the new block and, for error messages, the
 * old path of every key that moved.
 */
export function normalizeFlatForm(block: Record<string, unknown>): {
  block: Record<string, unknown>;
  moved: Map<string, string>;
} {
  const moved = new Map<string, string>();
  // Own keys only, read and written (the keys are the user's: `__proto__` is one like any other).
  if (!PROVIDERS.some((p) => Object.hasOwn(block, p))) return { block, moved };
  const out: Record<string, unknown> = { ...block };
  const given = getOwn(out, 'providers');
  const providers: Record<string, unknown> = isPlainObject(given) ? { ...given } : {};
  for (const name of PROVIDERS) {
    if (!Object.hasOwn(out, name)) continue;
    const flat = out[name];
    delete out[name];
    if (!isPlainObject(flat)) {
      providers[name] = flat;
      moved.set(`tracing.providers.${name}`, `tracing.${name}`);
      continue;
    }
    const existing = getOwn(providers, name);
    const target: Record<string, unknown> = isPlainObject(existing) ? { ...existing } : {};
    const sampling = (): Record<string, unknown> => {
      const s = getOwn(target, 'sampling');
      return isPlainObject(s) ? s : {};
    };
    for (const [k, v] of Object.entries(flat)) {
      if (name === 'jaeger' && k === 'server_url') {
        target.sampling = { ...sampling(), server_url: v };
        moved.set(`tracing.providers.jaeger.sampling.server_url`, `tracing.jaeger.server_url`);
      } else if (
        name === 'jaeger' &&
        k === 'sampling' &&
        isPlainObject(v) &&
        (Object.hasOwn(v, 'type') || Object.hasOwn(v, 'value'))
      ) {
        target.sampling = { ...sampling(), ...jaegerClientSampling(v) };
        moved.set(`tracing.providers.jaeger.sampling`, `tracing.jaeger.sampling`);
      } else {
        setOwn(target, k, v);
        moved.set(`tracing.providers.${name}.${k}`, `tracing.${name}.${k}`);
      }
    }
    providers[name] = target;
  }
  out.providers = providers;
  return { block: out, moved };
}

/** jaeger-client's `{ type: const|probabilistic, value, server_url }`. */
function jaegerClientSampling(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const [type, value, serverUrl] = [getOwn(v, 'type'), getOwn(v, 'value'), getOwn(v, 'server_url')];
  if (serverUrl !== undefined) out.server_url = serverUrl;
  if (value !== undefined && (type === 'probabilistic' || type === 'const' || type === undefined))
    out.trace_id_ratio = value;
  for (const [k, val] of Object.entries(v)) if (!['type', 'value', 'server_url'].includes(k)) setOwn(out, k, val);
  return out;
}
