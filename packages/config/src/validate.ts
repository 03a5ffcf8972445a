import { ConfigErrorCode, type ConfigIssue } from './errors';
import { getPath, RESERVED_KEYS } from './layers';
import { showValue } from './redact';
import { dottedPath, isSecretPath, schemaAt, type SchemaNode } from './schema';
import { validate as generatedValidator } from './tracing-validator';

export { isHostPort, isHttpUrl } from './formats';

/** One error of ajv's generated code: the part of ajv's `ErrorObject` the messages are built from. */
export interface SchemaError {
  keyword: string;
  /** JSON pointer of the value, e.g. `/providers/jaeger/local_agent_address`. */
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** Set on the errors of a `propertyNames` subschema: the map key they are about. */
  propertyName?: string;
}

/** ajv's code for a schema: true when valid; otherwise `errors` lists every problem (allErrors). */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/**
 * tracing.schema.json compiled at build time (scripts/generate-validators.mjs, ajv standalone
 * code): nothing is compiled, and ajv is not even loaded, when a service starts.
 */
const validateSchema = generatedValidator as unknown as CompiledValidator;

export interface ValidationInput {
  values: Record<string, unknown>;
  sources: ReadonlyMap<string, string>;
  /** New path -> old path, for keys that the flat-form normalization moved. */
  moved?: ReadonlyMap<string, string>;
}

/** Validates in place (filling defaults) and returns every issue at once. */
export function validateTracingConfig(input: ValidationInput): ConfigIssue[] {
  if (validateSchema(input.values)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const err of validateSchema.errors ?? []) {
    const issue = toIssue(err, input);
    if (!issue) continue;
    const key = `${issue.path}|${issue.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function toIssue(err: SchemaError, input: ValidationInput): ConfigIssue | undefined {
  const path = err.instancePath.split('/').slice(1).map(decodePointer);
  // A map key (resource_attributes, headers) that is reserved: ajv reports the key's own error
  // (`not`, with `propertyName`), then `propertyNames`; one issue is enough.
  if (err.keyword === 'propertyNames') {
    const key = String((err.params as { propertyName: string }).propertyName);
    return issue(
      ConfigErrorCode.INVALID_VALUE,
      [...path, key],
      input,
      `${JSON.stringify(key)} cannot be a key (${RESERVED_KEYS.join(', ')} never are)`,
    );
  }
  if (err.propertyName !== undefined) return undefined;
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    const full = [...path, key];
    const allowed = Object.keys(schemaAt(path)?.properties ?? {});
    const suggestion = closest(key, allowed);
    const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
    return issue(ConfigErrorCode.UNKNOWN_KEY, full, input, `unknown key${hint}; allowed keys: ${allowed.join(', ')}`);
  }
  const node = schemaAt(path) ?? itemSchema(path);
  const value = getPath(input.values, path);
  const shown = isSecretPath(path) ? '<secret>' : showValue(value);
  switch (err.keyword) {
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      const named = allowed.filter((v) => v !== '').join(', ');
      const off = !allowed.includes('')
        ? ''
        : path.join('.') === 'provider'
          ? ' (or empty: tracing off)'
          : ' (or empty)';
      return issue(ConfigErrorCode.NOT_ALLOWED, path, input, `${shown} is not one of ${named}${off}`);
    }
    case 'type': {
      const want = (err.params as { type: string }).type;
      return issue(ConfigErrorCode.WRONG_TYPE, path, input, `${shown} is not ${article(want)}${describeRange(node)}`);
    }
    case 'minimum':
    case 'maximum':
      return issue(
        ConfigErrorCode.OUT_OF_RANGE,
        path,
        input,
        `${shown} is outside the allowed range ${node?.minimum ?? '-∞'}..${node?.maximum ?? '∞'}`,
      );
    case 'format': {
      const format = (err.params as { format: string }).format;
      if (format === 'host-port') {
        return issue(
          ConfigErrorCode.INVALID_ADDRESS,
          path,
          input,
          `${shown} is not a host:port address (e.g. jaeger:6831)`,
        );
      }
      return issue(
        ConfigErrorCode.INVALID_URL,
        path,
        input,
        `${shown} is not an http(s) URL (e.g. http://jaeger:5778/sampling)`,
      );
    }
    case 'minLength':
      return issue(ConfigErrorCode.INVALID_VALUE, path, input, `${shown} must not be empty`);
    case 'pattern':
      return issue(ConfigErrorCode.INVALID_VALUE, path, input, `${shown} must start with /`);
    case 'uniqueItems':
      return issue(ConfigErrorCode.INVALID_VALUE, path, input, `${shown} lists a value twice`);
    default:
      return issue(ConfigErrorCode.INVALID_VALUE, path, input, `${shown} ${err.message ?? 'is invalid'}`);
  }
}

function issue(code: ConfigIssue['code'], path: string[], input: ValidationInput, what: string): ConfigIssue {
  const dotted = dottedPath(path);
  const source = findSource(dotted, input.sources);
  const oldPath = input.moved?.get(dotted);
  const named = oldPath ? `${oldPath} (flat form of ${dotted})` : dotted;
  const prefix = source?.startsWith('environment ') ? `${source.slice('environment '.length)} (${named})` : named;
  return { code, path: dotted, source, message: `${prefix}: ${what}` };
}

/** The source of a key, or of the nearest list/map above it. */
function findSource(dotted: string, sources: ReadonlyMap<string, string>): string | undefined {
  let p = dotted;
  for (;;) {
    const s = sources.get(p);
    if (s) return s;
    const i = p.lastIndexOf('.');
    if (i <= 0) return undefined;
    p = p.slice(0, i);
  }
}

/** Schema of an array item or map value (`ignore_paths/0`, `headers/x`). */
function itemSchema(path: string[]): SchemaNode | undefined {
  const parent = schemaAt(path.slice(0, -1));
  if (parent?.items) return parent.items;
  if (parent && typeof parent.additionalProperties === 'object') return parent.additionalProperties;
  return undefined;
}

function describeRange(node: SchemaNode | undefined): string {
  if (node?.minimum !== undefined && node.maximum !== undefined) return ` in ${node.minimum}..${node.maximum}`;
  if (node?.enum) return ` (one of ${node.enum.filter((v) => v !== '').join(', ')})`;
  return '';
}

function article(type: string): string {
  return type === 'integer' || type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}

function decodePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The allowed key nearest to a misspelling (edit distance <= 3), for "did you mean". */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of allowed) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
