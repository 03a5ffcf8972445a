import { diag } from '@opentelemetry/api';
import { isHttpUrl } from '@tracepack/config';
import { functionOption, oneOf, validateOptions } from '@tracepack/core';
import type { OptionRule } from '@tracepack/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { isLocalRoot, renderWaterfall } from './render';
import { detectCharset, shouldUseColor, writeToStdout } from './terminal';
import type {
  ConsoleCharset,
  ConsoleColorMode,
  ConsoleWaterfallExporterOptions,
  ConsoleWaterfallExporterStats,
  RenderWaterfallOptions,
} from './types';

/** Stable code of the TypeError thrown for a bad constructor option. */
export const CONSOLE_INVALID_OPTION = 'TRACEPACK_CONSOLE_INVALID_OPTION' as const;

const DEFAULT_ORPHAN_TIMEOUT_MILLIS = 2000;
const DEFAULT_MAX_BUFFERED_TRACES = 1000;
/** Spans kept per buffered trace: a root that never ends must not grow memory without bound. */
const MAX_SPANS_PER_TRACE = 2000;
const DEFAULT_WIDTH = 80;

interface BufferedTrace {
  spans: ReadableSpan[];
  /** `Date.now()` when its last span arrived. */
  lastSeen: number;
}

/**
 * The `console` provider's exporter: prints each trace as a waterfall in the terminal.
 *
 * Spans are buffered per trace id; a trace is printed once its local root span (no parent,
 * or a remote parent) has arrived, or `orphanTimeoutMillis` after its last span arrived
 * when the root never comes here. One unref'd timer serves the whole exporter. Printing
 * never throws into the application: a failing `write` is counted and reported once
 * through `diag`.
 */
export class ConsoleWaterfallExporter implements SpanExporter {
  private readonly _write: (text: string) => void;
  private readonly _toStdout: boolean;
  private readonly _width: number;
  private readonly _color: boolean;
  private readonly _charset: ConsoleCharset;
  private readonly _jaegerUiUrl: string | undefined;
  private readonly _orphanTimeoutMillis: number;
  private readonly _maxBufferedTraces: number;
  private readonly _traces = new Map<string, BufferedTrace>();
  private _timer: NodeJS.Timeout | undefined;
  private _shutdown: Promise<void> | undefined;
  private _droppedTraces = 0;
  private _droppedSpans = 0;
  private _failedWrites = 0;
  private readonly _warned = new Set<string>();

  constructor(options: ConsoleWaterfallExporterOptions = {}) {
    validateConsoleOptions(options);
    this._toStdout = options.write === undefined;
    this._write = options.write ?? writeToStdout;
    this._width = options.width ?? 0;
    const color: ConsoleColorMode = options.color ?? 'auto';
    this._color = shouldUseColor(color, this._toStdout && process.stdout.isTTY === true);
    const charset = options.charset ?? 'auto';
    this._charset = charset === 'auto' ? detectCharset() : charset;
    this._jaegerUiUrl = options.jaegerUiUrl;
    this._orphanTimeoutMillis = options.orphanTimeoutMillis ?? DEFAULT_ORPHAN_TIMEOUT_MILLIS;
    this._maxBufferedTraces = options.maxBufferedTraces ?? DEFAULT_MAX_BUFFERED_TRACES;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this._shutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('@tracepack/node: the console exporter is shut down'),
      });
      return;
    }
    try {
      const now = Date.now();
      const complete = new Set<string>();
      for (const span of spans) {
        const traceId = span.spanContext().traceId;
        let entry = this._traces.get(traceId);
        if (!entry) entry = this._admit(traceId, now);
        if (entry.spans.length >= MAX_SPANS_PER_TRACE) {
          this._droppedSpans++;
          this._warnOnce(
            'spans',
            `console exporter: a trace has more than ${MAX_SPANS_PER_TRACE} spans; the rest are not printed`,
          );
          continue;
        }
        entry.spans.push(span);
        entry.lastSeen = now;
        if (isLocalRoot(span)) complete.add(traceId);
      }
      for (const traceId of complete) this._print(traceId);
      this._schedule();
    } catch (err) {
      this._warnOnce('export', `console exporter: export failed: ${String(err)}`);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Prints every buffered trace now, complete or not. */
  forceFlush(): Promise<void> {
    this._flushAll();
    return Promise.resolve();
  }

  /** Prints what is buffered, then refuses further exports. Idempotent. */
  shutdown(): Promise<void> {
    if (!this._shutdown) {
      this._flushAll();
      this._shutdown = Promise.resolve();
    }
    return this._shutdown;
  }

  /** Counters: what is buffered, dropped, and how often `write` failed. */
  get stats(): ConsoleWaterfallExporterStats {
    return {
      bufferedTraces: this._traces.size,
      droppedTraces: this._droppedTraces,
      droppedSpans: this._droppedSpans,
      failedWrites: this._failedWrites,
    };
  }

  /** A new buffer entry; the oldest trace is dropped when the buffer is full. */
  private _admit(traceId: string, now: number): BufferedTrace {
    while (this._traces.size >= this._maxBufferedTraces) {
      const oldest = this._traces.keys().next().value as string;
      this._traces.delete(oldest);
      this._droppedTraces++;
      this._warnOnce(
        'traces',
        `console exporter: more than ${this._maxBufferedTraces} traces wait for their root span; the oldest are dropped (see stats.droppedTraces)`,
      );
    }
    const entry: BufferedTrace = { spans: [], lastSeen: now };
    this._traces.set(traceId, entry);
    return entry;
  }

  private _flushAll(): void {
    this._clearTimer();
    for (const traceId of [...this._traces.keys()]) this._print(traceId);
  }

  private _print(traceId: string): void {
    const entry = this._traces.get(traceId);
    if (!entry) return;
    this._traces.delete(traceId);
    try {
      this._write(renderWaterfall(entry.spans, this._renderOptions()) + '\n');
    } catch (err) {
      this._failedWrites++;
      this._warnOnce(
        'write',
        `console exporter: writing a trace failed (counted in stats.failedWrites): ${String(err)}`,
      );
    }
  }

  private _renderOptions(): RenderWaterfallOptions {
    let width = this._width;
    if (width <= 0) {
      const columns = this._toStdout && process.stdout.isTTY ? process.stdout.columns : undefined;
      width = columns && columns > 0 ? columns : DEFAULT_WIDTH;
    }
    return { width, color: this._color, charset: this._charset, jaegerUiUrl: this._jaegerUiUrl };
  }

  /** Arms the one timer for the buffered trace that is due first. */
  private _schedule(): void {
    if (this._timer || this._shutdown || this._traces.size === 0) return;
    let due = Infinity;
    for (const entry of this._traces.values()) due = Math.min(due, entry.lastSeen + this._orphanTimeoutMillis);
    this._timer = setTimeout(() => this._sweep(), Math.max(0, due - Date.now()));
    this._timer.unref();
  }

  private _sweep(): void {
    this._timer = undefined;
    try {
      const now = Date.now();
      for (const [traceId, entry] of [...this._traces.entries()]) {
        if (now - entry.lastSeen >= this._orphanTimeoutMillis) this._print(traceId);
      }
    } catch (err) {
      this._warnOnce('sweep', `console exporter: printing orphaned spans failed: ${String(err)}`);
    }
    this._schedule();
  }

  private _clearTimer(): void {
    if (this._timer) clearTimeout(this._timer);
    this._timer = undefined;
  }

  private _warnOnce(key: string, message: string): void {
    if (this._warned.has(key)) return;
    this._warned.add(key);
    diag.warn(`@tracepack/node: ${message}`);
  }
}

/** The rules of the options, checked with @tracepack/core's one options helper. */
const OPTION_RULES: Readonly<Record<keyof ConsoleWaterfallExporterOptions, OptionRule>> = {
  write: functionOption,
  color: oneOf(['auto', 'always', 'never']),
  width: {
    expected: 'an integer from 0 (terminal width) to 1000',
    check: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1000,
  },
  charset: oneOf(['auto', 'unicode', 'ascii']),
  jaegerUiUrl: {
    expected: 'an http(s) URL such as http://localhost:16686',
    showStrings: true,
    check: (v) => typeof v === 'string' && isHttpUrl(v),
  },
  orphanTimeoutMillis: {
    expected: 'a positive number of milliseconds',
    check: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  },
  maxBufferedTraces: { expected: 'an integer of at least 1', check: (v) => Number.isInteger(v) && (v as number) >= 1 },
};

function validateConsoleOptions(o: ConsoleWaterfallExporterOptions): void {
  validateOptions(o, OPTION_RULES, 'ConsoleWaterfallExporter options', { code: CONSOLE_INVALID_OPTION });
}
