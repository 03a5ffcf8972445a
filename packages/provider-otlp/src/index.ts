export { createProvider, createOtlpExporter, grpcUrl, tracesUrl } from './provider';
export type { OtlpConfig, OtlpExporterOptions } from './types';
