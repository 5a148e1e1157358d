/**
 * Reports in flight from the venue back to us (response latency).
 *
 * Role: a fixed-capacity FIFO of order updates and fills, each released to
 * the sink at `releaseUs`. Release times are made non-decreasing on push so
 * an order's reports arrive in the order they happened. Owning thread:
 * execution stage worker. Hot: push/release O(1), no allocation: records are
 * struct-of-arrays and are copied into the sink's two reused carriers on release.
 */
import { Liquidity } from '../../core/domain/enums.ts';
import { Fill, OrderUpdate, type OrderStatus, type VenueReason } from '../../core/domain/orders.ts';

export const enum ReportKind {
  Update = 1,
  Fill = 2,
}

/** Where reports go: implemented once by the execution stage; carriers are valid only during the call. */
export interface PaperVenueSink {
  onOrderUpdate(u: OrderUpdate): void;
  onFill(f: Fill): void;
  /** Optional: a funding settlement (amount received, negative = paid), at venue time. */
  onFundingPayment?(instrumentId: number, amountQuote: number, rate: number, tsUs: number): void;
}

export class ReportQueue {
  readonly capacity: number;
  private readonly releaseUs: Float64Array;
  private readonly kind: Uint8Array;
  private readonly clientOrderId: Float64Array;
  private readonly instrumentId: Int32Array;
  private readonly side: Int8Array;
  private readonly priceTicks: Float64Array;
  private readonly sizeLots: Float64Array;
  private readonly filledLots: Float64Array;
  private readonly status: Uint8Array;
  private readonly reason: Uint8Array;
  private readonly tsUs: Float64Array;
  private readonly fillId: Float64Array;
  private readonly liquidity: Uint8Array;
  private readonly feeQuote: Float64Array;
  private readonly tsTriggerRecvUs: Float64Array;
  private head = 0;
  count = 0;
  private lastReleaseUs = -Infinity;
  /** Reports delivered before their release time because the queue was full. */
  earlyReleases = 0;
  private readonly update = new OrderUpdate();
  private readonly fill = new Fill();

  constructor(
    capacity: number,
    private readonly sink: PaperVenueSink,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ReportQueue capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.releaseUs = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.clientOrderId = new Float64Array(capacity);
    this.instrumentId = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
    this.priceTicks = new Float64Array(capacity);
    this.sizeLots = new Float64Array(capacity);
    this.filledLots = new Float64Array(capacity);
    this.status = new Uint8Array(capacity);
    this.reason = new Uint8Array(capacity);
    this.tsUs = new Float64Array(capacity);
    this.fillId = new Float64Array(capacity);
    this.liquidity = new Uint8Array(capacity);
    this.feeQuote = new Float64Array(capacity);
    this.tsTriggerRecvUs = new Float64Array(capacity);
  }

  private claim(releaseUs: number): number {
    if (this.count === this.capacity) {
      this.earlyReleases++;
      this.releaseOne();
    }
    const r = releaseUs < this.lastReleaseUs ? this.lastReleaseUs : releaseUs;
    this.lastReleaseUs = r;
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.releaseUs[i] = r;
    this.count++;
    return i;
  }

  pushUpdate(
    releaseUs: number, clientOrderId: number, instrumentId: number, status: OrderStatus, reason: VenueReason,
    side: number, priceTicks: number, sizeLots: number, filledLots: number, tsUs: number,
  ): void {
    const i = this.claim(releaseUs);
    this.kind[i] = ReportKind.Update;
    this.clientOrderId[i] = clientOrderId;
    this.instrumentId[i] = instrumentId;
    this.status[i] = status;
    this.reason[i] = reason;
    this.side[i] = side;
    this.priceTicks[i] = priceTicks;
    this.sizeLots[i] = sizeLots;
    this.filledLots[i] = filledLots;
    this.tsUs[i] = tsUs;
  }

  pushFill(
    releaseUs: number, fillId: number, clientOrderId: number, instrumentId: number, side: number, priceTicks: number,
    sizeLots: number, liquidity: Liquidity, feeQuote: number, tsUs: number, tsTriggerRecvUs: number,
  ): void {
    const i = this.claim(releaseUs);
    this.kind[i] = ReportKind.Fill;
    this.fillId[i] = fillId;
    this.clientOrderId[i] = clientOrderId;
    this.instrumentId[i] = instrumentId;
    this.side[i] = side;
    this.priceTicks[i] = priceTicks;
    this.sizeLots[i] = sizeLots;
    this.liquidity[i] = liquidity;
    this.feeQuote[i] = feeQuote;
    this.tsUs[i] = tsUs;
    this.tsTriggerRecvUs[i] = tsTriggerRecvUs;
  }

  /** Delivers every report due at or before `nowUs`, oldest first. */
  releaseUpTo(nowUs: number): void {
    while (this.count > 0 && this.releaseUs[this.head]! <= nowUs) this.releaseOne();
  }

  private releaseOne(): void {
    const i = this.head;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    this.count--;
    if (this.kind[i] === ReportKind.Fill) {
      const f = this.fill;
      f.fillId = this.fillId[i]!;
      f.clientOrderId = this.clientOrderId[i]!;
      f.instrumentId = this.instrumentId[i]!;
      f.side = this.side[i]!;
      f.priceTicks = this.priceTicks[i]!;
      f.sizeLots = this.sizeLots[i]!;
      f.liquidity = this.liquidity[i]! as Liquidity;
      f.feeQuote = this.feeQuote[i]!;
      f.tsUs = this.tsUs[i]!;
      f.tsTriggerRecvUs = this.tsTriggerRecvUs[i]!;
      this.sink.onFill(f);
    } else {
      const u = this.update;
      u.clientOrderId = this.clientOrderId[i]!;
      u.instrumentId = this.instrumentId[i]!;
      u.status = this.status[i]! as OrderStatus;
      u.reason = this.reason[i]! as VenueReason;
      u.side = this.side[i]!;
      u.priceTicks = this.priceTicks[i]!;
      u.sizeLots = this.sizeLots[i]!;
      u.filledLots = this.filledLots[i]!;
      u.tsUs = this.tsUs[i]!;
      this.sink.onOrderUpdate(u);
    }
  }
}
