/**
 * Integer codes shared by every stage. `const enum`s compile to numbers, so
 * hot-path code compares integers and never allocates or touches strings.
 */

/** Order or aggressor side. The value is the sign it gives a position. */
export const enum Side {
  Buy = 1,
  Sell = -1,
}

export const enum OrderType {
  Limit = 1,
  Market = 2,
  /** Immediate-or-cancel limit: takes what it can at or better than its price, cancels the rest. */
  Ioc = 3,
  /** Limit that must rest; rejected if it would take liquidity. */
  PostOnly = 4,
}

export const enum Liquidity {
  Maker = 1,
  Taker = 2,
}

/** Market-data quality per instrument, owned by L0Sanitizer. Nothing trades unless Ok. */
export const enum FeedState {
  Ok = 0,
  Stale = 1,
  Invalid = 2,
}

/** DRBGuard's trading-state machine (NautilusTrader's ACTIVE/REDUCING/HALTED). */
export const enum TradingState {
  Active = 0,
  /** Only orders that reduce an existing position are allowed. */
  Reducing = 1,
  /** No new orders at all; latched until a human re-arms. */
  Halted = 2,
}

export function sideName(side: Side): 'buy' | 'sell' {
  return side === Side.Buy ? 'buy' : 'sell';
}
