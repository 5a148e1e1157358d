/**
 * What the engine's main thread and the writer thread say to each other:
 * the record framing on the writer ring and the (cold) postMessage protocol.
 *
 * Role: shared contract of engine-writer.ts (main) and writer-worker.ts
 * (writer thread). Types and constants only; no I/O.
 *
 * Writer ring record (SPSC SharedArrayBuffer ring, Block policy, main → writer):
 *
 *   ring header [len][msgTypeId]  (the ring's own)
 *   payload:    seq  f64  — main's forwarding sequence number, 1, 2, … per run
 *               aux  f64  — per-order venue update counter for order events, else 0
 *               the FlatBuffers message exactly as drained from the stage's event ring
 *
 * `seq` is what the writer acknowledges once the rows built from a record are
 * durable (committed, or in the journal); main keeps every record after the
 * acknowledged one, so a writer thread that dies is restarted and resumes at
 * the first unacknowledged record. `seq` also gives ids to records that have
 * none of their own (risk and data-quality events, liquidations, book samples).
 */
import type { FlushResult, WriterStats } from './batch-writer.ts';
import type { FsyncPolicy } from './journal.ts';
import type { InstrumentRow, RunRow } from './row-types.ts';

/** Bytes main puts in front of each FlatBuffers message on the writer ring. */
export const WRITER_PREFIX_BYTES = 16;

/** Row-building choices (sampling of the lossy `ui.book` records). */
export interface SamplingOptions {
  /** Top-of-book rows: at most one per instrument per this many ms (0 = none). */
  bookSampleMs: number;
  /** Public trades: keep 1 in N (1 = all that reach the ui.book ring, 0 = none). */
  tradeSampleEvery: number;
  /** Exchange liquidations: keep all (true) or none. */
  liquidations: boolean;
}

export interface WriterInit {
  runId: number;
  url: string | null;
  journalPath: string;
  /** Where the writer appends one line per fill once that fill is durable. */
  fillsLogPath: string;
  fsync: FsyncPolicy;
  maxBatchRows: number;
  maxBatchDelayMs: number;
  queryTimeoutMs: number;
  connectTimeoutMs: number;
  /** Unix µs of the run's time zero (see row-mapper.ts on timestamps). */
  epochUnixUs: number;
  /** Unix µs of the shared wall-clock epoch (stage stamps). */
  wallEpochUnixUs: number;
  /** The run's start row (re-sent on every writer start: the upsert merges). */
  run: RunRow;
  instruments: InstrumentRow[];
  /** For the ring → rows mapping of ui.book records. */
  sampling: SamplingOptions;
  /** Incarnation of the writer thread (0 = first start). */
  generation: number;
  /** Records up to this seq are durable already (a restarted thread resumes after it). */
  resumeAfterSeq: number;
}

/** Hop name → compressed base64 HDR histogram (values in ns), per stage report. */
export type HopReports = Record<string, string>[];

export type MainToWriter =
  /** First message to a (standby) writer thread: open the journal and start reading `ring`. */
  | { type: 'start'; ring: SharedArrayBuffer; init: WriterInit }
  | { type: 'reports'; tsUs: number; hops: HopReports }
  | { type: 'end'; run: Partial<RunRow> & { run_id: number } }
  /** Read the ring up to `lastSeq`, flush everything, answer `closed`, exit. */
  | { type: 'close'; lastSeq: number };

export interface WriterThreadStats extends WriterStats {
  /** Records taken from the ring by this incarnation. */
  records: number;
  /** Records that could not be turned into rows (decode errors); counted, skipped. */
  badRecords: number;
  /** Highest acknowledged (durable) seq. */
  ackedSeq: number;
  /** Rows written per table by this incarnation (handed to the BatchWriter). */
  rowsByTable: Record<string, number>;
}

export type WriterToMain =
  /** Modules loaded; waiting for `start` (a standby thread). */
  | { type: 'loaded' }
  | { type: 'ready'; generation: number; journalRowsAtStart: number }
  | { type: 'ack'; seq: number }
  | { type: 'stats'; stats: WriterThreadStats }
  | { type: 'error'; message: string }
  | { type: 'closed'; flush: FlushResult; stats: WriterThreadStats };
