import { ConfigErrorCode, type ConfigIssue } from './errors';
import { isReservedKey, parseRaw, RESERVED_KEYS, setPath, type Layer } from './layers';
import { schemaAt } from './schema';

/**
 * Reads `--tracing.<key path>=<value>` (or `--tracing.<key path> <value>`) flags; other
 * arguments belong to the service and are left alone. `--config FILE` is read separately.
 */
export function flagsLayer(argv: readonly string[], issues: ConfigIssue[]): Layer {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--tracing.')) continue;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let raw: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        raw = next;
        i++;
      }
    }
    const path = name.split('.').slice(1);
    const reserved = path.find(isReservedKey);
    if (reserved !== undefined) {
      issues.push(reservedFlagIssue(name, reserved));
      continue;
    }
    if (raw === undefined) {
      issues.push({
        code: ConfigErrorCode.BAD_FLAG,
        path: name,
        source: `flag --${name}`,
        message: `flag --${name}: a value is missing (--${name}=<value>)`,
      });
      continue;
    }
    const node = schemaAt(path);
    // Unknown keys go through as they are, so validation names them with the allowed keys.
    setPath(values, path, node ? parseRaw(raw, node) : raw);
    sources.set(name, `flag --${name}`);
  }
  return { values, sources };
}

/** `--tracing.__proto__.provider=x`: refused whole, never followed (see RESERVED_KEYS). */
export function reservedFlagIssue(name: string, reserved: string): ConfigIssue {
  return {
    code: ConfigErrorCode.BAD_FLAG,
    path: name,
    source: `flag --${name}`,
    message: `flag --${name}: ${JSON.stringify(reserved)} is not a key, and cannot be one (${RESERVED_KEYS.join(', ')} never are)`,
  };
}

/** `--config FILE` / `--config=FILE`. */
export function configFileFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}
