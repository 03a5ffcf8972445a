// The provider tests' fixtures: the config as an application gets it, plus the shared
// tracer provider and sample trace from @tracepack/testing.
import { loadTracingConfig } from '@tracepack/config';
import type { ResolvedTracingConfig, TracingConfig } from '@tracepack/config';
import { SERVICE } from '@tracepack/testing';

export {
  delay,
  dump,
  exportOnce,
  recordSampleTrace,
  sampleSpans,
  SERVICE,
  tracerProviderFor,
} from '@tracepack/testing';
export type { SampleTrace } from '@tracepack/testing';

/** What `@tracepack/node` would resolve from this `tracing:` block (defaults applied, no env). */
export function resolveConfig(tracing: TracingConfig): ResolvedTracingConfig {
  return loadTracingConfig({ config: { service_name: SERVICE, ...tracing }, env: {} }).config;
}
