/**
 * Attaches a TurnGate to a dedicated stage when the engine runs in simulated
 * time (see turn-gate.ts). Start-up only.
 */
import type { Readiness } from '../../ring/index.ts';
import type { StageContext } from '../../stage/stage-logic.ts';
import type { EngineStageParams } from './stage-params.ts';
import { TurnGate } from './turn-gate.ts';

/** Turn order: the fused worker's call order. */
export const TURN_ORDER = ['sanitizer', 'strategy', 'risk', 'execution'] as const;

export interface TurnParams {
  readonly sab: SharedArrayBuffer;
  /** Doorbell of each stage in TURN_ORDER. */
  readonly doorbells: readonly SharedArrayBuffer[];
}

export interface Gated {
  gate: TurnGate | null;
  readiness?: Readiness;
}

export function attachTurnGate(stage: Gated, ctx: StageContext, name: (typeof TURN_ORDER)[number], inputs: Readiness | null): void {
  const p = ctx.params as EngineStageParams & { turn?: TurnParams };
  if (!p.sequenced || p.turn === undefined) return;
  const index = TURN_ORDER.indexOf(name);
  const gate = new TurnGate(p.turn.sab, index, TURN_ORDER.length, p.turn.doorbells[(index + 1) % TURN_ORDER.length]!, inputs);
  stage.gate = gate;
  stage.readiness = gate;
}
