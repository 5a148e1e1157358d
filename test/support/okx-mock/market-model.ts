/**
 * Seeded market model for the OKX mock: per-instrument L2 book on the
 * instrument's tick/lot grid with OKX seqIds, plus trades, mark price,
 * funding, tickers, bbo and liquidations, all rendered as OKX v5 frames
 * shaped exactly like fixtures/okx (*_doc.json / *_real_ccxt.json).
 *
 * Deterministic: the same seed, instruments and clock give the same frames.
 * Test support only (also used by bench/feed.bench.ts to record frames).
 */

/** mulberry32: tiny seeded PRNG (ringbuf.js tests use the same). */
export class Mulberry32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/** The fields of an OKX `/api/v5/public/instruments` entry the model uses. */
export interface MockInstrument {
  instId: string;
  instType: string;
  tickSz: string;
  lotSz: string;
  ctVal?: string;
  [k: string]: unknown;
}

function decimals(step: string): number {
  const i = step.indexOf('.');
  return i < 0 ? 0 : step.length - i - 1;
}

/** OKX prints the shortest decimal form: "8477", "0.0703", "111.1". */
export function okxDecimal(units: number, step: number, dec: number): string {
  const s = (units * step).toFixed(dec);
  if (dec === 0) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

type Level = [string, string, string, string];

export interface BookUpdate {
  bids: Level[];
  asks: Level[];
  prevSeqId: number;
  seqId: number;
  tsMs: number;
}

/** One instrument's book and tape state. */
export class InstrumentModel {
  readonly inst: MockInstrument;
  readonly tick: number;
  readonly lot: number;
  readonly priceDec: number;
  readonly sizeDec: number;
  /** price ticks → size lots */
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  mid: number;
  seqId: number;
  tradeId: number;
  tradeSeq: number;
  private readonly depth: number;

  constructor(inst: MockInstrument, basePrice: number, depth: number, rng: Mulberry32) {
    this.inst = inst;
    this.tick = Number(inst.tickSz);
    this.lot = Number(inst.lotSz);
    this.priceDec = decimals(inst.tickSz);
    this.sizeDec = decimals(inst.lotSz);
    this.depth = depth;
    this.mid = Math.round(basePrice / this.tick);
    this.seqId = 1_000_000 + rng.int(0, 999_999);
    this.tradeId = 200_000_000 + rng.int(0, 999_999);
    this.tradeSeq = 300_000_000 + rng.int(0, 999_999);
    for (let k = 0; k < depth; k++) {
      this.bids.set(this.mid - 1 - k, rng.int(1, 500));
      this.asks.set(this.mid + k, rng.int(1, 500));
    }
  }

  px(ticks: number): string {
    return okxDecimal(ticks, this.tick, this.priceDec);
  }
  sz(lots: number): string {
    return okxDecimal(lots, this.lot, this.sizeDec);
  }
  level(ticks: number, lots: number): Level {
    return [this.px(ticks), this.sz(lots), '0', lots === 0 ? '0' : String(1 + (lots % 7))];
  }

  bestBid(): number {
    let b = -Infinity;
    for (const p of this.bids.keys()) if (p > b) b = p;
    return b;
  }
  bestAsk(): number {
    let a = Infinity;
    for (const p of this.asks.keys()) if (p < a) a = p;
    return a;
  }

  /** Sorted levels (bids descending, asks ascending), at most `n` per side. */
  levels(n: number): { bids: Level[]; asks: Level[] } {
    const bids = [...this.bids.entries()].sort((x, y) => y[0] - x[0]).slice(0, n).map(([p, s]) => this.level(p, s));
    const asks = [...this.asks.entries()].sort((x, y) => x[0] - y[0]).slice(0, n).map(([p, s]) => this.level(p, s));
    return { bids, asks };
  }

  /** Mutates the book a little and returns the OKX update (seqIds advance by 1–3, as on OKX they jump). */
  step(rng: Mulberry32, tsMs: number): BookUpdate {
    const bids: Level[] = [];
    const asks: Level[] = [];
    const changes = rng.int(1, 4);
    for (let c = 0; c < changes; c++) {
      const bidSide = rng.next() < 0.5;
      const side = bidSide ? this.bids : this.asks;
      const out = bidSide ? bids : asks;
      const best = bidSide ? this.bestBid() : this.bestAsk();
      const r = rng.next();
      if (r < 0.6 && side.size > 0) {
        // resize a level near the touch
        const p = bidSide ? best - rng.int(0, 9) : best + rng.int(0, 9);
        const lots = rng.int(1, 500);
        side.set(p, lots);
        out.push(this.level(p, lots));
      } else if (r < 0.8 && side.size > 2) {
        // delete a level, insert one further out to keep the depth
        const p = bidSide ? best - rng.int(1, 20) : best + rng.int(1, 20);
        if (side.has(p)) {
          side.delete(p);
          out.push(this.level(p, 0));
        }
        let far = bidSide ? best - this.depth : best + this.depth;
        while (side.has(far)) far += bidSide ? -1 : 1;
        const lots = rng.int(1, 500);
        side.set(far, lots);
        out.push(this.level(far, lots));
      } else {
        // the touch moves by one tick: new best level inside the spread, if there is room
        const bb = this.bestBid();
        const ba = this.bestAsk();
        if (ba - bb > 1) {
          const p = bidSide ? bb + 1 : ba - 1;
          const lots = rng.int(1, 100);
          side.set(p, lots);
          out.push(this.level(p, lots));
        } else {
          // consume the touch on this side
          side.delete(best);
          out.push(this.level(best, 0));
        }
      }
    }
    this.mid = Math.round((this.bestBid() + this.bestAsk()) / 2);
    const prevSeqId = this.seqId;
    this.seqId += rng.int(1, 3);
    return { bids, asks, prevSeqId, seqId: this.seqId, tsMs };
  }
}

export interface MarketModelOptions {
  instruments: readonly MockInstrument[];
  seed?: number;
  /** Levels per side kept in each book (OKX `books` sends 400). */
  bookDepth?: number;
  /** Price to start each instrument at (default: BTC 65000, ETH 3500, else 100). */
  basePrices?: Record<string, number>;
}

const DEFAULT_BASE: Record<string, number> = { BTC: 65000, ETH: 3500 };

/** All instruments' state plus frame rendering. */
export class MarketModel {
  readonly rng: Mulberry32;
  readonly models = new Map<string, InstrumentModel>();
  readonly bookDepth: number;

  constructor(opts: MarketModelOptions) {
    this.rng = new Mulberry32(opts.seed ?? 1);
    this.bookDepth = opts.bookDepth ?? 400;
    for (const inst of opts.instruments) {
      const base = opts.basePrices?.[inst.instId] ?? DEFAULT_BASE[inst.instId.split('-')[0]!] ?? 100;
      this.models.set(inst.instId, new InstrumentModel(inst, base, this.bookDepth, this.rng));
    }
  }

  model(instId: string): InstrumentModel | undefined {
    return this.models.get(instId);
  }

  // ---- frame renderers (shapes follow fixtures/okx exactly) ----

  /** `books` snapshot (books_snapshot_doc.json) of up to `levels` per side, or books5 / bbo-tbt (no action, no prevSeqId). */
  bookSnapshotFrame(channel: string, instId: string, tsMs: number): string {
    const m = this.models.get(instId)!;
    if (channel === 'books5' || channel === 'bbo-tbt') {
      const n = channel === 'books5' ? 5 : 1;
      const { bids, asks } = m.levels(n);
      const entry: Record<string, unknown> = { asks, bids };
      if (channel === 'books5') entry.instId = instId;
      entry.ts = String(tsMs);
      entry.seqId = m.seqId;
      return JSON.stringify({ arg: { channel, instId }, data: [entry] });
    }
    const { bids, asks } = m.levels(Math.min(400, this.bookDepth));
    return JSON.stringify({
      arg: { channel, instId },
      action: 'snapshot',
      data: [{ asks, bids, ts: String(tsMs), checksum: 0, prevSeqId: -1, seqId: m.seqId }],
    });
  }

  /** `books` update (books_update_doc.json). */
  bookUpdateFrame(channel: string, instId: string, u: BookUpdate): string {
    return JSON.stringify({
      arg: { channel, instId },
      action: 'update',
      data: [{ asks: u.asks, bids: u.bids, ts: String(u.tsMs), checksum: 0, prevSeqId: u.prevSeqId, seqId: u.seqId }],
    });
  }

  /** `trades` (trades_real_ccxt.json): a print at the touch. */
  tradeFrame(instId: string, tsMs: number): string {
    const m = this.models.get(instId)!;
    const buy = this.rng.next() < 0.5;
    const px = buy ? m.bestAsk() : m.bestBid();
    const lots = this.rng.int(1, 300);
    m.tradeId += this.rng.int(1, 5);
    m.tradeSeq += this.rng.int(1, 5);
    return JSON.stringify({
      arg: { channel: 'trades', instId },
      data: [{
        instId, tradeId: String(m.tradeId), px: m.px(px), sz: m.sz(lots), side: buy ? 'buy' : 'sell',
        ts: String(tsMs), count: String(this.rng.int(1, 10)), source: '0', seqId: m.tradeSeq,
      }],
    });
  }

  /** `mark-price` (mark-price_doc.json). */
  markPriceFrame(instId: string, tsMs: number): string {
    const m = this.models.get(instId)!;
    return JSON.stringify({
      arg: { channel: 'mark-price', instId },
      data: [{ instType: m.inst.instType, instId, markPx: m.px(m.mid), ts: String(tsMs) }],
    });
  }

  /** `funding-rate` (funding-rate_doc.json). */
  fundingRateFrame(instId: string, tsMs: number): string {
    const m = this.models.get(instId)!;
    const rate = ((this.rng.next() - 0.4) * 0.0005).toFixed(16);
    const eightH = 8 * 3600 * 1000;
    const fundingTime = Math.ceil(tsMs / eightH) * eightH;
    return JSON.stringify({
      arg: { channel: 'funding-rate', instId },
      data: [{
        formulaType: 'noRate', fundingRate: rate, fundingTime: String(fundingTime), impactValue: '', instId,
        instType: m.inst.instType, interestRate: '', method: 'current_period', maxFundingRate: '0.00375',
        minFundingRate: '-0.00375', nextFundingRate: '', nextFundingTime: String(fundingTime + eightH),
        premium: '0.0001233824646391', settFundingRate: '0.0001699799259033', settState: 'settled', ts: String(tsMs),
      }],
    });
  }

  /** `tickers` (tickers_real_ccxt.json). */
  tickerFrame(instId: string, tsMs: number): string {
    const m = this.models.get(instId)!;
    const bb = m.bestBid();
    const ba = m.bestAsk();
    return JSON.stringify({
      arg: { channel: 'tickers', instId },
      data: [{
        instType: m.inst.instType, instId, last: m.px(bb), lastSz: m.sz(1), askPx: m.px(ba), askSz: m.sz(m.asks.get(ba) ?? 0),
        bidPx: m.px(bb), bidSz: m.sz(m.bids.get(bb) ?? 0), open24h: m.px(m.mid), high24h: m.px(m.mid + 100),
        low24h: m.px(m.mid - 100), sodUtc0: m.px(m.mid), sodUtc8: m.px(m.mid), volCcy24h: '73998.8786',
        vol24h: '7399887.86', ts: String(tsMs),
      }],
    });
  }

  /** `liquidation-orders` (liquidation-orders_doc.json): 1–3 details for `instId` (any instrument id, ours or not). */
  liquidationFrame(instId: string, instType: string, tsMs: number): string {
    const m = this.models.get(instId);
    const n = this.rng.int(1, 3);
    const details = [];
    for (let k = 0; k < n; k++) {
      const sell = this.rng.next() < 0.5;
      const px = m ? m.px(sell ? m.bestBid() - this.rng.int(0, 20) : m.bestAsk() + this.rng.int(0, 20)) : '0.007831';
      details.push({
        bkLoss: '0', bkPx: px, ccy: '', posSide: sell ? 'long' : 'short', side: sell ? 'sell' : 'buy',
        sz: m ? m.sz(this.rng.int(1, 2000)) : String(this.rng.int(1, 50)), ts: String(tsMs),
      });
    }
    const family = instId.replace(/-SWAP$/, '').replace(/-\d{6}$/, '');
    return JSON.stringify({
      arg: { channel: 'liquidation-orders', instType },
      data: [{ details, instFamily: family, instId, instType, uly: family }],
    });
  }
}
