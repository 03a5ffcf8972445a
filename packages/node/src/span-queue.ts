/**
 * A fixed-capacity FIFO (a ring over one array allocated up front): `push` writes one slot and
 * never allocates, so the span processor's `onEnd` stays O(1) on every request's path; `take`
 * copies out one batch. Memory is bounded by `capacity` pointers plus the items held.
 */
export class SpanQueue<T> {
  private readonly slots: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`@tracepack/node: queue capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Appends `item`; false (and nothing changes) when the queue is full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false;
    let tail = this.head + this.count;
    if (tail >= this.capacity) tail -= this.capacity;
    this.slots[tail] = item;
    this.count++;
    return true;
  }

  /** Removes and returns the oldest `max` items (fewer when fewer wait), oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined; // let the span go once it is exported
      if (++this.head === this.capacity) this.head = 0;
    }
    this.count -= n;
    return out;
  }
}
