/**
 * Type-independent access to the common header every wire table shares
 * (schemas/fbs/common.fbs): field 0 `stamps` (StageStamps struct),
 * field 1 `instrument_id`, field 2 `ts_exchange_us`.
 *
 * Role: a forwarding stage stamps its hop time IN PLACE, and routers read the
 * instrument, without knowing the message type or re-encoding (~0.5 µs saved
 * per hop). Hot, zero allocation. Single writer: only the stage that currently
 * owns the record (between the ring's read and its head release) may stamp it;
 * stamp before forwarding/copying, never after commit to another ring.
 *
 * Lookups go through the vtable (3 loads), so they also work on messages
 * written by any other FlatBuffers writer, as long as the field is present.
 */
import { dataViewOf } from './views.ts';
import type { StageStampSet } from './carriers.ts';
import { STAGE_COUNT, type Stage } from './msg-type.ts';

/** Position of field `fieldId` of the root table at `index`, or -1 if absent. */
export function fieldPos(dv: DataView, index: number, fieldId: number): number {
  const table = index + dv.getUint32(index, true);
  const vt = table - dv.getInt32(table, true);
  const slot = 4 + 2 * fieldId;
  if (slot >= dv.getUint16(vt, true)) return -1;
  const o = dv.getUint16(vt + slot, true);
  return o === 0 ? -1 : table + o;
}

/**
 * Writes `tsUs` into stage `stage`'s timestamp of the message at `index`.
 * Returns false only if the message has no stamps struct (not one of ours).
 */
export function stampMessage(bytes: Uint8Array, index: number, stage: Stage, tsUs: number): boolean {
  const dv = dataViewOf(bytes);
  const p = fieldPos(dv, index, 0);
  if (p < 0) return false;
  dv.setFloat64(p + 8 * stage, tsUs, true);
  return true;
}

/** Stage `stage`'s timestamp of the message at `index` (0 = not stamped, NaN = no stamps struct). */
export function readStamp(bytes: Uint8Array, index: number, stage: Stage): number {
  const dv = dataViewOf(bytes);
  const p = fieldPos(dv, index, 0);
  return p < 0 ? NaN : dv.getFloat64(p + 8 * stage, true);
}

/** Copies all stage timestamps into `out`; false (and `out` zeroed) if absent. */
export function readStamps(bytes: Uint8Array, index: number, out: StageStampSet): boolean {
  const dv = dataViewOf(bytes);
  const p = fieldPos(dv, index, 0);
  if (p < 0) {
    out.fill(0);
    return false;
  }
  for (let k = 0; k < STAGE_COUNT; k++) out[k] = dv.getFloat64(p + 8 * k, true);
  return true;
}

/** The message's instrument id (uint32), or -1 if absent. */
export function readInstrumentId(bytes: Uint8Array, index: number): number {
  const dv = dataViewOf(bytes);
  const p = fieldPos(dv, index, 1);
  return p < 0 ? -1 : dv.getUint32(p, true);
}

/** The message's exchange timestamp (Unix µs), 0 if absent. */
export function readTsExchangeUs(bytes: Uint8Array, index: number): number {
  const dv = dataViewOf(bytes);
  const p = fieldPos(dv, index, 2);
  return p < 0 ? 0 : dv.getFloat64(p, true);
}
