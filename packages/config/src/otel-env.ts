import { isReservedKey, RESERVED_KEYS, setOwn, setPath, type Layer } from './layers';
import { names, parseFor, parseHeaders, parseJaegerRemoteArg, parseResourceAttributes, present } from './otel-values';
import { maskUrlSecrets } from './redact';
import { dottedPath, schemaAt } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/** The OTEL_* layer: values, where each came from, and what was refused (reported once each). */
export interface OtelEnvLayer extends Layer {
  /** One sentence per refused or partly used variable, e.g. `OTEL_PROPAGATORS: "xray" ... skipped`. */
  warnings: string[];
  /** Set when an OTLP endpoint variable is present: tracing turns on with otlp if nothing names a provider. */
  impliedProvider?: { provider: 'otlp'; variable: string };
}

/**
 * Variables that set one key each, the signal-specific one first: the first that is set and
 * valid wins; an invalid one is reported and the next one (or a lower layer, or the default)
 * applies. Values are checked against the key's schema node, so limits live in one place.
 */
const ONE_KEY: ReadonlyArray<{ variables: readonly string[]; path: readonly string[] }> = [
  { variables: ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'], path: ['providers', 'otlp', 'traces_endpoint'] },
  { variables: ['OTEL_EXPORTER_OTLP_ENDPOINT'], path: ['providers', 'otlp', 'server_url'] },
  {
    variables: ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    path: ['providers', 'otlp', 'protocol'],
  },
  {
    variables: ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'],
    path: ['providers', 'otlp', 'timeout_ms'],
  },
  {
    variables: ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'],
    path: ['providers', 'otlp', 'compression'],
  },
  {
    variables: ['OTEL_EXPORTER_OTLP_TRACES_INSECURE', 'OTEL_EXPORTER_OTLP_INSECURE'],
    path: ['providers', 'otlp', 'insecure'],
  },
  { variables: ['OTEL_EXPORTER_ZIPKIN_ENDPOINT'], path: ['providers', 'zipkin', 'server_url'] },
  { variables: ['OTEL_BSP_SCHEDULE_DELAY'], path: ['schedule_delay_ms'] },
  { variables: ['OTEL_BSP_EXPORT_TIMEOUT'], path: ['export_timeout_ms'] },
  { variables: ['OTEL_BSP_MAX_QUEUE_SIZE'], path: ['max_queue_size'] },
  { variables: ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], path: ['max_export_batch_size'] },
  { variables: ['OTEL_LOG_LEVEL'], path: ['log_level'] },
];

/** The exporters tracepack has (`jaeger` is its own provider; the spec no longer lists it). */
const EXPORTERS = ['otlp', 'zipkin', 'console', 'jaeger', 'none'];
const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];
/** Known to the spec, not supported here: skipped with a warning, as the spec asks. */
const UNSUPPORTED_PROPAGATORS = ['xray', 'ottrace'];
/**
 * Kubernetes downward-API variables, named after the attribute in upper snake case. The
 * semantic conventions define the attributes (k8s.*), not variable names: the portable way is
 * `OTEL_RESOURCE_ATTRIBUTES=k8s.pod.name=$(POD_NAME),...`, which wins over these.
 */
const K8S_VARIABLES = [
  'k8s.pod.name',
  'k8s.pod.uid',
  'k8s.namespace.name',
  'k8s.node.name',
  'k8s.container.name',
  'k8s.deployment.name',
];
/** Resource attributes that have keys of their own (so that precedence applies to them). */
const OWN_KEYS: ReadonlyMap<string, string> = new Map([
  ['service.name', 'service_name'],
  ['service.version', 'service_version'],
  ['deployment.environment.name', 'deployment_environment'],
  ['deployment.environment', 'deployment_environment'],
]);

/**
 * The standard OpenTelemetry variables, mapped onto the `tracing:` keys. They rank below
 * `TRACING_*` variables and above the config file. `OTEL_SDK_DISABLED` is read by the loader
 * (see {@link otelSdkDisabled}). Nothing here throws: a value the specification would not
 * accept is reported in `warnings` and treated as unset.
 */
export function otelEnvLayer(env: Env): OtelEnvLayer {
  const layer: OtelEnvLayer = { values: {}, sources: new Map(), warnings: [] };
  const set = (path: readonly string[], value: unknown, variable: string): void => {
    setPath(layer.values, path, value);
    layer.sources.set(dottedPath(path), `environment ${variable}`);
  };
  // Warnings quote values: a URL's password is masked, as in errors.
  const warn = (variable: string, text: string): void =>
    void layer.warnings.push(maskUrlSecrets(`${variable}: ${text}`));

  readResource(env, set, warn);
  for (const { variables, path } of ONE_KEY) {
    const node = schemaAt(path)!;
    for (const variable of variables) {
      const raw = present(env[variable]);
      if (raw === undefined) continue;
      const parsed = parseFor(node, raw);
      if ('reason' in parsed) {
        warn(variable, `${JSON.stringify(raw)} ${parsed.reason}; ignored`);
        continue;
      }
      if (node.type === 'boolean' && !['true', 'false'].includes(raw.toLowerCase()))
        warn(variable, `${JSON.stringify(raw)} is not true or false; read as false`);
      set(path, parsed.value, variable);
      break;
    }
  }
  readHeaders(env, set, warn);
  readExporter(env, set, warn);
  readPropagators(env, set, warn);
  readSampler(env, set, warn);

  const endpoint = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].find((v) =>
    [...layer.sources.values()].includes(`environment ${v}`),
  );
  if (endpoint) layer.impliedProvider = { provider: 'otlp', variable: endpoint };
  return layer;
}

type Set = (path: readonly string[], value: unknown, variable: string) => void;
type Warn = (variable: string, text: string) => void;

/** OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES (every key) and the K8S_* variables. */
function readResource(env: Env, set: Set, warn: Warn): void {
  // attribute -> value and the variable it came from (keys are the user's: a Map, no prototype).
  const extra = new Map<string, { value: string; variable: string }>();
  for (const key of K8S_VARIABLES) {
    const variable = key.toUpperCase().replace(/\./g, '_');
    const value = present(env[variable]);
    if (value !== undefined) extra.set(key, { value, variable });
  }
  const raw = present(env.OTEL_RESOURCE_ATTRIBUTES);
  if (raw !== undefined) {
    const parsed = parseResourceAttributes(raw);
    if ('reason' in parsed)
      warn('OTEL_RESOURCE_ATTRIBUTES', `${parsed.reason}; the whole value is ignored, as the specification asks`);
    else {
      // deployment.environment.name wins over the older deployment.environment.
      const entries = Object.entries(parsed.value).sort(
        ([a], [b]) => Number(a === 'deployment.environment.name') - Number(b === 'deployment.environment.name'),
      );
      const reserved = entries.filter(([key]) => isReservedKey(key)).map(([key]) => JSON.stringify(key));
      if (reserved.length > 0)
        warn(
          'OTEL_RESOURCE_ATTRIBUTES',
          `${reserved.join(', ')} cannot be a key (${RESERVED_KEYS.join(', ')} never are); skipped`,
        );
      for (const [key, value] of entries) {
        if (isReservedKey(key)) continue;
        const own = OWN_KEYS.get(key);
        if (own) {
          if (value !== '') set([own], value, 'OTEL_RESOURCE_ATTRIBUTES');
        } else extra.set(key, { value, variable: 'OTEL_RESOURCE_ATTRIBUTES' });
      }
    }
  }
  // One entry at a time, so each is named by the variable it came from.
  for (const [key, { value, variable }] of extra) set(['resource_attributes', key], value, variable);
  // OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES (the spec).
  const service = present(env.OTEL_SERVICE_NAME);
  if (service !== undefined) set(['service_name'], service, 'OTEL_SERVICE_NAME');
}

/** OTEL_EXPORTER_OTLP_HEADERS, then OTEL_EXPORTER_OTLP_TRACES_HEADERS over it, key by key. */
function readHeaders(env: Env, set: Set, warn: Warn): void {
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const variable of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = present(env[variable]);
    if (raw === undefined) continue;
    const { headers: parsed, skipped } = parseHeaders(raw);
    if (skipped.length > 0)
      warn(
        variable,
        `entries ${skipped.join(', ')} are not key=value with a percent-encoded value; skipped (values not shown: they are secret)`,
      );
    const entries = Object.entries(parsed).filter(([key]) => !isReservedKey(key));
    const reserved = Object.keys(parsed).filter(isReservedKey);
    if (reserved.length > 0)
      warn(
        variable,
        `${reserved.map((k) => JSON.stringify(k)).join(', ')} cannot be a header name here (${RESERVED_KEYS.join(', ')} never are); skipped`,
      );
    if (entries.length === 0) continue;
    for (const [key, value] of entries) setOwn(headers, key, value);
    last = variable;
  }
  if (last) set(['providers', 'otlp', 'headers'], headers, last);
}

/** OTEL_TRACES_EXPORTER: the first supported name is the provider; `none` turns tracing off. */
function readExporter(env: Env, set: Set, warn: Warn): void {
  const raw = present(env.OTEL_TRACES_EXPORTER);
  if (raw === undefined) return;
  const listed = names(raw);
  const chosen = listed.find((n) => EXPORTERS.includes(n));
  const unknown = listed.filter((n) => !EXPORTERS.includes(n));
  if (unknown.length > 0)
    warn(
      'OTEL_TRACES_EXPORTER',
      `${unknown.map((n) => JSON.stringify(n)).join(', ')} not supported (supported: ${EXPORTERS.join(', ')}); skipped`,
    );
  if (chosen === undefined) return;
  const others = listed.filter((n) => n !== chosen && EXPORTERS.includes(n));
  if (others.length > 0)
    warn('OTEL_TRACES_EXPORTER', `tracepack sends spans to one exporter: ${chosen}; ${others.join(', ')} ignored`);
  set(['provider'], chosen === 'none' ? '' : chosen, 'OTEL_TRACES_EXPORTER');
}

/** OTEL_PROPAGATORS: known names in order; `none` alone: nothing written; others skipped. */
function readPropagators(env: Env, set: Set, warn: Warn): void {
  const raw = present(env.OTEL_PROPAGATORS);
  if (raw === undefined) return;
  const listed = names(raw);
  const usable = [...new Set(listed.filter((n) => PROPAGATORS.includes(n)))];
  const skipped = listed.filter((n) => !PROPAGATORS.includes(n) && n !== 'none');
  if (skipped.length > 0) {
    const why = (n: string): string =>
      UNSUPPORTED_PROPAGATORS.includes(n) ? `"${n}" (not supported)` : `"${n}" (unknown)`;
    warn('OTEL_PROPAGATORS', `${skipped.map(why).join(', ')} skipped; supported: ${PROPAGATORS.join(', ')}, none`);
  }
  if (usable.length > 0) set(['propagators'], usable, 'OTEL_PROPAGATORS');
  else if (listed.includes('none')) set(['propagators'], [], 'OTEL_PROPAGATORS');
  // Nothing usable and no `none`: the variable is ignored (lower layers or the default apply).
}

/** OTEL_TRACES_SAMPLER and its OTEL_TRACES_SAMPLER_ARG. */
function readSampler(env: Env, set: Set, warn: Warn): void {
  const raw = present(env.OTEL_TRACES_SAMPLER);
  const arg = present(env.OTEL_TRACES_SAMPLER_ARG);
  if (raw === undefined) return; // the argument is only read with a sampler (the spec)
  const typeNode = schemaAt(['sampler', 'type'])!;
  const type = parseFor(typeNode, raw);
  if ('reason' in type) {
    warn('OTEL_TRACES_SAMPLER', `${JSON.stringify(raw)} ${type.reason}; ignored (the default sampler applies)`);
    return;
  }
  set(['sampler', 'type'], type.value, 'OTEL_TRACES_SAMPLER');
  const kind = type.value as string;
  if (arg === undefined) return;
  if (kind.endsWith('traceidratio')) {
    const ratio = parseFor(schemaAt(['sampler', 'ratio'])!, arg);
    if ('reason' in ratio)
      warn('OTEL_TRACES_SAMPLER_ARG', `${JSON.stringify(arg)} ${ratio.reason} (a ratio 0..1); ratio 1 is used`);
    else set(['sampler', 'ratio'], ratio.value, 'OTEL_TRACES_SAMPLER_ARG');
  } else if (kind.endsWith('jaeger_remote')) {
    const { entries, refused } = parseJaegerRemoteArg(arg);
    const keys: Record<string, string> = {
      endpoint: 'endpoint',
      pollingIntervalMs: 'polling_interval_ms',
      initialSamplingRate: 'initial_sampling_rate',
    };
    for (const [name, value] of entries) {
      const path = ['sampler', 'jaeger_remote', keys[name]!];
      const parsed = parseFor(schemaAt(path)!, value);
      if ('reason' in parsed) refused.push(`${name} ${JSON.stringify(value)} ${parsed.reason}`);
      else set(path, parsed.value, 'OTEL_TRACES_SAMPLER_ARG');
    }
    if (refused.length > 0) warn('OTEL_TRACES_SAMPLER_ARG', `${refused.join('; ')}; ignored (defaults apply)`);
  }
}

/**
 * `OTEL_SDK_DISABLED`: only `true` (any case) disables; any other value but `false` is read
 * as false with a warning (the spec's boolean rule).
 */
export function otelSdkDisabled(env: Env): { disabled: boolean; warning?: string } {
  const raw = present(env.OTEL_SDK_DISABLED)?.toLowerCase();
  if (raw === undefined || raw === 'false') return { disabled: false };
  if (raw === 'true') return { disabled: true };
  return {
    disabled: false,
    warning: maskUrlSecrets(
      `OTEL_SDK_DISABLED: ${JSON.stringify(env.OTEL_SDK_DISABLED)} is not true or false; read as false`,
    ),
  };
}
