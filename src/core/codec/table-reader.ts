/**
 * A FlatBuffers table reader over a DataView: the generated readers' lookup
 * rules (vtable slot → field offset, absent → schema default), without their
 * byte-at-a-time float reassembly.
 *
 * Why: the generated `ByteBuffer.readFloat64` rebuilds each double from eight
 * byte loads through a shared Int32Array; with one vtable walk per accessor a
 * trade took ~100 ns to decode (~200 ns with stamps). DataView loads are
 * intrinsics in TurboFan; the same lookups here cost ~25 ns. Semantics are
 * the generated code's, so any conforming writer's message (fields omitted,
 * other order, older schema) decodes correctly. Hot; one instance per thread,
 * re-rooted per message (single consumer).
 */
import { dataViewOf } from './views.ts';

export class TableReader {
  dv: DataView = new DataView(new ArrayBuffer(8));
  /** Absolute position of the table. */
  t = 0;
  /** Absolute position of its vtable, and the vtable's length in bytes. */
  vt = 0;
  vtLen = 0;

  /** Roots the reader at the message whose first byte is `bytes[index]`. */
  root(bytes: Uint8Array, index: number): this {
    const dv = dataViewOf(bytes);
    const t = index + dv.getUint32(index, true);
    const vt = t - dv.getInt32(t, true);
    this.dv = dv;
    this.t = t;
    this.vt = vt;
    this.vtLen = dv.getUint16(vt, true);
    return this;
  }

  /** Absolute position of field `id`, or -1 if absent. */
  pos(id: number): number {
    const slot = 4 + 2 * id;
    if (slot >= this.vtLen) return -1;
    const o = this.dv.getUint16(this.vt + slot, true);
    return o === 0 ? -1 : this.t + o;
  }

  f64(id: number, def: number): number {
    const p = this.pos(id);
    return p < 0 ? def : this.dv.getFloat64(p, true);
  }

  u32(id: number, def: number): number {
    const p = this.pos(id);
    return p < 0 ? def : this.dv.getUint32(p, true);
  }

  i32(id: number, def: number): number {
    const p = this.pos(id);
    return p < 0 ? def : this.dv.getInt32(p, true);
  }

  u16(id: number, def: number): number {
    const p = this.pos(id);
    return p < 0 ? def : this.dv.getUint16(p, true);
  }

  u8(id: number, def: number): number {
    const p = this.pos(id);
    return p < 0 ? def : this.dv.getUint8(p);
  }

  i8(id: number, def: number): number {
    const p = this.pos(id);
    return p < 0 ? def : this.dv.getInt8(p);
  }

  bool(id: number): boolean {
    const p = this.pos(id);
    return p < 0 ? false : this.dv.getUint8(p) !== 0;
  }

  /** Position of a vector field's first element, or -1 if absent. */
  vector(id: number): number {
    const p = this.pos(id);
    return p < 0 ? -1 : p + this.dv.getUint32(p, true) + 4;
  }

  /** Element count of a vector field (0 if absent). */
  vectorLen(id: number): number {
    const p = this.pos(id);
    return p < 0 ? 0 : this.dv.getUint32(p + this.dv.getUint32(p, true), true);
  }
}
