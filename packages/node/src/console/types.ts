/** When colour codes are written: `auto` only when the output is a TTY (and `NO_COLOR` is unset). */
export type ConsoleColorMode = 'auto' | 'always' | 'never';

/** Glyphs of the waterfall: `unicode` (box drawing, `█`, `✗`) or plain 7-bit `ascii`. */
export type ConsoleCharset = 'unicode' | 'ascii';

/** Options of {@link ConsoleWaterfallExporter} (the `console` provider). */
export interface ConsoleWaterfallExporterOptions {
  /**
   * Where each rendered trace goes. Errors it throws are caught, counted and reported once.
   * @default text => process.stdout.write(text)
   */
  write?: (text: string) => void;
  /**
   * Colour codes (red for errors, dim for tags). `auto`: only when writing to
   * `process.stdout` and it is a TTY; a custom `write` counts as not a TTY.
   * @default 'auto'
   */
  color?: ConsoleColorMode;
  /**
   * Columns of the waterfall; 0: the terminal's width (when writing to a TTY), or 80.
   * Widths below 40 are drawn as 40.
   * @default 0
   */
  width?: number;
  /** When set (e.g. `http://localhost:16686`), each trace ends with `  view: <url>/trace/<traceId>` (never cut, even when wider than `width`). */
  jaegerUiUrl?: string;
  /**
   * Glyphs; `auto`: unicode unless the platform or locale suggests the terminal cannot show it.
   * @default 'auto'
   */
  charset?: ConsoleCharset | 'auto';
  /**
   * A trace whose local root span has not arrived is printed this long after its last span arrived.
   * @default 2000
   */
  orphanTimeoutMillis?: number;
  /**
   * At most this many traces wait for their root; beyond it the oldest is dropped (and counted).
   * @default 1000
   */
  maxBufferedTraces?: number;
}

/** Options of the pure {@link renderWaterfall} function. */
export interface RenderWaterfallOptions {
  /**
   * Columns of the output; no line is wider (widths below 40 are drawn as 40).
   * @default 80
   */
  width?: number;
  /**
   * Writes ANSI colour codes (red for errors, dim for tags).
   * @default false
   */
  color?: boolean;
  /**
   * Glyphs of bars, markers and tree guides.
   * @default 'unicode'
   */
  charset?: ConsoleCharset;
  /** When set, each trace ends with `  view: <jaegerUiUrl>/trace/<traceId>` (never cut, even when wider than `width`). */
  jaegerUiUrl?: string;
}

/** Counters of {@link ConsoleWaterfallExporter}, for diagnostics and tests. */
export interface ConsoleWaterfallExporterStats {
  /** Traces waiting for their root span (or for the orphan timeout). */
  bufferedTraces: number;
  /** Traces dropped unprinted because `maxBufferedTraces` was reached. */
  droppedTraces: number;
  /** Spans dropped because their trace already held the per-trace maximum. */
  droppedSpans: number;
  /** Calls of `write` (or renders) that threw. */
  failedWrites: number;
}
