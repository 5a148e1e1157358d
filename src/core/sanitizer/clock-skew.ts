/**
 * Estimates the offset between our wall clock and the exchange's.
 *
 * Role: L0Sanitizer feeds it `recvUnixUs − exchangeTsUs` for each event and
 * raises SkewAlarm / SkewBlocked when |estimate| is too large. Owning
 * thread: sanitizer stage worker. Hot: a compare and a multiply-add.
 *
 * Each sample is skew + network/queueing delay, and delay is ≥ 0, so the
 * smallest recent sample is the best skew estimate (NTP's minimum filter).
 * We follow a smaller sample at once and drift *up* toward larger ones by
 * `riseAlpha` per sample, which forgets an old minimum after a clock step
 * forward without a window buffer. Sample − previous estimate is the
 * delivery delay beyond the fastest path: the "exchange ts older than S" staleness test.
 * Caveat: one corrupt exchange ts far in the future drags the estimate down
 * at once (false alarm until it leaks back up); we accept that: it fails closed.
 */
export class ClockSkewEstimator {
  /** Estimated recvUnix − exchange ts, µs; NaN before the first sample. */
  estimateUs = NaN;
  samples = 0;

  constructor(private readonly riseAlpha: number) {}

  /** Adds one sample; returns its delay beyond the estimate *before* this sample (≥ 0), µs. */
  addSample(offsetUs: number): number {
    this.samples++;
    const est = this.estimateUs;
    if (est !== est || offsetUs <= est) {
      this.estimateUs = offsetUs;
      return 0;
    }
    this.estimateUs = est + this.riseAlpha * (offsetUs - est);
    return offsetUs - est;
  }
}
