#!/usr/bin/env node
/**
 * `npm run bench`: every scenario x variant, several rounds, one table, one JSON file under
 * bench/results/. Options: see USAGE (`--help`). `--startup` measures start-up times instead
 * (startup.ts).
 */
import { runBench } from './harness';
import { parseOptions, USAGE } from './options';
import { renderReport } from './report';
import { renderStartupReport, runStartup } from './startup';
import { runSoak } from './soak';
import { renderSoakReport } from './soak-report';
import { usageReportMain } from './usage-report';
import { usageIngestMain } from './usage-ingest';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--usage-report') return usageReportMain(argv.slice(1));
  if (argv[0] === '--usage-ingest') return usageIngestMain(argv.slice(1));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const opts = parseOptions(argv);
  const log = opts.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
  const started = Date.now();
  if (opts.startup) {
    const startup = await runStartup(opts, log);
    process.stdout.write(
      `${renderStartupReport(startup)}\n\nresults: ${startup.file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
    return;
  }
  if (opts.soak) {
    const soak = await runSoak(opts, log);
    const m = soak.machine;
    const header =
      `tracepack soak: ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.loadTool}, ${opts.connections} connections, hello route, ` +
      `${opts.soakDuration} s in ${opts.flapInterval} s segments after ${opts.warmup} s warm-up; backend ${soak.receiver.kind === 'jaeger' ? 'Jaeger (in memory)' : 'the bench OTLP receiver'}, ` +
      `SIGKILLed every other segment; load average ${m.loadAvgStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(' ')} at the end`;
    process.stdout.write(
      `${renderSoakReport(soak, header)}\n\nresults: ${soak.file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
    return;
  }
  const result = await runBench(opts, log);
  const header =
    `tracepack bench: ${result.machine.node}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), load ${result.machine.loadTool}, ` +
    `${opts.connections} connections, ${opts.duration} s x ${opts.rounds} round(s) + ${opts.warmup} s warm-up, medians; ` +
    `db ${result.options.database}; OTLP http/protobuf on loopback to ${result.receiver.kind === 'jaeger' ? 'Jaeger (in memory)' : 'the bench OTLP receiver'}`;
  process.stdout.write(
    `${renderReport(result.summary, header)}\n\nresults: ${result.file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
