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

export function parseYaml(text: string): unknown {
  return load().parse(text);
}

export function stringifyYaml(value: unknown): string {
  return load().stringify(value);
}
