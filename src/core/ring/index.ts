/**
 * Public API of the SPSC ring: what stages, the engine and benchmarks import.
 * See spsc-ring.ts (algorithm), layout.ts (memory map), idle-strategy.ts and
 * doorbell.ts (waiting), stats.ts (telemetry).
 */
export {
  INSUFFICIENT_CAPACITY,
  MSG_TOO_LARGE,
  INVALID_ARGUMENT,
  BackpressurePolicy,
  type RecordClaimer,
  type RecordHandler,
  type RecordReader,
  type Readiness,
  type Parker,
} from './types.ts';
export { createRing, describeRing, policyName, resetRing, SpscRing, type RingOptions, type AttachOptions, type RingHeaderInfo } from './spsc-ring.ts';
export { createDoorbell, Doorbell, AnyReady } from './doorbell.ts';
export {
  BusySpinIdle,
  SpinThenParkIdle,
  BlockingIdle,
  chooseDefaultIdle,
  createIdle,
  idleKindFor,
  type IdleStrategy,
  type IdleKind,
  type SpinThenParkOptions,
} from './idle-strategy.ts';
export { RingStatsReader, readRingStats, createRingStats, type RingStats } from './stats.ts';
export {
  PADDING_MSG_TYPE_ID,
  RECORD_HEADER_LENGTH,
  RECORD_ALIGNMENT,
  HEADER_LENGTH,
  MIN_CAPACITY,
  MAX_CAPACITY,
  DOORBELL_LENGTH,
  alignedRecordLength,
  ringByteLength,
} from './layout.ts';
