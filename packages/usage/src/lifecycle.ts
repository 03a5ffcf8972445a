import { withTimeout } from './utils';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Sends the last report on SIGTERM/SIGINT and before a natural exit, within `timeoutMs`, then
 * lets the process end as it would have without us: when our handler is the only one for the
 * signal, the signal is raised again with the default action; when the service has its own
 * handler, that handler decides when to exit (and should call `usage.shutdown()`). The same
 * rules as @tracepack/node's hooks. `signals: false`: before a natural exit only (another
 * tracepack handler owns the signals). Returns a function that removes the hooks.
 */
export function installExitHooks(flush: () => Promise<void>, timeoutMs: number, signals = true): () => void {
  let flushing: Promise<void> | undefined;
  const bounded = (): Promise<void> => {
    flushing ??= withTimeout(flush(), timeoutMs);
    return flushing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const alone = process.listenerCount(signal) === 1;
    void bounded().then(() => {
      if (!alone) return;
      remove();
      process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = (): void => {
    void bounded();
  };
  if (signals) for (const s of SIGNALS) process.on(s, onSignal);
  process.once('beforeExit', onBeforeExit);
  const remove = (): void => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };
  return remove;
}
