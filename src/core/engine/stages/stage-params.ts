/**
 * Parameters every engine stage receives (structured-cloned into the worker).
 * Plain data only. Cold path.
 */
import type { InstrumentSpec } from '../../domain/instrument.ts';
import type { ClockKind, SourceKind } from '../../config/engine-config.ts';

export interface EngineStageParams {
  readonly runId: number;
  readonly instruments: readonly InstrumentSpec[];
  readonly source: SourceKind;
  readonly clock: ClockKind;
  /**
   * Simulated time only: stages take turns in the fused order (sanitizer →
   * strategy → risk → execution) and the sanitizer admits one event per
   * settled cycle, so the fill stream does not depend on thread timing.
   */
  readonly sequenced: boolean;
  /** Simulated-time run length (µs of event time); null = until stopped. */
  readonly durationUs: number | null;
  readonly seed: number;
  readonly rateEventsPerS: number;
  readonly noTrade: boolean;
  readonly replayFile: string | null;
  /** `--record FILE`: the feed appends every md record to this recording. */
  readonly record: string | null;
  /** Hash of the effective configuration (recordings and the runs table). */
  readonly configHash: string;
  readonly replaySpeed: number;
  readonly okxWsUrl: string;
  readonly okxRestUrl: string;
  readonly strategy: Record<string, unknown>;
  readonly risk: Record<string, unknown>;
  readonly sanitizer: Record<string, unknown>;
  readonly venue: Record<string, unknown>;
  readonly synthetic: Record<string, unknown>;
  /** Fixed start of simulated time (Unix µs), so sim runs are reproducible. */
  readonly simStartUnixUs: number;
  /**
   * Stamp messages with the clock and record per-hop histograms. True in the
   * engine; false only for in-process sweep replays (simulated time), where
   * the figures would be function-call times nobody reads and the clock reads
   * and histogram records cost ~25 % of a replayed event. Decisions never
   * depend on it: in simulated time the logic runs on event time.
   */
  readonly latency: boolean;
  /**
   * Fused and sequenced only: the sanitizer hands each accepted event to
   * strategy, risk and execution as the carriers it decoded, instead of
   * through md.strategy / md.execution / md.risk (DirectMarketData: same
   * order, same handlers). True only for in-process sweep replays, where the
   * copies and re-decodes were ~30 % of an event; the engine keeps the rings,
   * so its ring statistics and per-hop stamps stay whole.
   */
  readonly directMarketData: boolean;
}
