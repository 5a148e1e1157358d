/**
 * Seeded pseudo-random numbers for the synthetic market: xoshiro128** on a
 * Uint32Array state, seeded through splitmix32, plus the few distributions
 * the generator draws from (uniform, exponential, normal, Pareto, geometric,
 * Poisson).
 *
 * Role: the only source of randomness in `src/feed/synthetic`; never
 * `Math.random`, so one seed gives a bit-identical event stream. The state
 * math is 32-bit integer ops; the distributions use `Math.log`/`exp`/`pow`,
 * which V8 computes in software (an fdlibm port), so streams match across
 * CPUs and OSes for one Node version; a V8 upgrade could in principle change
 * the last bit of a transcendental and so the stream.
 * Owning thread: whichever holds the generator (single writer). Hot: every
 * method runs per event and allocates nothing.
 *
 * xoshiro128** 1.1 is by David Blackman and Sebastiano Vigna (public domain),
 * https://prng.di.unimi.it/xoshiro128starstar.c; splitmix32 is the 32-bit
 * variant of Vigna's splitmix64 seeder (constants from Hash Prospector).
 */

const TWO_POW_32 = 4294967296;

export class Xoshiro128 {
  private readonly s = new Uint32Array(4);
  /** Spare normal from the polar method (NaN = none cached). */
  private spareNormal = NaN;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Resets the state from a 32-bit seed (any integer; taken modulo 2^32). */
  reseed(seed: number): void {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      this.s[i] = (z ^ (z >>> 15)) >>> 0;
    }
    // An all-zero state would stay zero forever.
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
    this.spareNormal = NaN;
  }

  /**
   * Next 32 random bits as a signed int32. Signed on purpose: an int32 is a
   * Smi in V8 on 64-bit, so returning it never allocates, while a uint32 above
   * 2^31 would be boxed in a HeapNumber whenever the call is not inlined.
   */
  nextI32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s1;
    s[1] = s1 ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    const s3 = s[3]!;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Next uniform uint32 (the same bits as `nextI32`, unsigned; cold-path convenience). */
  nextU32(): number {
    return this.nextI32() >>> 0;
  }

  /** Uniform in the open interval (0, 1): never 0, so `Math.log(u)` is finite. */
  uniform(): number {
    return (this.nextI32() + 2147483648.5) / TWO_POW_32;
  }

  /** Exponential with mean 1. */
  exp1(): number {
    return -Math.log(this.uniform());
  }

  /** Standard normal (Marsaglia's polar method; the second value is cached). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Pareto (type I) with minimum `scale` and tail index `alpha`: P(X > x) = (scale/x)^alpha. */
  pareto(scale: number, alpha: number): number {
    return scale * Math.pow(this.uniform(), -1 / alpha);
  }

  /**
   * Geometric on {0, 1, 2, ...} given `lnP` = ln(p) with P(k) = (1-p)·p^k
   * (mean p/(1-p)). Pass -Infinity for "always 0".
   */
  geometric(lnP: number): number {
    return lnP === -Infinity ? 0 : Math.floor(Math.log(this.uniform()) / lnP);
  }

  /** Poisson with a small mean (Knuth's product method; O(mean) draws, cold path). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }
}
