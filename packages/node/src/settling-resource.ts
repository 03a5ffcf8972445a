import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { resourceFromAttributes, type RawResourceAttribute, type Resource } from '@opentelemetry/resources';

/**
 * A resource whose asynchronously detected attributes (host.id from the machine id,
 * container.id from the cgroup files) join it once they settle, so that detection costs
 * start-up nothing. The SDK's own resource already holds promises, and its span processors
 * wait for them before an export; this class exists for two things it does differently:
 * - a detector that finds nothing (container.id outside a container) leaves no key, where
 *   the SDK's resource would report a `dropping invalid resource attribute value` warning at
 *   the first export of every process that does not run in a container;
 * - `attributes` read before they settle (the export worker's start) are the settled ones,
 *   without the SDK's `Accessing resource attributes before async attributes settled` error.
 */
export class SettlingResource implements Resource {
  private _current: Resource;
  private _pending: Promise<void> | undefined;
  private readonly _asyncRaw: RawResourceAttribute[];

  /** `settled` wins over what `detecting` finds, key by key. */
  constructor(settled: Attributes, detecting: ReadonlyArray<[string, PromiseLike<unknown>]>) {
    this._current = resourceFromAttributes(settled);
    this._asyncRaw = detecting.map(([k, p]) => [k, Promise.resolve(p)] as RawResourceAttribute);
    if (detecting.length === 0) return;
    this._pending = Promise.all(
      detecting.map(([k, p]) =>
        Promise.resolve(p).then(
          (v) => [k, v] as const,
          () => [k, undefined] as const,
        ),
      ),
    ).then((found) => {
      const defined = found.filter((e): e is readonly [string, AttributeValue] => isPresent(e[1]));
      this._current = resourceFromAttributes({ ...Object.fromEntries(defined), ...settled });
      this._pending = undefined;
    });
  }

  get asyncAttributesPending(): boolean {
    return this._pending !== undefined;
  }

  waitForAsyncAttributes(): Promise<void> {
    return this._pending ?? Promise.resolve();
  }

  get attributes(): Attributes {
    return this._current.attributes;
  }

  get schemaUrl(): string | undefined {
    return undefined;
  }

  merge(other: Resource | null): Resource {
    return resourceFromAttributes({}).merge(this).merge(other);
  }

  getRawAttributes(): RawResourceAttribute[] {
    return this._pending ? [...this._current.getRawAttributes(), ...this._asyncRaw] : this._current.getRawAttributes();
  }
}

function isPresent(v: unknown): v is AttributeValue {
  return v !== undefined && v !== null && v !== '';
}
