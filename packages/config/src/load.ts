import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ResolvedTracingConfig, TracingConfig } from './config-types';
import { otelEnvLayer, otelSdkDisabled, tracingEnvLayer } from './env';
import { ConfigErrorCode, TracepackConfigError, type ConfigIssue } from './errors';
import { configFileFlag, flagsLayer } from './flags';
import { normalizeFlatForm } from './flat';
import { isPlainObject, layerFrom, mergeLayers, type Layer } from './layers';
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
  const configFile = options.configFile ?? configFileFlag(argv) ?? env.TRACING_CONFIG_FILE;

  const layers: Layer[] = [];
  const moved = new Map<string, string>();
  if (configFile) {
    const block = readConfigFile(configFile, issues);
    if (block) layers.push(withFlatForm(layerFrom(block, `config file ${configFile}`), moved));
  }
  layers.push(otelEnvLayer(env), tracingEnvLayer(env), flagsLayer(argv, issues));
  if (options.config) {
    layers.push(withFlatForm(layerFrom(structuredClone(options.config) as Record<string, unknown>, 'code'), moved));
  }
  const merged = mergeLayers(layers, tracingSchema());
  applyPackageDefaults(merged, options.cwd ?? process.cwd());

  const sdkDisabled = otelSdkDisabled(env) && !hasSource(merged, 'tracing.provider', ['code', 'flag']);
  issues.push(...validateTracingConfig({ values: merged.values, sources: merged.sources, moved }));
  if (issues.length > 0) throw new TracepackConfigError(issues);

  const config = merged.values as unknown as ResolvedTracingConfig;
  if (sdkDisabled) {
    config.provider = '';
    merged.sources.set('tracing.provider', 'environment OTEL_SDK_DISABLED');
  }
  return { config, enabled: config.provider !== '', sources: merged.sources, configFile };
}

function withFlatForm(layer: Layer, moved: Map<string, string>): Layer {
  const { block, moved: m } = normalizeFlatForm(layer.values);
  if (m.size === 0) return layer;
  const sources = new Map<string, string>();
  for (const [p, s] of layer.sources) if (![...m.values()].some((old) => p === old || p.startsWith(`${old}.`))) sources.set(p, s);
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
 * `provider` is taken as a tracing block of its own (the older flat files).
 */
export function readConfigFile(file: string, issues: ConfigIssue[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    issues.push({ code: ConfigErrorCode.FILE_UNREADABLE, path: 'tracing', source: `config file ${file}`, message: `config file ${file} ${reason}` });
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    issues.push({ code: ConfigErrorCode.FILE_SYNTAX, path: 'tracing', source: `config file ${file}`, message: `config file ${file} is not valid YAML or JSON: ${first}` });
    return undefined;
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) {
    issues.push({ code: ConfigErrorCode.FILE_SYNTAX, path: 'tracing', source: `config file ${file}`, message: `config file ${file} must hold a mapping with a tracing: section` });
    return undefined;
  }
  if ('tracing' in doc) {
    const block = doc.tracing;
    if (block === null || block === undefined) return {};
    if (isPlainObject(block)) return block;
    issues.push({ code: ConfigErrorCode.WRONG_TYPE, path: 'tracing', source: `config file ${file}`, message: `tracing: ${JSON.stringify(block)} is not a mapping` });
    return undefined;
  }
  return 'provider' in doc ? doc : {};
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
        return { name: typeof pkg.name === 'string' ? pkg.name : undefined, version: typeof pkg.version === 'string' ? pkg.version : undefined };
      } catch {
        return undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
