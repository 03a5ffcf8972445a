import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { codeFileRef, configFileRef, copyCodeOptions, readConfigSection } from './config-file';
import type { ResolvedTracingConfig, TracingConfig } from './config-types';
import { tracingEnvLayer } from './env';
import { TracepackConfigError, type ConfigIssue } from './errors';
import { flagsLayer } from './flags';
import { normalizeFlatForm } from './flat';
import { isPlainObject, layerFrom, mergeLayers, sourceRank, type Layer } from './layers';
import { otelEnvLayer, otelSdkDisabled, type OtelEnvLayer } from './otel-env';
import { tracingSchema } from './schema';
import { validateTracingConfig } from './validate';

export interface LoadTracingConfigOptions {
  /** Options in code: the highest precedence. */
  config?: TracingConfig | Record<string, unknown>;
  /**
   * The service's config file (YAML or JSON): its `tracing:` section is read. Default:
   * `--config FILE` from `argv`, else `TRACING_CONFIG_FILE`.
   */
  configFile?: string;
  /** Command-line arguments: `--tracing.<key>=<value>` flags and `--config FILE`. @default [] */
  argv?: readonly string[];
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where to look for package.json (default service name and version). @default process.cwd() */
  cwd?: string;
}

export interface LoadedTracingConfig {
  config: ResolvedTracingConfig;
  /** False when `provider` is empty or absent, or OTEL_SDK_DISABLED=true. */
  enabled: boolean;
  /** Dotted key -> where its value came from (`config file x.yml`, `environment TRACING_PROVIDER`, ...). */
  sources: ReadonlyMap<string, string>;
  configFile?: string;
  /**
   * Standard OTEL_* variables that were refused or only partly used (an unknown propagator, a
   * malformed number, ...), one sentence each, naming the variable. The OpenTelemetry spec
   * asks for a warning and the default in such cases, never a failure: `@tracepack/node`
   * reports each once through `diag`, `tracepack config validate` prints them.
   */
  warnings: readonly string[];
}

/**
 * Resolves the tracing config. Precedence, highest first: options in code, command-line
 * flags, `TRACING_*` variables, standard `OTEL_*` variables, the config file, defaults.
 * Throws one {@link TracepackConfigError} listing every problem, before anything starts.
 */
export function loadTracingConfig(options: LoadTracingConfigOptions = {}): LoadedTracingConfig {
  const env = options.env ?? process.env;
  const argv = options.argv ?? [];
  const issues: ConfigIssue[] = [];
  const file = configFileRef(options.configFile, argv, env, 'tracing', issues);
  const configFile = file?.file;

  const layers: Layer[] = [];
  const moved = new Map<string, string>();
  if (file) {
    const block = readConfigSection(file, 'tracing', issues);
    if (block) layers.push(withFlatForm(layerFrom(block, `config file ${file.file}`), moved));
  }
  const otel = otelEnvLayer(env);
  layers.push(otel, tracingEnvLayer(env), flagsLayer(argv, issues));
  if (options.config) {
    const code = copyCodeOptions(options.config, 'tracing', issues);
    if (code) layers.push(withFlatForm(layerFrom(code, 'code'), moved));
  }
  const merged = mergeLayers(layers, tracingSchema());
  applyImpliedProvider(merged, otel);
  yieldOverrides(merged);
  applyPackageDefaults(merged, options.cwd ?? process.cwd());

  const disabled = otelSdkDisabled(env);
  const warnings = disabled.warning ? [...otel.warnings, disabled.warning] : otel.warnings;
  const sdkDisabled = disabled.disabled && !hasSource(merged, 'tracing.provider', ['code', 'flag']);
  issues.push(...validateTracingConfig({ values: merged.values, sources: merged.sources, moved }));
  if (issues.length > 0) throw new TracepackConfigError(issues);

  const config = merged.values as unknown as ResolvedTracingConfig;
  if (sdkDisabled) {
    config.provider = '';
    merged.sources.set('tracing.provider', 'environment OTEL_SDK_DISABLED');
  }
  return { config, enabled: config.provider !== '', sources: merged.sources, configFile, warnings };
}

/**
 * The OpenTelemetry spec's default exporter is otlp: when nothing names a provider but an OTLP
 * endpoint variable is set, tracing turns on with otlp. With nothing set it stays off, at no
 * cost (tracepack's own default); `provider: ""` set anywhere keeps it off.
 */
function applyImpliedProvider(merged: Layer, otel: OtelEnvLayer): void {
  if (merged.values.provider !== undefined || !otel.impliedProvider) return;
  merged.values.provider = otel.impliedProvider.provider;
  merged.sources.set('tracing.provider', `environment ${otel.impliedProvider.variable}`);
}

/**
 * Two keys replace others when set: `providers.otlp.traces_endpoint` replaces `server_url`,
 * and `sampler.type` replaces the chosen provider's `sampling` block. Precedence is per key, so
 * such an override yields when the key it would replace comes from a higher-ranked source:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT does not beat TRACING_PROVIDERS_OTLP_SERVER_URL, and
 * OTEL_TRACES_SAMPLER does not beat TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO.
 */
function yieldOverrides(merged: Layer): void {
  const rank = (dotted: string): number => sourceRank(merged.sources.get(dotted));
  const highest = (prefix: string): number =>
    Math.max(
      0,
      ...[...merged.sources].filter(([p]) => p === prefix || p.startsWith(`${prefix}.`)).map(([, s]) => sourceRank(s)),
    );
  const { providers, sampler, provider } = merged.values;
  const otlp = isPlainObject(providers) ? providers.otlp : undefined;
  if (
    isPlainObject(otlp) &&
    otlp.traces_endpoint !== undefined &&
    highest('tracing.providers.otlp.server_url') > rank('tracing.providers.otlp.traces_endpoint')
  ) {
    delete otlp.traces_endpoint;
    merged.sources.delete('tracing.providers.otlp.traces_endpoint');
  }
  if (
    isPlainObject(sampler) &&
    typeof sampler.type === 'string' &&
    sampler.type !== '' &&
    typeof provider === 'string' &&
    provider !== ''
  ) {
    if (highest(`tracing.providers.${provider}.sampling`) > rank('tracing.sampler.type')) {
      delete sampler.type;
      merged.sources.delete('tracing.sampler.type');
    }
  }
}

function withFlatForm(layer: Layer, moved: Map<string, string>): Layer {
  const { block, moved: m } = normalizeFlatForm(layer.values);
  if (m.size === 0) return layer;
  const sources = new Map<string, string>();
  for (const [p, s] of layer.sources)
    if (![...m.values()].some((old) => p === old || p.startsWith(`${old}.`))) sources.set(p, s);
  for (const [newPath, oldPath] of m) {
    moved.set(newPath, oldPath);
    const s = layer.sources.get(oldPath) ?? [...layer.sources].find(([p]) => p.startsWith(`${oldPath}.`))?.[1];
    if (s) sources.set(newPath, s);
  }
  return { values: block, sources };
}

function hasSource(layer: Layer, key: string, kinds: string[]): boolean {
  const s = layer.sources.get(key);
  return s !== undefined && kinds.some((k) => s === k || s.startsWith(`${k} `));
}

/**
 * Reads a config file's `tracing:` section. A file without one whose top level has
 * `provider` is taken as a tracing block of its own (the older flat files). Undefined, with
 * `issues`, when the file cannot be read, is not YAML or JSON, or its section is not a mapping
 * or holds a value that contains itself (a recursive YAML alias).
 */
export function readConfigFile(file: string, issues: ConfigIssue[]): Record<string, unknown> | undefined {
  return readConfigSection(codeFileRef(file), 'tracing', issues);
}

/** service_name and service_version default to the nearest package.json's name and version. */
function applyPackageDefaults(layer: Layer, cwd: string): void {
  const v = layer.values;
  if (v.service_name !== undefined && v.service_version !== undefined) return;
  const pkg = nearestPackageJson(cwd);
  if (v.service_name === undefined) {
    v.service_name = pkg?.name ?? 'unknown_service:node';
    layer.sources.set('tracing.service_name', pkg?.name ? 'package.json' : 'default');
  }
  if (v.service_version === undefined && pkg?.version) {
    v.service_version = pkg.version;
    layer.sources.set('tracing.service_version', 'package.json');
  }
}

function nearestPackageJson(start: string): { name?: string; version?: string } | undefined {
  let dir = resolve(start);
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        return {
          name: typeof pkg.name === 'string' ? pkg.name : undefined,
          version: typeof pkg.version === 'string' ? pkg.version : undefined,
        };
      } catch {
        return undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
