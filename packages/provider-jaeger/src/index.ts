export { createProvider } from './provider';
export { JaegerAgentExporter, agentProtocolForPort } from './agent-exporter';
export { JaegerCollectorExporter } from './collector-exporter';
export { createJaegerSampler } from './sampler';
export type { JaegerSampling } from './sampler';
export { JaegerErrorCode, TracepackJaegerError } from './utils';
export type {
  JaegerAgentExporterOptions,
  JaegerCollectorExporterOptions,
  JaegerSamplerOptions,
  ThriftProtocol,
} from './types';
