/**
 * Hash of the ordered fill stream: equal hashes mean identical trading.
 * Two FNV-1a lanes over the IEEE-754 bytes of each fill's identity fields
 * (fill id, order id, instrument, side, price ticks, size lots), printed as
 * 16 hex digits. Cold: main thread, per fill.
 */
export class FillHash {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  private readonly f64 = new Float64Array(1);
  private readonly u8 = new Uint8Array(this.f64.buffer);
  count = 0;

  add(fillId: number, clientOrderId: number, instrumentId: number, side: number, priceTicks: number, sizeLots: number): void {
    this.mix(fillId);
    this.mix(clientOrderId);
    this.mix(instrumentId);
    this.mix(side);
    this.mix(priceTicks);
    this.mix(sizeLots);
    this.count++;
  }

  private mix(x: number): void {
    this.f64[0] = x;
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8[i]!;
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a >>> 0;
    this.b = b >>> 0;
  }

  hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}
