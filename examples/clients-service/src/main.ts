// Entry point: `node dist/src/main.js [--config FILE] [--tracing.<key>=<value> ...]
// [--sqa.<key>=<value> ...] [--sqa-opt-out]`.
//
// Usage statistics and tracing start FIRST, then the server module is required: TypeScript
// hoists `import` statements, so express, pg, mysql2 and bcrypt are never imported at the top
// of this file, or they would be loaded before the instrumentations could patch them.
import { startTracing, TracepackConfigError, type TracingHandle } from '@tracepack/node';
import { startUsage, type UsageHandle } from '@tracepack/usage';
import { configFileFrom, loadSettings, type ServiceSettings } from './settings';

const argv = process.argv.slice(2);
const configFile = configFileFrom(argv, process.env);

const log = (line: string): void => console.log(`clients-service: ${line}`);

let tracing: TracingHandle;
let usage: UsageHandle;
let settings: ServiceSettings;
try {
  settings = loadSettings(configFile, process.env);
  // Anonymous usage statistics: the file's sqa: section, SQA_* variables, --sqa.* flags; off
  // without an endpoint (SQA_ENDPOINT) and with any opt-out switch (DO_NOT_TRACK=1, ...).
  // Only the SHA-256 of the public URL leaves the service, as the installation id.
  usage = startUsage({ configFile, argv, installation: [settings.publicUrl], handleSignals: false, logger: log });
  // TRACING_* variables and --tracing.* flags override the file's tracing: section. Usage
  // learns the route templates from the server spans through its span processor.
  tracing = startTracing({ configFile, argv, handleSignals: false, spanProcessors: [usage.spanProcessor] });
} catch (err) {
  process.stderr.write(
    `clients-service: ${err instanceof TracepackConfigError ? '' : 'bad config: '}${(err as Error).message}\n`,
  );
  process.exit(78); // EX_CONFIG
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runService } = require('./server') as typeof import('./server');

runService(settings, tracing, usage).catch(async (err: unknown) => {
  console.error(`clients-service: could not start: ${(err as Error)?.message ?? String(err)}`);
  await usage.shutdown();
  await tracing.shutdown();
  process.exit(1);
});
