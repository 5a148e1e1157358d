/**
 * The sink the OKX feed emits into: the common MarketEventSink plus an
 * optional best-bid/offer callback for `tickers` and `bbo-tbt` frames.
 *
 * Role: type-only contract. Owning thread: the feed stage worker. Hot: one
 * call per event. Same contract as MarketEventSink: the argument is the
 * feed's reused carrier, valid only during the call.
 */
import type { BestBidOffer } from '../../core/domain/market-events.ts';
import type { MarketEventSink } from '../synthetic/market-event-sink.ts';

export interface BboSink {
  onBbo(b: BestBidOffer): void;
}

/** MarketEventSink, optionally with `onBbo`; a sink without it simply gets no BBOs. */
export interface OkxEventSink extends MarketEventSink {
  onBbo?(b: BestBidOffer): void;
}
