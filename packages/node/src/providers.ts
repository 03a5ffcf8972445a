import {
  ConfigErrorCode,
  PROVIDER_PACKAGES,
  TracepackConfigError,
  type ResolvedTracingConfig,
  type TracingProviderFactory,
  type TracingProviderSetup,
} from '@tracepack/config';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Resolves `tracing.provider` to a setup. `console` is built in; the others live in their
 * own packages, so a service installs only the exporter it uses.
 */
export function resolveProvider(config: ResolvedTracingConfig): TracingProviderSetup {
  if (config.provider === 'console') {
    // Loaded lazily: a service that never uses the console view never loads it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ConsoleWaterfallExporter } = require('./console') as typeof import('./console');
    const c = config.providers.console;
    return { exporter: new ConsoleWaterfallExporter({ color: c.color, width: c.width, jaegerUiUrl: c.jaeger_ui_url }) };
  }
  const name = config.provider as keyof typeof PROVIDER_PACKAGES;
  const pkg = PROVIDER_PACKAGES[name];
  const mod = requireProviderPackage<{ createProvider: TracingProviderFactory }>(pkg);
  if (!mod) throw notInstalled('tracing.provider', `"${name}"`, pkg);
  return mod.createProvider(config);
}

/** The options of @tracepack/provider-jaeger's `createJaegerSampler` that a jaeger_remote sampler uses. */
export interface JaegerSamplerOptions {
  serverUrl?: string;
  serviceName?: string;
  refreshIntervalMs?: number;
  traceIdRatio?: number;
}

/** @tracepack/provider-jaeger's remote sampler: a sampler and how to stop its poller. */
export type CreateJaegerSampler = (options: JaegerSamplerOptions) => { sampler: Sampler; shutdown(): Promise<void> };

/**
 * `createJaegerSampler` of @tracepack/provider-jaeger, for the jaeger_remote samplers, loaded
 * at run time like the providers (no build reference: a service without it never loads it).
 * Undefined when the package is not installed.
 */
export function loadJaegerSampler(): CreateJaegerSampler | undefined {
  return requireProviderPackage<{ createJaegerSampler: CreateJaegerSampler }>(PROVIDER_PACKAGES.jaeger)
    ?.createJaegerSampler;
}

/** The setup-time error for a setting that needs a package which is not installed. */
export function notInstalled(path: string, shown: string, pkg: string): TracepackConfigError {
  return new TracepackConfigError([
    {
      code: ConfigErrorCode.PROVIDER_NOT_INSTALLED,
      path,
      message: `${path}: ${shown} needs the package ${pkg}, which is not installed: npm install ${pkg}`,
    },
  ]);
}

/**
 * A provider package, from beside @tracepack/node or else from the service's directory;
 * undefined when neither has it. Any other failure to load it is thrown as it is.
 */
function requireProviderPackage<T>(pkg: string): T | undefined {
  const attempts = [require, createRequire(join(process.cwd(), 'package.json'))];
  for (const req of attempts) {
    try {
      return req(pkg) as T;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(pkg)) throw err;
    }
  }
  return undefined;
}
