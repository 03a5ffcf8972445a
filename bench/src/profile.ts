#!/usr/bin/env node
/**
 * CPU profile of one variant under load: `node bench/dist/src/profile.js [--variant tracepack]
 * [--scenario hello] [--duration 10] [--top 10] [--config '{"max_export_batch_size":64}']` (--config: tracing
 * settings merged over the tracepack variants' config). Runs the server child with --cpu-prof while
 * wrk (or autocannon) loads it, then prints the top self-time functions of our packages and
 * OpenTelemetry, and the time per origin. The .cpuprofile is kept (open it in Chrome DevTools).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeCpuProfile } from './cpu-profile';
import { SCENARIO_REQUESTS, VARIANTS, type VariantName } from './harness';
import { pickLoadTool, runLoad, type LoadRequest } from './load';
import { BENCH_ROOT, SCENARIOS, type ScenarioName } from './options';
import { ReceiverProcess, ServerProcess } from './processes';
import type { ServerEnv } from './protocol';

async function main(): Promise<void> {
  const args = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  const variantName = (args.get('variant') ?? 'tracepack') as VariantName;
  const scenario = (args.get('scenario') ?? 'hello') as ScenarioName;
  const duration = Number(args.get('duration') ?? 10);
  const top = Number(args.get('top') ?? 10);
  const variant = VARIANTS[variantName];
  if (!variant || variant.deadBackend)
    throw new Error(
      `profile: --variant must be one of ${Object.values(VARIANTS)
        .filter((v) => !v.deadBackend)
        .map((v) => v.name)
        .join(', ')}`,
    );
  if (!SCENARIOS.includes(scenario) || scenario === 'db')
    throw new Error('profile: --scenario must be hello or bcrypt (db needs the database of the bench run)');

  const dir = join(BENCH_ROOT, 'results', `profile-${variantName}-${scenario}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const tool = pickLoadTool(undefined);
  const receiver = variant.traced ? await ReceiverProcess.start() : undefined;
  const env: ServerEnv = { BENCH_SCENARIO: scenario, BENCH_OTLP_URL: receiver?.url };
  if (variant.samplingRatio !== undefined) env.BENCH_SAMPLING_RATIO = String(variant.samplingRatio);
  if (variant.floor !== undefined) env.BENCH_FLOOR = variant.floor;
  if (variant.usage !== undefined) env.BENCH_USAGE = variant.usage;
  if (variant.noExport) env.BENCH_NO_EXPORT = '1';
  if (variant.exportThread) env.BENCH_EXPORT_THREAD = '1';
  if (args.has('config')) env.BENCH_TRACEPACK_CONFIG = args.get('config');
  const server = await ServerProcess.start(variant.script, env, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const r = SCENARIO_REQUESTS[scenario];
  const request = (seconds: number): LoadRequest => ({
    url: `http://127.0.0.1:${server.port}${r.path}`,
    method: r.method,
    body: r.body,
    contentType: r.contentType,
    seconds,
    connections: 32,
  });
  let rps: number;
  try {
    await runLoad(tool, request(2));
    rps = (await runLoad(tool, request(duration))).rps;
    await server.request({ type: 'finish' }, 'finished');
  } finally {
    await server.exit();
    await receiver?.exit();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`profile: no .cpuprofile in ${dir}`);
  const summary = summarizeCpuProfile(join(dir, file), join(BENCH_ROOT, '..'));
  const lines: string[] = [];
  lines.push(`${variant.label}, ${scenario}: ${rps.toFixed(0)} req/s under --cpu-prof; profile ${join(dir, file)}`);
  lines.push(`busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms sampled; self time by origin:`);
  for (const [origin, ms] of Object.entries(summary.byOrigin).sort((a, b) => b[1] - a[1])) {
    if (origin === 'idle') continue;
    lines.push(
      `  ${origin.padEnd(16)} ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)}%`,
    );
  }
  lines.push('', 'self time by package (tracepack and OpenTelemetry):');
  for (const [pkg, ms] of Object.entries(summary.byPackage).sort((a, b) => b[1] - a[1])) {
    lines.push(
      `  ${pkg.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)}%`,
    );
  }
  lines.push('', `top ${top} self-time functions of tracepack and OpenTelemetry:`);
  const ours = summary.functions.filter((f) => f.origin === 'tracepack' || f.origin === 'opentelemetry').slice(0, top);
  const width = Math.max(...ours.map((f) => f.functionName.length));
  ours.forEach((f, i) => {
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${f.functionName.padEnd(width)}  ${f.selfMs.toFixed(0).padStart(6)} ms  ${(100 * f.share).toFixed(2).padStart(5)}%  ${f.location}`,
    );
  });
  lines.push('', 'top 10 self-time functions overall (for scale):');
  summary.functions
    .filter((f) => f.origin !== 'idle')
    .slice(0, 10)
    .forEach((f, i) =>
      lines.push(
        `  ${String(i + 1).padStart(2)}. ${f.functionName.padEnd(32)}  ${f.selfMs.toFixed(0).padStart(6)} ms  ${(100 * f.share).toFixed(2).padStart(5)}%  ${f.origin}  ${f.location}`,
      ),
    );
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
