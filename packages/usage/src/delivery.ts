import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Send } from './transport';

/** Reports kept while the endpoint fails; beyond this the oldest is dropped (and counted). */
export const MAX_PENDING_REPORTS = 4;

export interface DeliveryStats {
  /** Reports (and keep-alives) the endpoint took. */
  sent: number;
  /** Attempts that failed (each retried until dropped). */
  failedAttempts: number;
  /** Reports dropped because newer ones filled the queue while the endpoint failed. */
  dropped: number;
  /** Reports waiting to be sent. */
  pending: number;
}

/**
 * Sends reports one at a time, oldest first. A failed report stays queued and is tried again
 * after a back-off that doubles up to `maxBackoffMs` (a report period); meanwhile new reports
 * queue up to MAX_PENDING_REPORTS, so memory stays bounded however long the endpoint is down.
 * A failure streak is logged once, when it starts (one line however long it lasts).
 * Nothing here throws or blocks the service: every send is asynchronous and bounded.
 */
export class Delivery {
  private readonly queue: ResourceMetrics[] = [];
  private sending: Promise<void> | undefined;
  private streak = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly counts = { sent: 0, failedAttempts: 0, dropped: 0 };

  constructor(
    private readonly send: Send,
    private readonly log: (line: string) => void,
    private readonly target: string,
    private readonly backoff: { baseMs: number; maxMs: number },
  ) {}

  stats(): DeliveryStats {
    return { ...this.counts, pending: this.queue.length };
  }

  /** Queues a report and sends it now, unless a back-off is running. */
  enqueue(report: ResourceMetrics): void {
    if (this.queue.length >= MAX_PENDING_REPORTS) {
      this.queue.shift();
      this.counts.dropped++;
    }
    this.queue.push(report);
    if (this.retryTimer === undefined) void this.drain();
  }

  /** A keep-alive: sent once, never queued (the next one says the same). */
  async sendOnce(report: ResourceMetrics): Promise<void> {
    const result = await this.send(report);
    if (result.ok) this.succeeded();
    else this.failed(result.reason);
  }

  /** Sends what is queued, oldest first, until the queue is empty or a send fails. */
  drain(): Promise<void> {
    this.sending ??= (async () => {
      try {
        while (this.queue.length > 0) {
          const result = await this.send(this.queue[0]!);
          if (!result.ok) {
            this.failed(result.reason);
            this.scheduleRetry();
            return;
          }
          this.queue.shift();
          this.succeeded();
        }
      } finally {
        this.sending = undefined;
      }
    })();
    return this.sending;
  }

  /** At shutdown: no more retries; one last attempt at what is queued (bounded by the caller). */
  async flush(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.sending;
    await this.drain();
  }

  private succeeded(): void {
    this.counts.sent++;
    this.streak = 0;
  }

  private failed(reason: string): void {
    this.counts.failedAttempts++;
    if (this.streak++ === 0) {
      this.log(
        `usage report to ${this.target} failed (${reason}); retrying with back-off, keeping at most ${MAX_PENDING_REPORTS} reports; ` +
          'nothing more is logged until one gets through',
      );
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const ms = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(this.streak - 1, 20));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, ms);
    this.retryTimer.unref();
  }
}
