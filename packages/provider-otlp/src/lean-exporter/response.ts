/**
 * The collector's answer to an accepted export: an ExportTraceServiceResponse, whose only
 * field, `partial_success` (1), says how many spans it rejected and why. Read by hand (two
 * fields) rather than through a protobuf library; anything unexpected is ignored, since the
 * spans were accepted either way.
 */

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** The partial success in `body`, or undefined when there is none or it cannot be read. */
export function readPartialSuccess(body: Buffer): PartialSuccess | undefined {
  try {
    const outer = fieldBytes(body, 1);
    if (!outer) return undefined;
    let rejectedSpans = 0;
    let errorMessage = '';
    let pos = 0;
    while (pos < outer.length) {
      const [key, afterKey] = varint(outer, pos);
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        const [v, next] = varint(outer, afterKey);
        if (field === 1) rejectedSpans = v;
        pos = next;
      } else if (wire === 2) {
        const [len, start] = varint(outer, afterKey);
        if (field === 2) errorMessage = outer.toString('utf8', start, start + len);
        pos = start + len;
      } else return undefined;
    }
    return rejectedSpans > 0 || errorMessage ? { rejectedSpans, errorMessage } : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of length-delimited field `field` at the top of `msg`. */
function fieldBytes(msg: Buffer, field: number): Buffer | undefined {
  let pos = 0;
  while (pos < msg.length) {
    const [key, afterKey] = varint(msg, pos);
    if ((key & 7) !== 2) return undefined;
    const [len, start] = varint(msg, afterKey);
    if (start + len > msg.length) return undefined;
    if (Math.floor(key / 8) === field) return msg.subarray(start, start + len);
    pos = start + len;
  }
  return undefined;
}

function varint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new RangeError('truncated varint');
    const b = buf[pos++]!;
    value += (b & 127) * scale;
    if (b < 128) return [value, pos];
    scale *= 128;
  }
  throw new RangeError('varint too long');
}
