import { setOwn } from './layers';
import type { SchemaNode } from './schema';
import { isHttpUrl } from './validate';

/**
 * Value parsing of the standard OTEL_* variables, as the OpenTelemetry "Environment Variable
 * Specification" reads them. Written here rather than taken from @opentelemetry/core: its
 * `get*FromEnv` helpers read `process.env` only (the loader takes an `env` option, and needs
 * each value with the variable it came from), and its `parseKeyPairsIntoRecord` reads the
 * baggage format, which cuts a resource attribute value at its first `;`.
 *
 * Every parser returns either a value or the reason it was refused; a refused value is
 * reported once and treated as unset, as the specification asks (never a start-up failure).
 */
export type Parsed<T> = { value: T } | { reason: string };

/** The value of a variable, or undefined when it is unset, empty or blank (the spec: the same). */
export function present(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/** A value for the schema key `node`: enum (case-insensitive), integer, number, boolean, URL. */
export function parseFor(node: SchemaNode, raw: string): Parsed<unknown> {
  if (node.enum) {
    const v = raw.toLowerCase();
    return node.enum.includes(v) && v !== ''
      ? { value: v }
      : { reason: `is not one of ${node.enum.filter((e) => e !== '').join(', ')}` };
  }
  switch (node.type) {
    case 'integer':
    case 'number': {
      const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) return { reason: `is not a number` };
      if (node.type === 'integer' && !Number.isInteger(n)) return { reason: 'is not an integer' };
      if ((node.minimum !== undefined && n < node.minimum) || (node.maximum !== undefined && n > node.maximum)) {
        return { reason: `is outside ${node.minimum ?? '-∞'}..${node.maximum ?? '∞'}` };
      }
      return { value: n };
    }
    case 'boolean':
      // Only "true" is true; anything but "false" is false too, with a warning (the spec).
      return { value: raw.toLowerCase() === 'true' };
    default:
      if (node.format === 'http-url' && !isHttpUrl(raw)) return { reason: 'is not an http(s) URL with a host' };
      return { value: raw };
  }
}

/** Splits `a, b,,c` into trimmed, non-empty, lower-cased names (list-of-enum variables). */
export function names(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/**
 * `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs separated by commas, keys and values
 * percent-decoded (`,` and `=` must be encoded in them). Per the Resource SDK specification
 * the whole value is discarded on any error, so a half-read list never tags spans.
 */
export function parseResourceAttributes(raw: string): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = raw.split(',').filter((e) => e.trim() !== '');
  for (const [i, entry] of entries.entries()) {
    const parts = entry.split('=');
    if (parts.length !== 2)
      return { reason: `entry ${i + 1} is not key=value (a "," or "=" inside a key or value must be percent-encoded)` };
    const key = decode(parts[0]!.trim());
    const value = decode(parts[1]!.trim());
    if (key === undefined || value === undefined) return { reason: `entry ${i + 1} has a malformed percent-encoding` };
    if (key === '') return { reason: `entry ${i + 1} has an empty key` };
    setOwn(out, key, value); // own keys: `__proto__` too is a key (the caller skips the reserved ones)
  }
  return { value: out };
}

/**
 * `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`: `key=value` pairs separated by commas, values
 * percent-decoded (the W3C baggage format without metadata, as the OTLP exporter spec says).
 * A bad entry is skipped; its value is never repeated in the reason (headers carry tokens).
 */
export function parseHeaders(raw: string): { headers: Record<string, string>; skipped: number[] } {
  const headers: Record<string, string> = {};
  const skipped: number[] = [];
  const entries = raw.split(',').filter((e) => e.trim() !== '');
  for (const [i, entry] of entries.entries()) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? decode(entry.slice(0, eq).trim()) : undefined;
    const value = eq > 0 ? decode(entry.slice(eq + 1).trim()) : undefined;
    if (!key || value === undefined) skipped.push(i + 1);
    else setOwn(headers, key, value); // own keys: `__proto__` too is a key (the caller skips the reserved ones)
  }
  return { headers, skipped };
}

/**
 * `OTEL_TRACES_SAMPLER_ARG` of the jaeger_remote samplers:
 * `endpoint=http://jaeger:5778/sampling,pollingIntervalMs=5000,initialSamplingRate=0.25`.
 * Returns the recognised entries and one reason per refused one.
 */
export function parseJaegerRemoteArg(raw: string): { entries: Map<string, string>; refused: string[] } {
  const entries = new Map<string, string>();
  const refused: string[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!JAEGER_REMOTE_ARGS.includes(key)) {
      refused.push(`"${eq > 0 ? key : part}" is not one of ${JAEGER_REMOTE_ARGS.join(', ')}`);
      continue;
    }
    entries.set(key, part.slice(eq + 1).trim());
  }
  return { entries, refused };
}

export const JAEGER_REMOTE_ARGS = ['endpoint', 'pollingIntervalMs', 'initialSamplingRate'];

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
