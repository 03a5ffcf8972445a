import type { LoadSqaConfigOptions } from '@tracepack/config';
import type { ActivityIds } from './features';
import type { ServiceFacts } from './identity';
import type { UsageSpanProcessor } from './span-processor';
import type { DeliveryStats } from './delivery';

export type { ActivityIds } from './features';
export type { ServiceFacts } from './identity';
export type { DeliveryStats as UsageStats } from './delivery';

/** Options of `startUsage()`: the `sqa:` config (code, flags, variables, file), and what the service knows about itself. */
export interface StartUsageOptions extends LoadSqaConfigOptions {
  /** Where to look for package.json (default service name and version). @default process.cwd() */
  cwd?: string;
  /**
   * The service's name, version, git hash, build time and deployment environment, sent once
   * the instance is identified. Defaults: the tracing block's service_name, service_version
   * and deployment_environment (package.json), GIT_COMMIT / GIT_SHA / SOURCE_VERSION, BUILD_TIME.
   * @default {}
   */
  service?: ServiceFacts;
  /**
   * Values the service declares stable across restarts and instances of one installation
   * (for the example clients-service: its public URL). Only their SHA-256 is sent, as the
   * installation id. None: each start counts as its own installation.
   * @default []
   */
  installation?: readonly string[];
  /** The service knows this run is local (a tutorial, a laptop): counted as a test instance. @default false */
  local?: boolean;
  /** Route templates of the service (`/clients/:id`): matching paths are sent as the template. @default [] */
  routes?: readonly string[];
  /**
   * Send the last report on SIGTERM, SIGINT and before exit. Off when the service stops
   * itself (it calls `shutdown()`), and not needed when `spanProcessor` is given to tracing.
   * @default true
   */
  handleSignals?: boolean;
  /** How long the last report may take at shutdown. @default tracing.flush_timeout_ms (5000) */
  flushTimeoutMs?: number;
  /** Where the start line and the one line per failure streak go. @default stderr, prefixed `@tracepack/usage: ` */
  logger?: (line: string) => void;
}

/** What `startUsage()` returns. Every method is safe to call when usage is off: it does nothing. */
export interface UsageHandle {
  /** False when opted out or no endpoint is set: nothing was loaded, observed or opened. */
  readonly enabled: boolean;
  /** On, or off and why (`opted out by environment DO_NOT_TRACK=1`, `no sqa.endpoint set`). */
  readonly status: string;
  /** UUIDv4 of this start (`service.instance.id`); undefined when off. */
  readonly instanceId: string | undefined;
  /**
   * The salt of hashed path segments and query values (UUIDv4 of this start). It never leaves
   * the process; tests use it to compute the expected hashes. Undefined when off.
   */
  readonly salt: string | undefined;
  /** Counts a use of one of the service's features: a short name such as `client.created`. */
  feature(name: string, count?: number): void;
  /** Counts a user activity (`login`); the ids are sent only as salted SHA-256. */
  activity(name: string, ids?: ActivityIds): void;
  /** Declares a route template at run time (`/clients/:id`). */
  declareRoute(template: string): void;
  /** Give it to `startTracing({ spanProcessors })`: route templates from tracing, last report with tracing's shutdown. */
  readonly spanProcessor: UsageSpanProcessor;
  /** Makes and sends a report now (tests, before a planned stop). */
  flush(): Promise<void>;
  /** Stops observing and sends the last report within the flush bound; idempotent. */
  shutdown(): Promise<void>;
  /** Reports sent, failed attempts, dropped and pending. */
  stats(): DeliveryStats;
}
