import type { DiagLogger } from '@opentelemetry/api';
import { SPAN_BCRYPT_COMPARE, SPAN_BCRYPT_GEN_SALT, SPAN_BCRYPT_HASH } from './attributes';
import type { MethodSpec, PatchedMethod } from './internal-types';
import type { BcryptInstrumentationConfig, BcryptLibrary } from './types';

export const PACKAGE_NAME = '@tracepack/instrumentation-bcrypt';
/** Kept equal to package.json by a test. */
export const PACKAGE_VERSION = '0.1.0';

/** Supported versions: the same ranges are stated in the README and checked by the tests. */
export const SUPPORTED_VERSIONS: Readonly<Record<BcryptLibrary, readonly string[]>> = {
  bcrypt: ['>=5 <7'],
  bcryptjs: ['>=2 <4'],
};

/** Both libraries use 10 when genSalt gets no (or a falsy) number of rounds. */
export const DEFAULT_ROUNDS = 10;

// ---------------------------------------------------------------------------------------------
// Options: validated at setup (throws), defaults applied here and nowhere else.

/** Stable codes of the errors this package can throw (only ever at setup, never at runtime). */
export const BcryptErrorCode = {
  /** The config is not an object, names an unknown option, or gives an option the wrong type. */
  INVALID_OPTION: 'TRACEPACK_BCRYPT_INVALID_OPTION',
} as const;

const BOOLEAN_OPTIONS = ['enabled', 'requireParentSpan'] as const;

/** Thrown by the constructor and `setConfig` for a bad option; `code` is stable. */
export class BcryptConfigError extends TypeError {
  readonly code: string = BcryptErrorCode.INVALID_OPTION;
  constructor(message: string) {
    super(`${PACKAGE_NAME}: ${message} [${BcryptErrorCode.INVALID_OPTION}]`);
    this.name = 'BcryptConfigError';
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Validates `config` and applies the defaults (the one place they are applied). */
export function resolveConfig(config: unknown): BcryptInstrumentationConfig {
  if (config === undefined) config = {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new BcryptConfigError(`config expects an object, instead got a '${describe(config)}'`);
  }
  const given = config as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(BOOLEAN_OPTIONS as readonly string[]).includes(key)) {
      throw new BcryptConfigError(`config.${key} is not an option; allowed options: ${BOOLEAN_OPTIONS.join(', ')}`);
    }
  }
  for (const key of BOOLEAN_OPTIONS) {
    const value = given[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new BcryptConfigError(`config.${key} expects a boolean (true or false), instead got a '${describe(value)}'`);
    }
  }
  const typed = given as BcryptInstrumentationConfig;
  return {
    ...typed,
    enabled: typed.enabled ?? true,
    requireParentSpan: typed.requireParentSpan ?? true,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the work factor without keeping anything else of the arguments.

const COST_IN_SALT = /^\$2[abxy]?\$(\d{2})\$/;

/** The cost of a salt or hash string such as `$2b$10$...`; only the two digits are read. */
export function workFactorFromSalt(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = COST_IN_SALT.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** The rounds given as a number, when it is an integer. */
export function workFactorFromRounds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** genSalt(rounds?): both libraries use 10 for a missing or falsy number of rounds. */
function genSaltWorkFactor(args: readonly unknown[]): number | undefined {
  const rounds = args[0];
  if (rounds === undefined || rounds === null || rounds === 0 || typeof rounds === 'function') return DEFAULT_ROUNDS;
  return workFactorFromRounds(rounds);
}

/** hash(data, saltOrRounds): a number is the cost, a string is a salt. */
function hashWorkFactor(args: readonly unknown[]): number | undefined {
  const salt = args[1];
  return typeof salt === 'number' ? workFactorFromRounds(salt) : workFactorFromSalt(salt);
}

/** The index of the first function among the first three arguments (bcrypt's rule for all, bcryptjs's for genSalt). */
function firstFunctionIndex(args: readonly unknown[]): number {
  for (let i = 0; i < Math.min(args.length, 3); i++) if (typeof args[i] === 'function') return i;
  return -1;
}

/** hash/compare: bcrypt takes the first function as the callback, bcryptjs only the third argument. */
function dataCallbackIndex(args: readonly unknown[], library: BcryptLibrary): number {
  if (library === 'bcrypt') return firstFunctionIndex(args);
  return typeof args[2] === 'function' ? 2 : -1;
}

const noCallback = (): number => -1;

/** How each patched method is traced. */
export const METHOD_SPECS: Readonly<Record<PatchedMethod, MethodSpec>> = {
  hash: { spanName: SPAN_BCRYPT_HASH, sync: false, callbackIndex: dataCallbackIndex, workFactor: hashWorkFactor },
  hashSync: {
    spanName: SPAN_BCRYPT_HASH,
    sync: true,
    callbackIndex: noCallback,
    // bcryptjs.hashSync(data) uses 10 rounds; bcrypt.hashSync(data) throws.
    workFactor: (args, library) => (args[1] === undefined && library === 'bcryptjs' ? DEFAULT_ROUNDS : hashWorkFactor(args)),
  },
  compare: { spanName: SPAN_BCRYPT_COMPARE, sync: false, callbackIndex: dataCallbackIndex, workFactor: (args) => workFactorFromSalt(args[1]) },
  compareSync: { spanName: SPAN_BCRYPT_COMPARE, sync: true, callbackIndex: noCallback, workFactor: (args) => workFactorFromSalt(args[1]) },
  genSalt: { spanName: SPAN_BCRYPT_GEN_SALT, sync: false, callbackIndex: firstFunctionIndex, workFactor: genSaltWorkFactor },
  genSaltSync: { spanName: SPAN_BCRYPT_GEN_SALT, sync: true, callbackIndex: noCallback, workFactor: genSaltWorkFactor },
};

// ---------------------------------------------------------------------------------------------
// Errors of the library, as recorded on spans: never anything of the input.

/**
 * Messages the two libraries throw that cannot contain any part of the password, salt or hash
 * (they name argument *types* or fixed facts). Anything else, e.g. bcryptjs's
 * "Invalid salt version: $2" (which quotes the salt), is replaced by {@link REDACTED_ERROR_MESSAGE}.
 */
const SAFE_ERROR_MESSAGES: readonly RegExp[] = [
  // bcrypt (native), bcrypt.js and bcrypt_node.cc
  /^data and (salt|hash) arguments required$/,
  /^data must be a string or Buffer and salt must either be a salt string or a number of rounds$/,
  /^data must be a string or Buffer and hash must be a string$/,
  /^data and hash must be strings$/,
  /^rounds must be a number$/,
  /^minor must be either "a" or "b"$/,
  /^cb must be a function or null to return a Promise$/,
  /^Invalid salt\. Salt must be in the form of: \$Vers\$log2\(NumRounds\)\$saltvalue$/,
  /^invalid hash provided$/,
  /^\d arguments? expected$/,
  // bcryptjs 2 and 3: only `typeof` names and numbers
  /^[Ii]llegal arguments: [a-z]+(, [a-z]+)?$/,
  /^Illegal callback: [a-z]+$/,
  /^Illegal number of rounds \(4-31\): (\d+|NaN)$/,
  /^Illegal salt length: \d+ != \d+$/,
  /^Invalid string \/ salt: Not a string$/,
  /^Missing salt rounds$/,
];

export const REDACTED_ERROR_MESSAGE = 'bcrypt failed (message withheld: it may quote the input)';

/** The error's class name and a message that is safe to record. */
export function safeError(err: unknown): { type: string; message: string } {
  let type = 'Error';
  let message = REDACTED_ERROR_MESSAGE;
  if (err instanceof Error) {
    if (/^[A-Za-z]{0,40}Error$/.test(err.name)) type = err.name;
    if (typeof err.message === 'string' && SAFE_ERROR_MESSAGES.some((re) => re.test(err.message))) message = err.message;
  }
  return { type, message };
}

// ---------------------------------------------------------------------------------------------

/** `true` for the module namespace import-in-the-middle hands to `patch` for an ESM import. */
export function isEsmNamespace(moduleExports: unknown): boolean {
  return (
    typeof moduleExports === 'object' &&
    moduleExports !== null &&
    (moduleExports as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module'
  );
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runtime tracing problems never reach the application: they are counted, and logged through
 * `diag` on the 1st, 10th, 100th, ... occurrence, with the count. No message of ours quotes input.
 */
export class ProblemReporter {
  #count = 0;
  constructor(private readonly log: () => DiagLogger) {}

  get count(): number {
    return this.#count;
  }

  report(where: string, err: unknown): void {
    try {
      this.#count++;
      if (Number.isInteger(Math.log10(this.#count))) {
        const type = err instanceof Error ? err.name : typeof err;
        // The component logger prefixes the package name.
        this.log().warn(`tracing problem in ${where} (${type}); ${this.#count} so far; the application is not affected`);
      }
    } catch {
      // Reporting must never throw either.
    }
  }
}
