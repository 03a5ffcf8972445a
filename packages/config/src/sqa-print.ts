import { stringifyYaml as stringify } from './yaml';
import type { ResolvedSqaConfig } from './sqa-config-types';
import type { LoadedSqaConfig } from './sqa-load';
import { maskUrlSecrets } from './redact';
import { formatDuration, sqaSchemaKeys } from './sqa-schema';

const masked = (v: unknown): unknown => (typeof v === 'string' ? maskUrlSecrets(v) : v);

/**
 * A copy, in schema order, with every secret (`api_key`, `installation_salt`) replaced by `****`
 * and the password of every URL by `***` (`https://user:***@usage.example.com`).
 */
export function maskSqaSecrets(config: ResolvedSqaConfig): ResolvedSqaConfig {
  // In schema order, whatever order the layers set them in.
  const out: Record<string, unknown> = {};
  const values = config as unknown as Record<string, unknown>;
  for (const key of sqaSchemaKeys()) {
    const v = values[key.name];
    if (v === undefined) continue;
    out[key.name] = key.secret && v !== '' ? '****' : Array.isArray(v) ? v.map(masked) : masked(v);
  }
  return out as unknown as ResolvedSqaConfig;
}

/** The resolved block as YAML under `sqa:`, secrets masked. */
export function printSqaConfig(config: ResolvedSqaConfig): string {
  return stringify({ sqa: maskSqaSecrets(config) });
}

/** One line: on (where, how often) or off (and why). Never shows a secret (URL passwords masked). */
export function summarizeSqaConfig(loaded: LoadedSqaConfig): string {
  if (!loaded.enabled) return `usage statistics are off (${loaded.offReason}): nothing is sent`;
  const c = loaded.config;
  const key = c.api_key ? `, api key in ${c.api_key_header}` : '';
  return `usage statistics are on: ${maskUrlSecrets(c.endpoint ?? '')} (${c.protocol}${key}) every ${formatDuration(loaded.durations.reportIntervalMs)}`;
}
