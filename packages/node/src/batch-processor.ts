import { context, diag, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ProblemReporter } from '@tracepack/core';
import { FailureStreak } from './reporting-exporter';
import { SpanQueue } from './span-queue';
import { withTimeout } from './timeout';
import type { BoundedBatchSpanProcessorOptions, ExitSender, ExitSendResult, SpanProcessorStats } from './types';

/**
 * How long after `exportTimeoutMillis` an export that has not answered is given up.
 *
 * Exporters bound their own requests (OTLP: `timeout_ms`, capped at the flush budget; the
 * Jaeger collector: 10 s; UDP needs none), and those bounds are meant to be at most
 * `export_timeout_ms`. The margin lets such an exporter always answer first: its FAILED is
 * counted, once, and the processor's own timer only ever catches an exporter that never calls
 * back at all (Zipkin's has no timeout: a backend that accepts the connection and never
 * answers holds it forever). An answer that still comes after the give-up (an exporter whose
 * own timeout is longer than `export_timeout_ms`) is not counted a second time: the batch was
 * counted as failed when it was given up; a late success moves it to `exported` (the backend
 * has it), a late failure changes nothing. Each span is in exactly one counter at any time.
 *
 * Why so small: the exporter's timer fires before ours, and its answer reaches us through
 * microtasks (aborted request -> retry logic -> callback), which run before the next timer even
 * when the event loop is late; the margin only has to cover an exporter that answers from a
 * macrotask after its timer (a socket 'error' event), not the timeout's length.
 */
export const EXPORT_ANSWER_MARGIN_MS = 250;

/** One batch taken from the queue, from the export call to its answer. */
interface Attempt {
  readonly spans: ReadableSpan[];
  /**
   * exporting: counted in `exporting`; given-up: counted as failed, a late success moves it;
   * settled: answered and counted; handed-off: given to the exit sender, which settled it.
   */
  state: 'exporting' | 'given-up' | 'settled' | 'handed-off';
  timer: NodeJS.Timeout | undefined;
}

interface FlushWaiter {
  /** Resolved once `settled` reaches this count of spans. */
  readonly target: number;
  readonly done: () => void;
}

/**
 * The span processor of tracepack, in-thread and behind the export thread alike: a bounded
 * queue, one export at a time, and public counters that account for every sampled span.
 *
 * - `onEnd` is O(1) and allocates nothing beyond the queue's slot: it counts the span and
 *   writes it into a ring of `maxQueueSize` slots. A full queue drops the span and counts it;
 *   the streak is reported once through `diag` when it starts and once when the queue has
 *   caught up, never per span. No timer per span: one timer per batch (the schedule delay),
 *   or one immediate when a full batch waits.
 * - One export at a time, `maxExportBatchSize` spans each, inside `suppressTracing` (the
 *   exporter's own requests are not traced). The first export waits for the resource's
 *   asynchronously detected attributes (`waitForAsyncAttributes`), so that every exported
 *   span carries them. An export that does not answer within `exportTimeoutMillis` plus
 *   {@link EXPORT_ANSWER_MARGIN_MS} is given up: its spans count as failed and the next
 *   batch goes.
 * - `forceFlush()` exports everything queued when it is called; `shutdown()` stops taking
 *   spans and flushes; both are bounded by `flushTimeoutMillis`. When the bound runs out, what
 *   is still queued counts as `droppedAtShutdown`, an unanswered export as failed, and one
 *   line reports the losses with exact numbers.
 * - `exportAtExit()` is for the process's 'exit' event, where nothing asynchronous can run
 *   any more: the queue (and an unanswered export) go to the `exitSender`, which exports
 *   them from another thread while this one blocks, within the same bound.
 *
 * At any time: ended == exported + failed + dropped + droppedAtShutdown + queued + exporting.
 * Nothing here reads or wraps private fields of the OpenTelemetry SDK.
 */
export class BoundedBatchSpanProcessor implements SpanProcessor {
  protected readonly exporter: SpanExporter;
  private readonly _queue: SpanQueue<ReadableSpan>;
  private readonly _maxExportBatchSize: number;
  private readonly _scheduledDelayMillis: number;
  private readonly _exportTimeoutMillis: number;
  private readonly _flushTimeoutMillis: number;
  private readonly _target: string;
  private readonly _resource: Resource | undefined;
  private readonly _exitSender: ExitSender | undefined;
  private readonly _streak: FailureStreak;

  private _ended = 0;
  private _exported = 0;
  private _failed = 0;
  private _dropped = 0;
  private _droppedAtShutdown = 0;
  /** The full queue, reported through @tracepack/core's one reporter: a line when it fills, one when it has caught up. */
  private readonly _queueFull = new ProblemReporter({
    packageName: '@tracepack/node',
    level: 'warn',
    recoveryLevel: 'warn',
    startLine: () =>
      `the span export queue is full (max_queue_size ${this._queue.capacity}): new spans are dropped and counted ` +
      'until it has caught up. Reported once; the count follows.',
    recoveryLine: (line) => `the span export queue has caught up; ${line.count} spans were dropped while it was full.`,
  });

  /** Spans ever queued, and spans taken from the queue whose export is over (any outcome). */
  private _enqueued = 0;
  private _settled = 0;

  private _current: Attempt | undefined;
  /** Exports given up on that have not answered yet (see EXPORT_ANSWER_MARGIN_MS). */
  private _unanswered = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _immediate: NodeJS.Immediate | undefined;
  private _waiters: FlushWaiter[] = [];
  /** Until the first export: wait for every resource's async attributes, pending or not. */
  private _resourcesSettled = false;

  private _stopping = false;
  /** performance.now() by which shutdown ends (set when it starts). */
  private _deadline: number | undefined;
  private _final = false;
  private _shutdownPromise: Promise<void> | undefined;

  constructor(options: BoundedBatchSpanProcessorOptions) {
    this.exporter = options.exporter;
    const maxQueueSize = positive(options.maxQueueSize, 2048, 'maxQueueSize');
    this._queue = new SpanQueue(maxQueueSize);
    this._maxExportBatchSize = Math.min(positive(options.maxExportBatchSize, 256, 'maxExportBatchSize'), maxQueueSize);
    this._scheduledDelayMillis = options.scheduledDelayMillis ?? 200;
    this._exportTimeoutMillis = options.exportTimeoutMillis ?? 10_000;
    this._flushTimeoutMillis = options.flushTimeoutMillis ?? 5_000;
    this._target = options.target ?? 'the exporter';
    this._resource = options.resource;
    this._exitSender = options.exitSender;
    this._streak = new FailureStreak(this._target);
  }

  /** Every sampled span, where it is now; see the class comment for the invariant. */
  stats(): SpanProcessorStats {
    return {
      ended: this._ended,
      exported: this._exported,
      failed: this._failed,
      dropped: this._dropped,
      droppedAtShutdown: this._droppedAtShutdown,
      queued: this._queue.size,
      exporting: this._current === undefined ? 0 : this._current.spans.length,
    };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this._ended++;
    if (this._stopping) {
      this._droppedAtShutdown++;
      return;
    }
    if (!this._queue.push(span)) {
      this._dropped++;
      this._queueFull.failure(QUEUE_FULL);
      return;
    }
    this._enqueued++;
    if (this._current !== undefined) return; // the end of that export picks up what waits
    if (this._queue.size >= this._maxExportBatchSize) this._exportSoon();
    else if (this._timer === undefined) this._startTimer();
  }

  /** Exports every span queued now; resolves when they are settled or after `flushTimeoutMillis`. */
  forceFlush(): Promise<void> {
    if (this._shutdownPromise) return this._shutdownPromise;
    return this._waitSettled(this._flushTimeoutMillis, false);
  }

  /** Stops taking spans, flushes within `flushTimeoutMillis`, reports, shuts the exporter down. Idempotent. */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= this._close();
    return this._shutdownPromise;
  }

  /**
   * Ends the accounting now, synchronously: what is still queued counts as dropped at shutdown,
   * an unanswered export as failed, and the report line is written (once). Shutdown does this
   * by itself when its bound runs out; the exit hooks call it as a last resort.
   */
  finishNow(): void {
    if (this._final) return;
    this._final = true;
    this._stopping = true;
    this._clearTimers();
    const left = this._queue.size;
    if (left > 0) {
      this._queue.take(left);
      this._droppedAtShutdown += left;
      this._settled += left;
    }
    const attempt = this._current;
    if (attempt !== undefined && attempt.state === 'exporting') this._giveUp(attempt, false);
    for (const w of [...this._waiters]) w.done();
    this._report();
  }

  /**
   * For the process's 'exit' event (a synchronous `process.exit()`, or the end after
   * 'beforeExit'): hands what is still queued, and an export that has not answered, to the
   * exit sender, blocking this thread until they are settled or the flush bound passes
   * (counted from the start of a shutdown under way, else from now); then ends the accounting
   * and reports. Without an exit sender they count as dropped at shutdown.
   */
  exportAtExit(): void {
    if (this._final) return;
    const deadline = this._deadline ?? performance.now() + this._flushTimeoutMillis;
    this._stopping = true;
    this._clearTimers();
    const attempt = this._current?.state === 'exporting' ? this._current : undefined;
    if (this._exitSender === undefined || (attempt === undefined && this._queue.size === 0)) {
      this.finishNow();
      return;
    }
    const batches: ReadableSpan[][] = [];
    while (this._queue.size > 0) batches.push(this._queue.take(this._maxExportBatchSize));
    const queued = batches.reduce((n, b) => n + b.length, 0);
    const total = queued + (attempt?.spans.length ?? 0);
    let result: ExitSendResult;
    try {
      result = this._exitSender.sendAtExit(attempt?.spans, batches, deadline);
    } catch (err) {
      diag.warn(
        `@tracepack/node: could not hand the last ${total} spans to the exit thread (${(err as Error)?.message ?? err}).`,
      );
      result = { exported: 0, failed: 0, unsettled: total };
    }
    if (attempt !== undefined) {
      attempt.state = 'handed-off';
      clearTimeout(attempt.timer);
      this._current = undefined;
    }
    this._exported += result.exported;
    this._failed += result.failed;
    this._droppedAtShutdown += result.unsettled;
    this._settled += total;
    this.finishNow();
  }

  private async _close(): Promise<void> {
    this._stopping = true;
    this._deadline = performance.now() + this._flushTimeoutMillis;
    // Ref'd: a shutdown under way (from 'beforeExit' too) keeps the process up to its bound.
    await this._waitSettled(this._flushTimeoutMillis, true);
    this.finishNow();
    const closing = this.exporter
      .shutdown()
      .catch((err: unknown) => diag.debug(`@tracepack/node: exporter shutdown failed: ${(err as Error)?.message}`));
    // An exporter's shutdown waits for its requests, and one that was given up on may never
    // end (a backend that accepted the connection and went silent): the counters are final
    // already, so shutdown does not wait for it then.
    const left = this._deadline - performance.now();
    if (left > 0 && this._unanswered === 0) await withTimeout(closing, left);
  }

  /** Resolves once every span queued now is settled, or after `boundMs`. */
  private _waitSettled(boundMs: number, ref: boolean): Promise<void> {
    const target = this._enqueued;
    if (this._settled >= target || this._final) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => waiter.done(), boundMs);
      if (!ref) timer.unref();
      const waiter: FlushWaiter = {
        target,
        done: () => {
          clearTimeout(timer);
          const i = this._waiters.indexOf(waiter);
          if (i >= 0) this._waiters.splice(i, 1);
          resolve();
        },
      };
      this._waiters.push(waiter);
      if (this._current === undefined) this._exportSoon();
    });
  }

  private _startTimer(): void {
    this._timer = setTimeout(this._exportNext, this._scheduledDelayMillis);
    this._timer.unref();
  }

  private _exportSoon(): void {
    this._immediate ??= setImmediate(this._exportNext);
  }

  private _clearTimers(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    if (this._immediate !== undefined) clearImmediate(this._immediate);
    this._timer = undefined;
    this._immediate = undefined;
  }

  /** Takes the next batch and exports it, unless an export is under way. A bound arrow: no closure per call. */
  private readonly _exportNext = (): void => {
    this._clearTimers();
    if (this._current !== undefined || this._final || this._queue.size === 0) return;
    const spans = this._queue.take(this._maxExportBatchSize);
    if (this._queue.size === 0) this._queueFull.success(QUEUE_FULL);
    const attempt: Attempt = { spans, state: 'exporting', timer: undefined };
    this._current = attempt;
    attempt.timer = setTimeout(() => this._giveUp(attempt, true), this._exportTimeoutMillis + EXPORT_ANSWER_MARGIN_MS);
    attempt.timer.unref();
    const pending = this._pendingResources(spans);
    if (pending === undefined) this._callExporter(attempt);
    else
      pending.then(
        () => this._callExporter(attempt),
        (err: unknown) => {
          diag.debug(`@tracepack/node: resource detection failed: ${(err as Error)?.message}`);
          this._callExporter(attempt);
        },
      );
  };

  /** The resources of `spans` whose asynchronously detected attributes have not settled yet. */
  private _pendingResources(spans: readonly ReadableSpan[]): Promise<unknown> | undefined {
    const resources: Resource[] = this._resource === undefined ? [] : [this._resource];
    for (const span of spans) if (!resources.includes(span.resource)) resources.push(span.resource);
    const first = !this._resourcesSettled;
    this._resourcesSettled = true;
    const waits = resources
      .filter((r) => (first || r.asyncAttributesPending === true) && typeof r.waitForAsyncAttributes === 'function')
      .map((r) => r.waitForAsyncAttributes!());
    return waits.length === 0 ? undefined : Promise.all(waits);
  }

  private _callExporter(attempt: Attempt): void {
    if (attempt.state !== 'exporting') return; // given up while the resource settled
    context.with(suppressTracing(context.active()), () => {
      try {
        this.exporter.export(attempt.spans, (result) => this._onAnswer(attempt, result));
      } catch (err) {
        this._onAnswer(attempt, { code: ExportResultCode.FAILED, error: err as Error });
      }
    });
  }

  private _onAnswer(attempt: Attempt, result: ExportResult): void {
    const n = attempt.spans.length;
    const ok = result.code === ExportResultCode.SUCCESS;
    switch (attempt.state) {
      case 'exporting':
        attempt.state = 'settled';
        if (ok) {
          this._exported += n;
          this._streak.succeeded();
        } else {
          this._failed += n;
          this._streak.failed(n, result.error);
        }
        this._endAttempt(attempt);
        return;
      case 'given-up':
        // Counted as failed when it was given up (see EXPORT_ANSWER_MARGIN_MS): a success
        // moves it, so that each span stays in exactly one counter; a failure changes nothing.
        attempt.state = 'settled';
        this._unanswered--;
        if (ok) {
          this._failed -= n;
          this._exported += n;
          this._streak.succeeded();
        }
        return;
      default:
        return; // a second answer, or settled by the exit sender
    }
  }

  private _giveUp(attempt: Attempt, report: boolean): void {
    if (attempt.state !== 'exporting') return;
    attempt.state = 'given-up';
    this._unanswered++;
    const n = attempt.spans.length;
    this._failed += n;
    if (report)
      this._streak.failed(n, new Error(`no answer within ${this._exportTimeoutMillis} ms (export_timeout_ms)`));
    this._endAttempt(attempt);
  }

  /** After an export is over (any outcome): wakes flushes, and starts the next batch or its timer. */
  private _endAttempt(attempt: Attempt): void {
    clearTimeout(attempt.timer);
    if (this._current === attempt) this._current = undefined;
    this._settled += attempt.spans.length;
    while (this._waiters.length > 0 && this._waiters[0]!.target <= this._settled) this._waiters[0]!.done();
    if (this._final || this._queue.size === 0) return;
    if (this._stopping || this._waiters.length > 0 || this._queue.size >= this._maxExportBatchSize) this._exportSoon();
    else if (this._timer === undefined) this._startTimer();
  }

  /** One line at the end, with exact numbers, so that nothing is lost silently. */
  private _report(): void {
    const lost = this._failed + this._dropped + this._droppedAtShutdown;
    if (lost === 0) {
      diag.info(`@tracepack/node: all ${this._exported} spans were delivered to ${this._target}.`);
      return;
    }
    diag.warn(
      `@tracepack/node: ${lost} of ${this._ended} spans were not delivered to ${this._target}: ${this._failed} in failed exports, ` +
        `${this._dropped} dropped with the queue full (max_queue_size ${this._queue.capacity}), ` +
        `${this._droppedAtShutdown} still waiting when the flush bound (${this._flushTimeoutMillis} ms) ran out; ${this._exported} were delivered.`,
    );
  }
}

/** The problem key of the full queue. */
const QUEUE_FULL = 'span export queue full';

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1)
    throw new TypeError(
      `@tracepack/node: BoundedBatchSpanProcessor expects ${name} to be a positive integer, instead got ${JSON.stringify(value)}`,
    );
  return v;
}
