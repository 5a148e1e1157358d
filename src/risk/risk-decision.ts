/**
 * The answer DRBGuard gives for one intent, written into one reused object.
 *
 * Role: carrier of accept / deny-with-reason (nautilus `OrderDenied`): the
 * stable `DenyReason` code, the offending value and the limit it broke.
 * Owning thread: the risk stage; the guard owns exactly one and overwrites it
 * on every check, so a caller must copy what it keeps before the next call.
 * Hot: plain fields, no allocation. `formatDecision` is the cold-path text
 * form: `QUANTITY_EXCEEDS_MAXIMUM: value=1001 limit=1000 (order 42, instrument 0)`.
 */
import { DenyReason, denyReasonName } from './deny-reason.ts';

export class RiskDecision {
  accepted = false;
  reason: DenyReason = DenyReason.None;
  /** The offending value (units depend on the reason; see DenyReason docs). */
  value = 0;
  /** The limit that value broke. */
  limit = 0;
  clientOrderId = 0;
  instrumentId = 0;
  strategyId = 0;
  tsUs = 0;
}

/** Cold path: stable text for logs and the monitor. */
export function formatDecision(d: RiskDecision): string {
  if (d.accepted) return `ACCEPTED (order ${d.clientOrderId}, instrument ${d.instrumentId})`;
  return `${denyReasonName(d.reason)}: value=${d.value} limit=${d.limit} (order ${d.clientOrderId}, instrument ${d.instrumentId})`;
}
