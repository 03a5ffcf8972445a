/**
 * `node bench/dist/src/run.js --startup`: what tracepack adds to a service's start-up. One small
 * express app, started with `node -e` as a service would start, in these variants:
 *
 *   (a)  untraced: `node -e APP`
 *   (b)  tracing off, `node --require @tracepack/node/register -e APP`, nothing configured
 *   (b2) tracing off, `node --import @tracepack/node/register -e APP`
 *   (b3) tracing off, `require('@tracepack/node').startTracing()` first thing in APP
 *   (c)  tracing on, `--require @tracepack/node/register`, provider otlp to a dead port
 *        (connection refused) with a 200 ms flush bound: the whole SDK, the provider and the
 *        instrumentations load and patch express
 *
 * Each child reports, when its server listens: `performance.now()` (ms since the process
 * started, so node's own bootstrap, the preloads and `require('express')` are in it), its CPU
 * time so far, and how many CommonJS modules it has loaded; the parent times spawn to exit.
 * The variants run interleaved (a, b, b2, b3, c, a, ...) so that a busy machine slows them
 * alike; a first round per variant is not counted (disk cache). Medians, and ratios to (a).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BENCH_ROOT, type BenchOptions } from './options';
import { childEnv } from './processes';

export type StartupVariantName = 'untraced' | 'off-require' | 'off-import' | 'off-code' | 'on-require';

export interface StartupVariant {
  name: StartupVariantName;
  label: string;
  /** Node.js options before `-e`. */
  execArgv: string[];
  /** Code run before the app's own, in the app's `-e` script. */
  prelude: string;
  /** Whether tracing must be on in this variant (checked in every run). */
  traced: boolean | undefined;
  env: (deadUrl: string) => Record<string, string>;
}

/** The app: express with one route, listening on a free port, then closing. */
const APP =
  "const express = require('express'); const app = express(); app.get('/hello/:id', (req, res) => res.send('hello')); " +
  "const server = app.listen(0, '127.0.0.1', () => { const c = process.cpuUsage(); " +
  'const report = { readyMs: performance.now(), cpuMs: (c.user + c.system) / 1000, modules: Object.keys(require.cache).length }; ' +
  "report.traced = globalThis.__tracingHandle ? globalThis.__tracingHandle.enabled : require.cache[require.resolve('@tracepack/node/register')] ? require('@tracepack/node/register').tracingStarted : undefined; " +
  "console.log('STARTUP ' + JSON.stringify(report)); server.close(); });";

export const STARTUP_VARIANTS: readonly StartupVariant[] = [
  { name: 'untraced', label: '(a) untraced', execArgv: [], prelude: '', traced: undefined, env: () => ({}) },
  {
    name: 'off-require',
    label: '(b) off, --require',
    execArgv: ['--require', '@tracepack/node/register'],
    prelude: '',
    traced: false,
    env: () => ({}),
  },
  {
    name: 'off-import',
    label: '(b2) off, --import',
    execArgv: ['--import', '@tracepack/node/register'],
    prelude: '',
    traced: false,
    env: () => ({}),
  },
  {
    name: 'off-code',
    label: '(b3) off, in code',
    execArgv: [],
    prelude: "globalThis.__tracingHandle = require('@tracepack/node').startTracing(); ",
    traced: false,
    env: () => ({}),
  },
  {
    name: 'on-require',
    label: '(c) on, otlp (dead)',
    execArgv: ['--require', '@tracepack/node/register'],
    prelude: '',
    traced: true,
    env: (deadUrl) => ({
      TRACING_PROVIDER: 'otlp',
      TRACING_PROVIDERS_OTLP_SERVER_URL: deadUrl,
      TRACING_FLUSH_TIMEOUT_MS: '200',
      TRACING_SERVICE_NAME: 'startup-bench',
    }),
  },
];

export interface StartupRun {
  variant: StartupVariantName;
  /** ms from process start to the server listening (`performance.now()` in the child). */
  readyMs: number;
  /** CPU (user + system) of the child until then, ms. */
  cpuMs: number;
  /** CommonJS modules loaded by then (`require.cache`). */
  modules: number;
  /** ms from spawn to exit, measured by the bench. */
  exitMs: number;
}

export interface StartupRow {
  variant: StartupVariantName;
  label: string;
  runs: number;
  readyMs: number;
  cpuMs: number;
  modules: number;
  exitMs: number;
  /** Medians over (a)'s. */
  readyRatio: number | undefined;
  cpuRatio: number | undefined;
  exitRatio: number | undefined;
  /** Median minus (a)'s median, ms. */
  readyExtraMs: number | undefined;
}

export interface StartupResult {
  startedAt: string;
  machine: { node: string; cpus: number; cpuModel: string };
  runsPerVariant: number;
  runs: StartupRun[];
  rows: StartupRow[];
  file: string;
}

/** A local port nothing listens on: exports to it are refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runOnce(variant: StartupVariant, deadUrl: string): StartupRun {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...variant.execArgv, '-e', variant.prelude + APP], {
    cwd: BENCH_ROOT,
    env: childEnv(variant.env(deadUrl)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const exitMs = Number(process.hrtime.bigint() - started) / 1e6;
  const line = r.stdout?.split('\n').find((l) => l.startsWith('STARTUP '));
  if (r.status !== 0 || !line) {
    throw new Error(
      `bench --startup: ${variant.label} failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? '').trim().slice(0, 2000)}`,
    );
  }
  const report = JSON.parse(line.slice('STARTUP '.length)) as {
    readyMs: number;
    cpuMs: number;
    modules: number;
    traced?: boolean;
  };
  if (variant.traced !== undefined && report.traced !== variant.traced) {
    throw new Error(
      `bench --startup: ${variant.label}: tracing was ${report.traced ? 'on' : 'off'}, expected ${variant.traced ? 'on' : 'off'}`,
    );
  }
  return { variant: variant.name, readyMs: report.readyMs, cpuMs: report.cpuMs, modules: report.modules, exitMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarizeStartup(runs: StartupRun[]): StartupRow[] {
  const rows: StartupRow[] = [];
  for (const v of STARTUP_VARIANTS) {
    const rs = runs.filter((r) => r.variant === v.name);
    if (rs.length === 0) continue;
    rows.push({
      variant: v.name,
      label: v.label,
      runs: rs.length,
      readyMs: median(rs.map((r) => r.readyMs)),
      cpuMs: median(rs.map((r) => r.cpuMs)),
      modules: median(rs.map((r) => r.modules)),
      exitMs: median(rs.map((r) => r.exitMs)),
      readyRatio: undefined,
      cpuRatio: undefined,
      exitRatio: undefined,
      readyExtraMs: undefined,
    });
  }
  const base = rows.find((r) => r.variant === 'untraced');
  if (base) {
    for (const row of rows) {
      row.readyRatio = row.readyMs / base.readyMs;
      row.cpuRatio = row.cpuMs / base.cpuMs;
      row.exitRatio = row.exitMs / base.exitMs;
      row.readyExtraMs = row.readyMs - base.readyMs;
    }
  }
  return rows;
}

/** Runs every variant `opts.startupRuns` times (plus one uncounted), interleaved. */
export async function runStartup(
  opts: Pick<BenchOptions, 'startupRuns' | 'outDir'>,
  log: (line: string) => void = () => {},
): Promise<StartupResult> {
  // The app needs express; in this workspace it is installed for the examples.
  try {
    require.resolve('express', { paths: [BENCH_ROOT] });
  } catch {
    throw new Error('bench --startup: express is not installed (npm ci installs it with the examples)');
  }
  const startedAt = new Date();
  const deadUrl = `http://127.0.0.1:${await deadPort()}`;
  const runs: StartupRun[] = [];
  for (let round = 0; round <= opts.startupRuns; round++) {
    for (const variant of STARTUP_VARIANTS) {
      const run = runOnce(variant, deadUrl);
      if (round > 0) runs.push(run);
    }
    if (round > 0 && (round % 5 === 0 || round === opts.startupRuns))
      log(`start-up: ${round}/${opts.startupRuns} rounds`);
  }
  const rows = summarizeStartup(runs);
  mkdirSync(opts.outDir, { recursive: true });
  const file = join(
    opts.outDir,
    `startup-${startedAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}.json`,
  );
  const result: StartupResult = {
    startedAt: startedAt.toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    runsPerVariant: opts.startupRuns,
    runs,
    rows,
    file,
  };
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return result;
}

/** The start-up table. */
export function renderStartupReport(result: StartupResult): string {
  const header =
    `tracepack start-up: ${result.machine.node}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}); ` +
    `node -e of an express app until it listens, ${result.runsPerVariant} runs per variant, interleaved, medians`;
  const head = ['variant', 'ready ms', 'x(a)', '+ms', 'CPU ms', 'x(a)', 'CJS modules', 'spawn-exit ms', 'x(a)'];
  const r2 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(2));
  const body = result.rows.map((r) => [
    r.label,
    r.readyMs.toFixed(1),
    r2(r.readyRatio),
    r.readyExtraMs === undefined ? '-' : `${r.readyExtraMs >= 0 ? '+' : ''}${r.readyExtraMs.toFixed(1)}`,
    r.cpuMs.toFixed(1),
    r2(r.cpuRatio),
    String(Math.round(r.modules)),
    r.exitMs.toFixed(1),
    r2(r.exitRatio),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    header,
    '',
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
    '',
    'ready = performance.now() when the server listens (node bootstrap, preloads, require of express and tracepack);',
    'CPU = user + system until then; spawn-exit = the bench timing the whole child, (c) with its 200 ms flush bound.',
  ].join('\n');
}
