/**
 * Public surface of the L0 sanitizer (market-data quality gate). Type-only
 * and const-enum re-exports are free at run time; see l0-sanitizer.ts.
 */
export { L0Sanitizer, type SanitizeResult } from './l0-sanitizer.ts';
export { RejectReason, REJECT_REASON_COUNT, rejectReasonName } from './reject-reason.ts';
export { QualityFlag, NullDataQualitySink, type DataQualitySink } from './data-quality-sink.ts';
export { InstrumentStatus } from './instrument-status.ts';
export { DEFAULT_SANITIZER_CONFIG, validateSanitizerConfig, type SanitizerConfig } from './sanitizer-config.ts';
export { OkxBookChecksum, OKX_CHECKSUM_LEVELS, crc32Signed } from './okx-checksum.ts';
export { ClockSkewEstimator } from './clock-skew.ts';
export { ReferenceEwma, SpikeFilter, SpikeVerdict, deviationBps } from './spike-filter.ts';
