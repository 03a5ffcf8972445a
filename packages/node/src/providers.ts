import { ConfigErrorCode, PROVIDER_PACKAGES, TracepackConfigError, type ResolvedTracingConfig, type TracingProviderFactory, type TracingProviderSetup } from '@tracepack/config';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Resolves `tracing.provider` to a setup. `console` is built in; the others live in their
 * own packages, so a service installs only the exporter it uses.
 */
export function resolveProvider(config: ResolvedTracingConfig): TracingProviderSetup {
  if (config.provider === 'console') {
    // Loaded lazily: a service that never uses the console view never loads it.
    const { ConsoleWaterfallExporter } = require('./console') as typeof import('./console');
    const c = config.providers.console;
    return { exporter: new ConsoleWaterfallExporter({ color: c.color, width: c.width, jaegerUiUrl: c.jaeger_ui_url }) };
  }
  const name = config.provider as keyof typeof PROVIDER_PACKAGES;
  const pkg = PROVIDER_PACKAGES[name];
  const mod = loadProviderPackage(pkg, name);
  return mod.createProvider(config);
}

function loadProviderPackage(pkg: string, name: string): { createProvider: TracingProviderFactory } {
  const attempts = [require, createRequire(join(process.cwd(), 'package.json'))];
  for (const req of attempts) {
    try {
      return req(pkg) as { createProvider: TracingProviderFactory };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(pkg)) throw err;
    }
  }
  throw new TracepackConfigError([
    {
      code: ConfigErrorCode.PROVIDER_NOT_INSTALLED,
      path: 'tracing.provider',
      message: `tracing.provider: "${name}" needs the package ${pkg}, which is not installed: npm install ${pkg}`,
    },
  ]);
}
