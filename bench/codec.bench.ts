/**
 * Codec micro-benchmark: ns per encode / decode / stamp for a trade and a
 * 20-level book, template encoder vs "reused Builder + copy".
 *   npm run bench -- codec [--json PATH] [--iters N]
 * Single thread, no ring hand-off: a plain claimer cycling over a 1 MiB buffer.
 */
import { Builder, ByteBuffer } from 'flatbuffers';
import * as wire from '../src/core/codec/generated/index.ts';
import type { RecordClaimer } from '../src/core/ring/types.ts';
import { BookDeltas, TradeTick } from '../src/core/domain/market-events.ts';
import {
  encodeTrade, decodeTrade, encodeBookDeltas, decodeBookDeltas, stampMessage, newStageStampSet, Stage,
} from '../src/core/codec/index.ts';
import { buildTrade, buildBookDeltas } from '../src/core/codec/builder-encode.ts';
import { machineInfo, writeJson, benchArgs, type BenchResult } from './lib/report.ts';

class CyclingClaimer implements RecordClaimer {
  readonly bytes = new Uint8Array(1 << 20);
  pos = 0;
  last = 0;
  tryClaim(_msgTypeId: number, length: number): number {
    const len = (length + 7) & ~7;
    if (this.pos + len > this.bytes.length) this.pos = 0;
    const i = this.pos;
    this.pos += len;
    this.last = i;
    return i;
  }
  commit(_index: number): void {}
  abort(_index: number): void {}
}

function timeNs(label: string, iters: number, fn: (k: number) => void): number {
  for (let k = 0; k < 200_000; k++) fn(k); // warm-up / JIT
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < iters; k++) fn(k);
    const ns = Number(process.hrtime.bigint() - t0) / iters;
    if (ns < best) best = ns;
  }
  console.log(`${label.padEnd(34)} ${best.toFixed(1).padStart(8)} ns/op`);
  return best;
}

export async function run(args: string[]): Promise<void> {
  const { json, flags } = benchArgs(args);
  const iters = Number(flags.get('iters') ?? 1_000_000);
  const m = machineInfo();
  console.log(`codec bench: node ${m.node}, ${m.cpus} cpus (${m.cpuModel}), iters=${iters}, best of 5`);

  const out = new CyclingClaimer();
  const stamps = newStageStampSet();
  stamps[Stage.Feed] = 12.5;
  const t = new TradeTick();
  t.instrumentId = 1; t.tsExchangeUs = 1.7e15; t.tsRecvUs = 1234.5; t.tradeId = 123456789012; t.priceTicks = 650001; t.sizeLots = 3;
  const book = new BookDeltas();
  book.instrumentId = 0; book.seqId = 1000; book.prevSeqId = 999; book.bidCount = 20; book.askCount = 20;
  for (let k = 0; k < 20; k++) {
    book.bidPriceTicks[k] = 650000 - k; book.bidSizeLots[k] = 10 + k;
    book.askPriceTicks[k] = 650001 + k; book.askSizeLots[k] = 11 + k;
  }
  const tOut = new TradeTick();
  const bOut = new BookDeltas();
  const sOut = newStageStampSet();
  const b = new Builder(4096);
  b.forceDefaults(true);

  const results: BenchResult[] = [];
  const add = (variant: string, op: string, ns: number): void => {
    results.push({ variant, params: { op }, nsPerOp: ns, msgsPerS: 1e9 / ns });
  };

  add('template', 'encode trade', timeNs('encode trade (template)', iters, (k) => { t.priceTicks = 650000 + (k & 15); encodeTrade(out, t, stamps); }));
  const builderCopy = (k: number): void => {
    t.priceTicks = 650000 + (k & 15);
    b.clear();
    b.finish(buildTrade(b, t, stamps));
    const bb = b.dataBuffer();
    const start = bb.position();
    const len = bb.capacity() - start;
    const i = out.tryClaim(2, len);
    out.bytes.set(bb.bytes().subarray(start, start + len), i);
  };
  add('builder+copy', 'encode trade', timeNs('encode trade (Builder + copy)', iters, builderCopy));
  encodeTrade(out, t, stamps);
  const ti = out.last;
  add('reader', 'decode trade', timeNs('decode trade (TableReader)', iters, () => decodeTrade(out.bytes, ti, tOut)));
  const gen = new wire.Trade();
  const genSt = new wire.StageStamps();
  const gbb = new ByteBuffer(out.bytes);
  const genDecode = (): void => {
    gbb.setPosition(ti);
    const r = wire.Trade.getRootAsTrade(gbb, gen);
    tOut.instrumentId = r.instrumentId(); tOut.tsExchangeUs = r.tsExchangeUs(); tOut.tradeId = r.tradeId();
    tOut.priceTicks = r.priceTicks(); tOut.sizeLots = r.sizeLots(); tOut.aggressorSide = r.aggressorSide() as number;
    tOut.tsRecvUs = r.stamps(genSt)!.recvUs();
  };
  add('generated-reader', 'decode trade', timeNs('decode trade (generated reader)', iters, genDecode));
  add('reader', 'decode trade+stamps', timeNs('decode trade + stamps', iters, () => decodeTrade(out.bytes, ti, tOut, sOut)));
  add('in-place', 'stamp', timeNs('stamp in place', iters, (k) => { stampMessage(out.bytes, ti, Stage.Strategy, k); }));

  add('template', 'encode book20', timeNs('encode book 20+20 (template)', iters, (k) => { book.seqId = k; encodeBookDeltas(out, book, stamps); }));
  const builderBook = (k: number): void => {
    book.seqId = k;
    b.clear();
    b.finish(buildBookDeltas(b, book, stamps));
    const bb = b.dataBuffer();
    const start = bb.position();
    const len = bb.capacity() - start;
    const i = out.tryClaim(1, len);
    out.bytes.set(bb.bytes().subarray(start, start + len), i);
  };
  add('builder+copy', 'encode book20', timeNs('encode book 20+20 (Builder + copy)', iters / 4, builderBook));
  encodeBookDeltas(out, book, stamps);
  const bi = out.last;
  add('reader', 'decode book20', timeNs('decode book 20+20', iters, () => { decodeBookDeltas(out.bytes, bi, bOut, sOut); }));
  if (bOut.bidCount !== 20 || tOut.tradeId !== t.tradeId) throw new Error('bench self-check failed');

  writeJson(json, 'codec', results);
}
