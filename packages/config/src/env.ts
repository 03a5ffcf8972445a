import { parseKeyValueList, parseRaw, setPath, type Layer } from './layers';
import { dottedPath, schemaKeys } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/** `TRACING_*` variables: one per key, named after the key path. */
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

/**
 * The standard OpenTelemetry variables, mapped onto our keys. They rank below `TRACING_*`
 * variables and above the config file. `OTEL_SDK_DISABLED=true` is handled by the loader:
 * it turns tracing off unless code or a flag names a provider.
 */
export function otelEnvLayer(env: Env): Layer {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const set = (path: string[], value: unknown, variable: string): void => {
    setPath(values, path, value);
    sources.set(dottedPath(path), `environment ${variable}`);
  };
  const resource = env.OTEL_RESOURCE_ATTRIBUTES ? parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES) : {};
  if (resource['service.name']) set(['service_name'], resource['service.name'], 'OTEL_RESOURCE_ATTRIBUTES');
  if (resource['service.version']) set(['service_version'], resource['service.version'], 'OTEL_RESOURCE_ATTRIBUTES');
  const envName = resource['deployment.environment.name'] ?? resource['deployment.environment'];
  if (envName) set(['deployment_environment'], envName, 'OTEL_RESOURCE_ATTRIBUTES');
  if (env.OTEL_SERVICE_NAME) set(['service_name'], env.OTEL_SERVICE_NAME, 'OTEL_SERVICE_NAME');

  if (env.OTEL_TRACES_EXPORTER) {
    const first = env.OTEL_TRACES_EXPORTER.split(',')[0]!.trim();
    set(['provider'], first === 'none' ? '' : first, 'OTEL_TRACES_EXPORTER');
  }
  if (env.OTEL_PROPAGATORS) {
    const list = env.OTEL_PROPAGATORS.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
    set(['propagators'], list, 'OTEL_PROPAGATORS');
  }
  const ratio = samplerRatio(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG);
  if (ratio !== undefined) {
    set(['providers', 'jaeger', 'sampling', 'trace_id_ratio'], ratio, 'OTEL_TRACES_SAMPLER');
    set(['providers', 'zipkin', 'sampling', 'sampling_ratio'], ratio, 'OTEL_TRACES_SAMPLER');
    set(['providers', 'otlp', 'sampling', 'sampling_ratio'], ratio, 'OTEL_TRACES_SAMPLER');
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) set(['providers', 'otlp', 'server_url'], env.OTEL_EXPORTER_OTLP_ENDPOINT, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (env.OTEL_EXPORTER_OTLP_PROTOCOL) set(['providers', 'otlp', 'protocol'], env.OTEL_EXPORTER_OTLP_PROTOCOL, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (env.OTEL_EXPORTER_OTLP_HEADERS) set(['providers', 'otlp', 'headers'], parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS), 'OTEL_EXPORTER_OTLP_HEADERS');
  return { values, sources };
}

function samplerRatio(sampler: string | undefined, arg: string | undefined): number | string | undefined {
  switch (sampler?.trim()) {
    case undefined:
    case '':
      return undefined;
    case 'always_on':
    case 'parentbased_always_on':
      return 1;
    case 'always_off':
    case 'parentbased_always_off':
      return 0;
    case 'traceidratio':
    case 'parentbased_traceidratio': {
      const n = Number(arg ?? '1');
      return arg === undefined || (arg.trim() !== '' && Number.isFinite(n)) ? n : arg;
    }
    default:
      return undefined;
  }
}

/** `OTEL_SDK_DISABLED=true`: the standard kill switch. */
export function otelSdkDisabled(env: Env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}
