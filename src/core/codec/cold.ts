/**
 * Cold messages (InstrumentDefinition, RunInfo): the only tables with strings.
 *
 * Role: session metadata written once at start-up (first records of a
 * recording, the monitor's instrument list). Encoded with a reused Builder
 * and copied into the ring; decoding allocates the strings and, for an
 * instrument, a new InstrumentSpec. Never call these per tick.
 */
import type { RecordClaimer } from '../ring/types.ts';
import * as wire from './generated/index.ts';
import { makeInstrumentSpec, type InstrumentSpec } from '../domain/instrument.ts';
import { Builder, buildInstrumentDefinition, buildRunInfo } from './builder-encode.ts';
import type { RunInfoRecord, StageStampSet } from './carriers.ts';
import { MsgType } from './msg-type.ts';
import { byteBufferOf } from './views.ts';

const builder = new Builder(1024);

function copyOut(out: RecordClaimer, msgType: MsgType): boolean {
  const bb = builder.dataBuffer();
  const start = bb.position();
  const len = bb.capacity() - start;
  const i = out.tryClaim(msgType, len);
  if (i < 0) return false;
  out.bytes.set(bb.bytes().subarray(start, start + len), i);
  out.commit(i);
  return true;
}

export function encodeInstrumentDefinition(out: RecordClaimer, src: InstrumentSpec, stamps: StageStampSet): boolean {
  builder.clear();
  builder.forceDefaults(true);
  builder.finish(buildInstrumentDefinition(builder, src, stamps));
  return copyOut(out, MsgType.InstrumentDefinition);
}

export function encodeRunInfo(out: RecordClaimer, src: RunInfoRecord, stamps: StageStampSet): boolean {
  builder.clear();
  builder.forceDefaults(true);
  builder.finish(buildRunInfo(builder, src, stamps));
  return copyOut(out, MsgType.RunInfo);
}

/** Decodes and validates an instrument (throws RangeError like makeInstrumentSpec on bad values). */
export function decodeInstrumentDefinition(bytes: Uint8Array, index: number): InstrumentSpec {
  const bb = byteBufferOf(bytes);
  bb.setPosition(index);
  const r = wire.InstrumentDefinition.getRootAsInstrumentDefinition(bb);
  return makeInstrumentSpec({
    id: r.instrumentId(),
    symbol: r.symbol() ?? '',
    tickSize: r.tickSize(),
    lotSize: r.lotSize(),
    minSizeLots: r.minSizeLots(),
    contractValue: r.contractValue(),
    makerFeeBps: r.makerFeeBps(),
    takerFeeBps: r.takerFeeBps(),
  });
}

export function decodeRunInfo(bytes: Uint8Array, index: number, out: RunInfoRecord): void {
  const bb = byteBufferOf(bytes);
  bb.setPosition(index);
  const r = wire.RunInfo.getRootAsRunInfo(bb);
  out.runId = r.runId() ?? '';
  out.source = r.source() ?? '';
  out.seed = r.seed();
  out.startedUnixUs = r.startedUnixUs();
  out.schemaVersion = r.schemaVersion();
  out.configJson = r.configJson() ?? '';
}
