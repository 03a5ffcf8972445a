/**
 * The Resource and InstrumentationScope messages. A resource is the same object for every
 * span of a process, so its message is encoded once and its bytes kept (by object identity,
 * in a WeakMap: a resource that is dropped takes its bytes with it). A resource whose async
 * attributes have not settled is encoded each time, since its attributes can still change.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { writeAttributes } from './any-value';
import { ProtoWriter } from './proto-writer';

export class ResourceCache {
  private readonly _encoded = new WeakMap<Resource, Uint8Array>();
  private readonly _scratch = new ProtoWriter(1024);

  /** Field `field` of ResourceSpans: the Resource, from the cache when it can be. */
  write(w: ProtoWriter, resource: Resource, field: number): void {
    const cached = this._encoded.get(resource);
    if (cached) {
      w.raw(cached);
      return;
    }
    if (resource.asyncAttributesPending) {
      writeResource(w, resource, field);
      return;
    }
    this._scratch.reset();
    writeResource(this._scratch, resource, field);
    const bytes = Uint8Array.prototype.slice.call(this._scratch.written());
    this._encoded.set(resource, bytes);
    w.raw(bytes);
  }
}

/** Resource: attributes (1), dropped attributes count (2, always 0 as upstream writes it). */
function writeResource(w: ProtoWriter, resource: Resource, field: number): void {
  w.tag(field, 2);
  const mark = w.begin(2);
  if (resource.attributes) writeAttributes(w, resource.attributes, 1);
  w.tag(2, 0);
  w.varint(0);
  w.end(mark, 2);
}

/** Field `field` of ScopeSpans: name (1), version (2), attributes (3), dropped count (4). */
export function writeScope(
  w: ProtoWriter,
  scope: InstrumentationScope & { attributes?: Record<string, unknown>; droppedAttributesCount?: number },
  field: number,
): void {
  w.tag(field, 2);
  const mark = w.begin(1);
  w.tag(1, 2);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, 2);
    w.string(scope.version);
  }
  if (scope.attributes) writeAttributes(w, scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    w.tag(4, 0);
    w.varint(scope.droppedAttributesCount);
  }
  w.end(mark, 1);
}
