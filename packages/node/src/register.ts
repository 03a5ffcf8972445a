/**
 * `node --require @tracepack/node/register app.js` (CommonJS) — and, through register.mjs,
 * `node --import @tracepack/node/register app.js` (ESM): starts tracing from
 * TRACING_CONFIG_FILE, `--config FILE`, `--tracing.*` flags and the environment, with no
 * change to the service's code. A bad config stops the process before the service starts.
 */
import { TracepackConfigError } from '@tracepack/config';
import { workerData } from 'node:worker_threads';
import { startTracing } from './start';

// NODE_OPTIONS=--require/--import @tracepack/node/register also runs in worker threads: our
// own export worker must not start tracing (and another export worker) inside itself.
const inExportWorker = (workerData as { tracepackExportWorker?: boolean } | null)?.tracepackExportWorker === true;

/** Whether this process traces: register.mjs adds the ESM loader only then. */
export let tracingStarted = false;

if (!inExportWorker) {
  try {
    tracingStarted = startTracing({ argv: process.argv.slice(2) }).enabled;
  } catch (err) {
    if (!(err instanceof TracepackConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
