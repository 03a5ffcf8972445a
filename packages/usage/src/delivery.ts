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
  private readonly _queue: ResourceMetrics[] = [];
  private _sending: Promise<void> | undefined;
  private _streak = 0;
  private _retryTimer: NodeJS.Timeout | undefined;
  private _stopped = false;
  private readonly _counts = { sent: 0, failedAttempts: 0, dropped: 0 };

  constructor(
    private readonly _send: Send,
    private readonly _log: (line: string) => void,
    private readonly _target: string,
    private readonly _backoff: { baseMs: number; maxMs: number },
  ) {}

  stats(): DeliveryStats {
    return { ...this._counts, pending: this._queue.length };
  }

  /** Queues a report and sends it now, unless a back-off is running. */
  enqueue(report: ResourceMetrics): void {
    if (this._queue.length >= MAX_PENDING_REPORTS) {
      this._queue.shift();
      this._counts.dropped++;
    }
    this._queue.push(report);
    if (this._retryTimer === undefined) void this.drain();
  }

  /** A keep-alive: sent once, never queued (the next one says the same). */
  async sendOnce(report: ResourceMetrics): Promise<void> {
    const result = await this._send(report);
    if (result.ok) this._succeeded();
    else this._failed(result.reason);
  }

  /** Sends what is queued, oldest first, until the queue is empty or a send fails. */
  drain(): Promise<void> {
    this._sending ??= (async () => {
      try {
        while (this._queue.length > 0) {
          const result = await this._send(this._queue[0]!);
          if (!result.ok) {
            this._failed(result.reason);
            this._scheduleRetry();
            return;
          }
          this._queue.shift();
          this._succeeded();
        }
      } finally {
        this._sending = undefined;
      }
    })();
    return this._sending;
  }

  /** At shutdown: no more retries; one last attempt at what is queued (bounded by the caller). */
  async flush(): Promise<void> {
    this._stopped = true;
    clearTimeout(this._retryTimer);
    this._retryTimer = undefined;
    await this._sending;
    await this.drain();
  }

  private _succeeded(): void {
    this._counts.sent++;
    this._streak = 0;
  }

  private _failed(reason: string): void {
    this._counts.failedAttempts++;
    if (this._streak++ === 0) {
      this._log(
        `usage report to ${this._target} failed (${reason}); retrying with back-off, keeping at most ${MAX_PENDING_REPORTS} reports; ` +
          'nothing more is logged until one gets through',
      );
    }
  }

  private _scheduleRetry(): void {
    if (this._stopped) return;
    const ms = Math.min(this._backoff.maxMs, this._backoff.baseMs * 2 ** Math.min(this._streak - 1, 20));
    this._retryTimer = setTimeout(() => {
      this._retryTimer = undefined;
      void this.drain();
    }, ms);
    this._retryTimer.unref();
  }
}
