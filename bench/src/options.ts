import { join } from 'node:path';

/** The routes a server variant answers; one scenario per benchmark table section. */
export type ScenarioName = 'hello' | 'db' | 'bcrypt';
export const SCENARIOS: readonly ScenarioName[] = ['hello', 'db', 'bcrypt'];

/** Which tool makes the load: wrk when installed, else autocannon in its own process. */
export type LoadTool = 'wrk' | 'autocannon';

/** Where traced variants export: Jaeger when installed (auto), or the bench's OTLP receiver. */
export type ReceiverOption = 'auto' | 'jaeger' | 'otlp';

export interface BenchOptions {
  /** Scenarios to run, in this order. @default all of SCENARIOS */
  scenarios: ScenarioName[];
  /** Measured seconds per run (wrk takes whole seconds). @default 10, quick 2 */
  duration: number;
  /** Unmeasured load before each measured run (JIT, pools, first batches). @default 3, quick 1 */
  warmup: number;
  /** Rounds over every scenario x variant; medians are reported. @default 3, quick 1 */
  rounds: number;
  /** The receiver of the traced variants. @default auto: Jaeger when installed, else otlp */
  receiver: ReceiverOption;
  /** Seconds of load with the receiver stopped (the dead-backend check). @default 60, quick 6 */
  deadDuration: number;
  /** The dead-backend run is cut into segments this long, each with its own throughput and RSS. @default 10, quick 2 */
  deadSegment: number;
  /** Open connections of the load generator (one thread). @default 32 */
  connections: number;
  /** Sampling ratio of the sampled tracepack variant. @default 0.01 */
  sampledRatio: number;
  /** PostgreSQL URL for the db scenario; unset: an embedded PGlite wire server. */
  pgUrl: string | undefined;
  /** Where the JSON result goes. @default bench/results */
  outDir: string;
  /** Forces a load tool; default wrk when found on PATH, else autocannon. */
  load: LoadTool | undefined;
  /** Also run the floor variants on hello: the context API alone, the SDK alone at 0.01. @default false */
  floor: boolean;
  /** Run only these variants (names as in the JSON: untraced, tracepack, tracepack-record, ...), where a scenario has them; A/B runs. @default all */
  only: string[] | undefined;
  /** Also run the usage variants on hello: @tracepack/usage opted out (h) and on (i), tracing off. @default false */
  usage: boolean;
  /** Measure start-up instead (`--startup`): an express app under `node -e`, untraced, tracing off and on. @default false */
  startup: boolean;
  /** Runs per start-up variant; medians are reported. @default 20, quick 5 */
  startupRuns: number;
  /** Run the soak instead (`--soak`): tracepack on hello under load, the backend killed and restarted. @default false */
  soak: boolean;
  /** Seconds of load of the soak. @default 600, quick 60 */
  soakDuration: number;
  /** Soak segment length: the backend is killed at the start of every other segment, restarted at the next. @default 30, quick 10 */
  flapInterval: number;
  /** Print progress lines to stderr. @default true */
  verbose: boolean;
  quick: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]      (or: node bench/dist/src/run.js [options])

  --quick               short runs: 2 s measured, 1 s warm-up, 1 round, 6 s dead backend
  --duration <s>        measured seconds per run (whole seconds)        env BENCH_DURATION   [10]
  --warmup <s>          warm-up seconds before each run (0: none)       env BENCH_WARMUP     [3]
  --rounds <n>          rounds; medians are reported                    env BENCH_ROUNDS     [3]
  --scenario <name>     hello|db|bcrypt, repeatable or comma-separated  env BENCH_SCENARIO   [all]
  --dead-duration <s>   load seconds with the receiver stopped          env BENCH_DEAD_DURATION [60]
  --dead-segment <s>    segment length of the dead-backend run          env BENCH_DEAD_SEGMENT  [10]
  --connections <n>     load generator connections (1 thread)           env BENCH_CONNECTIONS [32]
  --load wrk|autocannon force the load tool                             env BENCH_LOAD       [wrk if found]
  --receiver auto|jaeger|otlp  where the traced variants export: Jaeger v2 (in memory,
                        OTLP/HTTP) or the bench's own OTLP receiver     env BENCH_RECEIVER   [auto: jaeger if installed]
  --out <dir>           directory of the JSON result                    env BENCH_OUT        [bench/results]
  --floor               also run, on hello, (f) the OpenTelemetry context API alone (one
                        context.with per request, no span) and (g) the SDK alone at 0.01
                        (extract, startSpan, setSpan, with; no exporter)  env BENCH_FLOOR [off]
  --only <variants>     only these variants, comma-separated names as in the JSON
                        (untraced,tracepack,tracepack-record,...): A/B runs    env BENCH_ONLY [all]
  --usage               also run, on hello, (h) @tracepack/usage opted out and (i) usage on
                        (a report every 5 s to a receiver process), tracing off  env BENCH_USAGE [off]
  --startup             measure start-up instead: node -e of an express app, (a) untraced, (b) tracing
                        off (--require, --import, in code), (c) tracing on (otlp, dead port)  env BENCH_STARTUP [off]
  --startup-runs <n>    runs per start-up variant; medians are reported env BENCH_STARTUP_RUNS [20, quick 5]
  --soak                run the soak instead: tracepack on hello under load, the backend (Jaeger or
                        the bench receiver) SIGKILLed every other segment and restarted at the next  env BENCH_SOAK [off]
  --soak-duration <s>   seconds of load of the soak                     env BENCH_SOAK_DURATION [600, quick 60]
  --flap-interval <s>   soak segment length (alive, dead, alive, ...)   env BENCH_FLAP_INTERVAL [30, quick 10]
  --quiet               no progress lines
  BENCH_PG_URL          a real PostgreSQL for the db scenario (default: embedded PGlite)
`;

/** The bench package's root (bench/), from dist/src/options.js. */
export const BENCH_ROOT = join(__dirname, '..', '..');

/** Flags win over environment variables, which win over the defaults (quick or not). */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): BenchOptions {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`bench: unexpected argument "${arg}"\n\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!KNOWN_FLAGS.has(name)) throw new Error(`bench: unknown option --${name}\n\n${USAGE}`);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (
      name === 'quick' ||
      name === 'quiet' ||
      name === 'help' ||
      name === 'floor' ||
      name === 'usage' ||
      name === 'startup' ||
      name === 'soak'
    )
      value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`bench: --${name} needs a value\n\n${USAGE}`);
      value = next;
      i++;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  const pick = (flag: string, variable: string): string | undefined =>
    flags.get(flag)?.at(-1) ?? nonEmpty(env[variable]);
  const quick = pick('quick', 'BENCH_QUICK') === 'true' || pick('quick', 'BENCH_QUICK') === '1';

  const scenarioText = flags.get('scenario')?.join(',') ?? nonEmpty(env.BENCH_SCENARIO);
  const scenarios = scenarioText === undefined ? [...SCENARIOS] : parseScenarios(scenarioText);
  const load = pick('load', 'BENCH_LOAD');
  if (load !== undefined && load !== 'wrk' && load !== 'autocannon')
    throw new Error(`bench: --load must be wrk or autocannon, got "${load}"`);

  const receiver = pick('receiver', 'BENCH_RECEIVER') ?? 'auto';
  if (receiver !== 'auto' && receiver !== 'jaeger' && receiver !== 'otlp')
    throw new Error(`bench: --receiver must be auto, jaeger or otlp, got "${receiver}"`);

  return {
    quick,
    receiver,
    scenarios,
    duration: number(pick('duration', 'BENCH_DURATION'), quick ? 2 : 10, 'duration', 1, true),
    warmup: number(pick('warmup', 'BENCH_WARMUP'), quick ? 1 : 3, 'warmup', 0, true),
    rounds: number(pick('rounds', 'BENCH_ROUNDS'), quick ? 1 : 3, 'rounds', 1, true),
    deadDuration: number(pick('dead-duration', 'BENCH_DEAD_DURATION'), quick ? 6 : 60, 'dead-duration', 1, true),
    deadSegment: number(pick('dead-segment', 'BENCH_DEAD_SEGMENT'), quick ? 2 : 10, 'dead-segment', 1, true),
    connections: number(pick('connections', 'BENCH_CONNECTIONS'), 32, 'connections', 1, true),
    sampledRatio: 0.01,
    pgUrl: nonEmpty(env.BENCH_PG_URL),
    outDir: pick('out', 'BENCH_OUT') ?? join(BENCH_ROOT, 'results'),
    load: load as LoadTool | undefined,
    verbose: pick('quiet', 'BENCH_QUIET') !== 'true',
    floor: ['true', '1'].includes(pick('floor', 'BENCH_FLOOR') ?? ''),
    usage: ['true', '1'].includes(pick('usage', 'BENCH_USAGE') ?? ''),
    only: parseOnly(flags.get('only')?.join(',') ?? nonEmpty(env.BENCH_ONLY)),
    startup: ['true', '1'].includes(pick('startup', 'BENCH_STARTUP') ?? ''),
    startupRuns: number(pick('startup-runs', 'BENCH_STARTUP_RUNS'), quick ? 5 : 20, 'startup-runs', 1, true),
    soak: ['true', '1'].includes(pick('soak', 'BENCH_SOAK') ?? ''),
    soakDuration: number(pick('soak-duration', 'BENCH_SOAK_DURATION'), quick ? 60 : 600, 'soak-duration', 1, true),
    flapInterval: number(pick('flap-interval', 'BENCH_FLAP_INTERVAL'), quick ? 10 : 30, 'flap-interval', 1, true),
  };
}

const KNOWN_FLAGS = new Set([
  'quick',
  'quiet',
  'help',
  'duration',
  'warmup',
  'rounds',
  'scenario',
  'dead-duration',
  'dead-segment',
  'connections',
  'load',
  'receiver',
  'out',
  'floor',
  'only',
  'usage',
  'startup',
  'startup-runs',
  'soak',
  'soak-duration',
  'flap-interval',
]);

function parseScenarios(text: string): ScenarioName[] {
  const out: ScenarioName[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`bench: --scenario must be one of ${SCENARIOS.join('|')}, got "${name}"`);
    if (!out.includes(name as ScenarioName)) out.push(name as ScenarioName);
  }
  if (out.length === 0) throw new Error(`bench: --scenario must name at least one of ${SCENARIOS.join('|')}`);
  return out;
}

function parseOnly(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const names = [
    ...new Set(
      text
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    ),
  ];
  if (names.length === 0) throw new Error('bench: --only must name at least one variant');
  return names;
}

function number(text: string | undefined, fallback: number, what: string, min: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`bench: --${what} must be ${integer ? 'a whole number' : 'a number'} >= ${min}, got "${text}"`);
  }
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
