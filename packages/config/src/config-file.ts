import { readFileSync } from 'node:fs';
import { ConfigErrorCode, type ConfigIssue } from './errors';
import { configFileFlag } from './flags';
import { isPlainObject } from './layers';
import { showValue } from './redact';
import { describeShapeProblem, findShapeProblem } from './shape';
import { parseYaml } from './yaml';

type Env = Readonly<Record<string, string | undefined>>;

/** The config file, and where its name came from: every error about the file names both. */
export interface ConfigFileRef {
  file: string;
  /** How messages name it: `config file x.yml` (code), `--config x.yml`, `TRACING_CONFIG_FILE=x.yml`. */
  named: string;
  /** `ConfigIssue.source`: `config file x.yml`, `flag --config`, `environment TRACING_CONFIG_FILE`. */
  source: string;
}

/**
 * The config file: `configFile` in code, else `--config FILE` (or `-c FILE`), else
 * `TRACING_CONFIG_FILE`. A `--config` without a file name (last, or `--config=`) is an issue, not
 * a config without a file (`-c` alone is left to the service, whose flag it may be).
 */
export function configFileRef(
  configFile: string | undefined,
  argv: readonly string[],
  env: Env,
  section: 'tracing' | 'sqa',
  issues: ConfigIssue[],
): ConfigFileRef | undefined {
  if (configFile) return codeFileRef(configFile);
  const flag = configFileFlag(argv);
  if (flag) return { file: flag, named: `--config ${flag}`, source: 'flag --config' };
  if (flag === '' || (flag === undefined && argv[argv.length - 1] === '--config')) {
    const message = `flag --config: a file name is missing (--config FILE, whose ${section}: section is read)`;
    issues.push({ code: ConfigErrorCode.BAD_FLAG, path: section, source: 'flag --config', message });
    return undefined;
  }
  const variable = env.TRACING_CONFIG_FILE;
  if (variable)
    return { file: variable, named: `TRACING_CONFIG_FILE=${variable}`, source: 'environment TRACING_CONFIG_FILE' };
  return undefined;
}

/** The ref of a file named in code (readConfigFile's). */
export function codeFileRef(file: string): ConfigFileRef {
  return { file, named: `config file ${file}`, source: `config file ${file}` };
}

/**
 * Reads the `tracing:` or `sqa:` section of a config file: undefined (and issues) when the file
 * cannot be read or parsed, or the section is not a mapping or holds a value tracepack refuses
 * to walk (a recursive YAML alias, nesting deeper than MAX_DEPTH). An absent or empty section
 * is `{}`. A file without a `tracing:` section whose top level has `provider` is taken as a
 * tracing block of its own (the older flat files). A file whose top level is not a mapping is
 * an issue of the tracing loader only (the sqa loader reads no section from it).
 */
export function readConfigSection(
  ref: ConfigFileRef,
  section: 'tracing' | 'sqa',
  issues: ConfigIssue[],
): Record<string, unknown> | undefined {
  const fileIssue = (code: ConfigIssue['code'], what: string, path: string = section): void =>
    void issues.push({ code, path, source: ref.source, message: `${ref.named}: ${what}` });
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory, not a file'
          : `cannot be read (${(err as Error).message})`;
    fileIssue(ConfigErrorCode.FILE_UNREADABLE, reason);
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The first line only: the rest of yaml's message quotes the file, which may hold a secret.
    const first = String((err as Error).message).split('\n')[0];
    fileIssue(ConfigErrorCode.FILE_SYNTAX, `not valid YAML or JSON: ${first}`);
    return undefined;
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) {
    if (section === 'tracing') fileIssue(ConfigErrorCode.FILE_SYNTAX, 'must hold a mapping with a tracing: section');
    return section === 'tracing' ? undefined : {};
  }
  let block: unknown;
  if (Object.hasOwn(doc, section)) block = doc[section];
  else block = section === 'tracing' && Object.hasOwn(doc, 'provider') ? doc : {};
  if (block === null || block === undefined) return {};
  if (!isPlainObject(block)) {
    fileIssue(ConfigErrorCode.WRONG_TYPE, `${section}: ${showValue(block)} is not a mapping`);
    return undefined;
  }
  const problem = findShapeProblem(block);
  if (problem) {
    const path = [section, ...problem.path].join('.');
    fileIssue(ConfigErrorCode.FILE_SYNTAX, `${path}: ${describeShapeProblem(problem, true)}`, path);
    return undefined;
  }
  return block;
}

/**
 * Options given in code, as a copy the loader may change: refused (an issue, undefined) when
 * they are not an object, or hold a cycle, a nesting deeper than MAX_DEPTH, or a function.
 */
export function copyCodeOptions(
  config: unknown,
  section: 'tracing' | 'sqa',
  issues: ConfigIssue[],
): Record<string, unknown> | undefined {
  const codeIssue = (code: ConfigIssue['code'], path: string, what: string): void =>
    void issues.push({ code, path, source: 'code', message: `${path}: ${what}` });
  if (!isPlainObject(config)) {
    codeIssue(ConfigErrorCode.WRONG_TYPE, section, `the options in code must be an object, not ${showValue(config)}`);
    return undefined;
  }
  try {
    const problem = findShapeProblem(config);
    if (problem) {
      codeIssue(
        ConfigErrorCode.INVALID_VALUE,
        [section, ...problem.path].join('.'),
        describeShapeProblem(problem, false),
      );
      return undefined;
    }
    return structuredClone(config);
  } catch (err) {
    // A getter that throws, or a value structuredClone refuses below what the check walks (a
    // function inside a Map, ...).
    codeIssue(
      ConfigErrorCode.INVALID_VALUE,
      section,
      `the options in code cannot be copied (${String((err as Error)?.message ?? err)})`,
    );
    return undefined;
  }
}
