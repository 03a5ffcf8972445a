/*
 * The Jaeger Thrift model (jaeger-idl jaeger.thrift) as plain data, between the OTel span
 * and the bytes. Never exported from the package.
 */

/** jaeger.thrift `enum TagType`. */
export const TagType = { STRING: 0, DOUBLE: 1, BOOL: 2, LONG: 3, BINARY: 4 } as const;
export type TagType = (typeof TagType)[keyof typeof TagType];

/** jaeger.thrift `enum SpanRefType`. */
export const SpanRefType = { CHILD_OF: 0, FOLLOWS_FROM: 1 } as const;
export type SpanRefType = (typeof SpanRefType)[keyof typeof SpanRefType];

/** jaeger.thrift `struct Tag`: only the field that `vType` names is written. */
export type JaegerTag =
  | { key: string; vType: typeof TagType.STRING; vStr: string }
  | { key: string; vType: typeof TagType.DOUBLE; vDouble: number }
  | { key: string; vType: typeof TagType.BOOL; vBool: boolean }
  | { key: string; vType: typeof TagType.LONG; vLong: bigint };

/** jaeger.thrift `struct Log`; timestamp in microseconds since the epoch. */
export interface JaegerLog {
  timestamp: bigint;
  fields: JaegerTag[];
}

/** jaeger.thrift `struct SpanRef`; ids are signed i64 holding the 64 bits of the hex id. */
export interface JaegerSpanRef {
  refType: SpanRefType;
  traceIdLow: bigint;
  traceIdHigh: bigint;
  spanId: bigint;
}

/** jaeger.thrift `struct Span`. */
export interface JaegerSpan {
  traceIdLow: bigint;
  traceIdHigh: bigint;
  spanId: bigint;
  /** 0 for a root span. */
  parentSpanId: bigint;
  operationName: string;
  references: JaegerSpanRef[];
  flags: number;
  /** Microseconds since the epoch. */
  startTime: bigint;
  /** Microseconds. */
  duration: bigint;
  tags: JaegerTag[];
  logs: JaegerLog[];
}

/** jaeger.thrift `struct Process`. */
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

/** Thrift message types (TMessageType). */
export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;

/**
 * Thrift field types, numbered as TBinaryProtocol writes them (TType). The compact writer
 * maps them to its own type nibbles.
 */
export const TType = {
  BOOL: 2,
  DOUBLE: 4,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  LIST: 15,
} as const;
export type TType = (typeof TType)[keyof typeof TType];

/**
 * A sampling strategy as served by Jaeger's `GET /sampling?service=` (sampling.thrift's
 * `SamplingStrategyResponse`, or api_v2 sampling.proto's in JSON), checked and reduced to what
 * decides: see parseSamplingStrategy.
 */
export type SamplingStrategy =
  | { type: 'probabilistic'; samplingRate: number }
  | { type: 'rateLimiting'; maxTracesPerSecond: number }
  | {
      type: 'perOperation';
      defaultSamplingProbability: number;
      defaultLowerBoundTracesPerSecond: number;
      operations: ReadonlyArray<{ operation: string; samplingRate: number }>;
    };
