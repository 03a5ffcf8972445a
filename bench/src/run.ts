#!/usr/bin/env node
/**
 * `npm run bench`: every scenario x variant, several rounds, one table, one JSON file under
 * bench/results/. Options: see USAGE (`--help`).
 */
import { runBench } from './harness';
import { parseOptions, USAGE } from './options';
import { renderReport } from './report';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const opts = parseOptions(argv);
  const log = opts.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
  const started = Date.now();
  const result = await runBench(opts, log);
  const header =
    `tracepack bench: ${result.machine.node}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), load ${result.machine.loadTool}, ` +
    `${opts.connections} connections, ${opts.duration} s x ${opts.rounds} round(s) + ${opts.warmup} s warm-up, medians; ` +
    `db ${result.options.database}; OTLP http/protobuf on loopback to ${result.receiver.kind === 'jaeger' ? 'Jaeger (in memory)' : 'the bench OTLP receiver'}`;
  process.stdout.write(`${renderReport(result.summary, header)}\n\nresults: ${result.file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
