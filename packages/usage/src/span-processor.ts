/**
 * The parts of a span this processor reads; any OpenTelemetry SDK span has them. Declared
 * here so that this package needs no trace SDK (the processor is structurally a SpanProcessor).
 */
export interface EndedSpanLike {
  kind: number;
  attributes: Readonly<Record<string, unknown>>;
}

/** `SpanKind.SERVER` of @opentelemetry/api. */
const SERVER = 1;

/**
 * Hand it to tracing (`startTracing({ spanProcessors: [usage.spanProcessor] })`) and usage
 * gets, through the SDK's public span processor interface:
 *
 * - the route templates of sampled requests (`http.route` of SERVER spans, for fastify, koa,
 *   hapi and the `routes` of plain node:http servers), so that their paths are sent as
 *   templates, not hashed; templates only, never paths or other attributes. Every request's
 *   route also arrives on the instrumentation's `tracepack:http.server.route` channel, sampled
 *   or not (http-observer.ts): this is the second way in, for an instrumentation without it;
 * - its last report sent when tracing shuts down (SIGTERM, SIGINT, exit, `shutdown()`),
 *   within tracing's flush bound, instead of hooks of its own.
 */
export class UsageSpanProcessor {
  /** @internal */
  constructor(
    private readonly _learnRoute: (template: string) => void,
    private readonly _onShutdown: () => Promise<void>,
    private readonly _onAttached: () => void,
  ) {}

  onStart(): void {
    this._onAttached();
  }

  onEnd(span: EndedSpanLike): void {
    try {
      if (span.kind !== SERVER) return;
      const route = span.attributes['http.route'];
      if (typeof route === 'string' && route.startsWith('/')) this._learnRoute(route);
    } catch {
      // A span of an unexpected shape teaches nothing; it must never reach the service.
    }
  }

  forceFlush(): Promise<void> {
    // Tracing flushes often (tests, before a deploy); a usage report waits for its period.
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this._onShutdown();
  }
}
