import type { ErrorCode } from './error-catalogue';
import { createError } from './errors';

/**
 * One check of an option given in code. `expected` completes "expects ..." in the error:
 * `config.enabled expects a boolean (true or false), instead got a 'string'`.
 */
export interface OptionRule {
  readonly expected: string;
  readonly check: (value: unknown) => boolean;
  /**
   * Set for rules on the content of a string (a path, a header name): the string given is shown
   * in the error, since its type was right. Otherwise only the type is shown (fastify's
   * "instead got a 'string'"), so that no value of the user's ends up in a log.
   */
  readonly showStrings?: boolean;
  /** For {@link arrayOf}: the rule of each item, checked with the item's own path (`routes[1]`). */
  readonly items?: OptionRule;
}

export const booleanOption: OptionRule = {
  expected: 'a boolean (true or false)',
  check: (v) => typeof v === 'boolean',
};
export const stringOption: OptionRule = { expected: 'a string', check: (v) => typeof v === 'string' };
export const numberOption: OptionRule = {
  expected: 'a finite number',
  check: (v) => typeof v === 'number' && Number.isFinite(v),
};
export const functionOption: OptionRule = { expected: 'a function', check: (v) => typeof v === 'function' };

/** A string matching `pattern`, e.g. `stringMatching(/^\//, 'a path starting with "/"')`. */
export function stringMatching(pattern: RegExp, expected: string): OptionRule {
  return { expected, showStrings: true, check: (v) => typeof v === 'string' && pattern.test(v) };
}

/** One of `values`: `expects one of auto, always, never`. */
export function oneOf(values: readonly (string | number | boolean)[]): OptionRule {
  return { expected: `one of ${values.join(', ')}`, showStrings: true, check: (v) => values.includes(v as string) };
}

/** An array whose every item passes `items`; `expected` names the whole, e.g. 'an array of paths'. */
export function arrayOf(items: OptionRule, expected: string): OptionRule {
  return { expected, items, check: (v) => Array.isArray(v) };
}

/** Who throws, and with which codes. */
export interface OptionsContext {
  /** The code of a value of the wrong type or form. */
  code: ErrorCode;
  /** The code of an option that does not exist. @default code */
  unknownCode?: ErrorCode;
  /** The package that throws, when it is not the code's owner. */
  packageName?: string;
}

/** `null`, `an array`, `'text'` (for a rule on string content) or `a 'number'`. */
export function describeValue(value: unknown, showStrings = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (showStrings && typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return `a '${typeof value}'`;
}

/**
 * Checks one value against `rule` (and, for an array, each item); throws the catalogue's error
 * naming `path`, what was expected and what was given. `undefined` passes: defaults are applied
 * by the caller, in one place.
 */
export function checkOption(value: unknown, rule: OptionRule, path: string, context: OptionsContext): void {
  if (value === undefined) return;
  if (!rule.check(value))
    throw optionError(
      context.code,
      path,
      `expects ${rule.expected}, instead got ${describeValue(value, rule.showStrings)}`,
      context,
    );
  if (rule.items && Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      if (!rule.items!.check(item)) {
        throw optionError(
          context.code,
          `${path}[${i}]`,
          `expects ${rule.items!.expected}, instead got ${describeValue(item, rule.items!.showStrings)}`,
          context,
        );
      }
    });
  }
}

/**
 * Validates an options object given in code: an object (or undefined: no options), only the keys
 * of `rules`, each passing its rule. Returns it as a record; the caller applies the defaults.
 * `path` names the object in errors (`config`, `instrumentations.http`).
 */
export function validateOptions(
  value: unknown,
  rules: Readonly<Record<string, OptionRule>>,
  path: string,
  context: OptionsContext & { allowUnknown?: boolean },
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError(context.code, path, `expects an object, instead got ${describeValue(value)}`, context);
  }
  const given = value as Record<string, unknown>;
  if (context.allowUnknown !== true) {
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(rules, key)) {
        const allowed = Object.keys(rules).join(', ');
        throw optionError(
          context.unknownCode ?? context.code,
          `${path}.${key}`,
          `is not an option; allowed: ${allowed}`,
          context,
          { allowed },
        );
      }
    }
  }
  for (const [key, rule] of Object.entries(rules)) checkOption(given[key], rule, `${path}.${key}`, context);
  return given;
}

function optionError(
  code: ErrorCode,
  path: string,
  detail: string,
  context: OptionsContext,
  extra: Record<string, string> = {},
): Error {
  const options = context.packageName === undefined ? { path } : { path, packageName: context.packageName };
  return createError(code, { path, detail, ...extra }, options);
}
