/**
 * Variants (h) and (i): the untraced service with @tracepack/usage started, opted out
 * (BENCH_USAGE=off: DO_NOT_TRACK=1, what every opted-out install runs) or on (BENCH_USAGE=on:
 * reports every BENCH_USAGE_INTERVAL, default 5s, to a metrics receiver in a process of its
 * own). Tracing stays off in both, so the difference between the two is what usage costs a
 * request. The config is given in code with an empty environment: nothing on the machine
 * changes what is measured.
 */
import { fork } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { startUsage, type UsageHandle } from '@tracepack/usage';
import { runServerChild } from './child';
import { ROUTES } from './routes';

async function receiverUrl(): Promise<string> {
  const child = fork(join(__dirname, '..', 'usage-receiver.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  process.on('exit', () => child.kill());
  return new Promise((resolve, reject) => {
    child.once('message', (msg: { type: string; url?: string }) =>
      msg.type === 'ready' ? resolve(msg.url!) : reject(new Error(String(msg.type))),
    );
    child.once('exit', (code) => reject(new Error(`usage receiver exited (${code})`)));
  });
}

/**
 * USAGE_BENCH_FLOOR=1 (not a BENCH_ variable: the harness passes it through to its children)
 * turns (i) into the floor of any usage reporter on these channels: empty subscribers on
 * `http.server.request.start` and `http.server.response.finish`, no usage. node:http then
 * builds and publishes both messages per request, which it skips when nothing subscribes.
 */
function floorMain(): void {
  const noop = (): void => undefined;
  subscribe('http.server.request.start', noop);
  subscribe('http.server.response.finish', noop);
  runServerChild(undefined);
}

async function main(): Promise<void> {
  const on = process.env.BENCH_USAGE === 'on';
  if (on && process.env.USAGE_BENCH_FLOOR === '1') return floorMain();
  const usage: UsageHandle = startUsage({
    config: on ? { endpoint: await receiverUrl(), report_interval: process.env.BENCH_USAGE_INTERVAL ?? '5s' } : {},
    env: on ? {} : { DO_NOT_TRACK: '1' },
    argv: [],
    routes: [...ROUTES],
    handleSignals: false,
    logger: () => undefined,
  });
  if (on && !usage.enabled) throw new Error(`bench: usage did not start (${usage.status})`);
  // The first report of a process loads and compiles the exporter's code (~80 ms of CPU, once):
  // paid here, before the server is ready, so that the measured phase sees what every report
  // and every request costs from then on (bench/README.md gives both).
  if (on) await usage.flush();
  runServerChild(undefined);
}

main().catch((err: unknown) => {
  console.error('bench usage server:', err);
  process.exit(1);
});
