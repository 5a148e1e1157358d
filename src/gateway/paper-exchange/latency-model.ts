/**
 * Order-entry and response latency of the simulated venue.
 *
 * Role: says how long a command takes to reach the venue (`entryDelayUs`)
 * and how long a venue event takes to reach us (`responseDelayUs`), as in
 * hftbacktest's `LatencyModel { entry, response }`. Owning thread: execution
 * stage worker. Hot: called once per command / report; no allocation.
 */
import type { PaperVenueConfig } from './config.ts';

/** What a latency model may look at: the order (or cancel) it delays. */
export interface OrderRef {
  readonly clientOrderId: number;
  readonly instrumentId: number;
}

export interface LatencyModel {
  /** µs from our submit at `nowUs` until the venue sees the command. Must be ≥ 0. */
  entryDelayUs(nowUs: number, order: OrderRef): number;
  /** µs from a venue event at `venueNowUs` until our sink sees the report. Must be ≥ 0. */
  responseDelayUs(venueNowUs: number, order: OrderRef): number;
}

/** Fixed delays (the default; 0/0 makes the venue answer synchronously). */
export class ConstantLatencyModel implements LatencyModel {
  constructor(
    readonly entryUs: number,
    readonly responseUs: number,
  ) {
    if (!(entryUs >= 0) || !(responseUs >= 0) || !Number.isFinite(entryUs) || !Number.isFinite(responseUs)) {
      throw new RangeError(`ConstantLatencyModel delays must be finite and ≥ 0, got entry=${entryUs} response=${responseUs}`);
    }
  }

  entryDelayUs(_nowUs: number, _order: OrderRef): number {
    return this.entryUs;
  }

  responseDelayUs(_venueNowUs: number, _order: OrderRef): number {
    return this.responseUs;
  }
}

/** mulberry32: tiny, fast, seedable; the same seed gives the same stream on every platform. */
export class Mulberry32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Draws each delay uniformly from a measured sample (e.g. round trips logged
 * against the real venue), with a seeded PRNG so two runs draw the same delays.
 * An empty sample falls back to the constant.
 */
export class SampledLatencyModel implements LatencyModel {
  private readonly entry: Float64Array;
  private readonly response: Float64Array;
  private readonly rng: Mulberry32;

  constructor(
    entrySamplesUs: readonly number[],
    responseSamplesUs: readonly number[],
    seed: number,
    private readonly entryFallbackUs = 0,
    private readonly responseFallbackUs = 0,
  ) {
    for (const [name, arr] of [['entry', entrySamplesUs], ['response', responseSamplesUs]] as const) {
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i]!;
        if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`SampledLatencyModel ${name}SamplesUs[${i}] must be finite and ≥ 0, got ${v}`);
      }
    }
    this.entry = Float64Array.from(entrySamplesUs);
    this.response = Float64Array.from(responseSamplesUs);
    this.rng = new Mulberry32(seed);
  }

  entryDelayUs(_nowUs: number, _order: OrderRef): number {
    const n = this.entry.length;
    return n === 0 ? this.entryFallbackUs : this.entry[Math.floor(this.rng.next() * n)]!;
  }

  responseDelayUs(_venueNowUs: number, _order: OrderRef): number {
    const n = this.response.length;
    return n === 0 ? this.responseFallbackUs : this.response[Math.floor(this.rng.next() * n)]!;
  }
}

/** The model a config asks for: sampled when any samples are given, else constant. */
export function latencyModelFromConfig(c: PaperVenueConfig): LatencyModel {
  if (c.entryLatencySamplesUs.length > 0 || c.responseLatencySamplesUs.length > 0) {
    return new SampledLatencyModel(c.entryLatencySamplesUs, c.responseLatencySamplesUs, c.latencySeed, c.entryLatencyUs, c.responseLatencyUs);
  }
  return new ConstantLatencyModel(c.entryLatencyUs, c.responseLatencyUs);
}
