/** @module Latency histograms and counters for the DA transport (exported as a plain snapshot). */

/** Upper bounds in milliseconds; the last bucket is open-ended. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
];

export interface HistogramSnapshot {
  readonly count: number;
  readonly errors: number;
  readonly sumMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Quantiles estimated as the upper bound of the bucket holding them (max for the open bucket). */
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** `le` → count, cumulative like Prometheus. */
  readonly buckets: Readonly<Record<string, number>>;
}

export class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private count = 0;
  private errors = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  observe(ms: number, ok = true): void {
    let i = LATENCY_BUCKETS_MS.findIndex((b) => ms <= b);
    if (i < 0) i = LATENCY_BUCKETS_MS.length;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.count++;
    if (!ok) this.errors++;
    this.sum += ms;
    this.min = Math.min(this.min, ms);
    this.max = Math.max(this.max, ms);
  }

  private quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(LATENCY_BUCKETS_MS[i] ?? this.max, this.max);
    }
    return this.max;
  }

  snapshot(): HistogramSnapshot {
    const buckets: Record<string, number> = {};
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i] as number;
      buckets[i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]) : "+Inf"] = cumulative;
    }
    return {
      count: this.count,
      errors: this.errors,
      sumMs: this.sum,
      minMs: this.count ? this.min : 0,
      maxMs: this.max,
      meanMs: this.count ? this.sum / this.count : 0,
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p99Ms: this.quantile(0.99),
      buckets,
    };
  }
}

export interface DAMetricsSnapshot {
  readonly methods: Readonly<Record<string, HistogramSnapshot>>;
  readonly counters: Readonly<DACounters>;
}

export interface DACounters {
  requests: number;
  errors: number;
  retries: number;
  reconnects: number;
  connectionsOpened: number;
  connectionsReused: number;
  blobsPosted: number;
  bytesPosted: number;
  blobsRead: number;
  integrityFailures: number;
  heightsBackfilled: number;
}

/** Per-method latency plus transport counters; one instance per client. */
export class DAMetrics {
  private readonly histograms = new Map<string, LatencyHistogram>();
  readonly counters: DACounters = {
    requests: 0,
    errors: 0,
    retries: 0,
    reconnects: 0,
    connectionsOpened: 0,
    connectionsReused: 0,
    blobsPosted: 0,
    bytesPosted: 0,
    blobsRead: 0,
    integrityFailures: 0,
    heightsBackfilled: 0,
  };

  observe(method: string, ms: number, ok: boolean): void {
    let h = this.histograms.get(method);
    if (!h) {
      h = new LatencyHistogram();
      this.histograms.set(method, h);
    }
    h.observe(ms, ok);
    this.counters.requests++;
    if (!ok) this.counters.errors++;
  }

  snapshot(): DAMetricsSnapshot {
    const methods: Record<string, HistogramSnapshot> = {};
    for (const [k, h] of [...this.histograms].sort(([a], [b]) => a.localeCompare(b))) methods[k] = h.snapshot();
    return { methods, counters: { ...this.counters } };
  }
}
