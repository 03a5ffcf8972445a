import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Port of the gateway when neither GATEWAY_PORT nor the config file names one. */
export const DEFAULT_GATEWAY_PORT = 4455;
export const DEFAULT_UPSTREAM_URL = 'http://127.0.0.1:4445';

export interface GatewaySettings {
  /** `GATEWAY_PORT`, else the file's `port`. @default 4455 */
  port: number;
  /** `HOST`, else the file's `host`. @default '0.0.0.0' */
  host: string;
  /** `UPSTREAM_URL`, else the file's `upstream_url`. @default 'http://127.0.0.1:4445' */
  upstreamUrl: string;
  /** @default 10000 */
  upstreamTimeoutMs: number;
}

/** config.yml next to package.json (dist/src/settings.js -> ../../config.yml). */
export const DEFAULT_CONFIG_FILE = join(__dirname, '..', '..', 'config.yml');

/** `--config FILE` / `--config=FILE` / `-c FILE`, else `CONFIG_FILE`, else the packaged config.yml. */
export function configFileFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === '--config' || arg === '-c') && argv[i + 1]) return argv[i + 1]!;
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return env.CONFIG_FILE || DEFAULT_CONFIG_FILE;
}

export function loadSettings(file: string, env: NodeJS.ProcessEnv): GatewaySettings {
  const doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const upstreamUrl = String(env.UPSTREAM_URL || doc.upstream_url || DEFAULT_UPSTREAM_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(upstreamUrl))
    throw new RangeError(`upstream_url must be an http(s) URL, got ${JSON.stringify(upstreamUrl)}`);
  return {
    port: integer('port', env.GATEWAY_PORT ?? doc.port, DEFAULT_GATEWAY_PORT, 0, 65535),
    host: String(env.HOST ?? doc.host ?? '0.0.0.0'),
    upstreamUrl,
    upstreamTimeoutMs: integer(
      'upstream_timeout_ms',
      env.UPSTREAM_TIMEOUT_MS ?? doc.upstream_timeout_ms,
      10_000,
      1,
      600_000,
    ),
  };
}

function integer(key: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
