import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaNode } from './schema';

/**
 * A node of sqa.schema.json: the tracing schema's subset, plus union types (`report_interval`
 * takes a duration string or a number of seconds).
 */
export interface SqaSchemaNode extends Omit<SchemaNode, 'type' | 'properties' | 'items'> {
  type?: SchemaNode['type'] | NonNullable<SchemaNode['type']>[];
  properties?: Record<string, SqaSchemaNode>;
  items?: SqaSchemaNode;
}

/** One key of the `sqa:` block (the block is flat: every key is a leaf). */
export interface SqaSchemaKey {
  /** `report_interval` */
  name: string;
  /** `sqa.report_interval` */
  dotted: string;
  /** `SQA_REPORT_INTERVAL` */
  env: string;
  schema: SqaSchemaNode;
  secret: boolean;
}

/** Absolute path of the `sqa:` JSON Schema shipped with this package (for editors and docs). */
export const SQA_SCHEMA_PATH = join(__dirname, '..', '..', 'schema', 'sqa.schema.json');

let cached: SqaSchemaNode | undefined;
/** The parsed schema: the single source of validation, types, variables and help of `sqa:`. */
export function sqaSchema(): SqaSchemaNode {
  cached ??= JSON.parse(readFileSync(SQA_SCHEMA_PATH, 'utf8')) as SqaSchemaNode;
  return cached;
}

let keys: SqaSchemaKey[] | undefined;
/** Every key of the `sqa:` block, in schema order. */
export function sqaSchemaKeys(): SqaSchemaKey[] {
  keys ??= Object.entries(sqaSchema().properties ?? {}).map(([name, schema]) => ({
    name,
    dotted: `sqa.${name}`,
    env: `SQA_${name.toUpperCase()}`,
    schema,
    secret: schema['x-secret'] === true,
  }));
  return keys;
}

/** The keys whose value is a duration, with the least value allowed, in milliseconds. */
export const SQA_DURATION_MINIMUMS: Readonly<Record<string, number>> = {
  report_interval: 1000,
  identify_after: 0,
  keepalive_interval: 1000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds: `500ms`, `30s`, `15m`, `1h`, or a number (or a string of
 * digits) of seconds. Undefined when it is none of these.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** `900000` -> `15m`, `1500` -> `1.5s`: how durations are shown back to the user. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}
