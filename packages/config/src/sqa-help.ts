import type { RenderConfigHelpOptions } from './help';
import { sqaSchemaKeys, type SqaSchemaKey, type SqaSchemaNode } from './sqa-schema';
import { OPT_OUT_FLAGS, OPT_OUT_VARIABLES } from './sqa-switches';

/**
 * The ANONYMOUS USAGE STATISTICS section: every `sqa` key (variable, type, default, allowed
 * values, description, read from sqa.schema.json) and every opt-out switch. `tracepack config
 * help` prints it after the tracing section; services can print it in their own `--help`.
 */
export function renderSqaConfigHelp(options: RenderConfigHelpOptions = {}): string {
  return options.format === 'markdown' ? markdown(sqaSchemaKeys()) : text(sqaSchemaKeys());
}

/** Every way to opt out, as a user writes it. */
export function optOutSwitchList(): string[] {
  const flags = OPT_OUT_FLAGS.map((f) =>
    f.enables ? `--${f.name}=false` : f.name.includes('.') ? `--${f.name}=true` : `--${f.name}`,
  );
  const variables = OPT_OUT_VARIABLES.map(
    (v) => `${v.name}=${v.enables ? 'false' : v.name === 'SQA_OPT_OUT' ? 'true' : '1'}`,
  );
  return [...flags, ...variables, 'sqa.opt_out: true (config file)'];
}

function text(keys: SqaSchemaKey[]): string {
  const lines = [
    'ANONYMOUS USAGE STATISTICS',
    '  @tracepack/usage sends aggregated, anonymous usage reports (request counts,',
    '  latency, route templates or hashed paths, runtime stats, feature names) to',
    '  the sqa.endpoint the service author set; none set: nothing is sent. It is',
    '  configured in the `sqa:` section of the config file, by the variables below,',
    '  or by flags --sqa.<key>=<value> (code, flags, SQA_* variables, config file,',
    '  defaults). `tracepack usage preview` prints what the next report carries.',
    '',
    '  Opt out, each switch enough on its own (no socket is opened at all):',
    ...wrap(optOutSwitchList().join(', '), 76).map((l) => `    ${l}`),
    '  Switch values: 1, true, yes (any case) or 0, false, no; anything else is',
    '  refused.',
    '',
  ];
  for (const key of keys) {
    lines.push(`  ${key.dotted}`);
    lines.push(`      ${key.env}`);
    lines.push(...wrap(`${typeOf(key.schema)}; default: ${defaultOf(key)}`, 72).map((l) => `      ${l}`));
    const allowed = allowedOf(key.schema);
    if (allowed) lines.push(...wrap(`allowed: ${allowed}`, 72).map((l) => `      ${l}`));
    lines.push(...wrap(key.schema.description ?? '', 72).map((l) => `      ${l}`));
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

function markdown(keys: SqaSchemaKey[]): string {
  const rows = keys.map(
    (k) =>
      `| \`${k.dotted}\` | \`${k.env}\` | ${typeOf(k.schema)} | ${defaultOf(k)} | ${allowedOf(k.schema) || '—'} | ${k.schema.description ?? ''} |`,
  );
  return (
    [
      '| key | variable | type | default | allowed | description |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n') + '\n'
  );
}

function typeOf(node: SqaSchemaNode): string {
  if (node.format === 'duration') return 'duration (30s, 15m, 1h) or seconds';
  if (node.type === 'array') return 'list (comma-separated in a variable)';
  if (node.format === 'http-url') return 'URL';
  return String(node.type ?? 'string');
}

function defaultOf(key: SqaSchemaKey): string {
  const d = key.schema.default;
  if (key.name === 'endpoint') return 'none (nothing is sent)';
  if (key.name === 'installation_salt') return 'random per start';
  if (d === undefined) return 'none';
  if (Array.isArray(d)) return d.length ? d.join(',') : 'none';
  return String(d);
}

function allowedOf(node: SqaSchemaNode): string {
  if (node.enum) return node.enum.map(String).join(', ');
  if (node.minimum !== undefined && node.maximum !== undefined) return `${node.minimum}..${node.maximum}`;
  if (node.type === 'boolean') return 'true, false (also 1, yes, 0, no)';
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
