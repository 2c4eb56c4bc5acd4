/**
 * Latency histogram with logarithmic buckets (2% wide, 10 µs to ~10 min): constant memory however
 * long a simulation runs, percentiles within 2%.
 */
const MIN_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_GROWTH) + 1;

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;
  min = Infinity;

  record(ms: number): void {
    const value = Math.max(ms, 0);
    const index =
      value <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_MS) / LOG_GROWTH));
    this.counts[index]++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
    if (value < this.min) this.min = value;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }

  /** The value at quantile q (0..1): the upper edge of the bucket holding it, capped at the max seen. */
  percentile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, MIN_MS * GROWTH ** i));
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}

/** Per-endpoint request statistics ("POST /trade" → histogram, errors by status). */
export class EndpointStats {
  readonly byEndpoint = new Map<string, Histogram>();
  readonly errors = new Map<string, number>();
  requests = 0;
  failures = 0;

  record(endpoint: string, ms: number, ok: boolean, errorLabel?: string): void {
    let histogram = this.byEndpoint.get(endpoint);
    if (!histogram) {
      histogram = new Histogram();
      this.byEndpoint.set(endpoint, histogram);
    }
    histogram.record(ms);
    this.requests++;
    if (!ok) {
      this.failures++;
      const label = `${endpoint} ${errorLabel ?? 'error'}`;
      this.errors.set(label, (this.errors.get(label) ?? 0) + 1);
    }
  }

  all(): Histogram {
    const total = new Histogram();
    for (const histogram of this.byEndpoint.values()) total.merge(histogram);
    return total;
  }
}
