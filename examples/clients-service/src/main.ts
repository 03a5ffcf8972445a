// Entry point: `node dist/src/main.js [--config FILE] [--tracing.<key>=<value> ...]`.
//
// Tracing starts FIRST, then the server module is required: TypeScript hoists `import`
// statements, so express, pg, mysql2 and bcrypt are never imported at the top of this file,
// or they would be loaded before the instrumentations could patch them.
import { startTracing, TracepackConfigError, type TracingHandle } from '@tracepack/node';
import { configFileFrom, loadSettings, type ServiceSettings } from './settings';

const argv = process.argv.slice(2);
const configFile = configFileFrom(argv, process.env);

let tracing: TracingHandle;
let settings: ServiceSettings;
try {
  // TRACING_* variables and --tracing.* flags override the file's tracing: section.
  tracing = startTracing({ configFile, argv, handleSignals: false });
  settings = loadSettings(configFile, process.env);
} catch (err) {
  process.stderr.write(`clients-service: ${err instanceof TracepackConfigError ? '' : 'bad config: '}${(err as Error).message}\n`);
  process.exit(78); // EX_CONFIG
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runService } = require('./server') as typeof import('./server');

runService(settings, tracing).catch(async (err: unknown) => {
  console.error(`clients-service: could not start: ${(err as Error)?.message ?? String(err)}`);
  await tracing.shutdown();
  process.exit(1);
});
