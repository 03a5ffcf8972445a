import { DEFAULT_DATA_DIR } from './database';
import { UsageCollectorError } from './errors';
import { DEFAULT_BODY_LIMIT, DEFAULT_HOST, DEFAULT_PORT, startUsageCollector } from './server';
import type { UsageCollector } from './types';

/** What a command needs of its surroundings (the `tracepack` CLI passes its own). */
export interface ServeCommandIo {
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Resolves when the command should stop (SIGINT/SIGTERM). @default the first SIGINT or SIGTERM */
  stopSignal?: Promise<unknown>;
}

export const SERVE_USAGE = `usage: tracepack usage serve [--port N] [--host ADDR] [--database-url URL | --data-dir DIR]
                             [--api-key KEY] [--body-limit BYTES] [--rollup-interval MS]

  Takes the OTLP/HTTP metric reports of @tracepack/usage on POST /v1/metrics (protobuf or
  JSON), filters them again and stores them in PostgreSQL; runs until SIGINT or SIGTERM.

  --port N             port to listen on (env PORT; default ${DEFAULT_PORT}; 0: a free one)
  --host ADDR          address to listen on (env HOST; default ${DEFAULT_HOST}; 0.0.0.0 for other machines)
  --database-url URL   PostgreSQL to store into (env DATABASE_URL); without one, the embedded
                       database (PGlite) in --data-dir
  --data-dir DIR       the embedded database's directory (env TRACEPACK_USAGE_DATA_DIR;
                       default ${DEFAULT_DATA_DIR})
  --api-key KEY        key reports must carry as x-api-key or Authorization: Bearer
                       (env TRACEPACK_USAGE_API_KEY, comma-separated for several)
  --body-limit BYTES   largest request body (default ${DEFAULT_BODY_LIMIT}: 4 MiB)
  --rollup-interval MS how often landed reports are rolled up into the tables (default 1000;
                       0: never by this collector, another one or the report does it)
`;

const FLAGS = new Set(['port', 'host', 'database-url', 'data-dir', 'api-key', 'body-limit', 'rollup-interval']);

/** Parses `--flag value` and `--flag=value`; throws naming the flag on a bad one. */
export function parseServeArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !FLAGS.has(m[1]!))
      throw new UsageCollectorError(
        'TRACEPACK_USAGE_COLLECTOR_INVALID_OPTION',
        `unknown argument ${JSON.stringify(arg)}; allowed: ${[...FLAGS].map((f) => `--${f}`).join(', ')}`,
      );
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageCollectorError('TRACEPACK_USAGE_COLLECTOR_INVALID_OPTION', `--${m[1]} needs a value`);
      i++;
    }
    out.set(m[1]!, value);
  }
  return out;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageCollectorError(
      'TRACEPACK_USAGE_COLLECTOR_INVALID_OPTION',
      `${flag} expects a whole number, instead got ${JSON.stringify(value)}`,
    );
  return Number(value);
}

/**
 * `tracepack usage serve`: starts the collector, prints where it listens and stores, and runs
 * until SIGINT or SIGTERM, then stops taking requests and closes the database. Returns the
 * exit code.
 */
export async function serveCommand(argv: readonly string[], io: ServeCommandIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(SERVE_USAGE);
    return 0;
  }
  // Listening for the signals before anything else: a SIGTERM that comes as soon as the URL
  // is printed (or while starting) stops the collector instead of killing it.
  const stop = io.stopSignal ?? firstSignal();
  let collector: UsageCollector;
  try {
    const flags = parseServeArgs(argv);
    const databaseUrl = flags.get('database-url');
    const dataDir = flags.get('data-dir');
    const apiKey = flags.get('api-key');
    collector = await startUsageCollector({
      port: integer('--port', flags.get('port') ?? io.env['PORT']) ?? DEFAULT_PORT,
      host: flags.get('host') ?? (io.env['HOST'] || DEFAULT_HOST),
      ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(apiKey !== undefined ? { apiKey: apiKey.split(',') } : {}),
      ...(flags.has('body-limit') ? { bodyLimit: integer('--body-limit', flags.get('body-limit'))! } : {}),
      ...(flags.has('rollup-interval')
        ? { rollupIntervalMs: integer('--rollup-interval', flags.get('rollup-interval'))! }
        : {}),
      env: io.env,
      logger: (line) => io.err(`tracepack usage serve: ${line}\n`),
    });
  } catch (err) {
    if (!(err instanceof UsageCollectorError) && !(err instanceof Error && 'code' in err)) throw err;
    io.err(`tracepack usage serve: ${(err as Error).message}\n`);
    return 1;
  }
  io.out(`${collector.metricsUrl}\n`);
  await stop;
  io.err('tracepack usage serve: stopping (requests in flight are answered first)\n');
  await collector.close();
  return 0;
}

function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
