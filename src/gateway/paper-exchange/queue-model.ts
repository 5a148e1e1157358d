/**
 * Queue-position models for resting limit orders on L2 data.
 *
 * Role: estimate how many lots are ahead of our resting order at its price,
 * since an L2 feed shows only the level's total (hftbacktest's `QueueModel
 * { new_order, trade, depth, is_filled }`). The venue keeps the number in
 * its order table and asks the model to move it. Owning thread: execution
 * stage worker. Hot: called per trade / depth change at a price we rest at;
 * pure arithmetic on numbers, no allocation, no state (one instance can serve
 * every order and instrument).
 *
 * Convention: `queueAheadLots` may go negative after a trade; the negative
 * part is trade volume that passed through to our order, and `isFilled`
 * turns it into fillable lots (the venue then resets the position to 0).
 */

export interface QueueModel {
  /** Queue ahead of an order joining a level that shows `levelLots` (net of our own consumption). */
  newOrder(levelLots: number): number;
  /** A public trade of `tradeLots` at the order's price, against the order's side. Returns the new queue ahead. */
  trade(queueAheadLots: number, tradeLots: number): number;
  /**
   * The displayed size at the order's price moved `prevLevelLots` → `nextLevelLots`,
   * while `tradedLots` traded there since `prevLevelLots` was seen. Returns the new queue ahead.
   */
  depth(queueAheadLots: number, prevLevelLots: number, nextLevelLots: number, tradedLots: number): number;
  /** Lots that may fill now (0 while the queue ahead is not exhausted). */
  isFilled(queueAheadLots: number): number;
}

function passedThrough(queueAheadLots: number): number {
  return queueAheadLots < 0 ? -queueAheadLots : 0;
}

/**
 * Default: we join the back of the level; trades at our price eat the queue
 * from the front; a drop in displayed size that trades do not explain is
 * cancels, spread over the level pro rata, so the queue ahead shrinks by its
 * share (ahead / level). Growth joins behind us.
 */
export class ProRataQueueModel implements QueueModel {
  newOrder(levelLots: number): number {
    return levelLots > 0 ? levelLots : 0;
  }

  trade(queueAheadLots: number, tradeLots: number): number {
    return queueAheadLots - tradeLots;
  }

  depth(queueAheadLots: number, prevLevelLots: number, nextLevelLots: number, tradedLots: number): number {
    let q = queueAheadLots;
    const cancelledLots = prevLevelLots - nextLevelLots - tradedLots;
    const levelBeforeCancelsLots = prevLevelLots - tradedLots;
    if (cancelledLots > 0 && levelBeforeCancelsLots > 0 && q > 0) {
      q -= (cancelledLots * q) / levelBeforeCancelsLots;
    }
    if (q > nextLevelLots) q = nextLevelLots;
    return q < 0 ? 0 : q;
  }

  isFilled(queueAheadLots: number): number {
    return passedThrough(queueAheadLots);
  }
}

/**
 * Pessimistic (hftbacktest `RiskAdverseQueueModel`): only trades advance us;
 * cancels are assumed to come from behind. The one exception is physical:
 * the queue ahead can never exceed what the level displays.
 */
export class PessimisticQueueModel implements QueueModel {
  newOrder(levelLots: number): number {
    return levelLots > 0 ? levelLots : 0;
  }

  trade(queueAheadLots: number, tradeLots: number): number {
    return queueAheadLots - tradeLots;
  }

  depth(queueAheadLots: number, _prevLevelLots: number, nextLevelLots: number, _tradedLots: number): number {
    const q = queueAheadLots < nextLevelLots ? queueAheadLots : nextLevelLots;
    return q < 0 ? 0 : q;
  }

  isFilled(queueAheadLots: number): number {
    return passedThrough(queueAheadLots);
  }
}

/**
 * Optimistic: we are always at the front; every lot that trades at our price
 * fills us (bounded by the trade's volume and our size). An upper bound on fills.
 */
export class OptimisticQueueModel implements QueueModel {
  newOrder(_levelLots: number): number {
    return 0;
  }

  trade(queueAheadLots: number, tradeLots: number): number {
    return (queueAheadLots > 0 ? 0 : queueAheadLots) - tradeLots;
  }

  depth(_queueAheadLots: number, _prevLevelLots: number, _nextLevelLots: number, _tradedLots: number): number {
    return 0;
  }

  isFilled(queueAheadLots: number): number {
    return passedThrough(queueAheadLots);
  }
}

export function queueModelByName(name: 'pro-rata' | 'pessimistic' | 'optimistic'): QueueModel {
  switch (name) {
    case 'pro-rata':
      return new ProRataQueueModel();
    case 'pessimistic':
      return new PessimisticQueueModel();
    case 'optimistic':
      return new OptimisticQueueModel();
  }
}
