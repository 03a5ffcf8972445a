import { parse } from 'protobufjs';
import type { Root, Type } from 'protobufjs';

/**
 * The OTLP metrics protocol (opentelemetry-proto v1, metrics.proto and metrics_service.proto)
 * as the test receivers decode it: gauges, sums and explicit-bucket histograms with their data
 * points. Field numbers are those of the upstream .proto files; what is left out (exponential
 * histograms' buckets, summaries, exemplars) is skipped as unknown fields. Its own package, so
 * that it parses beside the trace definitions of otlp.proto.ts.
 */
export const OTLP_METRICS_PROTO = `
syntax = "proto3";
package otlpmetrics;

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

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse {}

message ResourceMetrics {
  Resource resource = 1;
  repeated ScopeMetrics scope_metrics = 2;
  string schema_url = 3;
}
message ScopeMetrics {
  InstrumentationScope scope = 1;
  repeated Metric metrics = 2;
  string schema_url = 3;
}
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10;
  }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1;
  int32 aggregation_temporality = 2;
  bool is_monotonic = 3;
}
message Histogram {
  repeated HistogramDataPoint data_points = 1;
  int32 aggregation_temporality = 2;
}
message ExponentialHistogram { int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value {
    double as_double = 4;
    sfixed64 as_int = 6;
  }
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  uint32 flags = 10;
  optional double min = 11;
  optional double max = 12;
}
`;

let root: Root | undefined;

/** The parsed message types (parsed once, on first use). */
export function otlpMetricsTypes(): { request: Type; response: Type } {
  root ??= parse(OTLP_METRICS_PROTO, { keepCase: false }).root;
  return {
    request: root.lookupType('otlpmetrics.ExportMetricsServiceRequest'),
    response: root.lookupType('otlpmetrics.ExportMetricsServiceResponse'),
  };
}
