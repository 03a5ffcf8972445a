/** Thrift protocol of agent datagrams: `compact` for the agent's port 6831, `binary` for 6832. */
export type ThriftProtocol = 'compact' | 'binary';

/** Options of {@link JaegerAgentExporter}: spans as Thrift over UDP to a Jaeger agent. */
export interface JaegerAgentExporterOptions {
  /** Agent host (name, IPv4 or IPv6 literal). @default '127.0.0.1' */
  host?: string;
  /** Agent UDP port. @default 6831 */
  port?: number;
  /**
   * Thrift protocol of the datagrams. The agent reads compact Thrift on 6831 and binary on 6832.
   * @default 'binary' when `port` is 6832, else 'compact'
   */
  protocol?: ThriftProtocol;
  /** Process service name when the span resource has none (or only `unknown_service:*`). */
  serviceName?: string;
  /** Largest datagram sent; bigger batches are split, a bigger single span is dropped. @default 65000 */
  maxPacketSize?: number;
  /** How long `shutdown()` waits for exports still in flight. @default 5000 */
  flushTimeoutMs?: number;
  /**
   * Report a failure streak through `diag` (once, with a count). `@tracepack/node` turns this
   * off because it reports every provider's failures itself.
   * @default true
   */
  reportFailures?: boolean;
}

/** Options of {@link JaegerCollectorExporter}: binary Thrift POSTed to a Jaeger collector. */
export interface JaegerCollectorExporterOptions {
  /**
   * Collector endpoint, e.g. `http://jaeger:14268/api/traces`. `user:password@` in it is sent as
   * basic auth; the query string is sent as is.
   */
  endpoint: string;
  /** Process service name when the span resource has none (or only `unknown_service:*`). */
  serviceName?: string;
  /** An export that has not finished after this long fails. @default 10000 */
  timeoutMs?: number;
  /** How long `shutdown()` waits for exports still in flight. @default 5000 */
  flushTimeoutMs?: number;
  /**
   * Report a failure streak through `diag` (once, with a count). `@tracepack/node` turns this
   * off because it reports every provider's failures itself.
   * @default true
   */
  reportFailures?: boolean;
}

/** Options of {@link createJaegerSampler}. */
export interface JaegerSamplerOptions {
  /**
   * Remote sampling strategies URL, e.g. `http://jaeger:5778/sampling` (the agent's or the
   * remote_sampling extension's port; `/sampling` is appended when the path does not end with
   * it). `user:password@` in it is sent as basic auth. Unset: no polling.
   */
  serverUrl?: string;
  /** Ratio of new traces sampled, and the sampler until the server first answers. @default 1 */
  traceIdRatio?: number;
  /** How often the strategies are fetched again (at least 100). @default 60000 */
  refreshIntervalMs?: number;
  /** The service whose strategy is requested. @default 'unknown_service' */
  serviceName?: string;
}
