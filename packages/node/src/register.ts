/**
 * `node --require @tracepack/node/register app.js` (CommonJS) — and, through register.mjs,
 * `node --import @tracepack/node/register app.js` (ESM): starts tracing from
 * TRACING_CONFIG_FILE, `--config FILE`, `--tracing.*` flags and the environment, with no
 * change to the service's code. A bad config stops the process before the service starts.
 */
import { TracepackConfigError } from '@tracepack/config';
import { startTracing } from './start';

try {
  startTracing({ argv: process.argv.slice(2) });
} catch (err) {
  if (!(err instanceof TracepackConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78); // EX_CONFIG
}
