import { RequestError } from './errors';
import type { OtlpExportRequest } from './internal-types';
import { otlpMetricsTypes } from './otlp-metrics.proto';
import { MalformedProtobuf, readExportRequest } from './otlp-metrics-reader';

/** The two OTLP/HTTP encodings. */
export type Encoding = 'protobuf' | 'json';

/** The encoding a Content-Type names, or undefined (415). Parameters (charset) are ignored. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

const NOT_A_REQUEST = 'malformed protobuf: not an OTLP ExportMetricsServiceRequest';

/**
 * An ExportMetricsServiceRequest from its body. Throws a 400 {@link RequestError} naming the
 * problem: the protobuf reader's message (`invalid wire type 6 at offset 1`), JSON's syntax
 * error, or the field whose JSON value has the wrong type. Protobuf bodies are read by the
 * hand-written reader (otlp-metrics-reader.ts: plain objects, no protobufjs message objects);
 * JSON goes through protobufjs' fromObject.
 */
export function decodeRequest(body: Buffer, encoding: Encoding): OtlpExportRequest {
  if (encoding === 'protobuf') {
    try {
      return readExportRequest(body);
    } catch (err) {
      // Only MalformedProtobuf is expected; anything else is still the body's fault, not a 500.
      const detail =
        err instanceof MalformedProtobuf ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
      throw new RequestError(400, `${NOT_A_REQUEST} (${detail})`);
    }
  }
  const { request } = otlpMetricsTypes();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new RequestError(400, `malformed JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RequestError(
      400,
      'malformed JSON: an OTLP ExportMetricsServiceRequest is an object ({"resourceMetrics": [...]})',
    );
  }
  try {
    // OTLP/JSON is protobuf's JSON mapping: fromObject takes its camelCase names, 64-bit
    // numbers as strings, enums by number or name, and names the field of a wrong type.
    return request.fromObject(parsed) as unknown as OtlpExportRequest;
  } catch (err) {
    throw new RequestError(
      400,
      `malformed JSON: not an OTLP ExportMetricsServiceRequest (${(err as Error).message.replace(/^\.opentelemetry\.proto\.metrics\./, '')})`,
    );
  }
}

/**
 * The same request decoded by protobufjs (message objects, Longs): what the collector used
 * before the hand-written reader, kept as the reference the tests compare it with, and for
 * fixtures that want protobufjs' toObject. Same 400 on a body protobufjs cannot decode.
 */
export function decodeProtobufjsRequest(body: Buffer): OtlpExportRequest {
  const { request } = otlpMetricsTypes();
  try {
    return request.decode(body) as unknown as OtlpExportRequest;
  } catch (err) {
    throw new RequestError(400, `${NOT_A_REQUEST} (${(err as Error).message})`);
  }
}

/** The success answer: an ExportMetricsServiceResponse, with partialSuccess when points were rejected. */
export function encodeResponse(encoding: Encoding, rejected: number, message: string): Buffer {
  const { response } = otlpMetricsTypes();
  const partial = rejected > 0 || message !== '';
  if (encoding === 'json') {
    // OTLP/JSON: int64 as a decimal string.
    return Buffer.from(
      JSON.stringify(
        partial ? { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } } : {},
      ),
    );
  }
  const body = partial ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } } : {};
  return Buffer.from(response.encode(response.fromObject(body)).finish());
}

/** An error answer: a google.rpc.Status in the request's encoding (JSON when it had none). */
export function encodeStatus(encoding: Encoding | undefined, httpStatus: number, message: string): Buffer {
  // gRPC codes: 3 invalid argument, 16 unauthenticated, 8 resource exhausted, 14 unavailable, 5 not found, 12 unimplemented.
  const code =
    httpStatus === 400 || httpStatus === 415
      ? 3
      : httpStatus === 413
        ? 8
        : httpStatus === 401
          ? 16
          : httpStatus === 503
            ? 14
            : httpStatus === 404
              ? 5
              : 12;
  if (encoding === 'protobuf') {
    const { status } = otlpMetricsTypes();
    return Buffer.from(status.encode(status.fromObject({ code, message })).finish());
  }
  return Buffer.from(JSON.stringify({ code, message }));
}
