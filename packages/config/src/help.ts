import { schemaKeys, type SchemaKey, type SchemaNode } from './schema';

export interface RenderConfigHelpOptions {
  /** `text` for a terminal (80 columns), `markdown` for docs. @default 'text' */
  format?: 'text' | 'markdown';
}

/**
 * The DEBUG CONTROLS section: every key, its variable, type, default, allowed values and a
 * one-line description, all read from the JSON Schema. Services print it in their own
 * `--help`; `tracepack config help` prints it too.
 */
export function renderConfigHelp(options: RenderConfigHelpOptions = {}): string {
  const keys = schemaKeys();
  return options.format === 'markdown' ? markdown(keys) : text(keys);
}

function text(keys: SchemaKey[]): string {
  const lines = [
    'DEBUG CONTROLS',
    '  Tracing is configured in the `tracing:` section of the config file, by',
    '  the variables below, or by flags --tracing.<key>=<value>. Precedence,',
    '  highest first: code, flags, TRACING_* variables, OTEL_* variables,',
    '  config file, defaults.',
    '',
  ];
  for (const key of keys) {
    lines.push(`  ${key.dotted}`);
    lines.push(`      ${key.env}`);
    lines.push(...wrap(`${typeOf(key.schema)}; default: ${defaultOf(key)}`, 72).map((l) => `      ${l}`));
    const allowed = allowedOf(key.schema, 'allowed: ');
    if (allowed) lines.push(...wrap(allowed, 72).map((l, i) => `      ${i === 0 ? '' : '  '}${l}`));
    lines.push(...wrap(key.schema.description ?? '', 72).map((l) => `      ${l}`));
    lines.push('');
  }
  lines.push(...OTEL_FOOTER);
  return `${lines.join('\n')}\n`;
}

/**
 * The standard variables, below TRACING_* ones. Their mapping onto the keys is the conformance
 * table of @tracepack/config's README; a bad value of one of them is warned about and ignored.
 */
const OTEL_FOOTER = [
  '  Standard OpenTelemetry variables are read too, below TRACING_* ones (a',
  '  bad value is reported and ignored): OTEL_SDK_DISABLED, OTEL_SERVICE_NAME,',
  '  OTEL_RESOURCE_ATTRIBUTES (and K8S_POD_NAME, K8S_NAMESPACE_NAME, ...),',
  '  OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER(_ARG), OTEL_PROPAGATORS,',
  '  OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _PROTOCOL, _HEADERS, _TIMEOUT,',
  '  _COMPRESSION, _INSECURE, OTEL_EXPORTER_ZIPKIN_ENDPOINT, OTEL_BSP_*,',
  '  OTEL_LOG_LEVEL.',
];

function markdown(keys: SchemaKey[]): string {
  const rows = keys.map(
    (k) =>
      `| \`${k.dotted}\` | \`${k.env}\` | ${typeOf(k.schema)} | ${defaultOf(k)} | ${allowedOf(k.schema, '') || '—'} | ${k.schema.description ?? ''} |`,
  );
  return (
    [
      '| key | variable | type | default | allowed | description |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n') + '\n'
  );
}

function typeOf(node: SchemaNode): string {
  if (node.type === 'array') return 'list (comma-separated in a variable)';
  if (node.type === 'object') return 'map (k=v,k2=v2 in a variable)';
  if (node.format === 'host-port') return 'host:port';
  if (node.format === 'http-url') return 'URL';
  return node.type ?? 'string';
}

function defaultOf(key: SchemaKey): string {
  const d = key.schema.default;
  if (key.dotted === 'tracing.provider') return 'empty (tracing off)';
  if (key.dotted === 'tracing.service_name') return 'the package.json name';
  if (key.dotted === 'tracing.service_version') return 'the package.json version';
  if (key.dotted === 'tracing.sampler.type') return "empty (the provider's sampling)";
  if (d === undefined) return 'none';
  if (Array.isArray(d)) return d.length ? d.join(',') : 'none';
  if (typeof d === 'object' && d !== null) return Object.keys(d).length ? JSON.stringify(d) : 'none';
  return String(d);
}

function allowedOf(node: SchemaNode, prefix: string): string {
  const target = node.type === 'array' ? node.items : node;
  if (target?.enum) return `${prefix}${target.enum.map((v) => (v === '' ? '""' : String(v))).join(', ')}`;
  if (target?.minimum !== undefined && target.maximum !== undefined)
    return `${prefix}${target.minimum}..${target.maximum}`;
  return '';
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
