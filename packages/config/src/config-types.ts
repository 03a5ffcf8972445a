/* Generated from schema/tracing.schema.json by scripts/generate-types.mjs: do not edit. */
/**
 * The `tracing:` section of a service's config file. One schema for every provider.
 */
export interface TracingConfig {
  /**
   * Where spans go. Empty or absent: tracing is off, at no cost.
   */
  provider?: 'jaeger' | 'zipkin' | 'otlp' | 'console' | '';
  /**
   * service.name of every span; default: the name in the service's package.json.
   */
  service_name?: string;
  /**
   * service.version; default: the version in the service's package.json.
   */
  service_version?: string;
  /**
   * deployment.environment.name, e.g. production or staging.
   */
  deployment_environment?: string;
  /**
   * More resource attributes, e.g. k8s.pod.name or team; merged key by key over the detected ones (host, os, process, container), below service_name, service_version and deployment_environment.
   */
  resource_attributes?: {
    [k: string]: string;
  };
  /**
   * Header formats written on outgoing requests; incoming requests are read in every format.
   */
  propagators?: ('tracecontext' | 'baggage' | 'jaeger' | 'b3' | 'b3multi')[];
  /**
   * A sampler for every provider, as OTEL_TRACES_SAMPLER names them.
   */
  sampler?: {
    /**
     * Sampler of new and continued traces; empty: the chosen provider's sampling block decides new traces and the caller's decision is followed (parent-based).
     */
    type?:
      | 'always_on'
      | 'always_off'
      | 'traceidratio'
      | 'parentbased_always_on'
      | 'parentbased_always_off'
      | 'parentbased_traceidratio'
      | 'jaeger_remote'
      | 'parentbased_jaeger_remote'
      | '';
    /**
     * traceidratio samplers: ratio of traces sampled.
     */
    ratio?: number;
    /**
     * jaeger_remote samplers: strategies fetched from a Jaeger sampling server (needs @tracepack/provider-jaeger).
     */
    jaeger_remote?: {
      /**
       * Sampling strategies endpoint (HTTP), e.g. http://jaeger:5778/sampling.
       */
      endpoint?: string;
      /**
       * How often the strategies are fetched again.
       */
      polling_interval_ms?: number;
      /**
       * Ratio of new traces sampled until the first strategy arrives.
       */
      initial_sampling_rate?: number;
    };
  };
  /**
   * How long pending spans may be flushed on shutdown, SIGTERM or SIGINT.
   */
  flush_timeout_ms?: number;
  /**
   * Spans held in memory while the backend is slow or down; beyond this they are dropped and counted.
   */
  max_queue_size?: number;
  /**
   * Most spans sent in one export (at most max_queue_size).
   */
  max_export_batch_size?: number;
  /**
   * Longest time a finished span waits before it is exported.
   */
  schedule_delay_ms?: number;
  /**
   * An export that has not finished after this long is given up (its spans count as failed).
   */
  export_timeout_ms?: number;
  /**
   * Level of the diagnostic logger tracepack installs on diag (console); none leaves diag as the service set it.
   */
  log_level?: 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
  /**
   * One block per provider; only the block of the chosen provider is used.
   */
  providers?: {
    /**
     * Jaeger: UDP agent or collector HTTP, remote sampling.
     */
    jaeger?: {
      /**
       * host:port of the agent's UDP port; 6831 takes compact Thrift, 6832 binary Thrift.
       */
      local_agent_address?: string;
      /**
       * Collector HTTP endpoint (e.g. http://jaeger:14268/api/traces); when set, used instead of the UDP agent.
       */
      collector_endpoint?: string;
      /**
       * Jaeger sampling.
       */
      sampling?: {
        /**
         * Remote sampling strategies endpoint (e.g. http://jaeger:5778/sampling).
         */
        server_url?: string;
        /**
         * Ratio of new traces sampled, and the fallback while the sampling server cannot be reached.
         */
        trace_id_ratio?: number;
        /**
         * How often the sampling strategies are fetched again.
         */
        refresh_interval_ms?: number;
      };
    };
    /**
     * Zipkin v2 JSON over HTTP.
     */
    zipkin?: {
      /**
       * Zipkin spans endpoint.
       */
      server_url?: string;
      /**
       * Zipkin sampling.
       */
      sampling?: {
        /**
         * Ratio of new traces sampled.
         */
        sampling_ratio?: number;
      };
    };
    /**
     * OpenTelemetry protocol: to a collector or any OTLP backend.
     */
    otlp?: {
      /**
       * OTLP endpoint base URL (http://collector:4318; :4317 with protocol grpc). /v1/traces is appended for HTTP.
       */
      server_url?: string;
      /**
       * Full traces URL, used as it is (nothing appended); when set, used instead of server_url.
       */
      traces_endpoint?: string;
      /**
       * Wire protocol.
       */
      protocol?: 'http/protobuf' | 'http/json' | 'grpc';
      /**
       * grpc only: plaintext instead of TLS.
       */
      insecure?: boolean;
      /**
       * Value of the Authorization header sent with every export (secret: never printed).
       */
      authorization_header?: string;
      /**
       * Extra headers sent with every export (values are secret: never printed).
       */
      headers?: {
        [k: string]: string;
      };
      /**
       * Time budget of one export, retries included; never more than flush_timeout_ms (at least 1000).
       */
      timeout_ms?: number;
      /**
       * Compression of export requests.
       */
      compression?: 'none' | 'gzip';
      /**
       * OTLP sampling.
       */
      sampling?: {
        /**
         * Ratio of new traces sampled.
         */
        sampling_ratio?: number;
      };
    };
    /**
     * The terminal waterfall view, built in.
     */
    console?: {
      /**
       * Colour codes: auto uses them only on a TTY.
       */
      color?: 'auto' | 'always' | 'never';
      /**
       * Columns of the waterfall; 0: the terminal's width, or 80.
       */
      width?: number;
      /**
       * When set, each printed trace ends with its link in this Jaeger UI (e.g. http://localhost:16686).
       */
      jaeger_ui_url?: string;
    };
  };
  /**
   * Each instrumentation is on when its library is present; turn one off or tune it here.
   */
  instrumentations?: {
    /**
     * Incoming (SERVER) and outgoing (CLIENT) HTTP spans.
     */
    http?: {
      /**
       * Trace HTTP.
       */
      enabled?: boolean;
      /**
       * Paths never traced (exact match, or a prefix when ending with *).
       */
      ignore_paths?: string[];
      /**
       * Route templates for plain node:http servers, e.g. /clients/:id.
       */
      routes?: string[];
      /**
       * Request headers recorded as attributes, named one by one (nothing by default).
       */
      capture_request_headers?: string[];
      /**
       * Record user_agent.original.
       */
      capture_user_agent?: boolean;
      /**
       * CLIENT spans for node:http/https and fetch, with context carried downstream.
       */
      outgoing?: boolean;
    };
    /**
     * bcrypt and bcryptjs spans with the work factor.
     */
    bcrypt?: {
      /**
       * Trace bcrypt.
       */
      enabled?: boolean;
      /**
       * Only make spans under an active parent span (a request, a job's own span): start-up seeding, pool health checks and migrations make no orphan traces. Wrap a job's work in a span to trace it.
       */
      require_parent_span?: boolean;
    };
    /**
     * pg and mysql2 statement spans; literals and bound values never recorded.
     */
    sql?: {
      /**
       * Trace SQL.
       */
      enabled?: boolean;
      /**
       * Also make connect and pool spans.
       */
      connection_spans?: boolean;
      /**
       * Only make spans under an active parent span (a request, a job's own span): start-up seeding, pool health checks and migrations make no orphan traces. Wrap a job's work in a span to trace it.
       */
      require_parent_span?: boolean;
    };
    /**
     * Log correlation for pino: the active span's ids in each record the app writes. Records are never sent anywhere.
     */
    pino?: {
      /**
       * Add trace_id, span_id and trace_flags to pino records written inside a span.
       */
      enabled?: boolean;
      /**
       * Names of the fields added to each record.
       */
      log_keys?: {
        /**
         * Field for the trace id (32 hex digits).
         */
        trace_id?: string;
        /**
         * Field for the span id (16 hex digits).
         */
        span_id?: string;
        /**
         * Field for the trace flags (01: sampled, 00: not).
         */
        trace_flags?: string;
      };
    };
    /**
     * Log correlation for winston 3: the active span's ids in each record the app writes. Records are never sent anywhere.
     */
    winston?: {
      /**
       * Add trace_id, span_id and trace_flags (fixed names) to winston records written inside a span.
       */
      enabled?: boolean;
    };
  };
}

/**
 * The tracing config after precedence and defaults.
 */
export interface ResolvedTracingConfig {
  /**
   * Where spans go. Empty or absent: tracing is off, at no cost.
   */
  provider: 'jaeger' | 'zipkin' | 'otlp' | 'console' | '';
  /**
   * service.name of every span; default: the name in the service's package.json.
   */
  service_name?: string;
  /**
   * service.version; default: the version in the service's package.json.
   */
  service_version?: string;
  /**
   * deployment.environment.name, e.g. production or staging.
   */
  deployment_environment?: string;
  /**
   * More resource attributes, e.g. k8s.pod.name or team; merged key by key over the detected ones (host, os, process, container), below service_name, service_version and deployment_environment.
   */
  resource_attributes: {
    [k: string]: string;
  };
  /**
   * Header formats written on outgoing requests; incoming requests are read in every format.
   */
  propagators: ('tracecontext' | 'baggage' | 'jaeger' | 'b3' | 'b3multi')[];
  /**
   * A sampler for every provider, as OTEL_TRACES_SAMPLER names them.
   */
  sampler: {
    /**
     * Sampler of new and continued traces; empty: the chosen provider's sampling block decides new traces and the caller's decision is followed (parent-based).
     */
    type:
      | 'always_on'
      | 'always_off'
      | 'traceidratio'
      | 'parentbased_always_on'
      | 'parentbased_always_off'
      | 'parentbased_traceidratio'
      | 'jaeger_remote'
      | 'parentbased_jaeger_remote'
      | '';
    /**
     * traceidratio samplers: ratio of traces sampled.
     */
    ratio: number;
    /**
     * jaeger_remote samplers: strategies fetched from a Jaeger sampling server (needs @tracepack/provider-jaeger).
     */
    jaeger_remote: {
      /**
       * Sampling strategies endpoint (HTTP), e.g. http://jaeger:5778/sampling.
       */
      endpoint: string;
      /**
       * How often the strategies are fetched again.
       */
      polling_interval_ms: number;
      /**
       * Ratio of new traces sampled until the first strategy arrives.
       */
      initial_sampling_rate: number;
    };
  };
  /**
   * How long pending spans may be flushed on shutdown, SIGTERM or SIGINT.
   */
  flush_timeout_ms: number;
  /**
   * Spans held in memory while the backend is slow or down; beyond this they are dropped and counted.
   */
  max_queue_size: number;
  /**
   * Most spans sent in one export (at most max_queue_size).
   */
  max_export_batch_size: number;
  /**
   * Longest time a finished span waits before it is exported.
   */
  schedule_delay_ms: number;
  /**
   * An export that has not finished after this long is given up (its spans count as failed).
   */
  export_timeout_ms: number;
  /**
   * Level of the diagnostic logger tracepack installs on diag (console); none leaves diag as the service set it.
   */
  log_level: 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
  /**
   * One block per provider; only the block of the chosen provider is used.
   */
  providers: {
    /**
     * Jaeger: UDP agent or collector HTTP, remote sampling.
     */
    jaeger: {
      /**
       * host:port of the agent's UDP port; 6831 takes compact Thrift, 6832 binary Thrift.
       */
      local_agent_address: string;
      /**
       * Collector HTTP endpoint (e.g. http://jaeger:14268/api/traces); when set, used instead of the UDP agent.
       */
      collector_endpoint?: string;
      /**
       * Jaeger sampling.
       */
      sampling: {
        /**
         * Remote sampling strategies endpoint (e.g. http://jaeger:5778/sampling).
         */
        server_url?: string;
        /**
         * Ratio of new traces sampled, and the fallback while the sampling server cannot be reached.
         */
        trace_id_ratio: number;
        /**
         * How often the sampling strategies are fetched again.
         */
        refresh_interval_ms: number;
      };
    };
    /**
     * Zipkin v2 JSON over HTTP.
     */
    zipkin: {
      /**
       * Zipkin spans endpoint.
       */
      server_url: string;
      /**
       * Zipkin sampling.
       */
      sampling: {
        /**
         * Ratio of new traces sampled.
         */
        sampling_ratio: number;
      };
    };
    /**
     * OpenTelemetry protocol: to a collector or any OTLP backend.
     */
    otlp: {
      /**
       * OTLP endpoint base URL (http://collector:4318; :4317 with protocol grpc). /v1/traces is appended for HTTP.
       */
      server_url: string;
      /**
       * Full traces URL, used as it is (nothing appended); when set, used instead of server_url.
       */
      traces_endpoint?: string;
      /**
       * Wire protocol.
       */
      protocol: 'http/protobuf' | 'http/json' | 'grpc';
      /**
       * grpc only: plaintext instead of TLS.
       */
      insecure: boolean;
      /**
       * Value of the Authorization header sent with every export (secret: never printed).
       */
      authorization_header?: string;
      /**
       * Extra headers sent with every export (values are secret: never printed).
       */
      headers: {
        [k: string]: string;
      };
      /**
       * Time budget of one export, retries included; never more than flush_timeout_ms (at least 1000).
       */
      timeout_ms: number;
      /**
       * Compression of export requests.
       */
      compression: 'none' | 'gzip';
      /**
       * OTLP sampling.
       */
      sampling: {
        /**
         * Ratio of new traces sampled.
         */
        sampling_ratio: number;
      };
    };
    /**
     * The terminal waterfall view, built in.
     */
    console: {
      /**
       * Colour codes: auto uses them only on a TTY.
       */
      color: 'auto' | 'always' | 'never';
      /**
       * Columns of the waterfall; 0: the terminal's width, or 80.
       */
      width: number;
      /**
       * When set, each printed trace ends with its link in this Jaeger UI (e.g. http://localhost:16686).
       */
      jaeger_ui_url?: string;
    };
  };
  /**
   * Each instrumentation is on when its library is present; turn one off or tune it here.
   */
  instrumentations: {
    /**
     * Incoming (SERVER) and outgoing (CLIENT) HTTP spans.
     */
    http: {
      /**
       * Trace HTTP.
       */
      enabled: boolean;
      /**
       * Paths never traced (exact match, or a prefix when ending with *).
       */
      ignore_paths: string[];
      /**
       * Route templates for plain node:http servers, e.g. /clients/:id.
       */
      routes: string[];
      /**
       * Request headers recorded as attributes, named one by one (nothing by default).
       */
      capture_request_headers: string[];
      /**
       * Record user_agent.original.
       */
      capture_user_agent: boolean;
      /**
       * CLIENT spans for node:http/https and fetch, with context carried downstream.
       */
      outgoing: boolean;
    };
    /**
     * bcrypt and bcryptjs spans with the work factor.
     */
    bcrypt: {
      /**
       * Trace bcrypt.
       */
      enabled: boolean;
      /**
       * Only make spans under an active parent span (a request, a job's own span): start-up seeding, pool health checks and migrations make no orphan traces. Wrap a job's work in a span to trace it.
       */
      require_parent_span: boolean;
    };
    /**
     * pg and mysql2 statement spans; literals and bound values never recorded.
     */
    sql: {
      /**
       * Trace SQL.
       */
      enabled: boolean;
      /**
       * Also make connect and pool spans.
       */
      connection_spans: boolean;
      /**
       * Only make spans under an active parent span (a request, a job's own span): start-up seeding, pool health checks and migrations make no orphan traces. Wrap a job's work in a span to trace it.
       */
      require_parent_span: boolean;
    };
    /**
     * Log correlation for pino: the active span's ids in each record the app writes. Records are never sent anywhere.
     */
    pino: {
      /**
       * Add trace_id, span_id and trace_flags to pino records written inside a span.
       */
      enabled: boolean;
      /**
       * Names of the fields added to each record.
       */
      log_keys: {
        /**
         * Field for the trace id (32 hex digits).
         */
        trace_id: string;
        /**
         * Field for the span id (16 hex digits).
         */
        span_id: string;
        /**
         * Field for the trace flags (01: sampled, 00: not).
         */
        trace_flags: string;
      };
    };
    /**
     * Log correlation for winston 3: the active span's ids in each record the app writes. Records are never sent anywhere.
     */
    winston: {
      /**
       * Add trace_id, span_id and trace_flags (fixed names) to winston records written inside a span.
       */
      enabled: boolean;
    };
  };
}
