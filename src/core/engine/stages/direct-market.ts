/**
 * The in-process replay's hand-off of sanitized market data: the sanitizer's
 * decoded event goes to strategy, risk and execution as the carriers it
 * already decoded, instead of being copied into md.strategy / md.execution /
 * md.risk and decoded three more times.
 *
 * Owning thread: the fused core worker of an in-process replay (FusedStage,
 * sequenced, `EngineStageParams.directMarketData`). Hot: one event per cycle.
 *
 * Why the fill stream cannot change: in sequenced mode the sanitizer admits
 * one event only once every inner ring has settled, so when it admits event N
 * each md.* ring holds at most the data-quality events N raised, and N itself
 * would be the ring's last record. Each consumer reads its ring first and then
 * the pending event here, at the very point of its poll where it read the
 * ring: the same records, in the same order, into the same handler code.
 *
 * The strategy also reads the sanitizer's L2 books instead of keeping its
 * own copies (one book update per event instead of two). They are equal
 * whenever the strategy looks: it reads a book only while handling an
 * accepted book event, and by then the sanitizer has applied exactly the
 * accepted events' levels — levels it applied and then rejected (crossed
 * book, checksum) leave the feed INVALID until a snapshot, which replaces
 * the book on both sides, and no other event reaches the strategy's book.
 * test/property/direct-handoff.test.ts compares the book at every call.
 */
import type { L2Book } from '../../book/l2-book.ts';
import { BestBidOffer } from '../../domain/market-events.ts';
import type { MarketInbox } from './market-inbox.ts';

export class DirectMarketData {
  /** The sanitizer's carriers for the event being handed off (its stamps include Stage.Sanitizer). */
  readonly inbox: MarketInbox;
  /** The sanitizer's top of book for risk. */
  readonly bbo: BestBidOffer;
  /** The sanitizer's books by instrument id (read-only for the consumers). */
  readonly books: readonly L2Book[];
  /** msgTypeId of `inbox`'s event the strategy has yet to handle; 0 = none. */
  forStrategy = 0;
  /** msgTypeId of `inbox`'s event the venue has yet to handle; 0 = none. */
  forExecution = 0;
  /** `bbo` waits for risk. */
  bboForRisk = false;

  constructor(inbox: MarketInbox, bbo: BestBidOffer, books: readonly L2Book[]) {
    this.inbox = inbox;
    this.bbo = bbo;
    this.books = books;
  }
}
