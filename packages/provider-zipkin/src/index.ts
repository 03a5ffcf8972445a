import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { ErrorTagSpanExporter } from './error-tag';
import type { TracingProviderFactory } from '@tracepack/config';

/** Zipkin v2 JSON over HTTP to `providers.zipkin.server_url`, sampled by `sampling_ratio`. */
export const createProvider: TracingProviderFactory = (config) => {
  const zipkin = config.providers.zipkin;
  return {
    exporter: new ErrorTagSpanExporter(
      new ZipkinExporter({ url: zipkin.server_url, serviceName: config.service_name }),
    ),
    sampler: new TraceIdRatioBasedSampler(zipkin.sampling.sampling_ratio),
  };
};
