/**
 * The YAML parser, loaded on first use: a service that names no config file (tracing set by
 * variables, flags or code, or off) never loads it. `yaml` is about 70 modules.
 */
type Yaml = typeof import('yaml');

let yaml: Yaml | undefined;
function load(): Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yaml ??= require('yaml') as Yaml;
  return yaml;
}

/**
 * Errors throw (the loader keeps the first line of the message: the rest quotes the file).
 * Warnings are not logged: yaml would emit them as process warnings on the service's stderr,
 * quoting the line of the file (an unresolved `!tag`, a key that is a list), which may hold a
 * secret; what they are about is reported by validation (a wrong type, an unknown key).
 * Alias expansion is bounded (yaml's default, written down): a "billion laughs" file is a
 * syntax error, not gigabytes. Aliases to a node that contains them make a cycle, refused
 * after parsing (see shape.ts).
 */
const OPTIONS = { logLevel: 'error', maxAliasCount: 100 } as const;

export function parseYaml(text: string): unknown {
  return load().parse(text, OPTIONS);
}

export function stringifyYaml(value: unknown): string {
  return load().stringify(value);
}
