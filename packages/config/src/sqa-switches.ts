import { ConfigErrorCode, type ConfigIssue } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The opt-out switches users already know from other tools, each enough on its own. An
 * "enable" switch (`--enable-telemetry`, `TRACEPACK_ENABLE_TELEMETRY`) opts out when false.
 * `SQA_OPT_OUT` and `--sqa.opt_out` are the variable and flag of the `sqa.opt_out` key.
 */
export const OPT_OUT_VARIABLES: readonly { name: string; enables: boolean }[] = [
  { name: 'SQA_OPT_OUT', enables: false },
  { name: 'DISABLE_TELEMETRY', enables: false },
  { name: 'TRACEPACK_ENABLE_TELEMETRY', enables: true },
  { name: 'DO_NOT_TRACK', enables: false },
];

/** Flags, written `--name` (a bare disabling flag means true) or `--name=<value>`. */
export const OPT_OUT_FLAGS: readonly { name: string; enables: boolean }[] = [
  { name: 'sqa-opt-out', enables: false },
  { name: 'sqa.opt_out', enables: false },
  { name: 'disable-telemetry', enables: false },
  { name: 'enable-telemetry', enables: true },
];

const TRUE = ['1', 'true', 'yes'];
const FALSE = ['0', 'false', 'no'];

/**
 * A switch value as users write it: 1, true, yes (any case) or 0, false, no. Empty means
 * unset. Anything else is refused, so a typo never leaves telemetry on by accident.
 */
export function parseSwitch(raw: unknown): boolean | undefined | 'invalid' {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return raw === 1 ? true : raw === 0 ? false : 'invalid';
  if (typeof raw !== 'string') return 'invalid';
  const t = raw.trim().toLowerCase();
  if (t === '') return undefined;
  if (TRUE.includes(t)) return true;
  if (FALSE.includes(t)) return false;
  return 'invalid';
}

function allowed(enables: boolean): string {
  return enables
    ? `one of ${FALSE.join(', ')} (opt out) or ${TRUE.join(', ')}`
    : `one of ${TRUE.join(', ')} (opt out) or ${FALSE.join(', ')}`;
}

/** A switch that is on: what a user would write to turn telemetry off this way. */
export interface OptOutSwitch {
  /** `environment DO_NOT_TRACK=1`, `flag --sqa-opt-out`, `config file x.yml (sqa.opt_out: true)`, `code (opt_out: true)`. */
  label: string;
}

/** Every switch in argv and the environment that opts out; bad values become issues. */
export function findOptOutSwitches(argv: readonly string[], env: Env, issues: ConfigIssue[]): OptOutSwitch[] {
  const on: OptOutSwitch[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = OPT_OUT_FLAGS.find((f) => f.name === name);
    if (!flag) continue;
    // A bare flag means true (`--disable-telemetry` turns it off, `--enable-telemetry` does
    // not); `--sqa.opt_out` also takes its value as the next argument, as other --sqa.* flags.
    let raw = eq === -1 ? 'true' : arg.slice(eq + 1);
    let bare = eq === -1;
    if (bare && name === 'sqa.opt_out' && typeof parseSwitch(argv[i + 1]) === 'boolean') {
      raw = argv[++i]!;
      bare = false;
    }
    const value = parseSwitch(raw);
    if (value === 'invalid') {
      issues.push({
        code: ConfigErrorCode.NOT_ALLOWED,
        path: 'sqa.opt_out',
        source: `flag --${name}`,
        message: `flag --${name}: ${JSON.stringify(raw)} is not ${allowed(flag.enables)}`,
      });
    } else if (value !== undefined && value !== flag.enables) {
      on.push({ label: bare ? `flag ${arg}` : `flag --${name}=${raw}` });
    }
  }
  for (const variable of OPT_OUT_VARIABLES) {
    const raw = env[variable.name];
    if (raw === undefined) continue;
    const value = parseSwitch(raw);
    if (value === 'invalid') {
      issues.push({
        code: ConfigErrorCode.NOT_ALLOWED,
        path: 'sqa.opt_out',
        source: `environment ${variable.name}`,
        message: `${variable.name}: ${JSON.stringify(raw)} is not ${allowed(variable.enables)}`,
      });
    } else if (value !== undefined && value !== variable.enables) {
      on.push({ label: `environment ${variable.name}=${raw.trim()}` });
    }
  }
  return on;
}
