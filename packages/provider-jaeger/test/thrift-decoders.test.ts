/*
 * The tests' binary Thrift decoder on bytes assembled by hand from the binary protocol spec
 * (thrift-binary-protocol.md) and jaeger.thrift, so that it is checked against something other
 * than src/: it reads them, and it refuses what jaeger.thrift does not allow. The collector
 * encoder must produce exactly these bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBatch, encodeProcess, encodeSpan } from '../src/encode';
import { TagType } from '../src/internal-types';
import { decodeBinaryBatch, decodeBinaryEmitBatch } from './binary-decoder';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+|#[^\n]*/g, ''), 'hex');

/** Batch { process: { "svc", tags: [k=true] }, spans: [one span, no refs/tags/logs] } */
const process = `
  0c 0001                                 # 1: struct process
    0b 0001 00000003 737663               #   1: string serviceName "svc"
    0f 0002 0c 00000001                   #   2: list<struct> tags, 1 element
      0b 0001 00000001 6b                 #     1: string key "k"
      08 0002 00000002                    #     2: i32 vType BOOL
      02 0005 01                          #     5: bool vBool true
      00                                  #     stop
    00                                    #   stop
`;
const span = (flags: string) => `
  0f 0002 0c 00000001                     # 2: list<struct> spans, 1 element
    0a 0001 0000000000000002              #   1: i64 traceIdLow
    0a 0002 0000000000000001              #   2: i64 traceIdHigh
    0a 0003 ffffffffffffffff              #   3: i64 spanId (-1)
    0a 0004 0000000000000000              #   4: i64 parentSpanId
    0b 0005 00000002 6f70                 #   5: string operationName "op"
    ${flags}                              #   7: flags
    0a 0008 00060a24181e4000              #   8: i64 startTime 1700000000000000
    0a 0009 00000000000003e8              #   9: i64 duration 1000
    00                                    #   stop
`;
const BATCH = hex(`${process} ${span('08 0007 00000001')} 00`);

const EXPECTED = {
  process: { serviceName: 'svc', tags: [{ key: 'k', vType: 2, value: true }] },
  spans: [
    {
      traceIdLow: 2n,
      traceIdHigh: 1n,
      spanId: -1n,
      parentSpanId: 0n,
      operationName: 'op',
      references: [],
      flags: 1,
      startTime: 1_700_000_000_000_000n,
      duration: 1000n,
      tags: [],
      logs: [],
    },
  ],
};

describe('the binary Thrift decoder of the tests', () => {
  it('reads a hand-assembled Batch', () => {
    assert.deepEqual(decodeBinaryBatch(BATCH), EXPECTED);
  });

  it('reads a hand-assembled emitBatch message (strict header, ONEWAY)', () => {
    const message = hex(`80010004 00000009 656d697442617463 68 0000002a  0c 0001`);
    const decoded = decodeBinaryEmitBatch(Buffer.concat([message, BATCH, hex('00')]));
    assert.deepEqual([decoded.message.name, decoded.message.type, decoded.message.seqid], ['emitBatch', 4, 42]);
    assert.deepEqual(decoded.batch, EXPECTED);
  });

  it('refuses a wrong wire type, a missing required field, trailing and missing bytes', () => {
    assert.throws(
      () => decodeBinaryBatch(hex(`${process} ${span('0a 0007 0000000000000001')} 00`)),
      /Span\.flags: wire type i64, jaeger\.thrift says i32/,
    );
    assert.throws(() => decodeBinaryBatch(hex(`${process} ${span('')} 00`)), /Span: missing required field flags/);
    assert.throws(() => decodeBinaryBatch(Buffer.concat([BATCH, hex('00')])), /1 trailing bytes/);
    assert.throws(() => decodeBinaryBatch(BATCH.subarray(0, BATCH.length - 3)), /past the end/);
    assert.throws(() => decodeBinaryBatch(hex(`${process} 00`)), /Batch: missing required field spans/);
  });

  it('matches, byte for byte, what the collector exporter encodes for the same Batch', () => {
    const processBytes = encodeProcess('binary', {
      serviceName: 'svc',
      tags: [{ key: 'k', vType: TagType.BOOL, vBool: true }],
    });
    const spanBytes = encodeSpan('binary', {
      traceIdLow: 2n,
      traceIdHigh: 1n,
      spanId: -1n,
      parentSpanId: 0n,
      operationName: 'op',
      references: [],
      flags: 1,
      startTime: 1_700_000_000_000_000n,
      duration: 1000n,
      tags: [],
      logs: [],
    });
    assert.equal(encodeBatch('binary', processBytes, [spanBytes]).toString('hex'), BATCH.toString('hex'));
  });
});
