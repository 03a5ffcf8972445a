import { diag } from '@opentelemetry/api';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * How much longer than `flush_timeout_ms` a signal hook waits for shutdown before it ends the
 * process anyway.
 *
 * Shutdown ends its accounting and writes the loss report when its flush is over or when its
 * own bound (`flush_timeout_ms`, counted from the same moment) runs out; if the hook's bound
 * were the same, a shutdown that used its whole budget would race the hook, and a re-raised
 * SIGTERM could end the process before the report is written. With the margin the report
 * always comes first; and should shutdown still not be over at the hook's bound (an event loop
 * blocked at the wrong moment), the hook ends the accounting and writes the report itself
 * (`finishNow`) before it raises the signal.
 */
export const EXIT_REPORT_MARGIN_MS = 250;

/** What the exit hooks drive. */
export interface ExitHooksTarget {
  /** Flushes, reports and stops; bounded by `flushTimeoutMs` by itself. */
  shutdown(): Promise<void>;
  /**
   * Synchronous, for the 'exit' event: what is still queued is handed to another thread and
   * waited for, within the flush bound, then the report is written. Once only.
   */
  exportAtExit(): void;
  /** Synchronous: ends the accounting as it stands and writes the report, once. */
  finishNow(): void;
  flushTimeoutMs: number;
}

export interface ExitHooks {
  /** Removes the signal and beforeExit hooks (a second signal then has its default effect). */
  removeSignalHooks(): void;
  /** Removes every hook, the 'exit' one too. */
  removeAll(): void;
}

/**
 * Flushes on every way a process ends, then lets it end as it would have without us:
 * - SIGTERM / SIGINT with no handler of the service's own: shutdown within the flush bound,
 *   then the signal is raised again with its default action (so the exit status is 128 + the
 *   signal's number, as the service would have had). When the service has its own handler,
 *   that handler decides when and how to exit, and tracing goes on meanwhile (the requests it
 *   lets finish still make spans); the way it then ends is one of the two below;
 * - 'beforeExit' (the event loop ran dry): shutdown, after which the process ends by itself;
 * - 'exit' (`process.exit()` from anywhere, an uncaught exception or unhandled rejection, or
 *   the end after a flush that the event loop could not finish): synchronous,
 *   so the rest is handed to a worker thread that exports it while this thread blocks, within
 *   the flush bound (see worker-export/handoff.ts). The exit code stays the service's.
 * None of this costs anything per request: listeners only. Returns a way to remove them.
 */
export function installExitHooks(target: ExitHooksTarget): ExitHooks {
  let flushing: Promise<void> | undefined;
  const bounded = (): Promise<void> => {
    flushing ??= new Promise<void>((resolve) => {
      // Ref'd: a signalled process must not end on its own, exit code 0, before the signal
      // is raised again, however its shutdown goes.
      const timer = setTimeout(resolve, target.flushTimeoutMs + EXIT_REPORT_MARGIN_MS);
      target
        .shutdown()
        .catch((err: unknown) => diag.warn(`@tracepack/node: flush at exit failed: ${(err as Error)?.message}`))
        .finally(() => {
          clearTimeout(timer);
          resolve();
        });
    });
    return flushing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    // The service has a handler of its own: it decides, and may still be finishing requests
    // whose spans should go out too; however it then ends, a hook below delivers the rest.
    if (process.listenerCount(signal) > 1) return;
    void bounded().then(() => {
      target.finishNow(); // a no-op when shutdown wrote the report, as it does in time
      removeAll();
      process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = (): void => {
    void bounded();
  };
  const onExit = (): void => {
    target.exportAtExit();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.once('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  const removeSignalHooks = (): void => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };
  const removeAll = (): void => {
    removeSignalHooks();
    process.removeListener('exit', onExit);
  };
  return { removeSignalHooks, removeAll };
}
