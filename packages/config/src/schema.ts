import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The subset of JSON Schema that tracing.schema.json uses. */
export interface SchemaNode {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array';
  description?: string;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  'x-secret'?: boolean;
  /** A string map merged key by key across sources (others are replaced whole). */
  'x-merge-keys'?: boolean;
}

/** One configurable key: a leaf of the schema (arrays and string maps count as leaves). */
export interface SchemaKey {
  /** Path below `tracing`, e.g. ['providers', 'jaeger', 'local_agent_address']. */
  path: string[];
  /** `tracing.providers.jaeger.local_agent_address` */
  dotted: string;
  /** `TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS` */
  env: string;
  schema: SchemaNode;
  secret: boolean;
}

/** Absolute path of the JSON Schema shipped with this package (for editors and docs). */
export const SCHEMA_PATH = join(__dirname, '..', '..', 'schema', 'tracing.schema.json');

let cached: SchemaNode | undefined;
/** The parsed JSON Schema: the single source of validation, types, variables and help. */
export function tracingSchema(): SchemaNode {
  cached ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
  return cached;
}

export function dottedPath(path: readonly string[]): string {
  return ['tracing', ...path].join('.');
}

export function envName(path: readonly string[]): string {
  return ['TRACING', ...path].join('_').toUpperCase();
}

let keys: SchemaKey[] | undefined;
/** Every key, in schema order. */
export function schemaKeys(): SchemaKey[] {
  if (keys) return keys;
  const out: SchemaKey[] = [];
  const walk = (node: SchemaNode, path: string[], secret: boolean): void => {
    if (node.type === 'object' && node.properties) {
      for (const [k, child] of Object.entries(node.properties))
        walk(child, [...path, k], secret || child['x-secret'] === true);
      return;
    }
    out.push({ path, dotted: dottedPath(path), env: envName(path), schema: node, secret });
  };
  walk(tracingSchema(), [], false);
  keys = out;
  return out;
}

/** The child of `node` named `key`: its own properties only (`constructor` is no key). */
export function propertyOf(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  return node?.properties && Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
}

/** The schema node at a path, or undefined when the path names no key. */
export function schemaAt(path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = tracingSchema();
  for (const k of path) {
    if (!node?.properties) return undefined;
    node = propertyOf(node, k);
  }
  return node;
}

export function isSecretPath(path: readonly string[]): boolean {
  let node: SchemaNode | undefined = tracingSchema();
  for (const k of path) {
    if (!node) return false;
    if (node['x-secret']) return true;
    node =
      propertyOf(node, k) ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node?.['x-secret'] === true;
}
