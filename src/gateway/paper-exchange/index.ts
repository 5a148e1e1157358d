/**
 * Public surface of the paper exchange (simulated venue). Cold: imports only.
 * The execution stage builds one `PaperVenue` per run and implements
 * `PaperVenueSink`; sweeps swap the models.
 */
export { PaperVenue, type PaperVenueModels } from './paper-venue.ts';
export type { PaperVenueSink } from './report-queue.ts';
export {
  DEFAULT_PAPER_VENUE_CONFIG, REASON_DUPLICATE_ID, REASON_TABLE_FULL, validatePaperVenueConfig,
  type PaperVenueConfig, type QueueModelName,
} from './config.ts';
export { ConstantLatencyModel, Mulberry32, SampledLatencyModel, latencyModelFromConfig, type LatencyModel, type OrderRef } from './latency-model.ts';
export { OptimisticQueueModel, PessimisticQueueModel, ProRataQueueModel, queueModelByName, type QueueModel } from './queue-model.ts';
export { BpsFeeModel, type FeeModel } from './fee-model.ts';
export { PerpAccount } from './account.ts';
export { OrderTable, NO_SLOT, SlotState } from './order-table.ts';
