import { ConfigErrorCode, type ConfigIssue } from './errors';
import { getOwn } from './layers';
import { showValue } from './redact';
import {
  formatDuration,
  parseDuration,
  SQA_DURATION_MINIMUMS,
  sqaSchema,
  sqaSchemaKeys,
  type SqaSchemaNode,
} from './sqa-schema';
import { validate as generatedValidator } from './sqa-validator';
import type { CompiledValidator, SchemaError } from './validate';

/** sqa.schema.json compiled at build time, as the tracing schema is (scripts/generate-validators.mjs). */
const validate = generatedValidator as unknown as CompiledValidator;

const DURATION_HINT = 'a duration such as 500ms, 30s, 15m, 1h, or a number of seconds';

/**
 * Validates the merged `sqa:` values in place (filling defaults) and returns every issue, each
 * naming the key (and the variable or flag it came from), the value and what is allowed.
 */
export function validateSqaConfig(
  values: Record<string, unknown>,
  sources: ReadonlyMap<string, string>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  if (!validate(values)) {
    for (const err of validate.errors ?? []) {
      const issue = toIssue(err, values, sources);
      if (seen.has(issue.path)) continue;
      seen.add(issue.path);
      issues.push(issue);
    }
  }
  // Minimums of durations: JSON Schema cannot put one minimum on "15m" and on 900.
  for (const [name, min] of Object.entries(SQA_DURATION_MINIMUMS)) {
    if (seen.has(`sqa.${name}`)) continue;
    const ms = parseDuration(values[name]);
    if (ms !== undefined && ms < min) {
      issues.push(
        issue(
          ConfigErrorCode.OUT_OF_RANGE,
          name,
          sources,
          `${showValue(values[name])} is below the minimum ${formatDuration(min)} (${DURATION_HINT})`,
        ),
      );
    }
  }
  return issues;
}

function toIssue(err: SchemaError, values: Record<string, unknown>, sources: ReadonlyMap<string, string>): ConfigIssue {
  const path = err.instancePath.split('/').slice(1);
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    const allowed = sqaSchemaKeys().map((k) => k.name);
    return issue(ConfigErrorCode.UNKNOWN_KEY, key, sources, `unknown key; allowed keys: ${allowed.join(', ')}`);
  }
  const name = path[0] ?? '';
  const properties = sqaSchema().properties ?? {};
  const node = getOwn(properties, name) as SqaSchemaNode | undefined;
  const secret = node?.['x-secret'] === true;
  const own = getOwn(values, name);
  const value = path.length > 1 && Array.isArray(own) ? own[Number(path[1])] : own;
  const shown = secret ? '<secret>' : showValue(value);
  switch (err.keyword) {
    case 'enum':
      return issue(
        ConfigErrorCode.NOT_ALLOWED,
        name,
        sources,
        `${shown} is not one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`,
      );
    case 'type': {
      if (node?.format === 'duration')
        return issue(ConfigErrorCode.WRONG_TYPE, name, sources, `${shown} is not ${DURATION_HINT}`);
      const want = (err.params as { type: string }).type;
      const range =
        node?.minimum !== undefined && node.maximum !== undefined ? ` in ${node.minimum}..${node.maximum}` : '';
      return issue(
        ConfigErrorCode.WRONG_TYPE,
        name,
        sources,
        `${shown} is not ${want === 'integer' || want === 'array' ? 'an' : 'a'} ${want}${range}`,
      );
    }
    case 'minimum':
    case 'maximum':
      return issue(
        ConfigErrorCode.OUT_OF_RANGE,
        name,
        sources,
        `${shown} is outside the allowed range ${node?.minimum}..${node?.maximum}`,
      );
    case 'format':
      if (node?.format === 'duration')
        return issue(ConfigErrorCode.INVALID_VALUE, name, sources, `${shown} is not ${DURATION_HINT}`);
      return issue(
        ConfigErrorCode.INVALID_URL,
        name,
        sources,
        `${shown} is not an http(s) URL (e.g. https://usage.example.com)`,
      );
    case 'minLength':
      return issue(
        ConfigErrorCode.INVALID_VALUE,
        name,
        sources,
        `${shown} is too short (at least ${node?.minLength} characters)`,
      );
    case 'pattern':
      return issue(
        ConfigErrorCode.INVALID_VALUE,
        name,
        sources,
        name === 'api_key_header'
          ? `${shown} is not a header name (letters, digits and !#$%&'*+.^_\`|~-)`
          : `${shown} must start with /`,
      );
    case 'uniqueItems':
      return issue(ConfigErrorCode.INVALID_VALUE, name, sources, `${shown} lists a value twice`);
    default:
      return issue(ConfigErrorCode.INVALID_VALUE, name, sources, `${shown} ${err.message ?? 'is invalid'}`);
  }
}

function issue(
  code: ConfigIssue['code'],
  name: string,
  sources: ReadonlyMap<string, string>,
  what: string,
): ConfigIssue {
  const dotted = `sqa.${name}`;
  const source = sources.get(dotted);
  const prefix = source?.startsWith('environment ') ? `${source.slice('environment '.length)} (${dotted})` : dotted;
  return { code, path: dotted, source, message: `${prefix}: ${what}` };
}
