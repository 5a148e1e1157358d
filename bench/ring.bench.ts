/**
 * `npm run bench -- ring [--json PATH] [--runs 3] [--rate 20000] [--lat-seconds 0.5]`
 *
 * Topology (two worker threads, the main thread only orchestrates):
 *
 *   worker A (producer) ──[ transport ]──▶ worker B (consumer)      tput, lat
 *   worker A (ping)     ──[ transport ]──▶ worker B (pong) ──┐      rtt
 *          ▲───────────────[ transport ]────────────────────┘
 *
 * Transports: our SPSC ring with each idle strategy (`ring/busy-spin`,
 * `ring/spin-park`, `ring/blocking`), `MessagePort.postMessage` (variant
 * `postMessage`, the baseline) and `ringbuf.js` (a well-known SAB ring; it has
 * no wait primitive, so both of its sides busy-spin). Every producer does the
 * same "encode" per message (size/8 float64 field stores): our ring encodes in
 * place in the claimed space (zero-copy, what the codec does); postMessage and
 * ringbuf.js encode into a staging buffer that is then cloned/copied.
 * `ring/spin-park+copy` is our ring fed from a staging buffer too
 * (`writeBlocking`, what a forwarding stage does); `ring/spin-park+batch`
 * publishes once per 32 records (`commitDeferred` + `flush`, the Disruptor's
 * batch publish), each record still claimed and encoded alone.
 *   tput: the producer claims/commits (or pushes/posts) in a tight loop, the
 *         consumer batch-reads; msgs/s from first send to last receive.
 *   lat:  a fixed offered rate; every message carries its *intended* send time
 *         and the consumer records now − intended (coordinated omission: if the
 *         sender falls behind, the delay still counts), one-way, HDR histogram.
 *   rtt:  ping-pong round trip, spin-park ring vs postMessage.
 * Each measurement: one warm-up run, then `--runs` runs; the median is reported
 * (Disruptor perftest style). Each (transport, size) gets its own fresh pair
 * of workers (see `withFreshWorkers`).
 */
import { MessageChannel, type Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { benchArgs, median, printTable, writeJson, type BenchResult, type LatencySummaryUs } from './lib/report.ts';
import type { BenchCommand, BenchReply, Transport } from './lib/ring-bench.worker.ts';
import { epochTimeOriginMs } from '../src/core/clock.ts';
import { createRing } from '../src/core/ring/index.ts';
import { startTsWorker } from '../src/core/worker-loader.ts';

const RING_BYTES = 64 * 1024;
const SIZES = [64, 256];
const TRANSPORTS: Transport[] = ['ring/busy-spin', 'ring/spin-park', 'ring/blocking', 'ring/spin-park+batch', 'ring/spin-park+copy', 'postMessage', 'ringbuf.js'];

function tputCount(t: Transport, size: number): number {
  if (t === 'postMessage') return 100_000;
  if (t === 'ringbuf.js') return size === 64 ? 1_000_000 : 500_000;
  return size === 64 ? 2_000_000 : 1_000_000;
}

function call(w: Worker, cmd: BenchCommand): Promise<BenchReply> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    w.once('error', onError);
    w.once('message', (r: BenchReply) => {
      w.off('error', onError);
      resolve(r);
    });
    w.postMessage(cmd, cmd.port ? [cmd.port] : []);
  });
}

function waitReady(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
}

class Bench {
  constructor(private readonly a: Worker, private readonly b: Worker) {}

  /** One producer/consumer (or ping/pong) run; returns [consumer reply, producer reply]. */
  async once(op: BenchCommand['op'], transport: Transport, size: number, n: number, rateHz: number): Promise<[BenchReply, BenchReply]> {
    const ctl = new SharedArrayBuffer(256);
    let sabs: SharedArrayBuffer[] = [];
    let producerPort;
    let consumerPort;
    if (transport === 'postMessage') {
      const ch = new MessageChannel();
      producerPort = ch.port1;
      consumerPort = ch.port2;
    } else if (transport === 'ringbuf.js') {
      sabs = [RingBuffer.getStorageForCapacity(RING_BYTES, Uint8Array as never)];
    } else {
      sabs = op === 'rtt' ? [createRing({ capacityBytes: RING_BYTES }), createRing({ capacityBytes: RING_BYTES })] : [createRing({ capacityBytes: RING_BYTES })];
    }
    const base = { op, transport, n, size, rateHz, ctl, sabs };
    const [c, p] = await Promise.all([
      call(this.b, { ...base, role: 'consumer', port: consumerPort }),
      call(this.a, { ...base, role: 'producer', port: producerPort }),
    ]);
    return [c, p];
  }

  /** Median msgs/s over `runs`, and every run's figure (the spread is part of the result). */
  async throughput(transport: Transport, size: number, runs: number): Promise<{ median: number; runs: number[] }> {
    const n = tputCount(transport, size);
    await this.once('tput', transport, size, Math.ceil(n / 4), 0);
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [c, p] = await this.once('tput', transport, size, n, 0);
      rates.push(n / ((c.tEndNs! - p.t0Ns!) / 1e9));
    }
    return { median: median(rates), runs: rates };
  }

  async latency(op: 'lat' | 'rtt', transport: Transport, size: number, n: number, rateHz: number, runs: number): Promise<LatencySummaryUs> {
    await this.once(op, transport, size, Math.ceil(n / 5), rateHz);
    const s: NonNullable<BenchReply['latencyNs']>[] = [];
    for (let i = 0; i < runs; i++) {
      const [c, p] = await this.once(op, transport, size, n, rateHz);
      s.push((op === 'rtt' ? p : c).latencyNs!);
    }
    return {
      p50: median(s.map((x) => x.p50)) / 1000,
      p99: median(s.map((x) => x.p99)) / 1000,
      p999: median(s.map((x) => x.p999)) / 1000,
      max: median(s.map((x) => x.max)) / 1000,
      count: s.reduce((acc, x) => acc + x.count, 0),
    };
  }
}

/**
 * A new producer/consumer worker pair per measured cell, like JMH's fork per
 * benchmark. With one pair reused for every transport and size, the shared
 * ring code's type feedback from earlier variants changed how later ones were
 * compiled: spin-park+batch measured 6.7–26.5 M msgs/s at 64 B depending on
 * what ran before it in the same workers, 22–27 M when it ran alone.
 */
async function withFreshWorkers<T>(fn: (bench: Bench) => Promise<T>): Promise<T> {
  const entry = new URL('./lib/ring-bench.worker.ts', import.meta.url);
  const workerData = { mainTimeOriginMs: epochTimeOriginMs() };
  const a = startTsWorker(entry, { workerData });
  const b = startTsWorker(entry, { workerData });
  try {
    await Promise.all([waitReady(a), waitReady(b)]);
    return await fn(new Bench(a, b));
  } finally {
    await Promise.all([a.terminate(), b.terminate()]);
  }
}

export async function run(args: string[]): Promise<void> {
  const { json, flags } = benchArgs(args);
  const runs = Number(flags.get('runs') ?? 3);
  const rateHz = Number(flags.get('rate') ?? 20_000);
  const latSeconds = Number(flags.get('lat-seconds') ?? 0.5);
  const latN = Math.round(rateHz * latSeconds);
  // --only a,b: a subset of transports, for investigating one; ratios need the full set.
  const only = flags.get('only');
  const transports = only ? TRANSPORTS.filter((t) => only.split(',').includes(t)) : TRANSPORTS;
  const t0 = performance.now();

  const results: BenchResult[] = [];
  const tput = new Map<string, number>();
  for (const size of SIZES) {
    for (const t of transports) {
      const { tp, latencyUs } = await withFreshWorkers(async (bench) => ({
        tp: await bench.throughput(t, size, runs),
        latencyUs: await bench.latency('lat', t, size, latN, rateHz, runs),
      }));
      tput.set(`${t}@${size}`, tp.median);
      const runsMsgsPerS = tp.runs.map((r) => Math.round(r));
      results.push({ variant: t, params: { mode: 'one-way', sizeBytes: size, latencyRateHz: rateHz, runs }, msgsPerS: tp.median, runsMsgsPerS, latencyUs });
      console.log(`  ${t} ${size} B: ${(tp.median / 1e6).toFixed(2)} M msgs/s [${tp.runs.map((r) => (r / 1e6).toFixed(1)).join(' ')}], p50 ${latencyUs.p50.toFixed(2)} µs @ ${rateHz}/s`);
    }
  }
  const rttRing = await withFreshWorkers((bench) => bench.latency('rtt', 'ring/spin-park', 64, 50_000, 0, runs));
  results.push({ variant: 'ring/spin-park', params: { mode: 'round-trip', sizeBytes: 64, runs }, latencyUs: rttRing });
  const rttPost = await withFreshWorkers((bench) => bench.latency('rtt', 'postMessage', 64, 5_000, 0, runs));
  results.push({ variant: 'postMessage', params: { mode: 'round-trip', sizeBytes: 64, runs }, latencyUs: rttPost });

  const ratios: Record<string, number> = {};
  if (only) {
    printTable('ring (subset, no ratios)', results);
    return;
  }
  for (const size of SIZES) {
    for (const t of ['ring/busy-spin', 'ring/spin-park', 'ring/blocking', 'ring/spin-park+batch', 'ring/spin-park+copy']) {
      const r = tput.get(`${t}@${size}`)!;
      ratios[`throughput ${t} / postMessage @${size}B`] = r / tput.get(`postMessage@${size}`)!;
      ratios[`throughput ${t} / ringbuf.js @${size}B`] = r / tput.get(`ringbuf.js@${size}`)!;
    }
  }
  ratios['rtt p50 postMessage / ring/spin-park'] = rttPost.p50 / rttRing.p50;

  printTable(`ring: SPSC between two workers (throughput: tight loop; latency: one-way at ${rateHz}/s, CO-corrected; round-trip: ping-pong)`, results);
  console.log('\nratios (same run):');
  for (const [k, v] of Object.entries(ratios)) console.log(`  ${k.padEnd(48)} ${v.toFixed(1)}×`);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeJson(json, 'ring', results, { ratios });
}
