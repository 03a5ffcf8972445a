import { parse } from 'protobufjs';
import type { Type } from 'protobufjs';

/**
 * The OTLP metrics protocol (opentelemetry-proto v1: common, resource, metrics and
 * metrics_service) as the collector decodes it: gauges, sums and explicit-bucket histograms
 * with their data points; the response with its partial success; google.rpc.Status for errors.
 * Field numbers are those of the upstream .proto files. What is left out (exemplars,
 * exponential histograms' buckets, summaries' quantiles, entity refs) is skipped as unknown
 * fields by the decoder: a metric of such a type arrives without data the collector reads, and
 * is counted as ignored. Embedded as text (no .proto file to ship or find at run time).
 */
export const OTLP_METRICS_PROTO = `
syntax = "proto3";
package opentelemetry.proto.metrics;

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
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess {
  int64 rejected_data_points = 1;
  string error_message = 2;
}

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
    Summary summary = 11;
  }
  repeated KeyValue metadata = 12;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
  bool is_monotonic = 3;
}
message Histogram {
  repeated HistogramDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
}
message ExponentialHistogram { AggregationTemporality aggregation_temporality = 2; }
message Summary {}
enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0;
  AGGREGATION_TEMPORALITY_DELTA = 1;
  AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
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

/** google.rpc.Status: the body of an OTLP/HTTP error answer (its own package: no clash). */
const STATUS_PROTO = `
syntax = "proto3";
package google.rpc;
message Status {
  int32 code = 1;
  string message = 2;
}
`;

export interface OtlpMetricsTypes {
  request: Type;
  response: Type;
  status: Type;
}

let types: OtlpMetricsTypes | undefined;

/** The message types, parsed once (on first use). */
export function otlpMetricsTypes(): OtlpMetricsTypes {
  if (types === undefined) {
    const root = parse(OTLP_METRICS_PROTO, { keepCase: false }).root;
    parse(STATUS_PROTO, root, { keepCase: false });
    types = {
      request: root.lookupType('opentelemetry.proto.metrics.ExportMetricsServiceRequest'),
      response: root.lookupType('opentelemetry.proto.metrics.ExportMetricsServiceResponse'),
      status: root.lookupType('google.rpc.Status'),
    };
  }
  return types;
}
