import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedTracingConfig } from './config-types';

/**
 * What a provider package builds from the resolved config. Data flows one way:
 * config -> provider -> tracer. A provider only decides where spans go and how new
 * traces are sampled; `@tracepack/node` wraps the sampler in a parent-based sampler
 * and the exporter in its bounded batch processor.
 */
export interface TracingProviderSetup {
  /** Where finished spans are shipped. */
  exporter: SpanExporter;
  /** Sampler for new (root) traces; default: always on. */
  sampler?: Sampler;
  /** Stops anything the provider runs beside the exporter (e.g. a sampling poller). */
  shutdown?: () => Promise<void>;
}

/** The one export every `@tracepack/provider-*` package has. */
export type TracingProviderFactory = (config: ResolvedTracingConfig) => TracingProviderSetup;

/** npm package that implements a provider name; `console` is built into @tracepack/node. */
export const PROVIDER_PACKAGES = {
  jaeger: '@tracepack/provider-jaeger',
  zipkin: '@tracepack/provider-zipkin',
  otlp: '@tracepack/provider-otlp',
} as const;
