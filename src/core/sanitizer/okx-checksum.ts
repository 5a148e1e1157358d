/**
 * OKX v5 order-book CRC32 checksum, computed from our integer book.
 *
 * Role: lets L0Sanitizer verify the `checksum` field of `books` messages.
 * Owning thread: sanitizer stage worker (one instance per sanitizer; not
 * shareable). Warm path: runs only when a message carries a non-zero
 * checksum (OKX has sent 0 since June 2026; older recordings carry it), and
 * then allocates nothing: digits go into a preallocated byte buffer.
 *
 * Algorithm (OKX docs, "Checksum"): take the best 25 levels per side and
 * interleave them as `bid1Px:bid1Sz:ask1Px:ask1Sz:bid2Px:…`; when one side
 * runs out, continue with the other side alone. CRC-32 (IEEE, as zlib) over
 * the ASCII string, read as a signed int32.
 *
 * OKX hashes its *raw* decimal strings. Verified against the real 2022
 * snapshot in fixtures/okx (checksum -1462286744) and the synthetic update
 * (602733915): the strings are the shortest decimal form — trailing
 * fractional zeros and a bare trailing point removed ("0.0703", "8477",
 * "0.1"), leading "0." kept. Formatting with a fixed number of decimals
 * (`toFixed(priceDecimals)`, "0.07030") does NOT reproduce them. So we print
 * ticks × tickSize exactly from integers: units = ticks × round(tickSize ·
 * 10^decimals), decimal point inserted `decimals` digits from the right,
 * trailing zeros trimmed. No float multiplication, so no 0.1+0.2 drift.
 */
import type { L2Book } from '../book/l2-book.ts';

/** Levels per side that enter the checksum (fixed by OKX). */
export const OKX_CHECKSUM_LEVELS = 25;

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/** CRC-32 (IEEE 802.3, zlib's) of `bytes[0..length)`, as a signed int32. */
export function crc32Signed(bytes: Uint8Array, length: number): number {
  let crc = -1;
  for (let i = 0; i < length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc | 0;
}

const CH_0 = 48;
const CH_DOT = 46;
const CH_COLON = 58;

/** Computes OKX checksums for books on one instrument grid. */
export class OkxBookChecksum {
  private readonly buf: Uint8Array;
  private readonly digits = new Uint8Array(24);
  private len = 0;
  private readonly priceMult: number;
  private readonly sizeMult: number;

  /**
   * @param tickSize / priceDecimals and lotSize / sizeDecimals from the InstrumentSpec.
   * Throws (start-up) if the step is not an integer at its declared decimals.
   */
  constructor(
    tickSize: number,
    private readonly priceDecimals: number,
    lotSize: number,
    private readonly sizeDecimals: number,
  ) {
    this.priceMult = stepMultiplier('tickSize', tickSize, priceDecimals);
    this.sizeMult = stepMultiplier('lotSize', lotSize, sizeDecimals);
    // 2 × 25 levels × (price + size, ≤ 17 digits + point each) + separators.
    this.buf = new Uint8Array(OKX_CHECKSUM_LEVELS * 2 * 2 * 20 + 8);
  }

  /** Signed-int32 OKX checksum of the book's current top 25 levels. */
  compute(book: L2Book): number {
    this.len = 0;
    const nb = book.bidCount < OKX_CHECKSUM_LEVELS ? book.bidCount : OKX_CHECKSUM_LEVELS;
    const na = book.askCount < OKX_CHECKSUM_LEVELS ? book.askCount : OKX_CHECKSUM_LEVELS;
    const n = nb > na ? nb : na;
    for (let i = 0; i < n; i++) {
      if (i < nb) this.level(book.bidPrice(i), book.bidSize(i));
      if (i < na) this.level(book.askPrice(i), book.askSize(i));
    }
    return crc32Signed(this.buf, this.len);
  }

  /** The string the last `compute` hashed (cold: tests and diagnostics only; allocates). */
  lastString(): string {
    let s = '';
    for (let i = 0; i < this.len; i++) s += String.fromCharCode(this.buf[i]!);
    return s;
  }

  private level(priceTicks: number, sizeLots: number): void {
    if (this.len > 0) this.buf[this.len++] = CH_COLON;
    this.decimal(priceTicks * this.priceMult, this.priceDecimals);
    this.buf[this.len++] = CH_COLON;
    this.decimal(sizeLots * this.sizeMult, this.sizeDecimals);
  }

  /** Writes a non-negative integer `units` / 10^decimals in shortest form. */
  private decimal(units: number, decimals: number): void {
    const d = this.digits;
    let nd = 0;
    let v = units;
    do {
      d[nd++] = v % 10;
      v = Math.floor(v / 10);
    } while (v > 0 && nd < d.length);
    while (nd <= decimals) d[nd++] = 0; // at least one integer digit ("0.07")
    let tz = 0; // trailing fractional zeros to drop
    while (tz < decimals && d[tz] === 0) tz++;
    const buf = this.buf;
    for (let i = nd - 1; i >= decimals; i--) buf[this.len++] = CH_0 + d[i]!;
    if (tz < decimals) {
      buf[this.len++] = CH_DOT;
      for (let i = decimals - 1; i >= tz; i--) buf[this.len++] = CH_0 + d[i]!;
    }
  }
}

function stepMultiplier(name: string, step: number, decimals: number): number {
  const m = Math.round(step * 10 ** decimals);
  if (!(m >= 1) || Math.abs(step * 10 ** decimals - m) > 1e-6 || decimals > 15) {
    throw new RangeError(`OkxBookChecksum: ${name} ${step} is not an integer at ${decimals} decimals`);
  }
  return m;
}
