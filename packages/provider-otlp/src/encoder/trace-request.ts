/**
 * ExportTraceServiceRequest from finished spans, straight into one reused buffer.
 *
 * Hand-written on purpose: no maintained library encodes OTLP from ReadableSpans without
 * first building message objects (protobufjs and @bufbuild/protobuf encode generated message
 * objects; @opentelemetry/otlp-transformer 0.301.0 writes directly but walks every batch
 * twice, once to estimate the size and once to write, allocates a Uint8Array per id and a
 * buffer per request, and re-encodes the resource for every batch). This one walks each span
 * once, keeps its buffer, and copies the resource's bytes from a cache.
 *
 * The output is byte-for-byte upstream's `ProtobufTraceSerializer.serializeRequest(spans)`
 * (test/encoder-*.test.ts compares them over thousands of generated batches), including the
 * grouping: one ResourceSpans per resource object and one ScopeSpans per scope object, in the
 * order each first appears, spans in their order within each.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProtoWriter } from './proto-writer';
import { ResourceCache, writeScope } from './resource-scope';
import { writeSpan } from './span';

export class OtlpTraceEncoder {
  private readonly _writer = new ProtoWriter();
  private readonly _resources = new ResourceCache();
  /** The distinct (resource, scope) pairs of the batch being encoded, in order of appearance. */
  private readonly _groupResource: Resource[] = [];
  private readonly _groupScope: InstrumentationScope[] = [];
  /** The pair of each span of the batch (an index into the two arrays above). */
  private _groupOf = new Int32Array(1024);

  /**
   * Encodes `spans` as one request. The result is a view into the encoder's buffer: valid
   * until the next `encode()`; copy it (or compress it) before encoding again.
   */
  encode(spans: readonly ReadableSpan[]): Uint8Array {
    const w = this._writer;
    w.reset();
    const groups = this._group(spans);
    const resources = this._groupResource;
    for (let g = 0; g < groups; g++) {
      const resource = resources[g]!;
      if (resources.indexOf(resource) !== g) continue; // its ResourceSpans is already written
      w.tag(1, 2);
      const rs = w.begin(3);
      this._resources.write(w, resource, 1);
      for (let h = g; h < groups; h++) if (resources[h] === resource) this._writeScopeSpans(w, spans, h);
      if (resource.schemaUrl) {
        w.tag(3, 2);
        w.string(resource.schemaUrl);
      }
      w.end(rs, 3);
    }
    // Let go of the batch's objects: the encoder outlives them.
    this._groupResource.length = 0;
    this._groupScope.length = 0;
    return w.written();
  }

  /** ScopeSpans (field 2 of ResourceSpans): scope (1), the spans of pair `group` (2), schema URL (3). */
  private _writeScopeSpans(w: ProtoWriter, spans: readonly ReadableSpan[], group: number): void {
    const scope = this._groupScope[group]!;
    w.tag(2, 2);
    const ss = w.begin(3);
    writeScope(w, scope, 1);
    const groupOf = this._groupOf;
    for (let i = 0; i < spans.length; i++) if (groupOf[i] === group) writeSpan(w, spans[i]!, 2);
    if (scope.schemaUrl) {
      w.tag(3, 2);
      w.string(scope.schemaUrl);
    }
    w.end(ss, 3);
  }

  /** Assigns each span its (resource, scope) pair; returns how many pairs there are. */
  private _group(spans: readonly ReadableSpan[]): number {
    if (this._groupOf.length < spans.length)
      this._groupOf = new Int32Array(Math.max(spans.length, this._groupOf.length * 2));
    const groupOf = this._groupOf;
    const resources = this._groupResource;
    const scopes = this._groupScope;
    let lastResource: Resource | undefined;
    let lastScope: InstrumentationScope | undefined;
    let last = -1;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const resource = span.resource;
      const scope = span.instrumentationScope;
      // Consecutive spans nearly always share both: one comparison each, no search.
      if (resource !== lastResource || scope !== lastScope || last < 0) {
        last = -1;
        for (let g = 0; g < resources.length; g++) {
          if (resources[g] === resource && scopes[g] === scope) {
            last = g;
            break;
          }
        }
        if (last < 0) {
          last = resources.length;
          resources.push(resource);
          scopes.push(scope);
        }
        lastResource = resource;
        lastScope = scope;
      }
      groupOf[i] = last;
    }
    return resources.length;
  }
}
