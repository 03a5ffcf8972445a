import { parseRaw, setPath, type Layer } from './layers';
import { schemaKeys } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `TRACING_*` variables: one per key, named after the key path. A bad value is refused at
 * start with the variable, the value and what is allowed (unlike the OTEL_* variables, which
 * the OpenTelemetry specification asks to warn about and ignore: see otel-env.ts).
 */
export function tracingEnvLayer(env: Env): Layer {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const key of schemaKeys()) {
    const raw = env[key.env];
    if (raw === undefined) continue;
    setPath(values, key.path, parseRaw(raw, key.schema));
    sources.set(key.dotted, `environment ${key.env}`);
  }
  return { values, sources };
}
