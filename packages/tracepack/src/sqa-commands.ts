import {
  loadSqaConfig,
  printSqaConfig,
  renderSqaConfigHelp,
  summarizeSqaConfig,
  TracepackConfigError,
  type LoadedSqaConfig,
} from '@tracepack/config';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CliIo } from './main';

/** The `sqa` part of `config help`: its keys and every opt-out switch, after the tracing keys. */
export function sqaHelp(argv: readonly string[]): string {
  return `\n${renderSqaConfigHelp({ format: argv.includes('--markdown') ? 'markdown' : 'text' })}`;
}

/** Loads the `sqa:` block as the service would; prints every error and returns undefined when bad. */
export function loadSqa(argv: readonly string[], io: CliIo): LoadedSqaConfig | undefined {
  try {
    return loadSqaConfig({ argv, env: io.env });
  } catch (err) {
    if (!(err instanceof TracepackConfigError)) throw err;
    io.err(`${err.message}\n`);
    return undefined;
  }
}

/**
 * The `sqa` line of `config validate`: printed when the block is used at all (a key from the
 * file, a variable or a flag, or an opt-out switch), so a tracing-only setup reads as before.
 */
export function sqaSummary(loaded: LoadedSqaConfig): string {
  return loaded.sources.size > 0 || loaded.optOut.length > 0 ? `ok: ${summarizeSqaConfig(loaded)}\n` : '';
}

/** The `sqa:` block of `config print`, secrets masked. */
export function sqaPrint(loaded: LoadedSqaConfig): string {
  return printSqaConfig(loaded.config);
}

export const USAGE_COMMANDS = `usage: tracepack usage preview [--config FILE] [--json] [--sqa.<key>=<value> ...]
       tracepack usage serve [--port N] [--host ADDR] [--database-url URL | --data-dir DIR] [--api-key KEY]
       tracepack usage report [--since 30d] [--format md|csv|html] [--out FILE] [--vulnerable RANGE] [--database-url URL | --data-dir DIR]

  preview   whether usage statistics are on (or which switch turned them off), where
            reports go, and exactly what the next report and a keep-alive carry,
            decoded; --json prints the OTLP/JSON payloads. Nothing leaves the machine.
  serve     the usage collector (@tracepack/usage-collector): takes the reports on
            POST /v1/metrics and stores them in PostgreSQL (DATABASE_URL) or the
            embedded database; serve --help lists its flags.
  report    what the stored reports say: installations over time, versions (older,
            vulnerable), features, endpoints, p99 per version, regressions, privacy
            drops; as markdown, csv or one html page; report --help lists its flags.
`;

/** `tracepack usage <command>`: asynchronous, so the CLI entry awaits it. */
export async function usageMain(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    (command === undefined ? io.err : io.out)(USAGE_COMMANDS);
    return command === undefined ? 2 : 0;
  }
  if (command === 'serve') return serveUsage(rest, io);
  if (command === 'report') return reportUsage(rest, io);
  if (command !== 'preview') {
    io.err(`tracepack: unknown command "usage ${command}"\n\n${USAGE_COMMANDS}`);
    return 2;
  }
  const usage = loadPackage<typeof import('@tracepack/usage')>('@tracepack/usage', 'usage preview', io);
  if (!usage) return 1;
  try {
    const preview = await usage.previewUsage({ argv: rest, env: io.env, cwd: io.cwd });
    io.out(usage.renderUsagePreview(preview, { json: rest.includes('--json') }));
    return 0;
  } catch (err) {
    // By shape: the service's copy of @tracepack/usage may come with its own copy of the class.
    if (!(err instanceof Error && Array.isArray((err as { issues?: unknown }).issues))) throw err;
    io.err(`${err.message}\n`);
    return 1;
  }
}

/** `tracepack usage serve`: the collector's own command, from the collector package. */
async function serveUsage(argv: readonly string[], io: CliIo): Promise<number> {
  const collector = loadPackage<typeof import('@tracepack/usage-collector')>(
    '@tracepack/usage-collector',
    'usage serve',
    io,
  );
  return collector ? collector.serveCommand(argv, io) : 1;
}

/** `tracepack usage report`: the collector's own command, from the collector package. */
async function reportUsage(argv: readonly string[], io: CliIo): Promise<number> {
  const collector = loadPackage<typeof import('@tracepack/usage-collector')>(
    '@tracepack/usage-collector',
    'usage report',
    io,
  );
  return collector ? collector.reportCommand(argv, io) : 1;
}

/**
 * A package a `usage` command runs: the service's own copy when it has one (resolved from the
 * working directory), else ours; undefined, with one line saying how to install it, when neither.
 */
function loadPackage<T>(name: string, command: string, io: CliIo): T | undefined {
  try {
    return createRequire(join(io.cwd, 'package.json'))(name) as T;
  } catch {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(name) as T;
    } catch {
      io.err(`tracepack: ${command} needs ${name}, which is not installed here: npm install ${name}\n`);
      return undefined;
    }
  }
}
