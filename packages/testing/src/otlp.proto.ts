import { parse } from 'protobufjs';
import type { Root, Type } from 'protobufjs';

/**
 * The part of the OTLP trace protocol (opentelemetry-proto v1) the test receivers decode:
 * the export request, resource and scope spans, spans with attributes, events and status.
 * Field numbers are those of the upstream .proto files; fields left out here (links, trace
 * flags on events, partial success details) are skipped by the decoder as unknown fields.
 */
export const OTLP_TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
}
message Resource { repeated KeyValue attributes = 1; }

message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  Status status = 15;
  fixed32 flags = 16;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
  }
}
message Status {
  string message = 2;
  int32 code = 3;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse {}
`;

/** gRPC method the OTLP trace exporters call. */
export const OTLP_TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

let root: Root | undefined;

/** The parsed message types (parsed once, on first use). */
export function otlpTraceTypes(): { request: Type; response: Type } {
  root ??= parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
  return {
    request: root.lookupType('opentelemetry.proto.ExportTraceServiceRequest'),
    response: root.lookupType('opentelemetry.proto.ExportTraceServiceResponse'),
  };
}
