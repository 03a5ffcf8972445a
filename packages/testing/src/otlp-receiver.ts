import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { gunzipSync, inflateSync } from 'node:zlib';
import { OTLP_TRACE_EXPORT_PATH, otlpTraceTypes } from './otlp.proto';
import {
  closeHttp,
  readBody,
  receiverCore,
  type ReceivedRequest,
  type ReceiverCoreOptions,
  type ReceiverMode,
  type ReceiverScript,
} from './receiver-core';

export type { ReceivedRequest, ReceiverMode, ReceiverScript } from './receiver-core';

/** An attribute value as sent (OTLP AnyValue): ints and doubles both become numbers. */
export type DecodedAttributeValue =
  string | number | boolean | Uint8Array | null | DecodedAttributeValue[] | { [key: string]: DecodedAttributeValue };

/** Which AnyValue field carried an attribute: tells an int from a double or a string. */
export type DecodedAttributeType = 'string' | 'bool' | 'int' | 'double' | 'array' | 'kvlist' | 'bytes' | 'empty';

/** OTLP span kind by name (OTLP numbers are the API's plus one, which is easy to get wrong). */
export type DecodedSpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

export interface DecodedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, DecodedAttributeValue>;
}

/** One span as a collector received it, flattened out of resource and scope spans. */
export interface DecodedSpan {
  /** `service.name` of the span's resource. */
  serviceName: string | undefined;
  resource: Record<string, DecodedAttributeValue>;
  scope: { name: string; version: string };
  /** Lowercase hex: 32 characters for the trace, 16 for spans. */
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  kind: DecodedSpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, DecodedAttributeValue>;
  /** The AnyValue field of each attribute, to check that a number went out as an int. */
  attributeTypes: Record<string, DecodedAttributeType>;
  /** Code as in the API's SpanStatusCode (0 unset, 1 ok, 2 error), which OTLP shares. */
  status: { code: number; message: string };
  events: DecodedEvent[];
  /** How it arrived. */
  transport: 'http/protobuf' | 'http/json' | 'grpc';
}

export interface OtlpReceiverOptions extends ReceiverCoreOptions {
  /** Also serve OTLP/gRPC (insecure) on a second loopback port. @default false */
  grpc?: boolean;
}

export interface OtlpReceiver {
  /** Base URL of the HTTP receiver, e.g. http://127.0.0.1:40123 (spans go to /v1/traces). */
  readonly url: string;
  /** http://127.0.0.1:<port> of the gRPC receiver; undefined without `grpc: true`. */
  readonly grpcUrl: string | undefined;
  /** Decoded spans, in arrival order (empty with `keepSpans: false`). */
  readonly spans: DecodedSpan[];
  readonly requests: ReceivedRequest[];
  /** Spans decoded since start or the last reset. */
  readonly spanCount: number;
  mode: ReceiverMode;
  delayMs: number;
  /** Decides the mode request by request (accept, refuse, hang by request number); see ReceiverScript. */
  script: ReceiverScript | undefined;
  /** Export requests answered (or hung on) so far. */
  readonly answered: number;
  /** Resolves once `count` spans have arrived; rejects after `timeoutMs` (default 5000). */
  waitForSpans(count: number, timeoutMs?: number): Promise<DecodedSpan[]>;
  reset(): void;
  stop(): Promise<void>;
}

const KINDS: readonly DecodedSpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const TRACES_PATH = '/v1/traces';

/**
 * A loopback OTLP collector for tests and benchmarks: POST /v1/traces with
 * application/x-protobuf or application/json, and OTLP/gRPC with `grpc: true`. What it
 * receives is decoded into `spans`; `mode` makes it fail (503), hang or be slow.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const types = otlpTraceTypes();
  const emptyResponse = Buffer.from(types.response.encode(types.response.create({})).finish());
  const core = receiverCore<DecodedSpan>(options, 'OTLP receiver');

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const record = core.recordHttp(req);
    const contentType = record.contentType;
    if (req.method !== 'POST' || record.path !== TRACES_PATH) {
      res.writeHead(404).end();
      return;
    }
    const json = contentType === 'application/json';
    if (!json && contentType !== 'application/x-protobuf') {
      res.writeHead(415).end();
      return;
    }
    core.respond(
      () => {
        let decoded: DecodedSpan[];
        try {
          const raw = inflate(body, req.headers);
          if (core.keepSpans) record.body = raw;
          decoded = json
            ? flatten(JSON.parse(raw.toString('utf8')) as LooseRequest, 'http/json')
            : flatten(types.request.decode(raw) as unknown as LooseRequest, 'http/protobuf');
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode: ${(err as Error).message}`);
          return;
        }
        core.accept(record, decoded);
        if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(emptyResponse);
      },
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable'),
      () => undefined, // closed by stop()
      record,
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let grpcUrl: string | undefined;
  let stopGrpc: (() => Promise<void>) | undefined;
  if (options.grpc) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for
    const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
    const grpcServer = new grpc.Server();
    const definition = {
      Export: {
        path: OTLP_TRACE_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer): Buffer => b,
        requestDeserialize: (b: Buffer): Buffer => b,
        responseSerialize: (b: Buffer): Buffer => b,
        responseDeserialize: (b: Buffer): Buffer => b,
      },
    };
    grpcServer.addService(definition, {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const record = core.record({
          transport: 'grpc',
          path: OTLP_TRACE_EXPORT_PATH,
          contentType: 'application/grpc',
          headers: metadataToHeaders(call.metadata.getMap()),
          spanCount: 0,
        });
        core.respond(
          () => {
            let decoded: DecodedSpan[];
            try {
              decoded = flatten(types.request.decode(call.request) as unknown as LooseRequest, 'grpc');
            } catch (err) {
              callback({ code: grpc.status.INVALID_ARGUMENT, details: `cannot decode: ${(err as Error).message}` });
              return;
            }
            core.accept(record, decoded);
            callback(null, emptyResponse);
          },
          () => callback({ code: grpc.status.UNAVAILABLE, details: 'unavailable' }),
          () => undefined, // forceShutdown in stop() ends the call
          record,
        );
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    grpcUrl = `http://127.0.0.1:${port}`;
    stopGrpc = () => {
      grpcServer.forceShutdown();
      return Promise.resolve();
    };
  }

  let stopped: Promise<void> | undefined;
  return core.expose({
    url,
    grpcUrl,
    stop(): Promise<void> {
      stopped ??= Promise.all([closeHttp(server), stopGrpc?.()]).then(() => undefined);
      return stopped;
    },
  });
}

// ---------------------------------------------------------------- decoding

/**
 * The shape shared by a protobufjs-decoded request and OTLP/JSON: lowerCamelCase fields;
 * ids as bytes (protobuf) or hex strings (JSON); 64-bit numbers as Long, number or string.
 */
interface LooseRequest {
  resourceSpans?: {
    resource?: { attributes?: LooseKeyValue[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: LooseSpan[] }[];
  }[];
}
interface LooseSpan {
  traceId: Uint8Array | string;
  spanId: Uint8Array | string;
  parentSpanId?: Uint8Array | string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: Long64;
  endTimeUnixNano?: Long64;
  attributes?: LooseKeyValue[];
  events?: { name?: string; timeUnixNano?: Long64; attributes?: LooseKeyValue[] }[];
  status?: { code?: number | string; message?: string };
}
interface LooseKeyValue {
  key: string;
  value?: LooseAnyValue;
}
type LooseAnyValue = Record<string, unknown>;
type Long64 = number | string | { low: number; high: number };

function flatten(request: LooseRequest, transport: DecodedSpan['transport']): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined;
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      for (const s of ss.spans ?? []) {
        const attributeTypes: Record<string, DecodedAttributeType> = {};
        const parent = s.parentSpanId === undefined ? '' : hexId(s.parentSpanId);
        out.push({
          serviceName,
          resource,
          scope,
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: parent === '' ? undefined : parent,
          name: s.name ?? '',
          kind: spanKind(s.kind),
          startTimeUnixNano: nanos(s.startTimeUnixNano),
          endTimeUnixNano: nanos(s.endTimeUnixNano),
          attributes: attributes(s.attributes, attributeTypes),
          attributeTypes,
          status: { code: statusCode(s.status?.code), message: s.status?.message ?? '' },
          events: (s.events ?? []).map((e) => ({
            name: e.name ?? '',
            timeUnixNano: nanos(e.timeUnixNano),
            attributes: attributes(e.attributes),
          })),
          transport,
        });
      }
    }
  }
  return out;
}

function attributes(
  list: LooseKeyValue[] | undefined,
  types?: Record<string, DecodedAttributeType>,
): Record<string, DecodedAttributeValue> {
  const out: Record<string, DecodedAttributeValue> = {};
  if (!list) return out;
  for (const kv of list) {
    const [type, value] = anyValue(kv.value);
    out[kv.key] = value;
    if (types) types[kv.key] = type;
  }
  return out;
}

function anyValue(v: LooseAnyValue | undefined): [DecodedAttributeType, DecodedAttributeValue] {
  // A decoded protobuf message has own properties only for the fields on the wire, so
  // the first key is the oneof member for both protobuf and JSON.
  const key = v ? Object.keys(v)[0] : undefined;
  const raw = key === undefined ? undefined : v![key];
  switch (key) {
    case 'stringValue':
      return ['string', raw as string];
    case 'boolValue':
      return ['bool', raw as boolean];
    case 'intValue':
      return ['int', toNumber(raw as Long64)];
    case 'doubleValue':
      return ['double', Number(raw)];
    case 'bytesValue':
      return ['bytes', typeof raw === 'string' ? Buffer.from(raw, 'base64') : (raw as Uint8Array)];
    case 'arrayValue':
      return ['array', ((raw as { values?: LooseAnyValue[] }).values ?? []).map((x) => anyValue(x)[1])];
    case 'kvlistValue':
      return ['kvlist', attributes((raw as { values?: LooseKeyValue[] }).values)];
    default:
      return ['empty', null];
  }
}

/** Bytes, or OTLP/JSON's hex (or, from some senders, base64) string -> lowercase hex. */
function hexId(id: Uint8Array | string): string {
  if (id.length === 0) return ''; // an absent bytes field decodes as an empty array
  if (typeof id !== 'string') return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
  if (/^[0-9a-fA-F]+$/.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function nanos(v: Long64 | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'object') return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return BigInt(v);
}

function toNumber(v: Long64): number {
  if (typeof v === 'object') return v.high * 0x1_0000_0000 + (v.low >>> 0);
  return Number(v);
}

function spanKind(k: number | string | undefined): DecodedSpanKind {
  if (typeof k === 'string') return (k.replace(/^SPAN_KIND_/, '') as DecodedSpanKind) || 'UNSPECIFIED';
  return KINDS[k ?? 0] ?? 'UNSPECIFIED';
}

function statusCode(c: number | string | undefined): number {
  if (typeof c === 'number') return c;
  switch (c) {
    case 'STATUS_CODE_OK':
      return 1;
    case 'STATUS_CODE_ERROR':
      return 2;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------- plumbing

function inflate(body: Buffer, headers: IncomingHttpHeaders): Buffer {
  switch (headers['content-encoding']) {
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    default:
      return body;
  }
}

function metadataToHeaders(map: Record<string, string | Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = typeof v === 'string' ? v : v.toString('base64');
  return out;
}
