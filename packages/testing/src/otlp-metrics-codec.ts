import type { Type } from 'protobufjs';

/**
 * The OTLP metrics schema and decoder exist once, in @tracepack/usage-collector (the code that
 * takes usage reports in production); the fixtures here decode with it, so a test reads reports
 * exactly as the collector does.
 *
 * Loaded at run time rather than through a TypeScript project reference: the collector's tests,
 * and those of @tracepack/config that the collector depends on, use this package, so a
 * reference would close a cycle. This interface is the part of the collector used here.
 */
interface CollectorCodec {
  otlpMetricsTypes(): { request: Type; response: Type; status: Type };
  decodeRequest(body: Buffer, encoding: 'protobuf' | 'json'): object;
  decodeProtobufjsRequest(body: Buffer): object;
}

let codec: CollectorCodec | undefined;

function collector(): CollectorCodec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  codec ??= require('@tracepack/usage-collector') as CollectorCodec;
  return codec;
}

/** The collector's protobufjs types of ExportMetricsServiceRequest, its response and google.rpc.Status. */
export function otlpMetricsTypes(): { request: Type; response: Type; status: Type } {
  return collector().otlpMetricsTypes();
}

/**
 * An ExportMetricsServiceRequest (protobuf) as a plain object in OTLP/JSON's shape (camelCase,
 * 64-bit numbers as strings, enums as numbers). The body goes through the collector's own
 * reader first, so a body the collector refuses throws its 400 error here too; the object is
 * then built from protobufjs' decode (the collector's reader keeps only what it stores, while
 * fixtures read every field).
 */
export function decodeProtobufRequest(body: Buffer): unknown {
  const { request } = otlpMetricsTypes();
  collector().decodeRequest(body, 'protobuf');
  const message = collector().decodeProtobufjsRequest(body);
  return request.toObject(message as Parameters<Type['toObject']>[0], {
    longs: String,
    enums: Number,
    defaults: false,
  });
}
