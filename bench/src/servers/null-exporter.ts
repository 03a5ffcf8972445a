/**
 * The (r) variant's exporter: takes every batch tracepack's processor hands it and answers
 * SUCCESS at once, without serializing or sending anything. With it, a run measures the span
 * recording and queueing of tracepack at 100% sampling alone; (c) minus (r) is the export.
 *
 * tracepack builds the provider's exporter inside `startTracing` (`resolveProvider` of
 * @tracepack/node's providers module, looked up when tracing starts), and offers no option to
 * pass one: the bench replaces that function on the module object for this process only. The
 * package's `exports` map hides the file, so it is reached by its path next to the entry point.
 */
import { dirname, join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

interface ProvidersModule {
  resolveProvider(config: unknown): { exporter: SpanExporter; sampler?: unknown; shutdown?: () => Promise<void> };
}

export function replaceExporterWithNull(): void {
  const file = join(dirname(require.resolve('@tracepack/node')), 'providers.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const providers = require(file) as ProvidersModule;
  const resolve = providers.resolveProvider;
  if (typeof resolve !== 'function')
    throw new Error(`bench: ${file} has no resolveProvider; the (r) variant needs updating`);
  providers.resolveProvider = (config) => {
    const setup = resolve(config);
    // The provider's own exporter is never called: closed at once (it holds no connection yet).
    void setup.exporter.shutdown().catch(() => {});
    return { ...setup, exporter: new NullExporter() };
  };
}

class NullExporter implements SpanExporter {
  export(_spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
