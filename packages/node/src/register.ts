/**
 * `node --require @tracepack/node/register app.js` (CommonJS) — and, through register.mjs,
 * `node --import @tracepack/node/register app.js` (ESM): starts tracing from
 * TRACING_CONFIG_FILE, `--config FILE`, `--tracing.*` flags and the environment, with no
 * change to the service's code. A bad config stops the process before the service starts.
 *
 * With none of these there, tracing is off and nothing else is loaded (hasTracingInputs): the
 * config package, the OpenTelemetry API and SDK and the instrumentations are only required
 * when something could turn tracing on or hold a value to refuse.
 */
import { workerData } from 'node:worker_threads';
import { hasTracingInputs } from './tracing-inputs';

// NODE_OPTIONS=--require/--import @tracepack/node/register also runs in worker threads: our
// own export worker must not start tracing (and another export worker) inside itself.
const inExportWorker = (workerData as { tracepackExportWorker?: boolean } | null)?.tracepackExportWorker === true;

/** Whether this process traces: register.mjs adds the ESM loader only then. */
export let tracingStarted = false;

const argv = process.argv.slice(2);
if (!inExportWorker && hasTracingInputs(process.env, argv)) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { TracepackConfigError } = require('@tracepack/config') as typeof import('@tracepack/config');
  const { startTracing } = require('./start') as typeof import('./start');
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    tracingStarted = startTracing({ argv }).enabled;
  } catch (err) {
    if (!(err instanceof TracepackConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
