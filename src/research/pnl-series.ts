/**
 * Net PnL sampled on a fixed grid of simulated time, and the risk figures a
 * sweep ranks by. Owning thread: the replay's. Warm: `observe` is one
 * compare per cycle; a sample (every `sampleUs` of event time) reads the
 * venue's per-instrument accounts.
 *
 * Definitions (quote currency, USDT):
 * - net PnL(t) = Σ instruments realized + unrealized(at mark, else mid) − fees + funding,
 *   the summary's `pnl.net` evaluated at t.
 * - increments d_k = net(t_k) − net(t_{k−1}) over N intervals of `sampleUs`
 *   (t_0 = start, PnL 0; the last interval ends at the final summary).
 * - Sharpe-like ratio = mean(d) / std(d) × √N (sample std; 0 when std = 0):
 *   the t-statistic of the increments, i.e. an annualisation-free Sharpe over
 *   the run. It is comparable between runs of the same length and sampling.
 * - max drawdown = max_k (max_{j≤k} net(t_j) − net(t_k)), peak starting at 0.
 */

/** What we read from the paper venue (PaperVenue satisfies it). */
export interface PnlSource {
  readonly instruments: readonly unknown[];
  readonly account: {
    readonly realizedPnlQuote: Float64Array;
    readonly feesQuote: Float64Array;
    readonly fundingQuote: Float64Array;
  };
  unrealizedPnlQuote(instrumentId: number): number;
}

export interface PnlMetrics {
  /** Sharpe-like ratio (see the module header). */
  sharpe: number;
  /** Max drawdown of net PnL, quote currency (≥ 0). */
  maxDrawdown: number;
  /** Sampling intervals N. */
  intervals: number;
  sampleUs: number;
}

export function netPnlOf(v: PnlSource): number {
  const a = v.account;
  let net = 0;
  for (let i = 0; i < v.instruments.length; i++) {
    const u = v.unrealizedPnlQuote(i);
    net += a.realizedPnlQuote[i]! + (Number.isFinite(u) ? u : 0) - a.feesQuote[i]! + a.fundingQuote[i]!;
  }
  return net;
}

export class PnlSeries {
  private readonly source: PnlSource;
  private readonly sampleUs: number;
  private nextUs: number;
  /** Net PnL at each sample, t_0 = start (0). */
  readonly samples: number[] = [0];

  constructor(startUnixUs: number, sampleUs: number, source: PnlSource) {
    if (!(sampleUs > 0)) throw new RangeError(`pnl sampling interval must be > 0 µs, got ${sampleUs}`);
    this.source = source;
    this.sampleUs = sampleUs;
    this.nextUs = startUnixUs + sampleUs;
  }

  /** Called with the venue clock after each cycle; samples every boundary crossed. */
  observe(clockUs: number): void {
    if (clockUs < this.nextUs) return;
    const net = netPnlOf(this.source);
    // Boundaries skipped without events carry the same value (no change in between).
    while (clockUs >= this.nextUs) {
      this.samples.push(net);
      this.nextUs += this.sampleUs;
    }
  }

  /** Final sample at the end of the run (after the last cycle). */
  finish(): void {
    this.samples.push(netPnlOf(this.source));
  }

  /** Metrics; `finalNet` (the summary's) replaces the last sample so both agree exactly. */
  metrics(finalNet: number): PnlMetrics {
    const s = this.samples;
    if (s.length > 1) s[s.length - 1] = finalNet;
    return { ...sharpeAndDrawdown(s), sampleUs: this.sampleUs };
  }
}

/** Sharpe-like ratio and max drawdown of a PnL path starting at its first value. */
export function sharpeAndDrawdown(path: readonly number[]): { sharpe: number; maxDrawdown: number; intervals: number } {
  const n = path.length - 1;
  let peak = path[0] ?? 0;
  let maxDd = 0;
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += path[k]! - path[k - 1]!;
    if (path[k]! > peak) peak = path[k]!;
    if (peak - path[k]! > maxDd) maxDd = peak - path[k]!;
  }
  if (n < 2) return { sharpe: 0, maxDrawdown: maxDd, intervals: Math.max(0, n) };
  const mean = sum / n;
  let ss = 0;
  for (let k = 1; k <= n; k++) {
    const d = path[k]! - path[k - 1]! - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / (n - 1));
  // Floating noise from sums of fees must not turn a flat path into ±huge.
  const sharpe = std > 1e-12 ? (mean / std) * Math.sqrt(n) : 0;
  return { sharpe, maxDrawdown: maxDd, intervals: n };
}
