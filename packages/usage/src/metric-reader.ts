import { AggregationTemporality, MetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';

/**
 * A pull reader: the reporter decides when to collect (its own schedule, the last report at
 * shutdown, the preview) and where the result goes. DELTA temporality for every instrument;
 * the request telemetry comes in through `metricProducers`, already aggregated.
 */
export class UsageMetricReader extends MetricReader {
  constructor(producers: MetricProducer[], cardinalityLimit: number) {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
      cardinalitySelector: () => cardinalityLimit,
      metricProducers: producers,
    });
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
