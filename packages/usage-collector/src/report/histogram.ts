/**
 * Latency histograms as the collector stores them (OTLP explicit buckets: `bounds` are the
 * upper bounds, inclusive, and `counts` has one more entry, above the last bound), merged and
 * read for percentiles.
 */
export interface Buckets {
  bounds: number[];
  counts: number[];
  /** Largest value seen, when known: the upper end of the last (open) bucket. */
  max?: number | undefined;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Adds `from` into `into`. Histograms with other bounds (another reporter version) are moved
 * onto `into`'s buckets: each source bucket's count goes to the target bucket holding the source
 * bucket's upper bound, so a percentile is never placed lower than it could have been.
 */
export function addBuckets(into: Buckets, from: Buckets): void {
  if (from.max !== undefined && (into.max === undefined || from.max > into.max)) into.max = from.max;
  if (sameBounds(into.bounds, from.bounds)) {
    for (let i = 0; i < from.counts.length; i++) into.counts[i] = (into.counts[i] ?? 0) + (from.counts[i] ?? 0);
    return;
  }
  for (let i = 0; i < from.counts.length; i++) {
    const n = from.counts[i] ?? 0;
    if (n === 0) continue;
    const upper = i < from.bounds.length ? from.bounds[i]! : Infinity;
    let j = 0;
    while (j < into.bounds.length && upper > into.bounds[j]!) j++;
    into.counts[j] = (into.counts[j] ?? 0) + n;
  }
}

export function emptyBuckets(bounds: readonly number[]): Buckets {
  return { bounds: [...bounds], counts: new Array<number>(bounds.length + 1).fill(0) };
}

/** Total count of a histogram. */
export function totalOf(b: Buckets): number {
  let n = 0;
  for (const c of b.counts) n += c;
  return n;
}

/**
 * The q-quantile (0 < q <= 1) of a histogram: the bucket where the cumulative count first
 * reaches q x total (the bucket holding the nearest-rank percentile), then linear interpolation
 * inside it, as Prometheus' histogram_quantile does. The first bucket starts at 0; the open last
 * bucket ends at the largest value seen when known, else at its lower bound. Undefined when
 * the histogram is empty.
 */
export function quantileOf(b: Buckets, q: number): number | undefined {
  const total = totalOf(b);
  if (total === 0) return undefined;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < b.counts.length; i++) {
    const n = b.counts[i] ?? 0;
    if (n === 0) continue;
    if (cumulative + n >= rank - 1e-9) {
      const lower = i === 0 ? 0 : b.bounds[i - 1]!;
      let upper = i < b.bounds.length ? b.bounds[i]! : b.max !== undefined && b.max > lower ? b.max : lower;
      if (b.max !== undefined && b.max < upper && b.max >= lower) upper = b.max;
      const within = Math.min(1, Math.max(0, (rank - cumulative) / n));
      return lower + (upper - lower) * within;
    }
    cumulative += n;
  }
  return b.bounds.length > 0 ? b.bounds[b.bounds.length - 1] : undefined;
}

/** The [lower, upper] range of the bucket a value falls in (upper-inclusive, as OTLP buckets are). */
export function bucketRangeOf(bounds: readonly number[], value: number): [number, number] {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return [i === 0 ? 0 : bounds[i - 1]!, i < bounds.length ? bounds[i]! : Infinity];
}
