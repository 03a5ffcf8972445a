/**
 * A fixed-capacity FIFO (a ring over one array allocated up front): `push` writes one slot and
 * never allocates, so the span processor's `onEnd` stays O(1) on every request's path; `take`
 * copies out one batch. Memory is bounded by `capacity` pointers plus the items held.
 */
export class SpanQueue<T> {
  private readonly _slots: Array<T | undefined>;
  private _head = 0;
  private _count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`@tracepack/node: queue capacity must be a positive integer, got ${capacity}`);
    this._slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this._count;
  }

  /** Appends `item`; false (and nothing changes) when the queue is full. */
  push(item: T): boolean {
    if (this._count === this.capacity) return false;
    let tail = this._head + this._count;
    if (tail >= this.capacity) tail -= this.capacity;
    this._slots[tail] = item;
    this._count++;
    return true;
  }

  /** Removes and returns the oldest `max` items (fewer when fewer wait), oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this._count);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this._slots[this._head] as T;
      this._slots[this._head] = undefined; // let the span go once it is exported
      if (++this._head === this.capacity) this._head = 0;
    }
    this._count -= n;
    return out;
  }
}
