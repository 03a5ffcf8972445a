import { propertyOf, type SchemaNode } from './schema';

/** A plain config object with where each of its keys came from. */
export interface Layer {
  values: Record<string, unknown>;
  /** dotted path (`tracing.provider`) -> source label (`environment TRACING_PROVIDER`). */
  sources: Map<string, string>;
}

/** Where a source label ranks: a higher rank wins (defaults, which have no label, rank 0). */
export function sourceRank(label: string | undefined): number {
  if (label === undefined) return 0;
  if (label === 'code') return 5;
  if (label.startsWith('flag ')) return 4;
  if (label.startsWith('environment TRACING_')) return 3;
  if (label.startsWith('environment ')) return 2; // OTEL_* and the K8S_* downward-API variables
  return 1; // config file
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Names that are never keys of a config object: a flag path or a map key naming one is refused.
 * The objects below are built from keys users write (files, flags, variables), so they are read
 * and written through {@link getOwn} and {@link setOwn} only: an own `__proto__` key is then a
 * key like any other (reported as unknown), never the object's prototype, and no path can reach
 * `Object.prototype`.
 */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.includes(key);
}

/** `obj[key]` when `key` is the object's own, else undefined (never a prototype's member). */
export function getOwn(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Sets an own, enumerable key: `__proto__` too is a plain key, not the prototype's setter. */
export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Labels every leaf of `values` with one source (for a file or code layer). */
export function layerFrom(values: Record<string, unknown>, label: string): Layer {
  const sources = new Map<string, string>();
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const p = `${prefix}.${k}`;
      if (isPlainObject(v) && Object.keys(v).length > 0) walk(v, p);
      else sources.set(p, label);
    }
  };
  walk(values, 'tracing');
  return { values, sources };
}

/** Sets `value` at `path`, creating objects on the way; own keys only (see {@link setOwn}). */
export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    let next = getOwn(cur, k);
    if (!isPlainObject(next)) {
      next = {};
      setOwn(cur, k, next);
    }
    cur = next as Record<string, unknown>;
  }
  setOwn(cur, path[path.length - 1]!, value);
}

export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (Array.isArray(cur)) cur = getOwn(cur, k);
    else if (isPlainObject(cur)) cur = getOwn(cur, k);
    else return undefined;
  }
  return cur;
}

/**
 * Merges layers from lowest to highest precedence. Objects merge key by key; scalars,
 * lists and string maps (`headers`) are replaced whole by a higher layer, except maps marked
 * `x-merge-keys` (`resource_attributes`), which merge key by key: a pod name from the
 * environment joins the team name from the file instead of replacing it.
 */
export function mergeLayers(layers: readonly Layer[], schema: SchemaNode): Layer {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const merge = (target: Record<string, unknown>, src: Record<string, unknown>, node: SchemaNode | undefined): void => {
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined) continue;
      const child = propertyOf(node, k);
      const mergeable = child?.type === 'object' && (child.properties !== undefined || child['x-merge-keys'] === true);
      if (mergeable && isPlainObject(v)) {
        let into = getOwn(target, k);
        if (!isPlainObject(into)) {
          into = {};
          setOwn(target, k, into);
        }
        merge(into as Record<string, unknown>, v, child);
      } else {
        // Spread copies own keys as own keys (`__proto__` included), as setOwn does.
        setOwn(target, k, isPlainObject(v) ? { ...v } : Array.isArray(v) ? [...v] : v);
      }
    }
  };
  for (const layer of layers) {
    merge(values, layer.values, schema);
    for (const [p, s] of layer.sources) {
      // A replaced map or list drops the sources of the keys it replaced.
      for (const old of sources.keys()) if (old.startsWith(`${p}.`)) sources.delete(old);
      sources.set(p, s);
    }
  }
  return { values, sources };
}

/**
 * Reads a string (from a variable or a flag) as the schema type of its key. A string
 * that does not parse is kept as it is, so validation reports it with its source.
 */
export function parseRaw(raw: string, node: SchemaNode): unknown {
  switch (node.type) {
    case 'integer':
    case 'number': {
      const t = raw.trim();
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : raw;
    }
    case 'boolean': {
      const t = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return raw;
    }
    case 'array':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((s) => (node.items ? parseRaw(s, node.items) : s));
    case 'object':
      return parseKeyValueList(raw);
    default:
      return raw;
  }
}

/** `a=1,b=2` (values URL-decoded, as OTEL_EXPORTER_OTLP_HEADERS) -> { a: '1', b: '2' }. */
export function parseKeyValueList(raw: string): Record<string, string> {
  // A reserved key (`__proto__=x`) is kept as an own key: validation refuses it, naming the source.
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value: a stray % is not worth refusing the header for
    }
    setOwn(out, key, value);
  }
  return out;
}
