/**
 * Paper venue configuration: defaults, units in every name, and validation.
 *
 * Role: the one place that says how the simulated venue behaves (latency,
 * queue model, venue limits, table sizes). Owning thread: built on the main
 * thread at start-up and handed to the execution stage worker. Cold path:
 * `validatePaperVenueConfig` runs once and throws with the field and value.
 */
import { VenueReason } from '../../core/domain/orders.ts';

/** Which built-in queue-position model a venue uses (see queue-model.ts). */
export type QueueModelName = 'pro-rata' | 'pessimistic' | 'optimistic';

export interface PaperVenueConfig {
  /** Orders the venue can hold at once (in flight + resting); a full table rejects. */
  readonly orderCapacity: number;
  /** Commands (new/cancel) travelling to the venue at once. */
  readonly inFlightCapacity: number;
  /** Reports (order updates + fills) travelling back at once; overflow is released early and counted. */
  readonly outboxCapacity: number;
  /** Constant order-entry latency (submit → active at venue), µs. Ignored when samples are given. */
  readonly entryLatencyUs: number;
  /** Constant response latency (venue event → our sink), µs. Ignored when samples are given. */
  readonly responseLatencyUs: number;
  /** Measured entry latencies to sample from (µs); empty = use `entryLatencyUs`. */
  readonly entryLatencySamplesUs: readonly number[];
  /** Measured response latencies to sample from (µs); empty = use `responseLatencyUs`. */
  readonly responseLatencySamplesUs: readonly number[];
  /** Seed of the PRNG that samples the latency distributions (uint32). */
  readonly latencySeed: number;
  /** Built-in queue model; a `QueueModel` passed to the constructor overrides it. */
  readonly queueModel: QueueModelName;
  /** Limit price more than this % from mark (else mid) is rejected with PriceBand; 0 = off. */
  readonly priceBandPct: number;
  /** New orders allowed per instrument per window (OKX: 60 / 2 s); 0 = off. */
  readonly rateLimitOrders: number;
  readonly rateLimitWindowUs: number;
  /** Book levels per instrument side whose liquidity we consumed, remembered until the level changes. */
  readonly consumedLevelsPerSide: number;
  /** First fill id of the run; ids then count up by one (deterministic). */
  readonly fillIdStart: number;
  /** Quote-currency cash at start (e.g. USDT). */
  readonly initialCashQuote: number;
  /**
   * Added to `nowUs` to compare with `FundingRateEvent.fundingTimeUs` (Unix µs).
   * 0 in simulated time when event timestamps are Unix µs; in live mode the
   * stage passes `epochUsToUnixUs(0)` (core/clock.ts).
   */
  readonly clockToUnixOffsetUs: number;
}

export const DEFAULT_PAPER_VENUE_CONFIG: PaperVenueConfig = Object.freeze({
  orderCapacity: 4096,
  inFlightCapacity: 1024,
  outboxCapacity: 8192,
  entryLatencyUs: 0,
  responseLatencyUs: 0,
  entryLatencySamplesUs: Object.freeze([]) as readonly number[],
  responseLatencySamplesUs: Object.freeze([]) as readonly number[],
  latencySeed: 1,
  queueModel: 'pro-rata',
  priceBandPct: 5,
  rateLimitOrders: 60,
  rateLimitWindowUs: 2_000_000,
  consumedLevelsPerSide: 64,
  fillIdStart: 1,
  initialCashQuote: 10_000,
  clockToUnixOffsetUs: 0,
});

/** A full order table or a full in-flight queue. */
export const REASON_TABLE_FULL = VenueReason.OrderLimitExceeded;
/** A clientOrderId already live at the venue. */
export const REASON_DUPLICATE_ID = VenueReason.DuplicateOrderId;

const KEYS = Object.keys(DEFAULT_PAPER_VENUE_CONFIG) as (keyof PaperVenueConfig)[];

function fail(field: string, value: unknown, rule: string): never {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? `[${value.join(',')}]` : String(value);
  } catch {
    shown = typeof value;
  }
  throw new RangeError(`paperVenue.${field} ${rule}, got ${shown}`);
}

function intAtLeast(o: Record<string, unknown>, field: string, min: number): void {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, v, `must be an integer ≥ ${min}`);
}

function finiteAtLeast(o: Record<string, unknown>, field: string, min: number): void {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(field, v, `must be a finite number ≥ ${min}`);
}

function samples(o: Record<string, unknown>, field: string): void {
  const v = o[field];
  if (!Array.isArray(v)) fail(field, v, 'must be an array of µs');
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) fail(`${field}[${i}]`, s, 'must be a finite number ≥ 0');
  }
}

/**
 * Merges `raw` (a partial config, or undefined) over the defaults and checks
 * every field. Throws a RangeError naming the field and the offending value.
 */
export function validatePaperVenueConfig(raw: unknown): PaperVenueConfig {
  if (raw === undefined || raw === null) return DEFAULT_PAPER_VENUE_CONFIG;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail('(root)', raw, 'must be an object');
  const given = raw as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!(KEYS as string[]).includes(k)) fail(k, given[k], `is not a known field (known: ${KEYS.join(', ')})`);
  }
  const o: Record<string, unknown> = { ...DEFAULT_PAPER_VENUE_CONFIG };
  for (const k of Object.keys(given)) if (given[k] !== undefined) o[k] = given[k];
  intAtLeast(o, 'orderCapacity', 1);
  intAtLeast(o, 'inFlightCapacity', 1);
  intAtLeast(o, 'outboxCapacity', 1);
  finiteAtLeast(o, 'entryLatencyUs', 0);
  finiteAtLeast(o, 'responseLatencyUs', 0);
  samples(o, 'entryLatencySamplesUs');
  samples(o, 'responseLatencySamplesUs');
  intAtLeast(o, 'latencySeed', 0);
  if ((o.latencySeed as number) > 0xffffffff) fail('latencySeed', o.latencySeed, 'must be a uint32');
  if (o.queueModel !== 'pro-rata' && o.queueModel !== 'pessimistic' && o.queueModel !== 'optimistic') {
    fail('queueModel', o.queueModel, "must be 'pro-rata', 'pessimistic' or 'optimistic'");
  }
  finiteAtLeast(o, 'priceBandPct', 0);
  intAtLeast(o, 'rateLimitOrders', 0);
  finiteAtLeast(o, 'rateLimitWindowUs', 0);
  if ((o.rateLimitOrders as number) > 0 && !((o.rateLimitWindowUs as number) > 0)) {
    fail('rateLimitWindowUs', o.rateLimitWindowUs, 'must be > 0 when rateLimitOrders > 0');
  }
  intAtLeast(o, 'consumedLevelsPerSide', 1);
  intAtLeast(o, 'fillIdStart', 0);
  if (!Number.isSafeInteger(o.fillIdStart)) fail('fillIdStart', o.fillIdStart, 'must be a safe integer');
  finiteAtLeast(o, 'initialCashQuote', -Number.MAX_VALUE);
  finiteAtLeast(o, 'clockToUnixOffsetUs', -Number.MAX_VALUE);
  o.entryLatencySamplesUs = Object.freeze([...(o.entryLatencySamplesUs as number[])]);
  o.responseLatencySamplesUs = Object.freeze([...(o.responseLatencySamplesUs as number[])]);
  return Object.freeze(o) as unknown as PaperVenueConfig;
}
