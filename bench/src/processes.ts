/**
 * The bench's children: one server process per run (a variant script), and, when Jaeger is
 * not the receiver, one OTLP receiver process per traced run. Both talk over the IPC channel
 * of fork().
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ParentToReceiver, ParentToServer, ReceiverToParent, ServerEnv, ServerToParent } from './protocol';

const STARTUP_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 30_000;

/** Environment of a child: the bench's own, minus anything that would change what is measured. */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      k.startsWith('OTEL_') ||
      k.startsWith('TRACING_') ||
      k.startsWith('BENCH_') ||
      k === 'NODE_OPTIONS' ||
      k === 'NODE_TEST_CONTEXT'
    )
      continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** A child speaking one request / one reply at a time. */
class IpcChild<Out extends { type: string }, In extends { type: string }> {
  private _exited = false;
  private readonly _exitPromise: Promise<void>;
  private _pending: { type: string; resolve: (m: In) => void; reject: (e: Error) => void } | undefined;
  protected readonly name: string;

  constructor(
    readonly child: ChildProcess,
    name: string,
  ) {
    this.name = name;
    this._exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this._exited = true;
        this._pending?.reject(new Error(`bench: ${name} exited (${signal ?? code}) before answering`));
        this._pending = undefined;
        resolve();
      });
    });
    child.on('message', (msg: In) => {
      if (msg.type === 'error') {
        this._pending?.reject(new Error(`bench: ${name} failed: ${(msg as unknown as { message: string }).message}`));
        this._pending = undefined;
        return;
      }
      if (this._pending && this._pending.type === msg.type) {
        const p = this._pending;
        this._pending = undefined;
        p.resolve(msg);
      }
    });
  }

  /** Waits for a message of `type`, after sending `msg` when given. */
  request<T extends In['type']>(
    msg: Out | undefined,
    type: T,
    timeoutMs = REPLY_TIMEOUT_MS,
  ): Promise<Extract<In, { type: T }>> {
    if (this._exited) return Promise.reject(new Error(`bench: ${this.name} is not running`));
    if (this._pending)
      return Promise.reject(new Error(`bench: ${this.name} already waits for "${this._pending.type}"`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending = undefined;
        reject(new Error(`bench: ${this.name} did not send "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this._pending = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<In, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      if (msg) this.child.send(msg);
    });
  }

  /** Asks nicely (`exit` message or disconnect), then kills after `graceMs`. */
  async close(graceful: Out | undefined, graceMs = 8_000): Promise<void> {
    if (this._exited) return;
    try {
      if (graceful && this.child.connected) this.child.send(graceful);
      else if (this.child.connected) this.child.disconnect();
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this._exitPromise;
    clearTimeout(timer);
  }
}

export class ServerProcess extends IpcChild<ParentToServer, ServerToParent> {
  port = 0;

  static async start(script: string, env: ServerEnv, execArgv: string[] = []): Promise<ServerProcess> {
    const child = fork(join(__dirname, 'servers', script), [], {
      env: childEnv({ ...env }),
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const server = new ServerProcess(child, `server ${script} (${env.BENCH_SCENARIO})`);
    const ready = await server.request(undefined, 'ready', STARTUP_TIMEOUT_MS).catch(async (err: unknown) => {
      await server.close(undefined, 1000);
      throw err;
    });
    server.port = ready.port;
    return server;
  }

  exit(): Promise<void> {
    return this.close({ type: 'exit' });
  }
}

/** The bench's own OTLP receiver (`receiver.ts`): decodes every batch, counts spans. */
export class ReceiverProcess extends IpcChild<ParentToReceiver, ReceiverToParent> {
  readonly kind = 'otlp';
  url = '';

  static async start(): Promise<ReceiverProcess> {
    const child = fork(join(__dirname, 'receiver.js'), [], {
      env: childEnv({}),
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const receiver = new ReceiverProcess(child, 'OTLP receiver');
    const ready = await receiver.request(undefined, 'ready', STARTUP_TIMEOUT_MS).catch(async (err: unknown) => {
      await receiver.close(undefined, 1000);
      throw err;
    });
    receiver.url = ready.url;
    return receiver;
  }

  async count(): Promise<{ spanCount: number; requests: number; cpuUs: number }> {
    const m = await this.request({ type: 'count' }, 'count');
    return { spanCount: m.spanCount, requests: m.requests, cpuUs: m.cpuUs };
  }

  /** Stops listening: exports to its URL are refused from now on (a dead backend). */
  async stopListening(): Promise<void> {
    await this.request({ type: 'stop' }, 'stopped');
  }

  exit(): Promise<void> {
    return this.close(undefined, 3_000);
  }
}
