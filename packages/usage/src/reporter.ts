import { ValueType, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  type MetricData,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { LoadedSqaConfig } from '@tracepack/config';
import { EndpointAnonymizer } from './anonymize';
import { Delivery, type DeliveryStats } from './delivery';
import { ServiceCounts, tracepackFeatures, type ActivityIds } from './features';
import { observeHttpServers } from './http-observer';
import { reportResource, type Identity } from './identity';
import { UsageMetricReader } from './metric-reader';
import { HTTP_SCOPE, METRIC, SCOPE } from './metric-names';
import { RequestAggregator } from './request-aggregator';
import { observeRuntime } from './runtime-stats';
import { createSend, type Send } from './transport';
import { PACKAGE_VERSION } from './version';
import { metricsUrl, reasonOf, withTimeout } from './utils';
import type { ResolvedTracingConfig } from '@tracepack/config';

export interface ReporterSettings {
  sqa: LoadedSqaConfig;
  tracing: { config: ResolvedTracingConfig; enabled: boolean } | undefined;
  identity: Identity;
  /** Route templates declared in code and in the tracing config (sqa.endpoint_whitelist is added here). */
  routes: readonly string[];
  flushTimeoutMs: number;
  log: (line: string) => void;
  /** Where reports go instead of sqa.endpoint (the preview's capture), with another protocol. */
  send?: Send;
}

/** Activity series kept per report (user x organization x name); the rest in one overflow series. */
const ACTIVITY_SERIES = 1000;

/**
 * Everything of a running reporter: the request aggregator fed by the HTTP channels, the
 * OpenTelemetry MeterProvider with the runtime, feature and activity instruments, a pull
 * reader that collects them together (DELTA), and the delivery of reports and keep-alives
 * over the OTLP metric exporter. Nothing is observed or scheduled until `start()`.
 */
export class UsageReporter {
  readonly aggregator: RequestAggregator;
  readonly counts: ServiceCounts;
  readonly target: string;
  private readonly _provider: MeterProvider;
  private readonly _reader: UsageMetricReader;
  private readonly _delivery: Delivery;
  private readonly _runtime: ReturnType<typeof observeRuntime>;
  private readonly _transport: ReturnType<typeof createSend> | undefined;
  private _periodStart: HrTime = hrTime();
  private _stopObserving: (() => void) | undefined;
  private _timers: NodeJS.Timeout[] = [];
  private _shuttingDown: Promise<void> | undefined;

  constructor(private readonly _settings: ReporterSettings) {
    const { sqa, identity } = _settings;
    const anonymizer = new EndpointAnonymizer(identity.pathSalt, [
      ...sqa.config.endpoint_whitelist,
      ..._settings.routes,
    ]);
    this.aggregator = new RequestAggregator(anonymizer, sqa.config.max_endpoints);
    const http: MetricProducer = {
      collect: async () => {
        const start = this._periodStart;
        const end = hrTime();
        this._periodStart = end;
        const metrics = this.aggregator.collect(start, end);
        return {
          resourceMetrics: {
            resource: resourceFromAttributes({}),
            scopeMetrics: [{ scope: { name: HTTP_SCOPE, version: PACKAGE_VERSION }, metrics }],
          },
          errors: [],
        };
      },
    };
    this._reader = new UsageMetricReader([http], ACTIVITY_SERIES);
    this._provider = new MeterProvider({
      resource: resourceFromAttributes({}),
      readers: [this._reader],
      views: [{ instrumentName: METRIC.serviceFeatures, aggregationCardinalityLimit: 100 }],
    });
    const meter = this._provider.getMeter(SCOPE, PACKAGE_VERSION);
    this._runtime = observeRuntime(meter);
    const features = tracepackFeatures(
      _settings.tracing?.config,
      _settings.tracing?.enabled ?? false,
      sqa.config.endpoint_whitelist.length,
    );
    meter
      .createObservableGauge(METRIC.tracepackFeatures, {
        description:
          "tracepack's own features in use, by name; the value is 1, or how many (routes, ignored paths, captured headers).",
        unit: '1',
        valueType: ValueType.INT,
      })
      .addCallback((r) => {
        for (const [feature, n] of features) r.observe(n, { 'tracepack.feature': feature });
      });
    this.counts = new ServiceCounts(meter, identity.activitySalt, (line) => _settings.log(line));

    this.target = sqa.config.endpoint ? metricsUrl(sqa.config.endpoint) : '(no endpoint)';
    let send = _settings.send;
    if (send === undefined) {
      const headers: Record<string, string> = sqa.config.api_key
        ? { [sqa.config.api_key_header]: sqa.config.api_key }
        : {};
      this._transport = createSend({
        endpoint: sqa.config.endpoint!,
        protocol: sqa.config.protocol,
        headers,
        timeoutMs: Math.max(1000, Math.min(10_000, _settings.flushTimeoutMs)),
      });
      send = this._transport.send;
    }
    this._delivery = new Delivery(send, _settings.log, this.target, {
      baseMs: Math.min(5000, sqa.durations.reportIntervalMs),
      maxMs: Math.max(sqa.durations.reportIntervalMs, 5000),
    });
  }

  /** Starts watching HTTP servers, the report timer and the keep-alive timer. */
  start(): void {
    const { sqa } = this._settings;
    this._stopObserving = observeHttpServers(this.aggregator, sqa.config.ignore_paths, (err) =>
      this._settings.log(`a request could not be counted (${reasonOf(err)}); further problems are not logged`),
    );
    const every = (ms: number, run: () => Promise<void>): void => {
      const t = setInterval(
        () => void run().catch((err: unknown) => this._settings.log(`usage report not made: ${reasonOf(err)}`)),
        ms,
      );
      t.unref();
      this._timers.push(t);
    };
    every(sqa.durations.reportIntervalMs, () => this.report());
    this._runtime.start(sqa.durations.reportIntervalMs);
    every(sqa.durations.keepaliveIntervalMs, () => this._delivery.sendOnce(this.keepAlive()));
  }

  /** Collects the report of the period since the last one (and starts a new period). */
  async collect(now = Date.now()): Promise<ResourceMetrics> {
    const { resourceMetrics } = await this._reader.collect();
    const scopeMetrics = resourceMetrics.scopeMetrics
      .map((s) => ({ scope: s.scope, metrics: s.metrics.filter((m) => m.dataPoints.length > 0) }))
      .filter((s) => s.metrics.length > 0);
    const { identity, sqa } = this._settings;
    return {
      resource: resourceFromAttributes(
        reportResource(identity, now - identity.startedAt, sqa.durations.identifyAfterMs),
      ),
      scopeMetrics,
    };
  }

  /** The keep-alive: the instance id, and one point saying "still here". */
  keepAlive(): ResourceMetrics {
    const now = hrTime();
    const metric: MetricData = {
      descriptor: {
        name: METRIC.keepalive,
        description: 'The instance is running.',
        unit: '1',
        valueType: ValueType.INT,
      },
      aggregationTemporality: AggregationTemporality.DELTA,
      dataPointType: DataPointType.GAUGE,
      dataPoints: [{ startTime: now, endTime: now, attributes: {}, value: 1 }],
    };
    return {
      resource: resourceFromAttributes({ 'service.instance.id': this._settings.identity.instanceId }),
      scopeMetrics: [{ scope: { name: SCOPE, version: PACKAGE_VERSION }, metrics: [metric] }],
    };
  }

  /** Makes the report of the period now and queues it for sending. */
  async report(): Promise<void> {
    this._delivery.enqueue(await this.collect());
  }

  /** Makes the report now and waits for this attempt to send what is queued. */
  async flush(): Promise<void> {
    this._delivery.enqueue(await this.collect());
    await this._delivery.drain();
  }

  /** Stops the instruments without sending anything (the preview's reporter). */
  async dispose(): Promise<void> {
    this._runtime.stop();
    await this._provider.shutdown().catch(() => undefined);
  }

  feature(name: string, count?: number): void {
    this.counts.feature(name, count);
  }

  activity(name: string, ids?: ActivityIds): void {
    this.counts.activity(name, ids);
  }

  stats(): DeliveryStats {
    return this._delivery.stats();
  }

  /**
   * Stops observing, makes the last report and sends it with whatever is still queued,
   * within the flush bound; later calls return the same promise.
   */
  shutdown(): Promise<void> {
    this._shuttingDown ??= (async () => {
      this._stopObserving?.();
      for (const t of this._timers) clearInterval(t);
      this._timers = [];
      this._transport?.holdProcess();
      const last = (async () => {
        this._delivery.enqueue(await this.collect());
        await this._delivery.flush();
      })();
      await withTimeout(last, this._settings.flushTimeoutMs);
      this._runtime.stop();
      void this._transport?.shutdown();
      await this._provider.shutdown().catch(() => undefined);
    })();
    return this._shuttingDown;
  }
}
