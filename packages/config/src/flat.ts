import { isPlainObject } from './layers';

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
export function normalizeFlatForm(block: Record<string, unknown>): { block: Record<string, unknown>; moved: Map<string, string> } {
  const moved = new Map<string, string>();
  if (!PROVIDERS.some((p) => p in block)) return { block, moved };
  const out: Record<string, unknown> = { ...block };
  const providers: Record<string, unknown> = isPlainObject(out.providers) ? { ...out.providers } : {};
  for (const name of PROVIDERS) {
    if (!(name in out)) continue;
    const flat = out[name];
    delete out[name];
    if (!isPlainObject(flat)) {
      providers[name] = flat;
      moved.set(`tracing.providers.${name}`, `tracing.${name}`);
      continue;
    }
    const target: Record<string, unknown> = isPlainObject(providers[name]) ? { ...(providers[name] as object) } : {};
    for (const [k, v] of Object.entries(flat)) {
      if (name === 'jaeger' && k === 'server_url') {
        target.sampling = { ...(isPlainObject(target.sampling) ? target.sampling : {}), server_url: v };
        moved.set(`tracing.providers.jaeger.sampling.server_url`, `tracing.jaeger.server_url`);
      } else if (name === 'jaeger' && k === 'sampling' && isPlainObject(v) && ('type' in v || 'value' in v)) {
        target.sampling = { ...(isPlainObject(target.sampling) ? target.sampling : {}), ...jaegerClientSampling(v) };
        moved.set(`tracing.providers.jaeger.sampling`, `tracing.jaeger.sampling`);
      } else {
        target[k] = v;
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
  if (v.server_url !== undefined) out.server_url = v.server_url;
  if (v.value !== undefined && (v.type === 'probabilistic' || v.type === 'const' || v.type === undefined)) out.trace_id_ratio = v.value;
  for (const [k, val] of Object.entries(v)) if (!['type', 'value', 'server_url'].includes(k)) out[k] = val;
  return out;
}
