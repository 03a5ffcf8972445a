import { parseDuration } from './sqa-schema';

/**
 * The custom formats of tracing.schema.json and sqa.schema.json, and the one helper ajv's
 * generated code would otherwise take from ajv itself. The validators in tracing-validator.ts
 * and sqa-validator.ts (generated at build time by scripts/generate-validators.mjs) require
 * this module: ajv is not loaded at run time.
 */

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

export function isHostPort(value: string): boolean {
  const m = HOST_PORT.exec(value);
  return m !== null && Number(m[1]) > 0 && Number(m[1]) <= 65535;
}

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A format as ajv's `addFormat` takes it; the generated code calls `FORMATS[name].validate`. */
export interface FormatDefinition {
  type: 'string';
  validate: (value: string) => boolean;
}

/** Every `format` the schemas use, by name. The generator refuses a schema naming another. */
export const FORMATS: Readonly<Record<string, FormatDefinition>> = {
  'host-port': { type: 'string', validate: isHostPort },
  'http-url': { type: 'string', validate: isHttpUrl },
  duration: { type: 'string', validate: (s) => parseDuration(s) !== undefined },
};

/**
 * Length in Unicode code points, as JSON Schema counts `minLength` (a surrogate pair is one
 * character): what ajv's runtime `ucs2length` computes, without loading ajv.
 */
export function ucs2length(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    length++;
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return length;
}
