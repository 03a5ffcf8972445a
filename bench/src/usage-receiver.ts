/**
 * The receiver of the usage variants' reports, in its own process (forked by the server
 * script), so that decoding reports is not counted as the server's CPU. Reports its URL over
 * IPC, then answers `count` with the reports decoded so far.
 */
import { startOtlpMetricsReceiver } from '@tracepack/testing';

async function main(): Promise<void> {
  if (!process.send) {
    console.error('bench usage receiver: start me with child_process.fork (an IPC channel is needed)');
    process.exit(2);
  }
  const receiver = await startOtlpMetricsReceiver({ keepSpans: false });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'count') process.send?.({ type: 'count', reports: receiver.requests.length });
  });
  process.on('disconnect', () => {
    void receiver.stop().finally(() => process.exit(0));
  });
  process.send({ type: 'ready', url: receiver.url });
}

main().catch((err: unknown) => {
  console.error('bench usage receiver:', err);
  process.exit(1);
});
