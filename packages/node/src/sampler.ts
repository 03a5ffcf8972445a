import { diag } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { PROVIDER_PACKAGES, type ResolvedTracingConfig } from '@tracepack/config';
import { loadJaegerSampler, notInstalled } from './providers';

/** The tracer provider's sampler, and what to stop at shutdown (a remote sampler's poller). */
export interface SamplerSetup {
  sampler: Sampler;
  shutdown?: () => Promise<void>;
}

/**
 * The sampler of the tracer provider.
 * - `sampler.type` empty (the default): the provider's sampler (always on without one) decides
 *   new traces, the caller's decision is followed (parent-based), as tracepack always did;
 * - otherwise the sampler OTEL_TRACES_SAMPLER names: always_on, always_off, traceidratio
 *   (`sampler.ratio`), jaeger_remote (`sampler.jaeger_remote`, @tracepack/provider-jaeger's
 *   poller), each alone or as the root of a parent-based sampler (`parentbased_*`).
 *
 * A jaeger_remote sampler that cannot be built (the package is missing) is a setup error when
 * the config asked for it, and a warning and the default when OTEL_TRACES_SAMPLER did: the
 * specification never lets a variable stop the service.
 */
export function buildSampler(
  config: ResolvedTracingConfig,
  providerSampler: Sampler | undefined,
  typeSource: string | undefined,
): SamplerSetup {
  const fallback = (): SamplerSetup => ({
    sampler: new ParentBasedSampler({ root: providerSampler ?? new AlwaysOnSampler() }),
  });
  const type = config.sampler?.type ?? '';
  if (type === '') return fallback();
  const parentBased = type.startsWith('parentbased_');
  const root = parentBased ? type.slice('parentbased_'.length) : type;
  let setup: SamplerSetup;
  switch (root) {
    case 'always_on':
      setup = { sampler: new AlwaysOnSampler() };
      break;
    case 'always_off':
      setup = { sampler: new AlwaysOffSampler() };
      break;
    case 'traceidratio':
      setup = { sampler: new TraceIdRatioBasedSampler(config.sampler.ratio) };
      break;
    default: {
      const remote = jaegerRemote(config, type, typeSource);
      if (!remote) return fallback();
      setup = remote;
    }
  }
  return parentBased ? { sampler: new ParentBasedSampler({ root: setup.sampler }), shutdown: setup.shutdown } : setup;
}

function jaegerRemote(
  config: ResolvedTracingConfig,
  type: string,
  typeSource: string | undefined,
): SamplerSetup | undefined {
  const fromOtelVariable = typeSource?.startsWith('environment OTEL_') === true;
  const giveUp = (error: Error): undefined => {
    if (!fromOtelVariable) throw error;
    diag.warn(
      `@tracepack/node: OTEL_TRACES_SAMPLER=${type}: ${error.message
        .split('\n')
        .pop()!
        .replace(/^\s*-\s*/, '')}; the default sampler is used.`,
    );
    return undefined;
  };
  let create;
  try {
    create = loadJaegerSampler();
  } catch (err) {
    return giveUp(err as Error);
  }
  if (!create) return giveUp(notInstalled('tracing.sampler.type', `"${type}"`, PROVIDER_PACKAGES.jaeger));
  const remote = config.sampler.jaeger_remote;
  try {
    return create({
      serverUrl: remote.endpoint,
      serviceName: config.service_name,
      refreshIntervalMs: remote.polling_interval_ms,
      traceIdRatio: remote.initial_sampling_rate,
    });
  } catch (err) {
    return giveUp(err as Error);
  }
}
