import {
  loadSqaConfig,
  loadTracingConfig,
  OPT_OUT_FLAGS,
  type LoadedSqaConfig,
  type LoadedTracingConfig,
} from '@tracepack/config';
import type { UsageReporter } from './reporter';
import { UsageSpanProcessor } from './span-processor';
import { startLine } from './start-line';
import type { StartUsageOptions, UsageHandle } from './types';

let current: UsageHandle | undefined;

const defaultLogger = (line: string): void => {
  process.stderr.write(`@tracepack/usage: ${line}\n`);
};

/**
 * Starts the anonymous usage reporter. Reads the `sqa:` config (code, flags, variables, file,
 * defaults), refuses a bad one with every error at once (SqaConfigError), and logs one line
 * saying whether reports are on, where they go, what they carry and how to turn them off.
 *
 * Off (any opt-out switch, or no endpoint): nothing is loaded, observed, scheduled or opened,
 * not even a DNS lookup, and the handle's methods do nothing. On: HTTP servers of the process
 * are watched through Node's diagnostics channels, and a report is sent every
 * `sqa.report_interval`, a keep-alive every `sqa.keepalive_interval`.
 */
export function startUsage(input: StartUsageOptions = {}): UsageHandle {
  const options = withCommandLine(input);
  const sqa = loadSqaConfig(options);
  const log = options.logger ?? defaultLogger;
  if (current) {
    log('startUsage was called again; the first reporter stays in place');
    return current;
  }
  log(startLine(sqa));
  if (!sqa.enabled) return disabledHandle(sqa);
  current = start(sqa, options, log);
  return current;
}

/**
 * Flags default to the command line; when the service passes its own argv, the opt-out flags
 * of the real command line still count: an operator's `--sqa-opt-out` is never lost.
 */
export function withCommandLine(options: StartUsageOptions): StartUsageOptions {
  const commandLine = process.argv.slice(2);
  if (options.argv === undefined) return { ...options, argv: commandLine };
  const names = OPT_OUT_FLAGS.map((f) => `--${f.name}`);
  const switches = commandLine.filter(
    (a) => names.some((n) => a === n || a.startsWith(`${n}=`)) && !options.argv!.includes(a),
  );
  return switches.length === 0 ? options : { ...options, argv: [...options.argv, ...switches] };
}

function disabledHandle(sqa: LoadedSqaConfig): UsageHandle {
  const processor = new UsageSpanProcessor(
    () => undefined,
    () => Promise.resolve(),
    () => undefined,
  );
  return {
    enabled: false,
    status: `off: ${sqa.offReason}`,
    instanceId: undefined,
    salt: undefined,
    feature: () => undefined,
    activity: () => undefined,
    declareRoute: () => undefined,
    spanProcessor: processor,
    flush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    stats: () => ({ sent: 0, failedAttempts: 0, dropped: 0, pending: 0 }),
  };
}

/** The tracing block beside ours, for defaults and feature names; a bad one is startTracing's to refuse. */
function tracingConfigOf(options: StartUsageOptions): LoadedTracingConfig | undefined {
  try {
    return loadTracingConfig({
      configFile: options.configFile,
      argv: options.argv,
      env: options.env,
      cwd: options.cwd,
    });
  } catch {
    return undefined;
  }
}

function start(sqa: LoadedSqaConfig, options: StartUsageOptions, log: (line: string) => void): UsageHandle {
  // Loaded here, not at the top: with usage off none of the SDK is loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { UsageReporter } = require('./reporter') as typeof import('./reporter');
  const { buildIdentity } = require('./identity') as typeof import('./identity');
  const { installExitHooks } = require('./lifecycle') as typeof import('./lifecycle');
  const { ProxyTracerProvider, trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const tracing = tracingConfigOf(options);
  const service = {
    name: tracing?.config.service_name,
    version: tracing?.config.service_version,
    deploymentEnvironment: tracing?.config.deployment_environment,
    ...options.service,
  };
  const identity = buildIdentity({
    service,
    installation: options.installation,
    local: options.local,
    installationSalt: sqa.config.installation_salt,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  });
  const flushTimeoutMs = options.flushTimeoutMs ?? tracing?.config.flush_timeout_ms ?? 5000;
  const reporter: UsageReporter = new UsageReporter({
    sqa,
    tracing: tracing && { config: tracing.config, enabled: tracing.enabled },
    identity,
    routes: [...(options.routes ?? []), ...(tracing?.config.instrumentations.http.routes ?? [])],
    flushTimeoutMs,
    log,
  });
  reporter.start();

  // Exit hooks, unless tracing runs our span processor: its own hooks then send our last
  // report (two sets of hooks would each see the other and neither would re-raise the signal).
  let removeHooks: (() => void) | undefined;
  let processorRequested = false;
  let attached = false;
  const tracingRegistered = (): boolean => {
    const provider = trace.getTracerProvider();
    return (
      !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== new ProxyTracerProvider().getDelegate()
    );
  };
  if (options.handleSignals !== false) {
    // On the next turn: startTracing({ spanProcessors: [usage.spanProcessor] }) has run by then.
    setImmediate(() => {
      if (attached || stopped) return;
      const traced = tracingRegistered();
      if (processorRequested && traced) return;
      // Tracing runs without our processor: its signal hooks and ours would each see the other
      // and neither would re-raise the signal. It keeps the signals (the service should call
      // usage.shutdown() in its own stop, or hand spanProcessor to tracing); we keep beforeExit.
      removeHooks = installExitHooks(() => handle.shutdown(), flushTimeoutMs, !traced);
    }).unref();
  }
  let stopped = false;
  const processor = new UsageSpanProcessor(
    (template) => reporter.aggregator.learnTemplate(template),
    () => handle.shutdown(),
    () => {
      if (attached) return;
      attached = true;
      removeHooks?.();
      removeHooks = undefined;
    },
  );

  const handle: UsageHandle = {
    enabled: true,
    status: `on: ${reporter.target}`,
    instanceId: identity.instanceId,
    salt: identity.pathSalt,
    feature: (name, count) => guard(() => reporter.feature(name, count)),
    activity: (name, ids) => guard(() => reporter.activity(name, ids)),
    declareRoute: (template) => guard(() => reporter.aggregator.learnTemplate(template)),
    get spanProcessor() {
      processorRequested = true;
      return processor;
    },
    flush: () => reporter.flush().catch(() => undefined),
    shutdown: async () => {
      stopped = true;
      removeHooks?.();
      removeHooks = undefined;
      await reporter.shutdown();
      if (current === handle) current = undefined;
    },
    stats: () => reporter.stats(),
  };
  return handle;
}

/** The service's calls never throw because of usage. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // counted nowhere on purpose: usage must never cost the service an exception
  }
}
