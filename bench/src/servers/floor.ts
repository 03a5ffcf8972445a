/**
 * The floor variants (`--floor`): what any tracer built on the OpenTelemetry API and SDK pays
 * per request before it does anything of its own, on the same app as every other variant.
 *
 * - BENCH_FLOOR=context: a TracerProvider registered (AsyncLocalStorage context manager),
 *   and each request handled inside one `context.with()` of a context holding one value. No
 *   span, no propagation.
 * - BENCH_FLOOR=sdk: the SDK's minimum for a server span at 1% sampling: extract the incoming
 *   headers, start a span (non-recording 99 times in 100, with fresh ids either way), put it in
 *   the context, handle the request inside `context.with()`, end it on 'finish'. No attributes,
 *   no route, no span processor, nothing exported.
 */
import type { Server } from 'node:http';
import { context, createContextKey, propagation, SpanKind, trace } from '@opentelemetry/api';
import { ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { runServerChild } from './child';
import { registerGlobally } from './otel-globals';

const mode = process.env.BENCH_FLOOR;
if (mode !== 'context' && mode !== 'sdk')
  throw new Error(`bench floor: BENCH_FLOOR must be context or sdk, got "${mode}"`);

const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.01) }) });
registerGlobally(provider);
const tracer = trace.getTracer('bench-floor');
const KEY = createContextKey('bench floor');

// Patched before the app creates its server (child.ts loads the app after this module ran).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require('node:http') as typeof import('node:http');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  const call = (): boolean => Reflect.apply(emit, this, [event, ...args]) as boolean;
  if (event !== 'request') return call();
  const [req, res] = args as [import('node:http').IncomingMessage, import('node:http').ServerResponse];
  if (mode === 'context') return context.with(context.active().setValue(KEY, true), call);
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, parent);
  res.once('finish', () => span.end());
  return context.with(trace.setSpan(parent, span), call);
} as typeof emit;

runServerChild(undefined);
