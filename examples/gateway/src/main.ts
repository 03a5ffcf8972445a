// Entry point: `node dist/src/main.js [--config FILE] [--tracing.<key>=<value> ...]`.
//
// Tracing starts FIRST, then the proxy module is required (TypeScript hoists `import`
// statements, so the server code is not imported at the top of this file).
import { startTracing, TracepackConfigError, type TracingHandle } from '@tracepack/node';
import { configFileFrom, loadSettings, type GatewaySettings } from './settings';

const argv = process.argv.slice(2);
const configFile = configFileFrom(argv, process.env);

let tracing: TracingHandle;
let settings: GatewaySettings;
try {
  // TRACING_* variables and --tracing.* flags override the file's tracing: section.
  tracing = startTracing({ configFile, argv, handleSignals: false });
  settings = loadSettings(configFile, process.env);
} catch (err) {
  process.stderr.write(
    `gateway: ${err instanceof TracepackConfigError ? '' : 'bad config: '}${(err as Error).message}\n`,
  );
  process.exit(78); // EX_CONFIG
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runGateway } = require('./server') as typeof import('./server');

runGateway(settings, tracing).catch(async (err: unknown) => {
  console.error(`gateway: could not start: ${(err as Error)?.message ?? String(err)}`);
  await tracing.shutdown();
  process.exit(1);
});
