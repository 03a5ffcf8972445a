/**
 * Whether anything could configure tracing for `node --require/--import @tracepack/node/register`:
 * a config file (`--config FILE`, `-c FILE`, `--config=FILE`, TRACING_CONFIG_FILE), a
 * `--tracing.<key>` flag, or any TRACING_* or OTEL_* variable (set, even to an empty value).
 *
 * When nothing is there, the loader could only come to one answer: `provider` is absent, so
 * tracing is off, and there is no value that could be wrong and no OTEL_* variable to warn
 * about. The register entry then loads nothing else: not the config package, not the
 * OpenTelemetry API, SDK or instrumentations. When anything is there, the full loader
 * decides, and refuses a bad value at start as always (see README, "Tracing off").
 *
 * Loads nothing: the point is that deciding "off" costs next to nothing. The prefixes are
 * wider than the keys the loader reads, so an input is never missed; a test compares this
 * with `loadTracingConfig` (test/tracing-off.test.ts).
 */
export function hasTracingInputs(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--config' || arg === '-c' || arg.startsWith('--config=') || arg.startsWith('--tracing.')) return true;
  }
  for (const name of Object.keys(env)) {
    // Upper-cased: on Windows, process.env finds TRACING_PROVIDER under any case.
    const upper = name.toUpperCase();
    if (env[name] !== undefined && (upper.startsWith('TRACING_') || upper.startsWith('OTEL_'))) return true;
  }
  return false;
}
