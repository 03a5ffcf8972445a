import { configFileRef, copyCodeOptions, readConfigSection } from './config-file';
import { ConfigErrorCode, type ConfigIssue } from './errors';
import { reservedFlagIssue } from './flags';
import { getOwn, isReservedKey, mergeLayers, parseRaw, setOwn, type Layer } from './layers';
import { showValue } from './redact';
import type { SchemaNode } from './schema';
import type { ResolvedSqaConfig, SqaConfig } from './sqa-config-types';
import { SqaConfigError } from './sqa-errors';
import { parseDuration, sqaSchema, sqaSchemaKeys } from './sqa-schema';
import { findOptOutSwitches, parseSwitch, type OptOutSwitch } from './sqa-switches';
import { validateSqaConfig } from './sqa-validate';

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadSqaConfigOptions {
  /** Options in code: the highest precedence (`opt_out: true` here is a switch like any other). */
  config?: SqaConfig | Record<string, unknown>;
  /** The service's config file; its `sqa:` section is read. Default: `--config FILE`, else `TRACING_CONFIG_FILE`. */
  configFile?: string;
  /** Command-line arguments: `--sqa.<key>=<value>` flags, the opt-out flags, `--config FILE`. @default [] */
  argv?: readonly string[];
  /** @default process.env */
  env?: Env;
}

/** The durations of the block, in milliseconds. */
export interface SqaDurations {
  reportIntervalMs: number;
  identifyAfterMs: number;
  keepaliveIntervalMs: number;
}

export interface LoadedSqaConfig {
  /** After precedence and defaults; `opt_out` is true when any switch is on. */
  config: ResolvedSqaConfig;
  /** Every opt-out switch that is on (empty: not opted out). */
  optOut: readonly OptOutSwitch[];
  /** Not opted out and an endpoint is set: reports will be sent. */
  enabled: boolean;
  /** When not enabled, why, in a few words: `opted out by environment DO_NOT_TRACK=1`, `no sqa.endpoint set`. */
  offReason?: string;
  durations: SqaDurations;
  /** `sqa.<key>` -> where its value came from. */
  sources: ReadonlyMap<string, string>;
  configFile?: string;
}

/**
 * Resolves the `sqa:` block. Precedence, highest first: code, `--sqa.<key>` flags, `SQA_*`
 * variables, the config file, defaults. Opt-out is not a matter of precedence: every switch
 * (flags, variables, the key in the file or in code) is enough on its own, and none can be
 * overruled by another saying "on". Throws one {@link SqaConfigError} listing every problem.
 */
export function loadSqaConfig(options: LoadSqaConfigOptions = {}): LoadedSqaConfig {
  const env = options.env ?? process.env;
  const argv = options.argv ?? [];
  const issues: ConfigIssue[] = [];
  const file = configFileRef(options.configFile, argv, env, 'sqa', issues);
  const configFile = file?.file;
  const optOut: OptOutSwitch[] = [];

  const layers: Layer[] = [];
  if (file) {
    const block = readConfigSection(file, 'sqa', issues);
    if (block) layers.push(takeOptOut(labelled(block, `config file ${file.file}`), optOut, issues));
  }
  layers.push(envLayer(env), flagsLayer(argv, issues));
  if (options.config) {
    const code = copyCodeOptions(options.config, 'sqa', issues);
    if (code) layers.push(takeOptOut(labelled(code, 'code'), optOut, issues));
  }
  optOut.unshift(...findOptOutSwitches(argv, env, issues));

  const merged = mergeLayers(layers, sqaSchema() as unknown as SchemaNode);
  issues.push(...validateSqaConfig(merged.values, merged.sources));
  if (issues.length > 0) throw new SqaConfigError(issues);

  const config = merged.values as unknown as ResolvedSqaConfig;
  config.opt_out = optOut.length > 0;
  const durations: SqaDurations = {
    reportIntervalMs: parseDuration(config.report_interval)!,
    identifyAfterMs: parseDuration(config.identify_after)!,
    keepaliveIntervalMs: parseDuration(config.keepalive_interval)!,
  };
  const offReason =
    optOut.length > 0
      ? `opted out by ${optOut[0]!.label}`
      : config.endpoint === undefined
        ? 'no sqa.endpoint set'
        : undefined;
  return {
    config,
    optOut,
    enabled: offReason === undefined,
    offReason,
    durations,
    sources: merged.sources,
    configFile,
  };
}

function labelled(values: Record<string, unknown>, label: string): Layer {
  return { values, sources: new Map(Object.keys(values).map((k) => [`sqa.${k}`, label])) };
}

/** `opt_out` of a file or code layer: a switch (read as users write it), not a merged value. */
function takeOptOut(layer: Layer, optOut: OptOutSwitch[], issues: ConfigIssue[]): Layer {
  if (!Object.hasOwn(layer.values, 'opt_out')) return layer;
  const raw = getOwn(layer.values, 'opt_out');
  delete layer.values.opt_out;
  const source = layer.sources.get('sqa.opt_out')!;
  layer.sources.delete('sqa.opt_out');
  const value = parseSwitch(raw);
  if (value === 'invalid') {
    issues.push({
      code: ConfigErrorCode.NOT_ALLOWED,
      path: 'sqa.opt_out',
      source,
      message: `sqa.opt_out: ${showValue(raw)} is not one of true, false (also 1, yes, 0, no)`,
    });
  } else if (value === true) {
    optOut.push({ label: `${source} (sqa.opt_out: ${showValue(raw)})` });
  }
  return layer;
}

/**
 * `SQA_*` variables, one per key (SQA_OPT_OUT is an opt-out switch, read with the others). An
 * empty variable is unset (`SQA_ENDPOINT=` leaves the file's endpoint, or none).
 */
function envLayer(env: Env): Layer {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const key of sqaSchemaKeys()) {
    const raw = env[key.env];
    if (raw === undefined || raw.trim() === '' || key.name === 'opt_out') continue;
    values[key.name] = parseRaw(raw, key.schema as SchemaNode);
    sources.set(key.dotted, `environment ${key.env}`);
  }
  return { values, sources };
}

/** `--sqa.<key>=<value>` or `--sqa.<key> <value>` (`--sqa.opt_out` is a switch, read with the others). */
function flagsLayer(argv: readonly string[], issues: ConfigIssue[]): Layer {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const byName = new Map(sqaSchemaKeys().map((k) => [k.name, k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--sqa.')) continue;
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).slice('sqa.'.length);
    if (name === 'opt_out') continue;
    let raw: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (raw === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) raw = argv[++i];
    // `--sqa.a.b` names key "a.b" (the block is flat): unknown, reported by validation.
    const reserved = name.split('.').find(isReservedKey);
    if (reserved !== undefined) {
      issues.push(reservedFlagIssue(`sqa.${name}`, reserved));
      continue;
    }
    if (raw === undefined) {
      issues.push({
        code: ConfigErrorCode.BAD_FLAG,
        path: `sqa.${name}`,
        source: `flag --sqa.${name}`,
        message: `flag --sqa.${name}: a value is missing (--sqa.${name}=<value>)`,
      });
      continue;
    }
    const key = byName.get(name);
    setOwn(values, name, key ? parseRaw(raw, key.schema as SchemaNode) : raw);
    sources.set(`sqa.${name}`, `flag --sqa.${name}`);
  }
  return { values, sources };
}
