/**
 * The OTLP receiver, in its own process so that decoding every batch does not share the
 * server's event loop or the bench process's. Started with fork(); reports its URL, answers
 * `count` with the spans decoded so far, and stops listening on `stop` (a dead backend).
 */
import { startOtlpReceiver } from '@tracepack/testing';
import type { ParentToReceiver, ReceiverToParent } from './protocol';

async function main(): Promise<void> {
  if (!process.send) {
    console.error('bench receiver: start me with child_process.fork (an IPC channel is needed)');
    process.exit(2);
  }
  const send = (msg: ReceiverToParent): void => {
    process.send?.(msg);
  };
  const receiver = await startOtlpReceiver({ keepSpans: false });
  const cpuStart = process.cpuUsage();
  let batches = 0;
  process.on('message', (msg: ParentToReceiver) => {
    switch (msg.type) {
      case 'count': {
        const cpu = process.cpuUsage(cpuStart);
        // Only counts matter here: drop the per-request records so a long run stays small.
        batches += receiver.requests.length;
        receiver.requests.length = 0;
        send({ type: 'count', spanCount: receiver.spanCount, requests: batches, cpuUs: cpu.user + cpu.system });
        return;
      }
      case 'stop':
        void receiver.stop().then(() => send({ type: 'stopped' }));
        return;
    }
  });
  process.on('disconnect', () => {
    void receiver.stop().finally(() => process.exit(0));
  });
  send({ type: 'ready', url: receiver.url });
}

main().catch((err: unknown) => {
  console.error('bench receiver:', err);
  process.exit(1);
});
