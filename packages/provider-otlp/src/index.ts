export { createProvider, createOtlpExporter, grpcUrl, tracesUrl } from './provider';
export { OtlpTraceEncoder } from './encoder/index';
export { OtlpHttpProtobufExporter } from './lean-exporter/exporter';
export { OtlpHttpExportError } from './lean-exporter/http-attempt';
export type { OtlpConfig, OtlpEncoderChoice, OtlpExporterOptions, OtlpHttpProtobufExporterOptions } from './types';
