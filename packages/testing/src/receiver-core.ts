// What the OTLP and Zipkin receivers share: the requests and spans they got, the failure mode
// a test sets (503, hang, slow), waiting for spans, and their public face. Each receiver adds
// only its wire format: paths, decoding, answers.
import type { IncomingMessage, Server } from 'node:http';

export type ReceiverMode = 'ok' | 'unavailable' | 'hang' | 'slow';

/**
 * A per-request script: the mode for export request number `n` (1 for the first export
 * request the receiver answers, in arrival order; requests to other paths do not count), or
 * undefined to use `mode`. E.g. accept, refuse the 3rd and 4th, hang on the 6th:
 * `(n) => (n === 3 || n === 4 ? 'unavailable' : n === 6 ? 'hang' : undefined)`.
 */
export type ReceiverScript = (n: number) => ReceiverMode | undefined;

export interface ReceivedRequest {
  transport: 'http' | 'grpc';
  path: string;
  contentType: string | undefined;
  /** HTTP headers, or gRPC metadata (lowercase keys). */
  headers: Record<string, string | string[] | undefined>;
  /** Spans decoded from this request (0 when the receiver did not answer normally). */
  spanCount: number;
  /** The request body as the exporter sent it, uncompressed (kept unless `keepSpans: false`). */
  body?: Buffer;
  /** How the receiver answered it (set when it answers, or decides to hang). */
  answer?: ReceiverMode;
}

export interface ReceiverCoreOptions {
  /** @default 'ok' */
  mode?: ReceiverMode;
  /** Delay of mode 'slow'. @default 200 */
  delayMs?: number;
  /** Keep the spans; false only counts them (for benchmarks). @default true */
  keepSpans?: boolean;
  /** Decides the mode request by request; see {@link ReceiverScript}. @default none */
  script?: ReceiverScript;
}

/** The members every receiver has. */
export interface ReceiverHandle<S> {
  readonly spans: S[];
  readonly requests: ReceivedRequest[];
  readonly spanCount: number;
  mode: ReceiverMode;
  delayMs: number;
  /** See {@link ReceiverScript}; settable, undefined for none. */
  script: ReceiverScript | undefined;
  /** Export requests answered (or hung on) so far: the number the script was last asked about. */
  readonly answered: number;
  waitForSpans(count: number, timeoutMs?: number): Promise<S[]>;
  reset(): void;
}

export interface ReceiverCore<S> {
  readonly keepSpans: boolean;
  /** Records an HTTP request (path without query, media type, headers) and returns its record. */
  recordHttp(req: IncomingMessage): ReceivedRequest;
  /** Records a request made some other way (gRPC). */
  record(request: ReceivedRequest): ReceivedRequest;
  /** Counts (and keeps) what a request carried, and wakes `waitForSpans` callers. */
  accept(record: ReceivedRequest, decoded: readonly S[]): void;
  /**
   * Answers according to the script, else the mode: normally, 503 / UNAVAILABLE, later, or not
   * at all. `record`, when given, gets the answer.
   */
  respond(ok: () => void, unavailable: () => void, hang: () => void, record?: ReceivedRequest): void;
  /** The receiver: the shared members (live getters) with `extra` added. */
  expose<E extends object>(extra: E): ReceiverHandle<S> & NoInfer<E>;
}

/** `what` names the receiver in timeout messages ("OTLP receiver: expected 3 spans ..."). */
export function receiverCore<S>(options: ReceiverCoreOptions, what: string): ReceiverCore<S> {
  const spans: S[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const keepSpans = options.keepSpans ?? true;
  const state: { mode: ReceiverMode; delayMs: number; script: ReceiverScript | undefined } = {
    mode: options.mode ?? 'ok',
    delayMs: options.delayMs ?? 200,
    script: options.script,
  };
  let spanCount = 0;
  let answered = 0;

  const record = (request: ReceivedRequest): ReceivedRequest => {
    requests.push(request);
    return request;
  };
  return {
    keepSpans,
    record,
    recordHttp: (req) =>
      record({
        transport: 'http',
        path: (req.url ?? '/').split('?')[0]!,
        contentType: req.headers['content-type']?.split(';')[0]!.trim().toLowerCase(),
        headers: { ...req.headers },
        spanCount: 0,
      }),
    accept(request, decoded) {
      request.spanCount = decoded.length;
      spanCount += decoded.length;
      if (keepSpans) for (const s of decoded) spans.push(s);
      for (const w of waiters) if (spanCount >= w.count) w.resolve();
    },
    respond(ok, unavailable, hang, request) {
      const n = ++answered;
      const mode = state.script?.(n) ?? state.mode;
      if (request) request.answer = mode;
      switch (mode) {
        case 'ok':
          return ok();
        case 'unavailable':
          return unavailable();
        case 'slow':
          setTimeout(ok, state.delayMs);
          return;
        case 'hang':
          return hang();
      }
    },
    expose<E extends object>(extra: E): ReceiverHandle<S> & NoInfer<E> {
      const handle: ReceiverHandle<S> = {
        spans,
        requests,
        get spanCount() {
          return spanCount;
        },
        get mode() {
          return state.mode;
        },
        set mode(m: ReceiverMode) {
          state.mode = m;
        },
        get delayMs() {
          return state.delayMs;
        },
        set delayMs(ms: number) {
          state.delayMs = ms;
        },
        get script() {
          return state.script;
        },
        set script(s: ReceiverScript | undefined) {
          state.script = s;
        },
        get answered() {
          return answered;
        },
        waitForSpans: (count, timeoutMs = 5000) =>
          waitFor(waiters, () => spanCount, count, timeoutMs, what).then(() => spans),
        reset() {
          spans.length = 0;
          requests.length = 0;
          spanCount = 0;
          answered = 0;
        },
      };
      // Object.assign keeps the getters above live (a spread would copy their values once).
      return Object.assign(handle, extra);
    },
  };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function waitFor(
  waiters: Set<{ count: number; resolve: () => void }>,
  current: () => number,
  count: number,
  timeoutMs: number,
  what: string,
): Promise<void> {
  if (current() >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const waiter = {
      count,
      resolve: () => {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve();
      },
    };
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(new Error(`${what}: expected ${count} spans within ${timeoutMs} ms, got ${current()}`));
    }, timeoutMs);
    waiters.add(waiter);
  });
}
