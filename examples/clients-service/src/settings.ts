import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The service's own settings (the `tracing:` section of the same file is read by tracepack). */
export interface ServiceSettings {
  /** Port of the HTTP server. `PORT`, else the file's `port`. @default 4445 */
  port: number;
  /** Host the server listens on. `HOST`, else the file's `host`. @default '0.0.0.0' */
  host: string;
  /** bcrypt cost for client secrets. `BCRYPT_COST`, else the file's `bcrypt_cost`. @default 10 */
  bcryptCost: number;
  /** Lifetime of issued access tokens, in seconds. @default 3600 */
  tokenTtlSeconds: number;
  /** `DATABASE_URL`: a PostgreSQL server; without it (and without `MYSQL_URL`) an embedded one is started. */
  databaseUrl?: string;
  /** `MYSQL_URL`: MySQL or MariaDB instead of PostgreSQL. */
  mysqlUrl?: string;
  /**
   * The URL clients reach the service at. `PUBLIC_URL`, else the file's `public_url`. Usage
   * statistics send only its SHA-256, as the installation id that groups the instances of one
   * deployment. @default http://localhost:<port>
   */
  publicUrl: string;
}

/** Port of clients-service when neither PORT nor the config file names one. */
export const DEFAULT_PORT = 4445;

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

/** Reads the service's keys from the config file, then the environment. Throws on a bad value. */
export function loadSettings(file: string, env: NodeJS.ProcessEnv): ServiceSettings {
  const doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const port = integer('port', env.PORT ?? doc.port, DEFAULT_PORT, 0, 65535);
  return {
    port,
    host: String(env.HOST ?? doc.host ?? '0.0.0.0'),
    bcryptCost: integer('bcrypt_cost', env.BCRYPT_COST ?? doc.bcrypt_cost, 10, 4, 31),
    tokenTtlSeconds: integer('token_ttl_seconds', env.TOKEN_TTL_SECONDS ?? doc.token_ttl_seconds, 3600, 1, 31_536_000),
    databaseUrl: env.DATABASE_URL || undefined,
    mysqlUrl: env.MYSQL_URL || undefined,
    publicUrl: String(env.PUBLIC_URL || doc.public_url || `http://localhost:${port}`),
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
