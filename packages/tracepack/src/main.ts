import {
  ConfigErrorCode,
  loadTracingConfig,
  PROVIDER_PACKAGES,
  printTracingConfig,
  renderConfigHelp,
  summarizeTracingConfig,
  TracepackConfigError,
  type LoadedTracingConfig,
} from '@tracepack/config';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadSqa, sqaHelp, sqaPrint, sqaSummary } from './sqa-commands';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const USAGE = `usage: tracepack config <command> [--config FILE] [--tracing.<key>=<value> ...]

commands:
  help [--markdown]   every tracing key: its variable, type, default, allowed values
  validate            exit 0 with a summary of what will happen (and a warning per
                      OTEL_* value that is ignored), or 1 with every error
  print               the resolved config after precedence, secrets masked

The config file is --config FILE, else TRACING_CONFIG_FILE; TRACING_* and OTEL_*
variables and --tracing.* flags apply on top, as they would in the service.
The sqa: block (usage statistics, SQA_* variables, --sqa.* flags and the opt-out
switches) is listed, validated and printed with it.

       tracepack usage preview [--config FILE] [--json]
                      what the next usage report carries, decoded, and whether
                      reports are on, or which switch turned them off
`;

/** Runs one `tracepack` command; returns the exit code. */
export function main(argv: readonly string[], io: CliIo): number {
  const [group, command, ...rest] = argv;
  if (group !== 'config' || command === undefined || isHelpFlag(command)) {
    // Asked for (no arguments, --help, -h): stdout and 0; a wrong command: stderr and 2.
    const asked = group === undefined || isHelpFlag(group) || isHelpFlag(command);
    (asked ? io.out : io.err)(USAGE);
    return asked ? 0 : 2;
  }
  switch (command) {
    case 'help':
      io.out(renderConfigHelp({ format: rest.includes('--markdown') ? 'markdown' : 'text' }));
      io.out(sqaHelp(rest));
      return 0;
    case 'validate':
    case 'print': {
      const loaded = load(rest, io);
      const sqa = loadSqa(rest, io);
      if (!loaded || !sqa) return 1;
      if (command === 'print') {
        io.out(printTracingConfig(loaded.config));
        io.out(sqaPrint(sqa));
        return 0;
      }
      const missing = missingProviderPackage(loaded, io.cwd);
      if (missing) {
        io.err(
          `tracepack: tracing.provider "${loaded.config.provider}" needs ${missing}, which is not installed here: npm install ${missing} [${ConfigErrorCode.PROVIDER_NOT_INSTALLED}]\n`,
        );
        return 1;
      }
      io.out(`ok: ${summarizeTracingConfig(loaded.config)}\n`);
      io.out(sqaSummary(sqa));
      return 0;
    }
    default:
      io.err(`tracepack: unknown command "config ${command}"\n\n${USAGE}`);
      return 2;
  }
}

function load(argv: readonly string[], io: CliIo): LoadedTracingConfig | undefined {
  try {
    const loaded = loadTracingConfig({ argv, env: io.env, cwd: io.cwd });
    // OTEL_* values the service would warn about and ignore: on stderr, the exit code stays 0.
    for (const w of loaded.warnings) io.err(`tracepack: warning: ${w}\n`);
    return loaded;
  } catch (err) {
    if (!(err instanceof TracepackConfigError)) throw err;
    io.err(`${err.message}\n`);
    return undefined;
  }
}

function isHelpFlag(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h';
}

function missingProviderPackage(loaded: LoadedTracingConfig, cwd: string): string | undefined {
  const provider = loaded.config.provider;
  if (provider === '' || provider === 'console') return undefined;
  const pkg = PROVIDER_PACKAGES[provider];
  try {
    createRequire(join(cwd, 'package.json')).resolve(pkg);
    return undefined;
  } catch {
    return pkg;
  }
}
