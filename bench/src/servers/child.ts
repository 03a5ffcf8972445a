/**
 * The part every server variant shares: starts the app, then answers the bench process over
 * IPC. `mark` starts the measured phase (CPU baseline, RSS after warm-up); `finish` reports
 * CPU time and memory of the phase, then flushes the tracer and reports its span counts.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { ParentToServer, ServerToParent, SpanCounts } from '../protocol';

/** What a traced variant gives the shared runtime. */
export interface VariantTracer {
  /** Exports what is pending (bounded). */
  flush(): Promise<void>;
  spans(): SpanCounts;
  shutdown(): Promise<void>;
}

export function runServerChild(tracer: VariantTracer | undefined): void {
  const send = (msg: ServerToParent): void => {
    process.send?.(msg);
  };
  if (!process.send) {
    console.error('bench server: start me with child_process.fork (an IPC channel is needed)');
    process.exit(2);
  }
  main().catch((err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });

  async function main(): Promise<void> {
    // Loaded only now: the variant's tracer is in place before `http`, `pg` or `bcrypt` load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startApp } = require('./app') as typeof import('./app');
    const app = await startApp(process.env.BENCH_SCENARIO ?? 'hello', process.env.BENCH_PG_URL);
    let cpuMark = process.cpuUsage();
    // GC pauses of this thread, summed as V8 reports them ('gc' entries come in batches, from
    // the event loop, so the observer costs one callback per batch, not per collection). The
    // parallel and concurrent GC threads' CPU is in cpuUsage() already; this is the pause time.
    let gcMs = 0;
    let gcCount = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMs += e.duration;
        gcCount++;
      }
    }).observe({ entryTypes: ['gc'] });
    const sample = () => {
      const cpu = process.cpuUsage(cpuMark);
      const mem = process.memoryUsage();
      return { cpuUs: cpu.user + cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, gcUs: gcMs * 1000, gcCount };
    };
    process.on('message', (msg: ParentToServer) => {
      switch (msg.type) {
        case 'mark': {
          cpuMark = process.cpuUsage();
          gcMs = 0;
          gcCount = 0;
          const mem = process.memoryUsage();
          send({ type: 'marked', rss: mem.rss, heapUsed: mem.heapUsed });
          return;
        }
        case 'sample':
          send({ type: 'sample', ...sample() });
          return;
        case 'stats':
          send({ type: 'stats', ...sample(), spans: tracer?.spans() });
          return;
        case 'finish': {
          const measured = sample();
          // Requests still in flight when the load stopped end their spans after this point:
          // let them finish first, so the flush takes every span the counters saw.
          waitIdle(app.inFlight, 3_000)
            .then(() => tracer?.flush())
            .then(
              () => send({ type: 'finished', ...measured, spans: tracer?.spans() }),
              (err: unknown) => send({ type: 'error', message: `flush failed: ${String(err)}` }),
            );
          return;
        }
        case 'exit':
          void Promise.all([app.close(), tracer?.shutdown()]).finally(() => process.exit(0));
          return;
      }
    });
    process.on('disconnect', () => process.exit(0));
    const address = app.server.address();
    send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  }
}

async function waitIdle(inFlight: () => number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // Spans end in 'close'/'finish' listeners, possibly after ours: one more turn of the loop.
  await new Promise((r) => setImmediate(r));
}
