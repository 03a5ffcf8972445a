/*
 * Binary Thrift decoding with the reference implementation: thriftrw and the jaeger-idl files
 * shipped inside jaeger-client (the ones @opentelemetry/exporter-jaeger itself encodes with).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DecodedBatch, DecodedTag } from './compact-decoder';

const localRequire = createRequire(__filename);
// thriftrw ships no type declarations.
const { Thrift } = localRequire('thriftrw') as { Thrift: new (options: object) => unknown };
const jaegerClientDir = dirname(
  localRequire.resolve('jaeger-client/package.json', { paths: [dirname(localRequire.resolve('@opentelemetry/exporter-jaeger'))] }),
);
export const JAEGER_THRIFT = join(jaegerClientDir, 'dist/src/jaeger-idl/thrift/jaeger.thrift');
export const AGENT_THRIFT = join(jaegerClientDir, 'dist/src/thriftrw-idl/agent.thrift');

const agentIdl: any = new Thrift({ entryPoint: AGENT_THRIFT, allowFilesystemAccess: true, allowOptionalArguments: true });
const jaegerIdl: any = new Thrift({ source: readFileSync(JAEGER_THRIFT, 'ascii'), allowOptionalArguments: true });

const TAG_TYPES = ['STRING', 'DOUBLE', 'BOOL', 'LONG', 'BINARY'];
const REF_TYPES = ['CHILD_OF', 'FOLLOWS_FROM'];
const i64 = (b: Buffer): bigint => b.readBigInt64BE(0);

function tag(t: any): DecodedTag {
  const vType = TAG_TYPES.indexOf(t.vType);
  const value = [t.vStr, t.vDouble, t.vBool, t.vLong ? i64(t.vLong) : undefined, t.vBinary][vType];
  return { key: t.key, vType, value: value ?? undefined };
}

function batch(b: any): DecodedBatch {
  return {
    process: { serviceName: b.process.serviceName, tags: (b.process.tags ?? []).map(tag) },
    spans: b.spans.map((s: any) => ({
      traceIdLow: i64(s.traceIdLow),
      traceIdHigh: i64(s.traceIdHigh),
      spanId: i64(s.spanId),
      parentSpanId: i64(s.parentSpanId),
      operationName: s.operationName,
      references: (s.references ?? []).map((r: any) => ({
        refType: REF_TYPES.indexOf(r.refType),
        traceIdLow: i64(r.traceIdLow),
        traceIdHigh: i64(r.traceIdHigh),
        spanId: i64(r.spanId),
      })),
      flags: s.flags,
      startTime: i64(s.startTime),
      duration: i64(s.duration),
      tags: (s.tags ?? []).map(tag),
      logs: (s.logs ?? []).map((l: any) => ({ timestamp: i64(l.timestamp), fields: l.fields.map(tag) })),
    })),
  };
}

/** An agent datagram in binary Thrift: the `emitBatch` message, fully consumed. */
export function decodeBinaryEmitBatch(datagram: Buffer): { name: string; type: string; batch: DecodedBatch } {
  const res = agentIdl.Agent.emitBatch.argumentsMessageRW.readFrom(datagram, 0);
  if (res.err) throw res.err;
  if (res.offset !== datagram.length) throw new Error(`thriftrw: ${datagram.length - res.offset} trailing bytes`);
  return { name: res.value.name, type: res.value.type, batch: batch(res.value.body.batch) };
}

/** A collector POST body: a bare binary `Batch` struct. */
export function decodeBinaryBatch(body: Buffer): DecodedBatch {
  const res = jaegerIdl.Batch.rw.fromBuffer(body);
  if (res.err) throw res.err;
  return batch(res.value);
}
