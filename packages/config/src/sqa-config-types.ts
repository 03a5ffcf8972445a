/* Generated from schema/sqa.schema.json by scripts/generate-sqa-types.mjs: do not edit. */
/**
 * The `sqa:` section of a service's config file: anonymous usage statistics (software quality assurance), sent by @tracepack/usage. Off unless an endpoint is set; every opt-out switch turns it off.
 */
export interface SqaConfig {
  /**
   * true: send nothing, open no socket. Any other opt-out switch does the same: --sqa-opt-out, --disable-telemetry, --enable-telemetry=false, SQA_OPT_OUT, DISABLE_TELEMETRY, TRACEPACK_ENABLE_TELEMETRY=false, DO_NOT_TRACK.
   */
  opt_out?: boolean;
  /**
   * OTLP/HTTP base URL the reports go to (/v1/metrics is appended when the URL has no path). Unset: nothing is sent; there is no built-in address.
   */
  endpoint?: string;
  /**
   * Wire format of the reports.
   */
  protocol?: 'http/protobuf' | 'http/json';
  /**
   * Sent in the api_key_header of every report (secret: never printed).
   */
  api_key?: string;
  /**
   * Name of the header that carries api_key.
   */
  api_key_header?: string;
  /**
   * How often a report is sent: a duration (30s, 15m, 1h) or seconds; at least 1s.
   */
  report_interval?: string | number;
  /**
   * Uptime after which an instance outside CI and local runs sends its traits (os, versions, ...); before that it is counted as a test instance.
   */
  identify_after?: string | number;
  /**
   * How often a keep-alive carrying only the instance id is sent; at least 1s.
   */
  keepalive_interval?: string | number;
  /**
   * Route templates (/clients/:id, /static/*) whose matching paths are sent as the template, besides the routes the http instrumentation resolves. Other paths are sent hashed.
   */
  endpoint_whitelist?: string[];
  /**
   * Paths never counted (exact, or a prefix when ending with *).
   */
  ignore_paths?: string[];
  /**
   * Endpoint series kept per report; requests to further endpoints are counted in one overflow series.
   */
  max_endpoints?: number;
  /**
   * Salt of the SHA-256 of user and organization ids (usage.activity), shared by the instances of one installation so that they count the same user once. Unset: a random salt per start (secret: never printed, never sent).
   */
  installation_salt?: string;
}

/**
 * The sqa config after precedence and defaults.
 */
export interface ResolvedSqaConfig {
  /**
   * true: send nothing, open no socket. Any other opt-out switch does the same: --sqa-opt-out, --disable-telemetry, --enable-telemetry=false, SQA_OPT_OUT, DISABLE_TELEMETRY, TRACEPACK_ENABLE_TELEMETRY=false, DO_NOT_TRACK.
   */
  opt_out: boolean;
  /**
   * OTLP/HTTP base URL the reports go to (/v1/metrics is appended when the URL has no path). Unset: nothing is sent; there is no built-in address.
   */
  endpoint?: string;
  /**
   * Wire format of the reports.
   */
  protocol: 'http/protobuf' | 'http/json';
  /**
   * Sent in the api_key_header of every report (secret: never printed).
   */
  api_key?: string;
  /**
   * Name of the header that carries api_key.
   */
  api_key_header: string;
  /**
   * How often a report is sent: a duration (30s, 15m, 1h) or seconds; at least 1s.
   */
  report_interval: string | number;
  /**
   * Uptime after which an instance outside CI and local runs sends its traits (os, versions, ...); before that it is counted as a test instance.
   */
  identify_after: string | number;
  /**
   * How often a keep-alive carrying only the instance id is sent; at least 1s.
   */
  keepalive_interval: string | number;
  /**
   * Route templates (/clients/:id, /static/*) whose matching paths are sent as the template, besides the routes the http instrumentation resolves. Other paths are sent hashed.
   */
  endpoint_whitelist: string[];
  /**
   * Paths never counted (exact, or a prefix when ending with *).
   */
  ignore_paths: string[];
  /**
   * Endpoint series kept per report; requests to further endpoints are counted in one overflow series.
   */
  max_endpoints: number;
  /**
   * Salt of the SHA-256 of user and organization ids (usage.activity), shared by the instances of one installation so that they count the same user once. Unset: a random salt per start (secret: never printed, never sent).
   */
  installation_salt?: string;
}
