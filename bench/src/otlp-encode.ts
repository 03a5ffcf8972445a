/**
 * OTLP/protobuf encoding alone: upstream's `ProtobufTraceSerializer.serializeRequest` (what
 * @opentelemetry/exporter-trace-otlp-proto runs per batch) against the lean encoder of
 * @tracepack/provider-otlp (`OtlpTraceEncoder`, plus the copy its exporter makes of each
 * request), on the same batches of 512 spans shaped like the hello route's SERVER span (ten
 * attributes, the resource tracepack sends), in one process, alternating, rounds interleaved.
 *
 *   node bench/dist/src/otlp-encode.js [--rounds 6] [--batches 200]
 *
 * Prints per encoder: us per span (median of rounds), bytes allocated per span (JS heap plus
 * ArrayBuffers, measured around single batches right after a full GC: median of 30), and the
 * ratio; also the lean encoder without the copy, to show what it allocates by itself. Re-runs itself with --expose-gc when started without it.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpTraceEncoder } from '@tracepack/provider-otlp';
import { spawnSync } from 'node:child_process';

const SPANS_PER_BATCH = 512;
const BATCH_VARIETY = 4;
const ALLOCATION_SAMPLES = 30;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROUNDS = arg('rounds', 6);
const BATCHES = arg('batches', 200);

/** Batches of hello-route SERVER spans, recorded through the SDK as a server records them. */
function helloBatches(): ReadableSpan[][] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'bench-hello',
      'service.version': '1.0.0',
      'deployment.environment.name': 'bench',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': '3.1.0',
      'telemetry.distro.name': 'tracepack',
      'host.name': 'bench-host',
      'process.pid': process.pid,
    }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('@tracepack/instrumentation-http', '0.1.0');
  const batches: ReadableSpan[][] = [];
  for (let b = 0; b < BATCH_VARIETY; b++) {
    memory.reset();
    for (let i = 0; i < SPANS_PER_BATCH; i++) {
      const span = tracer.startSpan('GET /hello/:id', {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/hello/:id',
          'url.scheme': 'http',
          'server.address': '127.0.0.1',
          'server.port': 3000,
          'network.protocol.version': '1.1',
          'client.address': '127.0.0.1',
          'network.peer.port': 40000 + (i % 20000),
          'user_agent.original': 'wrk/4.1.0',
        },
      });
      span.setAttribute('http.response.status_code', 200);
      span.setStatus({ code: SpanStatusCode.UNSET });
      span.end();
    }
    batches.push(memory.getFinishedSpans().slice());
  }
  return batches;
}

type Encode = (spans: ReadableSpan[]) => Uint8Array;
const lean = new OtlpTraceEncoder();
const encoders: Record<string, Encode> = {
  upstream: (spans) => ProtobufTraceSerializer.serializeRequest(spans)!,
  // The lean exporter copies each request out of the encoder's reused buffer: counted here.
  lean: (spans) => Buffer.from(lean.encode(spans)),
  // The encoder alone: what it allocates itself (the request is a view into its buffer).
  'lean, no copy': (spans) => lean.encode(spans),
};
const NAMES = Object.keys(encoders);

function timeOne(encode: Encode, batches: ReadableSpan[][]): number {
  let sink = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) sink += encode(batches[i % batches.length]!).length;
  const ns = Number(process.hrtime.bigint() - t);
  if (sink === 0) throw new Error('nothing encoded');
  return ns / 1000 / (BATCHES * SPANS_PER_BATCH);
}

function allocatedPerSpan(encode: Encode, batches: ReadableSpan[][]): number {
  const samples: number[] = [];
  let keep: Uint8Array | undefined;
  for (let i = 0; i < ALLOCATION_SAMPLES; i++) {
    gc!();
    const before = process.memoryUsage();
    keep = encode(batches[i % batches.length]!);
    const after = process.memoryUsage();
    samples.push(after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers));
  }
  if (!keep) throw new Error('nothing encoded');
  return median(samples) / SPANS_PER_BATCH;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const batches = helloBatches();
for (const batch of batches) {
  const a = Buffer.from(encoders.upstream!(batch));
  const b = Buffer.from(encoders.lean!(batch));
  if (!a.equals(b)) throw new Error('the lean encoder and upstream disagree: run the provider-otlp encoder tests');
}
const bytesPerBatch = encoders.lean!(batches[0]!).length;

// Warm both up (JIT), then alternate: round r runs them in one order, round r+1 in the other.
for (const encode of Object.values(encoders)) timeOne(encode, batches);
const times: Record<string, number[]> = Object.fromEntries(NAMES.map((n) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  // Each round starts with the next encoder, so none always runs first (or right after a GC).
  const order = NAMES.map((_, i) => NAMES[(i + r) % NAMES.length]!);
  for (const name of order) times[name]!.push(timeOne(encoders[name]!, batches));
}
const alloc: Record<string, number> = Object.fromEntries(
  NAMES.map((n) => [n, allocatedPerSpan(encoders[n]!, batches)]),
);
const us: Record<string, number> = Object.fromEntries(NAMES.map((n) => [n, median(times[n]!)]));
console.log(
  `OTLP/protobuf encoding, ${BATCHES} batches of ${SPANS_PER_BATCH} hello-route spans per round, ${ROUNDS} rounds (Node ${process.versions.node}); ${bytesPerBatch} bytes per request`,
);
console.log('| encoder | us/span (median) | rounds | bytes allocated/span |');
console.log('|---|--:|---|--:|');
for (const name of NAMES) {
  console.log(
    `| ${name} | ${us[name]!.toFixed(3)} | ${times[name]!.map((t) => t.toFixed(2)).join(' ')} | ${Math.round(alloc[name]!)} |`,
  );
}
console.log(
  `lean / upstream: time ${(us.lean! / us.upstream!).toFixed(2)}x, allocation ${(alloc.lean! / alloc.upstream!).toFixed(2)}x`,
);
